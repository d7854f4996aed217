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
 * guessed from the resources. While ids are unknown (a first preview), what ties a replica to its
 * source or a rule to its buckets is the engine's property dependencies.
 */
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures, RecoveryFacts } from "../lib/recovery";
import type { PolicyResource, StackPolicy } from "../lib/types";
import { isUnknown, quietly } from "../lib/unknown";
import { judgeSubject } from "../lib/judge";

const RDS = "aws:rds/instance:Instance";
const BACKUPS_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";
/** Both type tokens of an S3 bucket (s3-baseline judges both too). */
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";

/**
 * The resource types each store's figures are computed from. Each store is judged on its own
 * resources, in its own read scope: in the first preview Velero's values are unknown (built from
 * ARNs), which leaves the cluster-state figure undecided, not the database's.
 */
const STORE_TYPES: Record<"database" | "clusterState" | "objectStorage", string[]> = {
    database: [RDS, BACKUPS_REPLICATION],
    clusterState: ["kubernetes:helm.sh/v3:Release"],
    objectStorage: [BUCKET_REPLICATION, ...BUCKETS],
};

/** The region in an ARN (`arn:aws:kms:eu-central-1:...`); undefined for regionless ARNs (S3), non-ARNs and unknowns. */
export function arnRegion(v: unknown): string | undefined {
    return typeof v === "string" ? /^arn:aws[a-z-]*:[^:]+:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(v)?.[1] : undefined;
}

