/**
 * The platform's own alert rules. Every alert has a severity, a summary, a description and a
 * runbook link to a page (and anchor) in docs/runbooks/ of this repository. The rules are split by
 * what they watch: workloads.ts (Kubernetes objects, nodes, volumes, control plane), monitoring.ts
 * (the monitoring pipeline itself and the dead man's switch), services.ts (Velero, Argo Rollouts)
 * and slo.ts (error budgets). Each rule is unit-tested with promtool on series shaped as the pinned
 * exporters produce them (test/observability/rules.test.ts; docs/observability.md lists them).
 */
import { RuleGroup } from "./types";
import { monitoringRuleGroups } from "./monitoring";
import { workloadRuleGroups } from "./workloads";

export { alertRule, RUNBOOK_PAGES, runbookUrl } from "./runbooks";
export type { AlertSpec } from "./runbooks";

/** All platform rule groups, with runbook links under `runbookBase` (e.g. https://github.com/org/repo/blob/main/docs/runbooks). */
export function platformRuleGroups(runbookBase: string): RuleGroup[] {
    return [...monitoringRuleGroups(runbookBase), ...workloadRuleGroups(runbookBase)];
}
