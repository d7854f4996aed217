/**
 * The DR drill's decisions, as pure functions (tested without AWS): what it refuses to run, when it
 * aborts, how long each step may take, which instances it may touch, and the verdict.
 *
 * What the drill never does, whatever the flags:
 * - change or delete the stack's own resources: the primary database and the standing replica are
 *   only described; the drill promotes, and deletes, only the instance it created in this run
 *   (`<primary>-drill`, tagged with the run id; assertDrillOwned);
 * - inject faults (`--chaos`) into a production stack;
 * - run while the stack is failed over (platform:dr.failover: true) or the primary database is not
 *   available: that is an incident, the runbook applies, not a drill;
 * - run `pulumi` or change the stack's config.
 * A production stack (environment or stack name `prod`) needs both `--allow-production` and the
 * environment variable DR_DRILL_ALLOW_PRODUCTION=<stack>; the drill then still creates and deletes
 * only its own instance (it loads the primary with a cross-region snapshot copy while it does).
 */
import { CHAOS_EXPERIMENTS } from "../../components/resilience/keys";
import type { DrDrillEnabled, DrDrillOutput } from "./contract";

export interface DrillFlags {
    /** The stack named on the command line. */
    stack: string;
    allowProduction: boolean;
    /** Value of DR_DRILL_ALLOW_PRODUCTION. */
    productionConfirmation?: string;
    /** `--chaos <key>`. */
    chaos?: string;
    /** Minutes the whole drill may take (the workflow's credential lifetime, minus a margin). */
    deadlineMinutes: number;
}

/** Minutes reserved at the end of the deadline for deleting the drill's instance. */
export const CLEANUP_RESERVE_MINUTES = 10;
/** The shortest deadline worth starting: the replica's promotion and a smoke check, plus cleanup. */
export const MIN_DEADLINE_MINUTES = 30;

export function isProduction(out: DrDrillOutput, stack: string): boolean {
    return out.environment === "prod" || stack === "prod" || out.stack === "prod";
}

/** Why the drill must not start, before any AWS call; empty when it may. */
export function refusals(out: DrDrillOutput, f: DrillFlags): string[] {
    const problems: string[] = [];
    if (out.stack !== f.stack) problems.push(`the outputs file is stack ${JSON.stringify(out.stack)}'s, not ${JSON.stringify(f.stack)}'s (pulumi stack output --stack ${f.stack} drDrill --json)`);
    if (isProduction(out, f.stack)) {
        if (f.chaos) problems.push(`--chaos ${f.chaos}: the drill never injects faults into a production stack`);
        if (!f.allowProduction || f.productionConfirmation !== f.stack) {
            problems.push(`stack ${f.stack} is production (platform:environment ${out.environment}): the drill runs against non-production stacks; to drill production anyway pass --allow-production and set DR_DRILL_ALLOW_PRODUCTION=${f.stack}`);
        }
    }
    if (!out.dr.enabled) problems.push(`stack ${out.stack} has no DR (platform:dr.enabled: false): nothing to fail over to`);
    else if (out.dr.failover) problems.push(`stack ${out.stack} is failed over (platform:dr.failover: true): it runs in ${out.dr.region} now; follow docs/runbooks/disaster-recovery.md, a drill would race the real failover`);
    if (f.chaos) {
        const keys = out.chaos.enabled ? out.chaos.templates.map((t) => t.key) : [];
        if (!(CHAOS_EXPERIMENTS as readonly string[]).includes(f.chaos)) problems.push(`--chaos ${f.chaos}: not an experiment; one of ${CHAOS_EXPERIMENTS.join(", ")}`);
        else if (!out.chaos.enabled) problems.push(`--chaos ${f.chaos}: stack ${out.stack} has no experiment templates (platform:resilience.chaos.enabled: false)`);
        else if (!keys.includes(f.chaos as (typeof keys)[number])) problems.push(`--chaos ${f.chaos}: stack ${out.stack} has no such template (it has ${keys.join(", ")})`);
    }
    if (!(f.deadlineMinutes >= MIN_DEADLINE_MINUTES)) problems.push(`--deadline-minutes ${f.deadlineMinutes}: at least ${MIN_DEADLINE_MINUTES} are needed (promotion, smoke checks and ${CLEANUP_RESERVE_MINUTES} for cleanup)`);
    return problems;
}

/** The DR part of outputs the refusals have let through. */
export function enabledDr(out: DrDrillOutput): DrDrillEnabled {
    if (!out.dr.enabled) throw new Error(`stack ${out.stack} has no DR`);
    return out.dr;
}

