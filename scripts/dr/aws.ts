/**
 * The DR drill's AWS calls (SDK v3 clients, one per service and region). Every function takes its
 * client, so the tests stub the clients with aws-sdk-client-mock; every wait takes a clock, so the
 * tests do not sleep.
 */
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { EKSClient } from "@aws-sdk/client-eks";
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import {
    CreateDBInstanceReadReplicaCommand, DBInstance, DeleteDBInstanceCommand, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand,
    PromoteReadReplicaCommand, RDSClient, RestoreDBInstanceToPointInTimeCommand,
} from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DrDrillOutput } from "./contract";
import { assertDrillOwned, DRILL_TAG, drillInstanceId, drillTags, enabledDr, FAILED_STATES } from "./decide";

export interface DrillClients {
    primaryRds: RDSClient;
    drRds: RDSClient;
    drCloudWatch: CloudWatchClient;
    drSecrets: SecretsManagerClient;
    drEks: EKSClient;
    /** In the region of the experiment templates (the primary's). */
    fis: FisClient;
}

/** Clients in the regions the outputs name; credentials from the default chain (the workflow's OIDC session). */
export function drillClients(out: DrDrillOutput): DrillClients {
    const dr = enabledDr(out);
    const retry = { maxAttempts: 5 };
    return {
        primaryRds: new RDSClient({ region: out.primary.region, ...retry }),
        drRds: new RDSClient({ region: dr.region, ...retry }),
        drCloudWatch: new CloudWatchClient({ region: dr.region, ...retry }),
        drSecrets: new SecretsManagerClient({ region: dr.region, ...retry }),
        drEks: new EKSClient({ region: dr.region, ...retry }),
        fis: new FisClient({ region: out.chaos.enabled ? out.chaos.region : out.primary.region, ...retry }),
    };
}

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}
export const REAL_CLOCK: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export class StepTimeout extends Error {}

/** The instance, or undefined when RDS says it does not exist. */
export async function describeInstance(rds: RDSClient, id: string): Promise<DBInstance | undefined> {
    try {
        const r = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
        return r.DBInstances?.[0];
    } catch (e) {
        if ((e as Error).name === "DBInstanceNotFoundFault") return undefined;
        throw e;
    }
}

/** ReplicaLag (seconds, one-minute maxima) of an instance over the last `windowMinutes`. */
export async function replicaLagSeconds(cw: CloudWatchClient, id: string, now: number, windowMinutes = 15): Promise<number[]> {
    const r = await cw.send(new GetMetricDataCommand({
        StartTime: new Date(now - windowMinutes * 60_000),
        EndTime: new Date(now),
        MetricDataQueries: [{
            Id: "lag",
            ReturnData: true,
            MetricStat: { Metric: { Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: id }] }, Period: 60, Stat: "Maximum" },
        }],
    }));
    return r.MetricDataResults?.find((m) => m.Id === "lag")?.Values ?? [];
}

/** The latest time the replicated automated backups can restore to. */
export async function latestRestorableTime(rds: RDSClient, backupsArn: string): Promise<Date | undefined> {
    const r = await rds.send(new DescribeDBInstanceAutomatedBackupsCommand({ DBInstanceAutomatedBackupsArn: backupsArn }));
    return r.DBInstanceAutomatedBackups?.[0]?.RestoreWindow?.LatestTime;
}

/** Polls the instance until `done` holds; throws on a failed state, on its disappearance, or when the budget is spent. */
export async function waitForInstance(rds: RDSClient, id: string, done: (i: DBInstance) => boolean, budgetMs: number, clock: Clock, pollMs = 30_000): Promise<DBInstance> {
    const start = clock.now();
    for (;;) {
        const i = await describeInstance(rds, id);
        if (!i) throw new Error(`${id} does not exist (any more)`);
        if (FAILED_STATES.includes(i.DBInstanceStatus ?? "")) throw new Error(`${id} is ${i.DBInstanceStatus}`);
        if (done(i)) return i;
        if (clock.now() - start + pollMs > budgetMs) throw new StepTimeout(`${id} still ${i.DBInstanceStatus} after ${Math.round((clock.now() - start) / 60_000)} min (limit ${Math.round(budgetMs / 60_000)} min)`);
        await clock.sleep(pollMs);
    }
}

/** Polls until the instance is gone; returns false when the budget ends first. */
export async function waitForDeletion(rds: RDSClient, id: string, budgetMs: number, clock: Clock, pollMs = 30_000): Promise<boolean> {
    const start = clock.now();
    for (;;) {
        if (!(await describeInstance(rds, id))) return true;
        if (clock.now() - start + pollMs > budgetMs) return false;
        await clock.sleep(pollMs);
    }
}

export const isAvailable = (i: DBInstance) => i.DBInstanceStatus === "available";
export const isStandalone = (i: DBInstance) => isAvailable(i) && !i.ReadReplicaSourceDBInstanceIdentifier;

/**
 * A cross-region read replica of the primary, made like the standing replica (class, storage type,
 * subnet group, security groups, parameter group, KMS key), Single-AZ, unprotected, tagged as the
 * drill's. The SDK signs the cross-region request (PreSignedUrl) from the source ARN.
 */
