/**
 * The DR drill, step by step (docs/runbooks/disaster-recovery.md, "The drill"):
 *  1. preflight   the primary is available, the standing replica replicates, no earlier drill is left over;
 *  2. rpo         replica mode: the standing replica's ReplicaLag (maximum over 15 min); pitr mode: the
 *                 age of the replicated backups' latest restorable time;
 *  3. setup       replica mode only: a cross-region replica of the primary made like the standing one
 *                 (not part of the RTO: in a real failover the replica exists already);
 *  4. failover    replica mode: promote the drill's replica; pitr mode: restore the replicated backups
 *                 to the latest restorable time into a new instance;
 *  5. database    TLS login with the master credential's copy in the DR region, SELECT 1;
 *  6. cluster     the standby cluster ACTIVE, its API server ready and its workloads available (when built);
 *  7. failback    delete the drill's instance (always, also after an abort);
 *  8. chaos       with --chaos: one FIS experiment on the primary, to its end state.
 * RTO (database) = failover + database check. Each step is timed and limited (decide.ts).
 */
import type { DBInstance } from "@aws-sdk/client-rds";
import { Clock, createDrillReplica, deleteDrillInstance, describeInstance, DrillClients, isAvailable, isStandalone, latestRestorableTime, masterCredential, promoteDrillReplica, replicaLagSeconds, restoreDrillInstance, startChaos, StepTimeout, waitChaos, waitForDeletion, waitForInstance } from "./aws";
import type { DrDrillOutput } from "./contract";
import { selectOne, SqlConnect } from "./db";
import { chaosOutcome, compare, Comparison, DrillFlags, drillInstanceId, enabledDr, lagRpo, preconditionAbort, stepBudgetMs, TimedStep, Verdict, verdict } from "./decide";
import { checkCluster, KubeGet } from "./eks";

export type StepStatus = "ok" | "failed" | "skipped" | "aborted";
export interface StepRecord { name: string; status: StepStatus; startedAt: string; seconds: number; detail: string[] }

export interface DrillReport {
    version: 1;
    stack: string;
    environment: string;
    runId: string;
    mode: "replica" | "pitr";
    primaryRegion: string;
    drRegion: string;
    drillInstance: string;
    startedAt: string;
    finishedAt: string;
    deadlineMinutes: number;
    steps: StepRecord[];
    measured: { databaseRpoSeconds?: number; databaseRtoSeconds?: number; setupSeconds?: number; failbackSeconds?: number; clusterReachable?: boolean };
    comparisons: Comparison[];
    chaos?: { key: string; templateId: string; experimentId?: string; status?: string; ok: boolean; detail: string };
    verdict: Verdict;
}

export interface DrillDeps {
    clients: DrillClients;
    clock: Clock;
    /** The RDS CA bundle PEM for the DR region. */
    rdsCa: () => Promise<string>;
    sqlConnect?: SqlConnect;
    kubeGet?: KubeGet;
    /** Poll interval of the RDS waits, ms. Defaults to 30 s. */
    pollMs?: number;
    log: (line: string) => void;
}

/** Stops the drill before it changes anything (the step is recorded as aborted). */
class AbortDrill extends Error {}