/** The region of the stack's default provider: the region most resources are created in. */
export function stackRegion(resources: PolicyResource[]): string | undefined {
    const counts = new Map<string, number>();
    for (const r of resources) if (r.region) counts.set(r.region, (counts.get(r.region) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** Two regions both known and different. */
const crossRegion = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== b;

/** A resource's region: its provider's, else the region of a key ARN it names (an encrypted cross-region copy must name a key of its own region). */
const regionOf = (r: PolicyResource, keyArn?: () => unknown) => r.region ?? (keyArn ? quietly(() => arnRegion(keyArn())) : undefined);

/**
 * Whether the source a property points at (an ARN) is in another region than `r`: its ARN's region,
 * or, while the ARN is unknown (first preview), that of the stack resource the engine says it came from.
 */
function fromAnotherRegion(r: PolicyResource, property: string, byUrn: Map<string, PolicyResource>): boolean {
    const own = regionOf(r, () => r.props.kmsKeyId);
    const tied = quietly(() => isUnknown(r.props[property])) ? (r.propertyDependencies?.[property] ?? []).map((u) => byUrn.get(u)).find((x) => x !== undefined) : undefined;
    if (tied) return crossRegion(tied.region, own);
    const source = r.props[property];
    // An unknown source nothing ties is read (so the verdict waits for the update) and counted until then.
    return isUnknown(source) || crossRegion(arnRegion(source), own);
}

const bucketName = (arnOrName: unknown) => (typeof arnOrName === "string" ? arnOrName.replace(/^arn:aws[a-z-]*:s3:::/, "") : undefined);

/** Object storage: "none" unless every bucket of the primary region replicates into a bucket of another region. */
function objectReplicationOf(resources: PolicyResource[], primary: string | undefined): RecoveryFacts["objectReplication"] {
    const buckets = resources.filter((r) => BUCKETS.includes(r.type));
    const configs = resources.filter((r) => r.type === BUCKET_REPLICATION);
    const named = (name: unknown) => buckets.filter((b) => quietly(() => name !== undefined && b.props.bucket === name));
    const tiedBuckets = (c: PolicyResource, property: string) => (c.propertyDependencies?.[property] ?? []).map((u) => buckets.find((b) => b.urn === u)).filter((b): b is PolicyResource => b !== undefined);
    const sourceOf = (c: PolicyResource) => [...named(quietly(() => c.props.bucket)), ...tiedBuckets(c, "bucket")];
    const destinationOf = (c: PolicyResource, rule: any) => {
        const dst = quietly(() => rule?.destination?.bucket);
        return isUnknown(dst) ? tiedBuckets(c, "rules") : named(bucketName(dst));
    };
    const rulesOf = (c: PolicyResource) => quietly(() => (Array.isArray(c.props.rules) ? c.props.rules : [])) as any[];
    const destinations = new Set(configs.flatMap((c) => rulesOf(c).flatMap((rule) => destinationOf(c, rule).map((b) => b.urn))));
    const sources = buckets.filter((b) => !destinations.has(b.urn) && (primary === undefined || b.region === undefined || b.region === primary));
    if (sources.length === 0) return "none";
    let allRtc = true;
    for (const b of sources) {
        const reaching = configs.filter((c) => sourceOf(c).some((s) => s.urn === b.urn)).flatMap((c) => rulesOf(c).filter((rule) => {
            if (rule?.status !== "Enabled") return false;
            const to = destinationOf(c, rule).map((d) => d.region).find((x) => x !== undefined) ?? quietly(() => arnRegion(rule.destination?.encryptionConfiguration?.replicaKmsKeyId));
            return crossRegion(b.region ?? c.region, to);
        }));
        if (reaching.length === 0) return "none";
        if (!reaching.some((rule) => rule.destination?.replicationTime?.status === "Enabled")) allRtc = false;
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

/** The facts recoveryFigures() needs, read from resources; `primary` is the stack's region (of all its resources). */
export function recoveryFactsOf(resources: PolicyResource[], primary = stackRegion(resources)): RecoveryFacts {
    const ofType = (t: string) => resources.filter((r) => r.type === t);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const vaults = new Map(ofType("aws:backup/vault:Vault").map((v) => [v.urn, v]));
    const copyIntervals = ofType("aws:backup/plan:Plan").flatMap((p) => ((p.props.rules ?? []) as any[]).map((rule) => ({ rule, plan: p })))
        .filter(({ rule, plan }) => ((rule.copyActions ?? []) as any[]).some((c) => {
            const to = quietly(() => isUnknown(c?.destinationVaultArn)) ? (plan.propertyDependencies?.rules ?? []).map((u) => vaults.get(u)?.region).find((x) => x !== undefined && x !== (plan.region ?? primary)) : arnRegion(c?.destinationVaultArn);
            return crossRegion(plan.region ?? primary, to);
        }))
        .map(({ rule }) => awsCronIntervalMinutes(String(rule.schedule)))
        .filter((m): m is number => m !== undefined);
    return {
        databaseReplica: ofType(RDS).some((r) => quietly(() => r.props.replicateSourceDb !== undefined) && fromAnotherRegion(r, "replicateSourceDb", byUrn)),
        databaseBackupReplication: ofType(BACKUPS_REPLICATION).some((r) => fromAnotherRegion(r, "sourceDbInstanceArn", byUrn)),
        clusterStateIntervalMinutes: clusterStateInterval(resources, primary),
        objectReplication: objectReplicationOf(resources, primary),
        backupCopyIntervalMinutes: copyIntervals.length ? Math.min(...copyIntervals) : undefined,
    };
}

export const drTargets: StackPolicy = {
    name: "dr-targets",
    description: "Checks that the RPO/RTO each data store gets after a region outage, computed from the DR mechanisms that reach another region and AWS's published figures, meets the environment's targets (pack config drTargets); a failover declared by drFailover is not judged.",
    enforcementLevel: "mandatory",
    config: ["drTargets", "drFailover"],
    validateStack(resources, cfg) {
        const targets = cfg.drTargets;
        if (!targets || cfg.drFailover) return [];
        const primary = stackRegion(resources);
        // A standalone database in another region without the drFailover declaration: say how to declare a failover.
        const hint = quietly(() => resources.some((r) => r.type === RDS && !r.props.replicateSourceDb && crossRegion(primary, r.region)))
            ? " If this is a failover (platform:dr.failover: true), regenerate the pack config (npm run policy -- config <stack>) so that it declares drFailover."
            : "";
        return (Object.keys(STORE_TYPES) as (keyof typeof STORE_TYPES)[]).filter((store) => targets[store]).flatMap((store) => judgeSubject(undefined, () => {
            const own = resources.filter((r) => STORE_TYPES[store].includes(r.type));
            return missedTargets(recoveryFigures(recoveryFactsOf(own, primary)), { [store]: targets[store] }).map((message) => `Recovery target missed: ${message}.${store === "database" ? hint : ""}`);
        }));
    },
};
