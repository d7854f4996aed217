/** Every rule case by alert name or record name (prefix). A rule with no entry here fails test/observability/rules.test.ts. */
import { MONITORING_CASES } from "./monitoring";
import { SERVICE_CASES, SLO_CASES } from "./services";
import { CaseFactory } from "./types";
import { WORKLOAD_CASES } from "./workloads";

export const CASES: Record<string, CaseFactory> = { ...WORKLOAD_CASES, ...MONITORING_CASES, ...SERVICE_CASES, ...SLO_CASES };

/** Alerts that fire always, by design: they have no quiet case (their absence is what the dead man's switch detects). */
export const ALWAYS_FIRING = ["Watchdog"];

export * from "./types";