export async function runDrill(out: DrDrillOutput, flags: DrillFlags, runId: string, deps: DrillDeps): Promise<DrillReport> {
    const dr = enabledDr(out);
    const { clients, clock, log } = deps;
    const pollMs = deps.pollMs ?? 30_000;
    const started = clock.now();
    const deadlineAt = started + flags.deadlineMinutes * 60_000;
    const drillId = drillInstanceId(out);
    const steps: StepRecord[] = [];
    const measured: DrillReport["measured"] = {};
    const iso = (t: number) => new Date(t).toISOString();

    /** Runs one step: times it, records its outcome; AbortDrill and timeouts abort the drill, other errors fail the step. */
    const step = async (name: string, budgetKey: TimedStep | undefined, fn: (budgetMs: number) => Promise<string[]>): Promise<StepRecord> => {
        const t0 = clock.now();
        const budget = budgetKey ? stepBudgetMs(budgetKey, deadlineAt, t0) : Infinity;
        const rec: StepRecord = { name, status: "ok", startedAt: iso(t0), seconds: 0, detail: [] };
        log(`drill ${out.stack}: ${name} ...`);
        try {
            if (budget <= 0) throw new AbortDrill(`the deadline (${flags.deadlineMinutes} min) leaves no time for ${name}`);
            rec.detail = await fn(budget);
        } catch (e) {
            rec.status = e instanceof AbortDrill || e instanceof StepTimeout ? "aborted" : "failed";
            rec.detail.push((e as Error).message);
        }
        rec.seconds = Math.round((clock.now() - t0) / 1000);
        steps.push(rec);
        log(`drill ${out.stack}: ${name} ${rec.status} in ${rec.seconds} s${rec.detail.length ? `: ${rec.detail.join("; ")}` : ""}`);
        return rec;
    };
    const halted = () => steps.some((s) => s.status === "aborted" || s.status === "failed");

    let standing: DBInstance | undefined;
    let drillCreated = false;
    let drillInstance: DBInstance | undefined;
    let failoverSeconds: number | undefined;
    const failoverSteps = async (): Promise<void> => {
        await step("preflight", undefined, async () => {
            const primary = await describeInstance(clients.primaryRds, out.primary.database.identifier);
            standing = dr.database.mode === "replica" ? await describeInstance(clients.drRds, dr.database.replica.identifier) : undefined;
            const leftover = await describeInstance(clients.drRds, drillId);
            const reason = preconditionAbort({
                primaryStatus: primary?.DBInstanceStatus,
                standingReplica: standing ? { status: standing.DBInstanceStatus, source: standing.ReadReplicaSourceDBInstanceIdentifier } : undefined,
                leftover: leftover ? { id: drillId, status: leftover.DBInstanceStatus } : undefined,
            }, out);
            if (reason) throw new AbortDrill(reason);
            return [`primary ${out.primary.database.identifier} available in ${out.primary.region}`, ...(standing ? [`standing replica ${standing.DBInstanceIdentifier} available, source ${standing.ReadReplicaSourceDBInstanceIdentifier}`] : [])];
        });
        if (halted()) return;

        await step("rpo", undefined, async () => {
            if (dr.database.mode === "replica") {
                const lag = lagRpo(await replicaLagSeconds(clients.drCloudWatch, dr.database.replica.identifier, clock.now()));
                if (lag.problem) throw new AbortDrill(lag.problem);
                measured.databaseRpoSeconds = lag.seconds;
                return [`ReplicaLag maximum over 15 min: ${lag.seconds} s`];
            }
            const latest = await latestRestorableTime(clients.drRds, dr.database.replicatedBackupsArn);
            if (!latest) throw new AbortDrill(`the replicated backups ${dr.database.replicatedBackupsArn} have no restorable time: backups are not replicating`);
            measured.databaseRpoSeconds = Math.max(0, Math.round((clock.now() - latest.getTime()) / 1000));
            return [`latest restorable time ${latest.toISOString()} (${measured.databaseRpoSeconds} s ago)`];
        });
        if (halted()) return;

        if (dr.database.mode === "replica") {
            const setup = await step("setup", "createReplica", async (budget) => {
                drillCreated = true;
                await createDrillReplica(clients.drRds, out, standing!, runId);
                drillInstance = await waitForInstance(clients.drRds, drillId, (i) => isAvailable(i) && !!i.ReadReplicaSourceDBInstanceIdentifier, budget, clock, pollMs);
                return [`${drillId}: cross-region replica of ${out.primary.database.identifier} (${standing!.DBInstanceClass}) available`];
            });
            measured.setupSeconds = setup.seconds;
            if (halted()) return;
        }

        const failover = await step("failover", dr.database.mode === "replica" ? "promote" : "restore", async (budget) => {
            if (dr.database.mode === "replica") {
                await promoteDrillReplica(clients.drRds, drillInstance!, out, runId, standing!.BackupRetentionPeriod);
                drillInstance = await waitForInstance(clients.drRds, drillId, isStandalone, budget, clock, pollMs);
                return [`${drillId} promoted to a standalone instance`];
            }
            drillCreated = true;
            await restoreDrillInstance(clients.drRds, out, runId);
            drillInstance = await waitForInstance(clients.drRds, drillId, isAvailable, budget, clock, pollMs);
            return [`${drillId} restored to the latest restorable time`];
        });
        if (failover.status === "ok") failoverSeconds = failover.seconds;
        if (failover.status === "aborted") return;

        // Without a promoted or restored instance there is nothing to log in to; the cluster is checked either way.
        const database = failover.status !== "ok" ? undefined : await step("database", "smokeDatabase", async (budget) => {
            const secretArn = dr.database.credentialSecretArn;
            if (!secretArn) throw new Error("the stack outputs name no master credential in the DR region (drDrill.dr.database.credentialSecretArn): a failover could not log in to the promoted database");
            const credential = await masterCredential(clients.drSecrets, secretArn);
            const endpoint = drillInstance!.Endpoint;
            if (!endpoint?.Address) throw new Error(`${drillId} has no endpoint`);
            await selectOne({ host: endpoint.Address, port: endpoint.Port ?? out.primary.database.port, database: out.primary.database.name, user: credential.username, password: credential.password, ca: await deps.rdsCa() }, Math.min(budget, 60_000), deps.sqlConnect);
            return [`TLS login as ${credential.username} to ${endpoint.Address}:${endpoint.Port}/${out.primary.database.name}, SELECT 1 ok`];
        });
        if (database?.status === "ok" && failoverSeconds !== undefined) measured.databaseRtoSeconds = failoverSeconds + database.seconds;

        await step("cluster", "smokeCluster", async (budget) => {
            if (!dr.cluster.built) return [`skipped: the standby cluster ${dr.cluster.name} is built on failover (platform:dr.failover: true)`];
            const r = await checkCluster(clients.drEks, dr.cluster.name, dr.cluster.workloads, Math.min(budget, 30_000), deps.kubeGet);
            measured.clusterReachable = r.ok;
            if (!r.ok) throw new Error(r.details.join("; "));
            return r.details;
        });
        if (!dr.cluster.built) steps[steps.length - 1].status = "skipped";
    };
    try {
        await failoverSteps();
    } finally {
        if (drillCreated) {
            const failback = await step("failback", "failback", async (budget) => {
                const found = await describeInstance(clients.drRds, drillId);
                if (!found) return [`${drillId} was never created`];
                if (found.DBInstanceStatus === "deleting") return [`${drillId} is being deleted`];
                await deleteDrillInstance(clients.drRds, found, out, runId);
                const gone = await waitForDeletion(clients.drRds, drillId, budget, clock, pollMs);
                return [gone ? `${drillId} deleted` : `${drillId} deletion started (still deleting when the drill ended)`];
            });
            measured.failbackSeconds = failback.seconds;
        }
    }
    return finish();

    function finish(): DrillReport {
        return { ...base(), steps, measured, comparisons: compare(out, measured), verdict: verdict(steps, compare(out, measured)) };
    }
    function base() {
        return {
            version: 1 as const, stack: out.stack, environment: out.environment, runId, mode: dr.database.mode,
            primaryRegion: out.primary.region, drRegion: dr.region, drillInstance: drillId,
            startedAt: iso(started), finishedAt: iso(clock.now()), deadlineMinutes: flags.deadlineMinutes,
        };
    }
}