/** The identifier of the drill's own instance in the DR region. */
export function drillInstanceId(out: DrDrillOutput): string {
    const id = `${out.primary.database.identifier}-drill`;
    if (id.length > 63) throw new Error(`drill instance identifier ${id} is longer than RDS's 63 characters`);
    return id;
}

/** Tags of the drill's instance: what assertDrillOwned checks before promoting or deleting it. */
export const DRILL_TAG = "dr-drill-run";
export function drillTags(out: DrDrillOutput, runId: string): { Key: string; Value: string }[] {
    return [
        { Key: DRILL_TAG, Value: runId },
        { Key: "managed-by", Value: "dr-drill" },
        { Key: "environment", Value: out.environment },
        { Key: "stack", Value: out.stack },
    ];
}

export interface InstanceFacts { DBInstanceIdentifier?: string; TagList?: { Key?: string; Value?: string }[] }

/**
 * Throws unless the instance is the drill's own: the drill identifier (never the primary's or the
 * standing replica's) and the drill tag, of this run when a run id is given (the cleanup command
 * removes any earlier run's instance, still only with the tag).
 */
export function assertDrillOwned(instance: InstanceFacts, out: DrDrillOutput, runId?: string): void {
    const id = instance.DBInstanceIdentifier;
    const protectedIds = [out.primary.database.identifier, ...(out.dr.enabled && out.dr.database.mode === "replica" ? [out.dr.database.replica.identifier] : [])];
    if (!id || protectedIds.includes(id)) throw new Error(`refusing to change ${id ?? "an unnamed instance"}: it belongs to the stack, not to the drill`);
    if (id !== drillInstanceId(out)) throw new Error(`refusing to change ${id}: the drill's instance is ${drillInstanceId(out)}`);
    const tag = instance.TagList?.find((t) => t.Key === DRILL_TAG)?.Value;
    if (!tag) throw new Error(`refusing to change ${id}: it has no ${DRILL_TAG} tag, so the drill did not create it`);
    if (runId !== undefined && tag !== runId) throw new Error(`refusing to change ${id}: it is drill run ${tag}'s, not this run's (${runId}); \`npm run dr -- cleanup\` removes it`);
}

/** RDS instance states from which waiting is pointless (the RDS User Guide's DB instance status list). */
export const FAILED_STATES = ["failed", "incompatible-network", "incompatible-option-group", "incompatible-parameters", "incompatible-restore", "inaccessible-encryption-credentials", "inaccessible-encryption-credentials-recoverable", "restore-error", "storage-full"];

/** Why the drill must stop before changing anything, from what it found; undefined to go on. */
export function preconditionAbort(found: {
    primaryStatus?: string;
    standingReplica?: { status?: string; source?: string };
    leftover?: { id: string; status?: string };
}, out: DrDrillOutput): string | undefined {
    if (found.primaryStatus !== "available") {
        return `the primary database ${out.primary.database.identifier} is ${found.primaryStatus ?? "not found"}: that is an incident, not a drill (docs/runbooks/disaster-recovery.md)`;
    }
    const dr = enabledDr(out);
    if (dr.database.mode === "replica") {
        const r = found.standingReplica;
        const id = dr.database.replica.identifier;
        if (!r) return `the standing replica ${id} does not exist in ${dr.region}: the DR design the stack declares is not deployed`;
        if (r.status !== "available") return `the standing replica ${id} is ${r.status}: replication is not healthy`;
        if (!r.source) return `the standing replica ${id} has no replication source: it was promoted; rebuild it (docs/runbooks/disaster-recovery.md, "Failback")`;
    }
    if (found.leftover) {
        return `${found.leftover.id} exists (${found.leftover.status ?? "unknown status"}): an earlier drill left it; run \`npm run dr -- cleanup <stack> --outputs <file>\` and wait for the deletion`;
    }
    return undefined;
}

/** Default limit of each step, minutes. */
export const STEP_TIMEOUT_MINUTES = {
    createReplica: 90,
    promote: 30,
    restore: 120,
    smokeDatabase: 3,
    smokeCluster: 5,
    failback: 30,
    chaos: 45,
} as const;
export type TimedStep = keyof typeof STEP_TIMEOUT_MINUTES;

/** Milliseconds a step may take: its own limit, cut to what the deadline leaves after the cleanup reserve; 0 means do not start it. */
export function stepBudgetMs(step: TimedStep, deadlineAt: number, now: number): number {
    const reserve = step === "failback" ? 0 : CLEANUP_RESERVE_MINUTES * 60_000;
    return Math.max(0, Math.min(STEP_TIMEOUT_MINUTES[step] * 60_000, deadlineAt - now - reserve));
}

