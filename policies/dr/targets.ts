/**
 * dr-targets: recomputes, from the resources a preview would deploy, the RPO/RTO each data store
 * gets after a region outage (database replica, replicated backups, Velero's DR schedule, bucket
 * replication, backup copies) and fails the preview when they miss the environment's targets, so a
 * weaker schedule or a removed replica is refused at review time.
 */
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures, RecoveryFacts } from "../lib/recovery";
import type { PolicyResource, StackPolicy } from "../lib/types";
import { isUnknown, quietly } from "../lib/unknown";
import { judgeSubject } from "../lib/judge";

/**
 * The resource types each store's figures are computed from. Each store is judged on its own
 * resources, in its own read scope: in the first preview Velero's values are unknown (built from
 * ARNs), which leaves the cluster-state figure undecided, not the database's.
 */
const STORE_TYPES: Record<"database" | "clusterState" | "objectStorage", string[]> = {
    database: ["aws:rds/instance:Instance", "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"],
    clusterState: ["kubernetes:helm.sh/v3:Release"],
    objectStorage: ["aws:s3/bucketReplicationConfig:BucketReplicationConfig"],
};

/**
 * Whether an RDS instance is a read replica. In the first preview its `replicateSourceDb` (the
 * primary's ARN) is unknown; the engine still says it came from an instance of the stack
 * (propertyDependencies), which makes it a replica of that instance without reading the unknown.
 * An unknown source that nothing ties is read as such (the verdict then waits for `pulumi up`).
 */
function isReplica(r: PolicyResource, instances: Set<string>): boolean {
    const tied = quietly(() => isUnknown(r.props.replicateSourceDb) && (r.propertyDependencies?.replicateSourceDb ?? []).some((u) => instances.has(u)));
    if (tied) return true;
    const source = r.props.replicateSourceDb;
    return (typeof source === "string" && source.length > 0) || isUnknown(source);
}

/** The facts recoveryFigures() needs, read from resources. */
export function recoveryFactsOf(resources: PolicyResource[]): RecoveryFacts {
    const ofType = (t: string) => resources.filter((r) => r.type === t);
    const instances = ofType("aws:rds/instance:Instance");
    const instanceUrns = new Set(instances.map((r) => r.urn));
    const rules = ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").flatMap((r) => (r.props.rules ?? []) as any[]).filter((rule) => rule.status === "Enabled");
    const objectReplication = rules.length === 0 ? "none" : rules.every((rule) => rule.destination?.replicationTime?.status === "Enabled") ? "rtc" : "crr";
    const velero = ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.props.chart === "velero");
    const drIntervals = velero.flatMap((r) => Object.values((r.props.values?.schedules ?? {}) as Record<string, any>))
        .filter((s) => s?.template?.storageLocation === "dr" && s?.disabled !== true && s?.paused !== true)
        .map((s) => cronIntervalMinutes(String(s.schedule)))
        .filter((m): m is number => m !== undefined);
    const copyIntervals = ofType("aws:backup/plan:Plan").flatMap((p) => (p.props.rules ?? []) as any[])
        .filter((rule) => (rule.copyActions ?? []).length > 0)
        .map((rule) => awsCronIntervalMinutes(String(rule.schedule)))
        .filter((m): m is number => m !== undefined);
    return {
        databaseReplica: instances.some((r) => isReplica(r, instanceUrns)),
        databaseBackupReplication: ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication").length > 0,
        clusterStateIntervalMinutes: drIntervals.length ? Math.min(...drIntervals) : undefined,
        objectReplication,
        backupCopyIntervalMinutes: copyIntervals.length ? Math.min(...copyIntervals) : undefined,
    };
}

/** A promoted DR database (identifier `*-postgres-dr`, no replication source) means a failover is in progress. */
function failoverInProgress(resources: PolicyResource[]): boolean {
    return resources.some((r) => r.type === "aws:rds/instance:Instance" && /-dr$/.test(String(r.props.identifier ?? "")) && !quietly(() => r.props.replicateSourceDb));
}

export const drTargets: StackPolicy = {
    name: "dr-targets",
    description: "Checks that the RPO/RTO each data store gets after a region outage, computed from the deployed DR mechanisms and AWS's published figures, meets the environment's targets (pack config drTargets).",
    enforcementLevel: "mandatory",
    config: ["drTargets"],
    validateStack(resources, cfg) {
        const targets = cfg.drTargets;
        if (!targets || failoverInProgress(resources)) return [];
        return (Object.keys(STORE_TYPES) as (keyof typeof STORE_TYPES)[]).filter((store) => targets[store]).flatMap((store) => judgeSubject(undefined, () => {
            const own = resources.filter((r) => STORE_TYPES[store].includes(r.type));
            return missedTargets(recoveryFigures(recoveryFactsOf(own)), { [store]: targets[store] }).map((message) => `Recovery target missed: ${message}.`);
        }));
    },
};
