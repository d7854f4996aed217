/**
 * dr-targets: recomputes, from the resources a preview would deploy, the RPO/RTO each data store
 * gets after a region outage (database replica, replicated backups, Velero's DR schedule, bucket
 * replication, backup copies) and fails the preview when they miss the environment's targets, so a
 * weaker schedule or a removed replica is refused at review time.
 *
 * A mechanism counts only when the resources show that it reaches another region: a replica whose
 * region differs from its source's, backups replicated into another region, a Velero location in
 * another region than the cluster, bucket replication into a bucket of another region for every
 * bucket of the primary region, a backup copy to a vault of another region. Names prove nothing (an
 * identifier ending in `-dr` is just a name), and an invalid schedule gives no figure. A failover is
 * declared by the stack's config (pack property drFailover, from platform:dr.failover), never
 * guessed from the resources.
 */
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures, RecoveryFacts } from "../lib/recovery";
import type { PolicyResource, StackPolicy } from "../lib/types";

const RDS = "aws:rds/instance:Instance";
const BUCKET = "aws:s3/bucket:Bucket";

/** The region in an ARN (`arn:aws:kms:eu-central-1:...`); undefined for regionless ARNs (S3) and non-ARNs. */
export function arnRegion(v: unknown): string | undefined {
    return typeof v === "string" ? /^arn:aws[a-z-]*:[^:]+:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(v)?.[1] : undefined;
}

/** The region of the stack's default provider: the region most resources are created in. */
function stackRegion(resources: PolicyResource[]): string | undefined {
    const counts = new Map<string, number>();
    for (const r of resources) if (r.region) counts.set(r.region, (counts.get(r.region) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Two regions both known and different. */
const crossRegion = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b;

/** A cross-region read replica: its source is an ARN (required across regions) of another region than the replica's own. */
function isCrossRegionReplica(r: PolicyResource): boolean {
    const source = r.props.replicateSourceDb;
    // An encrypted cross-region replica must name a key of its own region; that key tells the region when the provider does not.
    return crossRegion(arnRegion(source), r.region ?? arnRegion(r.props.kmsKeyId));
}

/** Object storage: "none" unless every bucket of the primary region replicates into a bucket of another region. */
function objectReplicationOf(resources: PolicyResource[], primary: string | undefined): RecoveryFacts["objectReplication"] {
    const buckets = resources.filter((r) => r.type === BUCKET);
    const bucketRegion = (name: unknown) => buckets.find((b) => b.props.bucket === name)?.region;
    const configs = resources.filter((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    const destinations = new Set(configs.flatMap((c) => (c.props.rules ?? []) as any[]).map((rule) => String(rule?.destination?.bucket ?? "").replace(/^arn:aws[a-z-]*:s3:::/, "")));
    const sources = buckets.filter((b) => !destinations.has(b.props.bucket) && (primary === undefined || b.region === undefined || b.region === primary));
    if (sources.length === 0) return "none";
    let allRtc = true;
    for (const b of sources) {
        const rules = configs.filter((c) => c.props.bucket === b.props.bucket).flatMap((c) => ((c.props.rules ?? []) as any[]).map((rule) => ({ rule, config: c })))
            .filter(({ rule, config }) => {
                if (rule?.status !== "Enabled") return false;
                const name = String(rule.destination?.bucket ?? "").replace(/^arn:aws[a-z-]*:s3:::/, "");
                const to = bucketRegion(name) ?? arnRegion(rule.destination?.encryptionConfiguration?.replicaKmsKeyId);
                return crossRegion(b.region ?? config.region, to);
            });
        if (rules.length === 0) return "none";
        if (!rules.some(({ rule }) => rule.destination?.replicationTime?.status === "Enabled")) allRtc = false;
    }
    return allRtc ? "rtc" : "crr";
}

/** Minutes between Velero backups written to a location in another region than the cluster. */
function clusterStateInterval(resources: PolicyResource[], primary: string | undefined): number | undefined {
    const intervals: number[] = [];
    for (const r of resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release" && x.props.chart === "velero")) {
        const values = r.props.values ?? {};
        const locations = (values.configuration?.backupStorageLocation ?? []) as any[];
        const defaultLocation = locations.find((l) => l?.default === true) ?? locations.find((l) => l?.name === "default");
        const clusterRegion = ((values.configuration?.volumeSnapshotLocation ?? []) as any[])[0]?.config?.region ?? defaultLocation?.config?.region ?? primary;
        for (const s of Object.values((values.schedules ?? {}) as Record<string, any>)) {
            if (!s || s.disabled === true || s.paused === true) continue;
            const name = s.template?.storageLocation;
            const location = name === undefined ? defaultLocation : locations.find((l) => l?.name === name);
            if (!location || location.accessMode === "ReadOnly" || !crossRegion(clusterRegion, location.config?.region)) continue;
            const minutes = cronIntervalMinutes(String(s.schedule));
            if (minutes !== undefined) intervals.push(minutes);
        }
    }
    return intervals.length ? Math.min(...intervals) : undefined;
}

/** The facts recoveryFigures() needs, read from resources. */
export function recoveryFactsOf(resources: PolicyResource[]): RecoveryFacts {
    const ofType = (t: string) => resources.filter((r) => r.type === t);
    const primary = stackRegion(resources);
    const copyIntervals = ofType("aws:backup/plan:Plan").flatMap((p) => ((p.props.rules ?? []) as any[]).map((rule) => ({ rule, region: p.region ?? primary })))
        .filter(({ rule, region }) => ((rule.copyActions ?? []) as any[]).some((c) => crossRegion(region, arnRegion(c?.destinationVaultArn))))
        .map(({ rule }) => awsCronIntervalMinutes(String(rule.schedule)))
        .filter((m): m is number => m !== undefined);
    return {
        databaseReplica: ofType(RDS).some(isCrossRegionReplica),
        databaseBackupReplication: ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")
            .some((r) => crossRegion(arnRegion(r.props.sourceDbInstanceArn), r.region ?? arnRegion(r.props.kmsKeyId))),
        clusterStateIntervalMinutes: clusterStateInterval(resources, primary),
        objectReplication: objectReplicationOf(resources, primary),
        backupCopyIntervalMinutes: copyIntervals.length ? Math.min(...copyIntervals) : undefined,
    };
}

export const drTargets: StackPolicy = {
    name: "dr-targets",
    description: "Checks that the RPO/RTO each data store gets after a region outage, computed from the deployed DR mechanisms and AWS's published figures, meets the environment's targets (pack config drTargets); a failover declared by drFailover is not judged.",
    enforcementLevel: "mandatory",
    config: ["drTargets", "drFailover"],
    validateStack(resources, cfg) {
        if (!cfg.drTargets || cfg.drFailover) return [];
        const facts = recoveryFactsOf(resources);
        // A promoted DR database in another region without the drFailover declaration: say how to declare it.
        const primary = stackRegion(resources);
        const hint = !facts.databaseReplica && resources.some((r) => r.type === RDS && !r.props.replicateSourceDb && crossRegion(primary, r.region))
            ? " If this is a failover (platform:dr.failover: true), regenerate the pack config (npm run policy -- config <stack>) so that it declares drFailover."
            : "";
        return missedTargets(recoveryFigures(facts), cfg.drTargets).map((message) => ({ message: `Recovery target missed: ${message}.${hint}` }));
    },
};
