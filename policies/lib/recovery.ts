/**
 * Recovery objectives from mechanisms: the RPO/RTO that each DR mechanism gives, from AWS's
 * published figures and the schedules in use. The DR component reports these figures (from its
 * config) and the dr-targets stack policy recomputes them from the deployed resources, so a weaker
 * schedule in a preview is refused against the environment's targets.
 */

import { maxGapMinutes } from "./cron";

/** Published figures, in minutes (worst case of the published range). */
export const PUBLISHED = {
    /** Cross-region read replica: RPO = replica lag, seconds in normal operation; budgeted as 1 minute. */
    replicaLagMinutes: 1,
    /** Promoting a read replica takes minutes; budget including the `pulumi up` that performs it. */
    replicaPromotionMinutes: 15,
    /** RDS automated backups replication: RPO 5 to 30 minutes. */
    backupReplicationRpoMinutes: 30,
    /** Point-in-time restore from replicated automated backups: up to hours. */
    backupReplicationRtoMinutes: 240,
    /** S3 Replication Time Control: 99.99% of objects within 15 minutes. */
    s3RtcMinutes: 15,
    /** S3 replication without RTC has no SLA (most objects in minutes, some take hours); budgeted as a day. */
    s3NoRtcMinutes: 1440,
    /** Building the standby EKS cluster and node groups from the same components. */
    standbyClusterMinutes: 35,
    /** Velero restore of the namespaces' objects into the standby cluster. */
    veleroRestoreMinutes: 15,
} as const;

export type Store = "database" | "clusterState" | "objectStorage" | "traces" | "backups";

export interface RecoveryFigure {
    store: Store;
    mechanism: string;
    /** Minutes of data that can be lost in a region outage; null when nothing survives a region outage. */
    rpoMinutes: number | null;
    /** Minutes until the store serves again in the DR region; null when not recoverable there. */
    rtoMinutes: number | null;
    /** The config keys that set these figures. */
    setBy: string;
}

/** What is deployed, as the figures need it. */
export interface RecoveryFacts {
    /** A cross-region read replica of the database exists. */
    databaseReplica: boolean;
    /** RDS automated backups are replicated to the DR region. */
    databaseBackupReplication: boolean;
    /** Interval of the Velero schedule that writes cluster state to the DR-region location, minutes; undefined if none. */
    clusterStateIntervalMinutes?: number;
    /** How object storage reaches the DR region. */
    objectReplication: "rtc" | "crr" | "none";
    /** Interval of the AWS Backup rule that copies to the DR vault, minutes; undefined if no copy. */
    backupCopyIntervalMinutes?: number;
}

export function recoveryFigures(f: RecoveryFacts): RecoveryFigure[] {
    const p = PUBLISHED;
    const database: RecoveryFigure = f.databaseReplica
        ? { store: "database", mechanism: "cross-region read replica, promoted on failover", rpoMinutes: p.replicaLagMinutes, rtoMinutes: p.replicaPromotionMinutes, setBy: "platform:dr.enabled, platform:dr.failover" }
        : f.databaseBackupReplication
            ? { store: "database", mechanism: "RDS automated backups replication (point-in-time restore in the DR region)", rpoMinutes: p.backupReplicationRpoMinutes, rtoMinutes: p.backupReplicationRtoMinutes, setBy: "platform:dr.enabled, platform:database.backupRetentionDays" }
            : { store: "database", mechanism: "in-region automated backups only", rpoMinutes: null, rtoMinutes: null, setBy: "platform:dr.enabled" };
    const objectRpo = f.objectReplication === "rtc" ? p.s3RtcMinutes : f.objectReplication === "crr" ? p.s3NoRtcMinutes : null;
    const clusterState: RecoveryFigure = f.clusterStateIntervalMinutes !== undefined
        ? { store: "clusterState", mechanism: `Velero object backups every ${f.clusterStateIntervalMinutes} min written to the DR-region bucket; standby cluster built from code on failover`, rpoMinutes: f.clusterStateIntervalMinutes, rtoMinutes: p.standbyClusterMinutes + p.veleroRestoreMinutes, setBy: "platform:backup.velero.drIntervalMinutes, platform:dr.failover" }
        : { store: "clusterState", mechanism: "Velero backups in-region only", rpoMinutes: null, rtoMinutes: null, setBy: "platform:dr.enabled" };
    return [
        database,
        clusterState,
        {
            store: "objectStorage",
            mechanism: f.objectReplication === "none" ? "in-region versioned buckets only" : `S3 cross-region replication${f.objectReplication === "rtc" ? " with Replication Time Control" : " (no RTC)"} of the Loki and Velero buckets`,
            rpoMinutes: objectRpo,
            rtoMinutes: objectRpo === null ? null : 0,
            setBy: "platform:dr.enabled, platform:dr.replicationTimeControl",
        },
        {
            store: "traces",
            mechanism: "traces stay in the primary region (short-lived diagnostics; OpenSearch snapshots in prod are in-region only)",
            rpoMinutes: null,
            rtoMinutes: null,
            setBy: "platform:observability.jaeger",
        },
        f.backupCopyIntervalMinutes !== undefined
            ? { store: "backups", mechanism: "AWS Backup copy of every recovery point to the DR-region vault", rpoMinutes: f.backupCopyIntervalMinutes, rtoMinutes: p.backupReplicationRtoMinutes, setBy: "platform:backup (daily rule), platform:dr.enabled" }
            : { store: "backups", mechanism: "AWS Backup vault in-region only", rpoMinutes: null, rtoMinutes: null, setBy: "platform:dr.enabled" },
    ];
}

export interface RecoveryTarget { rpoMinutes: number; rtoMinutes: number }
export type RecoveryTargets = Partial<Record<"database" | "clusterState" | "objectStorage", RecoveryTarget>>;

/** One line per target the figures miss. */
export function missedTargets(figures: RecoveryFigure[], targets: RecoveryTargets): string[] {
    const out: string[] = [];
    for (const [store, target] of Object.entries(targets) as [Store, RecoveryTarget][]) {
        const f = figures.find((x) => x.store === store);
        if (!f) continue;
        const show = (v: number | null) => (v === null ? "not recoverable after a region outage" : `${v} min`);
        if (f.rpoMinutes === null || f.rpoMinutes > target.rpoMinutes) out.push(`${store}: RPO ${show(f.rpoMinutes)} misses the target of ${target.rpoMinutes} min (${f.mechanism}; set by ${f.setBy})`);
        if (f.rtoMinutes === null || f.rtoMinutes > target.rtoMinutes) out.push(`${store}: RTO ${show(f.rtoMinutes)} misses the target of ${target.rtoMinutes} min (${f.mechanism}; set by ${f.setBy})`);
    }
    return out;
}

/**
 * Longest time between two runs of a Velero (robfig/cron) schedule, in minutes; undefined when the
 * schedule is invalid or not modelled (policies/lib/cron.ts).
 */
export function cronIntervalMinutes(cron: string): number | undefined {
    return maxGapMinutes(cron, "standard");
}

/** The same for an AWS Backup schedule `cron(M H DOM MON DOW YEAR)`. */
export function awsCronIntervalMinutes(expression: string): number | undefined {
    return maxGapMinutes(expression, "aws");
}