/** Replica lag seconds -> the RPO figure, or why there is none. */
export function lagRpo(values: number[]): { seconds?: number; problem?: string } {
    const valid = values.filter((v) => Number.isFinite(v) && v >= 0);
    if (valid.length === 0) return { problem: "no ReplicaLag data points in the window: the replica is not replicating (or CloudWatch has no data)" };
    return { seconds: Math.max(...valid) };
}

/** Whether a Kubernetes workload object is serving, from its status (the kubectl rollout status conditions, simplified). */
export function workloadReady(kind: "Deployment" | "StatefulSet" | "DaemonSet", obj: { spec?: { replicas?: number }; status?: Record<string, number | undefined> }): { ready: boolean; detail: string } {
    const s = obj.status ?? {};
    if (kind === "DaemonSet") {
        const desired = s.desiredNumberScheduled ?? 0;
        const available = s.numberAvailable ?? 0;
        return { ready: desired > 0 && available >= desired, detail: `${available}/${desired} available` };
    }
    const want = obj.spec?.replicas ?? 1;
    const have = (kind === "Deployment" ? s.availableReplicas : s.readyReplicas) ?? 0;
    return { ready: want > 0 && have >= want, detail: `${have}/${want} ${kind === "Deployment" ? "available" : "ready"}` };
}

/** FIS experiment end states (FIS API, ExperimentStatus) and what each means for the drill. */
export function chaosOutcome(status: string | undefined, reason: string | undefined): { ok: boolean; detail: string } {
    switch (status) {
        case "completed": return { ok: true, detail: "completed: the platform stayed within its stop conditions" };
        case "stopped": return { ok: false, detail: `stopped${reason ? ` (${reason})` : ""}: a stop-condition alarm fired, the platform did not hold its SLO under the fault` };
        case "failed": return { ok: false, detail: `failed${reason ? `: ${reason}` : ""}` };
        case "cancelled": return { ok: false, detail: "cancelled" };
        default: return { ok: false, detail: `did not finish (${status ?? "unknown"})` };
    }
}

export interface Comparison {
    store: string;
    figure: "RPO" | "RTO";
    /** Minutes measured; null when the drill could not measure it. */
    measuredMinutes: number | null;
    targetMinutes: number | null;
    designMinutes: number | null;
    /** true met, false missed, null not measured or no target. */
    met: boolean | null;
    note: string;
}

const round = (minutes: number) => Math.round(minutes * 100) / 100;

/** Measured figures against platform:dr.targets and the DR report's design figures. */
export function compare(out: DrDrillOutput, measured: { databaseRpoSeconds?: number; databaseRtoSeconds?: number; clusterReachable?: boolean }): Comparison[] {
    const design = (store: string, figure: "RPO" | "RTO") => {
        const f = out.design.find((d) => d.store === store);
        return f ? (figure === "RPO" ? f.rpoMinutes : f.rtoMinutes) : null;
    };
    const row = (store: "database" | "clusterState", figure: "RPO" | "RTO", seconds: number | undefined, note: string): Comparison => {
        const target = out.targets[store]?.[figure === "RPO" ? "rpoMinutes" : "rtoMinutes"] ?? null;
        const m = seconds === undefined ? null : round(seconds / 60);
        return { store, figure, measuredMinutes: m, targetMinutes: target, designMinutes: design(store, figure), met: m === null || target === null ? null : m <= target, note };
    };
    const mode = out.dr.enabled ? out.dr.database.mode : undefined;
    return [
        row("database", "RPO", measured.databaseRpoSeconds, mode === "pitr" ? "age of the latest restorable time of the replicated backups" : "maximum ReplicaLag of the standing replica over the last 15 minutes"),
        row("database", "RTO", measured.databaseRtoSeconds, mode === "pitr" ? "point-in-time restore of the replicated backups into a new instance, then a TLS login and SELECT 1" : "promotion of a replica like the standing one, then a TLS login and SELECT 1"),
        row("clusterState", "RTO", undefined, out.dr.enabled && out.dr.cluster.built
            ? `not measured: the standby cluster exists already (reachable: ${measured.clusterReachable ? "yes" : "no"}); its build is part of the failover's pulumi up`
            : "not measured: the standby cluster is built by the failover's pulumi up (platform:dr.failover: true), which a drill does not run"),
    ];
}

export type Verdict = "passed" | "failed" | "aborted" | "refused";
export const EXIT_CODES: Record<Verdict, number> = { passed: 0, failed: 1, refused: 2, aborted: 3 };

export function verdict(steps: { status: "ok" | "failed" | "skipped" | "aborted" }[], comparisons: Comparison[]): Verdict {
    if (steps.some((s) => s.status === "aborted")) return "aborted";
    if (steps.some((s) => s.status === "failed") || comparisons.some((c) => c.met === false)) return "failed";
    return "passed";
}