/** Runs one experiment template of the stack to its end state (--chaos). */
export async function runChaos(out: DrDrillOutput, key: string, runId: string, deadlineAt: number, deps: DrillDeps): Promise<NonNullable<DrillReport["chaos"]>> {
    if (!out.chaos.enabled) throw new Error(`stack ${out.stack} has no experiment templates`);
    const template = out.chaos.templates.find((t) => t.key === key);
    if (!template) throw new Error(`stack ${out.stack} has no experiment ${key}`);
    deps.log(`drill ${out.stack}: chaos ${key} (${template.action}, template ${template.id}) ...`);
    const budget = stepBudgetMs("chaos", deadlineAt, deps.clock.now());
    if (budget <= 0) return { key, templateId: template.id, ok: false, detail: "not started: the deadline leaves no time" };
    const experimentId = await startChaos(deps.clients.fis, template.id, runId, out.stack);
    const end = await waitChaos(deps.clients.fis, experimentId, budget, deps.clock);
    const outcome = chaosOutcome(end.status, end.reason);
    deps.log(`drill ${out.stack}: chaos ${key} ${outcome.detail}`);
    return { key, templateId: template.id, experimentId, status: end.status, ok: outcome.ok, detail: outcome.detail };
}

/** The report with the chaos result folded into the verdict. */
export function withChaos(report: DrillReport, chaos: DrillReport["chaos"]): DrillReport {
    if (!chaos) return report;
    return { ...report, chaos, verdict: report.verdict === "passed" && !chaos.ok ? "failed" : report.verdict };
}