export async function createDrillReplica(rds: RDSClient, out: DrDrillOutput, standing: DBInstance, runId: string): Promise<void> {
    const params = standing.DBParameterGroups?.[0]?.DBParameterGroupName;
    await rds.send(new CreateDBInstanceReadReplicaCommand({
        DBInstanceIdentifier: drillInstanceId(out),
        SourceDBInstanceIdentifier: out.primary.database.arn,
        DBInstanceClass: standing.DBInstanceClass,
        StorageType: standing.StorageType,
        DBSubnetGroupName: standing.DBSubnetGroup?.DBSubnetGroupName,
        VpcSecurityGroupIds: standing.VpcSecurityGroups?.map((g) => g.VpcSecurityGroupId!).filter(Boolean),
        DBParameterGroupName: params,
        KmsKeyId: standing.KmsKeyId,
        MultiAZ: false,
        PubliclyAccessible: false,
        DeletionProtection: false,
        AutoMinorVersionUpgrade: false,
        CopyTagsToSnapshot: false,
        Tags: drillTags(out, runId),
    }));
}

/** Promotes the drill's replica (only the drill's), keeping the standing replica's backup retention as a real promotion would. */
export async function promoteDrillReplica(rds: RDSClient, instance: DBInstance, out: DrDrillOutput, runId: string, backupRetentionDays?: number): Promise<void> {
    assertDrillOwned(instance, out, runId);
    await rds.send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: instance.DBInstanceIdentifier!, BackupRetentionPeriod: backupRetentionDays }));
}

/** Restores the replicated automated backups to their latest restorable time into the drill's instance (the pitr failover). */
export async function restoreDrillInstance(rds: RDSClient, out: DrDrillOutput, runId: string): Promise<void> {
    const dr = enabledDr(out);
    if (dr.database.mode !== "pitr") throw new Error("restoreDrillInstance needs the pitr database mode");
    const { restore, replicatedBackupsArn } = dr.database;
    await rds.send(new RestoreDBInstanceToPointInTimeCommand({
        SourceDBInstanceAutomatedBackupsArn: replicatedBackupsArn,
        TargetDBInstanceIdentifier: drillInstanceId(out),
        UseLatestRestorableTime: true,
        DBInstanceClass: restore.instanceClass,
        DBSubnetGroupName: restore.subnetGroupName,
        VpcSecurityGroupIds: restore.securityGroupIds,
        DBParameterGroupName: restore.parameterGroupName,
        StorageType: "gp3",
        MultiAZ: false,
        PubliclyAccessible: false,
        DeletionProtection: false,
        Tags: drillTags(out, runId),
    }));
}

/** Deletes the drill's instance (only the drill's: assertDrillOwned), without a final snapshot or retained backups. */
export async function deleteDrillInstance(rds: RDSClient, instance: DBInstance, out: DrDrillOutput, runId?: string): Promise<void> {
    assertDrillOwned(instance, out, runId);
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: instance.DBInstanceIdentifier!, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
}

/** The master credential from its secret in the DR region (JSON with username and password, as RDS and its rotation functions write it). */
export async function masterCredential(secrets: SecretsManagerClient, secretArn: string): Promise<{ username: string; password: string }> {
    const r = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    let parsed: unknown;
    try {
        parsed = JSON.parse(r.SecretString ?? "");
    } catch {
        throw new Error(`secret ${secretArn} does not hold JSON (expected {"username": ..., "password": ...})`);
    }
    const { username, password } = (parsed ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== "string" || typeof password !== "string") throw new Error(`secret ${secretArn} has no string username and password`);
    return { username, password };
}

/** Starts the experiment template; the run id is the idempotency token, so a retried call starts one experiment. */
export async function startChaos(fis: FisClient, templateId: string, runId: string, stack: string): Promise<string> {
    const r = await fis.send(new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: `${runId}-${templateId}`.slice(0, 64), tags: { [DRILL_TAG]: runId, stack } }));
    const id = r.experiment?.id;
    if (!id) throw new Error(`FIS started no experiment for template ${templateId}`);
    return id;
}

const CHAOS_END_STATES = ["completed", "stopped", "failed", "cancelled"];

/** Polls the experiment to an end state; stops it when the budget ends first. */
export async function waitChaos(fis: FisClient, experimentId: string, budgetMs: number, clock: Clock, pollMs = 15_000): Promise<{ status?: string; reason?: string }> {
    const start = clock.now();
    for (;;) {
        const r = await fis.send(new GetExperimentCommand({ id: experimentId }));
        const state = r.experiment?.state;
        if (state?.status && CHAOS_END_STATES.includes(state.status)) return { status: state.status, reason: state.reason };
        if (clock.now() - start + pollMs > budgetMs) {
            await fis.send(new StopExperimentCommand({ id: experimentId }));
            return { status: state?.status, reason: `the drill stopped it after ${Math.round(budgetMs / 60_000)} min` };
        }
        await clock.sleep(pollMs);
    }
}
