/**
 * The recovery model without stacks: schedule intervals, figures and targets.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { recoveryFactsOf } from "../../policies/dr/targets";
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures } from "../../policies/lib/recovery";
import { PolicyResource } from "../../policies/lib/types";

describe("recovery model", () => {
    it("reads the intervals of the schedules the platform writes (the grammar itself: test/dr/cron.test.ts)", () => {
        assert.deepEqual(["*/5 * * * *", "0 * * * *", "0 3 * * *", "0 6 * * 0", "0 7 1 * *", "*/0 * * * *"].map(cronIntervalMinutes), [5, 60, 1440, 10080, 44640, undefined]);
        assert.deepEqual(["cron(0 5 ? * * *)", "cron(0 6 ? * SUN *)", "rate(1 hour)"].map(awsCronIntervalMinutes), [1440, 10080, undefined]);
    });
    it("figures follow the mechanisms, and targets are missed by RPO or RTO with the mechanism named", () => {
        const full = recoveryFigures({ databaseReplica: true, databaseBackupReplication: true, clusterStateIntervalMinutes: 5, objectReplication: "rtc", backupCopyIntervalMinutes: 1440 });
        const by = Object.fromEntries(full.map((f) => [f.store, f]));
        assert.deepEqual([by.database.rpoMinutes, by.database.rtoMinutes, by.clusterState.rpoMinutes, by.clusterState.rtoMinutes, by.objectStorage.rpoMinutes, by.objectStorage.rtoMinutes, by.backups.rpoMinutes], [1, 15, 5, 50, 15, 0, 1440]);
        const weaker = recoveryFigures({ databaseReplica: false, databaseBackupReplication: true, clusterStateIntervalMinutes: 60, objectReplication: "crr" });
        const w = Object.fromEntries(weaker.map((f) => [f.store, f]));
        assert.deepEqual([w.database.rpoMinutes, w.database.rtoMinutes, w.objectStorage.rpoMinutes, w.backups.rpoMinutes], [30, 240, 1440, null]);
        const none = recoveryFigures({ databaseReplica: false, databaseBackupReplication: false, objectReplication: "none" });
        assert.ok(none.every((f) => f.rpoMinutes === null && f.rtoMinutes === null));
        const targets = { database: { rpoMinutes: 5, rtoMinutes: 60 }, clusterState: { rpoMinutes: 5, rtoMinutes: 60 }, objectStorage: { rpoMinutes: 15, rtoMinutes: 60 } };
        assert.deepEqual(missedTargets(full, targets), []);
        assert.deepEqual(missedTargets(full, { database: { rpoMinutes: 1, rtoMinutes: 15 } }), []);
        assert.deepEqual(missedTargets(full, { database: { rpoMinutes: 0, rtoMinutes: 14 } }), [
            "database: RPO 1 min misses the target of 0 min (cross-region read replica, promoted on failover; set by platform:dr.enabled, platform:dr.failover)",
            "database: RTO 15 min misses the target of 14 min (cross-region read replica, promoted on failover; set by platform:dr.enabled, platform:dr.failover)",
        ]);
        assert.deepEqual(missedTargets(none, { objectStorage: { rpoMinutes: 15, rtoMinutes: 60 } }), [
            "objectStorage: RPO not recoverable after a region outage misses the target of 15 min (in-region versioned buckets only; set by platform:dr.enabled, platform:dr.replicationTimeControl)",
            "objectStorage: RTO not recoverable after a region outage misses the target of 60 min (in-region versioned buckets only; set by platform:dr.enabled, platform:dr.replicationTimeControl)",
        ]);
    });
});

describe("DR report text (what operators read in drReport and the plan)", () => {
    const line = (f: ReturnType<typeof recoveryFigures>[number]) => `${f.store} | ${f.rpoMinutes} | ${f.rtoMinutes} | ${f.mechanism} | ${f.setBy}`;
    it("full DR with RTC", () => {
        assert.deepEqual(recoveryFigures({ databaseReplica: true, databaseBackupReplication: true, clusterStateIntervalMinutes: 5, objectReplication: "rtc", backupCopyIntervalMinutes: 1440 }).map(line), [
            "database | 1 | 15 | cross-region read replica, promoted on failover | platform:dr.enabled, platform:dr.failover",
            "clusterState | 5 | 50 | Velero object backups every 5 min written to the DR-region bucket; standby cluster built from code on failover | platform:backup.velero.drIntervalMinutes, platform:dr.failover",
            "objectStorage | 15 | 0 | S3 cross-region replication with Replication Time Control of the Loki and Velero buckets | platform:dr.enabled, platform:dr.replicationTimeControl",
            "traces | null | null | traces stay in the primary region (short-lived diagnostics; OpenSearch snapshots in prod are in-region only) | platform:observability.jaeger",
            "backups | 1440 | 240 | AWS Backup copy of every recovery point to the DR-region vault | platform:backup (daily rule), platform:dr.enabled",
        ]);
    });
    it("degraded DR and no DR", () => {
        assert.deepEqual(recoveryFigures({ databaseReplica: false, databaseBackupReplication: true, objectReplication: "crr" }).map(line).slice(0, 3), [
            "database | 30 | 240 | RDS automated backups replication (point-in-time restore in the DR region) | platform:dr.enabled, platform:database.backupRetentionDays",
            "clusterState | null | null | Velero backups in-region only | platform:dr.enabled",
            "objectStorage | 1440 | 0 | S3 cross-region replication (no RTC) of the Loki and Velero buckets | platform:dr.enabled, platform:dr.replicationTimeControl",
        ]);
        assert.deepEqual(recoveryFigures({ databaseReplica: false, databaseBackupReplication: false, objectReplication: "none" }).map(line), [
            "database | null | null | in-region automated backups only | platform:dr.enabled",
            "clusterState | null | null | Velero backups in-region only | platform:dr.enabled",
            "objectStorage | null | null | in-region versioned buckets only | platform:dr.enabled, platform:dr.replicationTimeControl",
            "traces | null | null | traces stay in the primary region (short-lived diagnostics; OpenSearch snapshots in prod are in-region only) | platform:observability.jaeger",
            "backups | null | null | AWS Backup vault in-region only | platform:dr.enabled",
        ]);
    });
    it("schedule parsing tolerates spacing and refuses what the grammar refuses", () => {
        assert.deepEqual(["  */5  *  * * *  ", "0\t*\t*\t*\t*", "x*/5 * * * *", "*/5x * * * *", "*/5 */2 * * *", "0 */3 * * *", "0 3", "m * * * *", "0 h * * *"].map(cronIntervalMinutes),
            [5, 60, undefined, undefined, 65, 180, undefined, undefined, undefined]);
        assert.deepEqual(["cron(0 5 ? * * *) ", "cron(*/10 * ? * * *)", "cron(0 5 * *)"].map(awsCronIntervalMinutes), [1440, 10, undefined]);
    });
});

describe("dr-targets policy on resources (no stack)", () => {
    const PRIMARY = "eu-west-1";
    const DR = "eu-central-1";
    const r = (type: string, props: Record<string, any>, name = "x", region: string | null = PRIMARY): PolicyResource => ({ urn: `${type}::${name}`, type, name, props, ...(region ? { region } : {}) });
    const sourceArn = `arn:aws:rds:${PRIMARY}:1:db:p-postgres`;
    type Over = { interval?: string; rtc?: boolean; replica?: boolean; backups?: boolean; copy?: boolean; replicaRegion?: string; bucketRegion?: string; vaultRegion?: string; veleroRegion?: string };
    const drResources = (over: Over = {}) => [
        r("aws:rds/instance:Instance", { identifier: "p-postgres" }, "primary"),
        ...(over.replica === false ? [] : [r("aws:rds/instance:Instance", { identifier: "p-postgres-dr", replicateSourceDb: sourceArn }, "replica", over.replicaRegion ?? DR)]),
        ...(over.backups === false ? [] : [r("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", { sourceDbInstanceArn: sourceArn }, "backups", DR)]),
        r("aws:s3/bucket:Bucket", { bucket: "logs" }, "logs"),
        r("aws:s3/bucket:Bucket", { bucket: "logs-dr" }, "logs-dr", over.bucketRegion ?? DR),
        r("aws:s3/bucket:Bucket", { bucket: "state-dr" }, "state-dr", DR),
        r("aws:s3/bucketReplicationConfig:BucketReplicationConfig", { bucket: "logs", rules: [{ status: "Enabled", destination: { bucket: "arn:aws:s3:::logs-dr", replicationTime: { status: over.rtc === false ? "Disabled" : "Enabled" } } }, { status: "Disabled", destination: { bucket: "arn:aws:s3:::logs-dr" } }] }),
        r("kubernetes:helm.sh/v3:Release", { chart: "velero", values: {
            configuration: {
                backupStorageLocation: [{ name: "default", default: true, config: { region: PRIMARY } }, { name: "dr", config: { region: over.veleroRegion ?? DR } }],
                volumeSnapshotLocation: [{ name: "default", config: { region: PRIMARY } }],
            },
            schedules: {
                hourly: { schedule: "0 * * * *", template: { storageLocation: "default" } },
                dr: { schedule: over.interval ?? "*/5 * * * *", template: { storageLocation: "dr" } },
                paused: { schedule: "*/1 * * * *", paused: true, template: { storageLocation: "dr" } },
            },
        } }, "velero", null),
        r("aws:backup/plan:Plan", { rules: [{ schedule: "cron(0 5 ? * * *)", copyActions: over.copy === false ? [] : [{ destinationVaultArn: `arn:aws:backup:${over.vaultRegion ?? DR}:1:backup-vault:dr` }] }, { schedule: "cron(0 4 ? * * *)" }] }),
    ];
    const targets = { database: { rpoMinutes: 5, rtoMinutes: 60 }, clusterState: { rpoMinutes: 5, rtoMinutes: 60 }, objectStorage: { rpoMinutes: 15, rtoMinutes: 60 } };
    const cfg = parsePackConfig({ drTargets: targets });
    const msgs = (rs: PolicyResource[], c = cfg) => evaluatePack(rs, c).filter((v) => v.policy === "dr-targets").map((v) => v.message);
    const FULL = { databaseReplica: true, databaseBackupReplication: true, clusterStateIntervalMinutes: 5, objectReplication: "rtc", backupCopyIntervalMinutes: 1440 };

    it("reads the facts from the resources: replica, backups replication, DR schedule (paused ones ignored), RTC, copies", () => {
        assert.deepEqual(recoveryFactsOf(drResources()), FULL);
        assert.deepEqual(recoveryFactsOf(drResources({ replica: false, backups: false, rtc: false, copy: false, interval: "0 */2 * * *" })), { databaseReplica: false, databaseBackupReplication: false, clusterStateIntervalMinutes: 120, objectReplication: "crr", backupCopyIntervalMinutes: undefined });
        assert.deepEqual(recoveryFactsOf([]), { databaseReplica: false, databaseBackupReplication: false, clusterStateIntervalMinutes: undefined, objectReplication: "none", backupCopyIntervalMinutes: undefined });
    });
    it("passes when the targets are met, and names each store and figure that misses", () => {
        assert.deepEqual(msgs(drResources()), []);
        assert.deepEqual(msgs(drResources({ interval: "*/10 * * * *" })), ["Recovery target missed: clusterState: RPO 10 min misses the target of 5 min (Velero object backups every 10 min written to the DR-region bucket; standby cluster built from code on failover; set by platform:backup.velero.drIntervalMinutes, platform:dr.failover)."]);
        assert.equal(msgs(drResources({ rtc: false })).length, 1);
        assert.equal(msgs(drResources({ replica: false })).length, 2, "backups replication only: RPO 30 and RTO 240");
    });

    // issue 23 point 5: decoys that passed on main.
    it("an invalid Velero step (*/0) is no schedule at all, not a 0-minute RPO", () => {
        assert.equal(recoveryFactsOf(drResources({ interval: "*/0 * * * *" })).clusterStateIntervalMinutes, undefined);
        assert.match(msgs(drResources({ interval: "*/0 * * * *" }))[0], /^Recovery target missed: clusterState: RPO not recoverable after a region outage misses the target of 5 min/);
    });
    it("a replica in the source's own region is not a cross-region replica; its key's region stands in for an unknown provider region", () => {
        assert.equal(recoveryFactsOf(drResources({ replicaRegion: PRIMARY })).databaseReplica, false);
        assert.equal(msgs(drResources({ replicaRegion: PRIMARY })).length, 2);
        const byKey = (key: string) => [r("aws:rds/instance:Instance", { replicateSourceDb: sourceArn, kmsKeyId: key }, "replica", null)];
        assert.equal(recoveryFactsOf(byKey(`arn:aws:kms:${DR}:1:key/k`)).databaseReplica, true);
        assert.equal(recoveryFactsOf(byKey(`arn:aws:kms:${PRIMARY}:1:key/k`)).databaseReplica, false);
        assert.equal(recoveryFactsOf([r("aws:rds/instance:Instance", { replicateSourceDb: "p-postgres" }, "replica", DR)]).databaseReplica, false, "a source by identifier is in the replica's own region");
    });
    it("a database whose identifier ends in -dr is not a failover: the targets are still judged, and only drFailover stops them", () => {
        const decoy = drResources({ replica: false, backups: false });
        decoy.push(r("aws:rds/instance:Instance", { identifier: "p-postgres-dr" }, "decoy"));
        assert.equal(msgs(decoy).length, 2);
        assert.match(msgs(decoy)[0], /database: RPO not recoverable/);
        assert.deepEqual(msgs(decoy, parsePackConfig({ drTargets: targets, drFailover: true })), []);
    });
    it("same-region copies do not count: bucket replication, backup copies, backups replication, a Velero location", () => {
        assert.equal(recoveryFactsOf(drResources({ bucketRegion: PRIMARY })).objectReplication, "none");
        assert.equal(recoveryFactsOf(drResources({ vaultRegion: PRIMARY })).backupCopyIntervalMinutes, undefined);
        assert.equal(recoveryFactsOf(drResources({ veleroRegion: PRIMARY })).clusterStateIntervalMinutes, undefined);
        const sameRegionBackups = [r("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", { sourceDbInstanceArn: sourceArn }, "b", PRIMARY)];
        assert.equal(recoveryFactsOf(sameRegionBackups).databaseBackupReplication, false);
    });
    it("a bucket of the primary region left out of replication makes object storage unrecoverable (one replicated bucket is no proof for the others)", () => {
        const extra = [...drResources(), r("aws:s3/bucket:Bucket", { bucket: "forgotten" }, "forgotten")];
        assert.equal(recoveryFactsOf(extra).objectReplication, "none");
    });
    it("asks nothing without targets, and nothing while a failover is declared", () => {
        assert.deepEqual(msgs(drResources({ replica: false, backups: false }), parsePackConfig({})), []);
        const failover = drResources({ replica: false, backups: false });
        failover.push(r("aws:rds/instance:Instance", { identifier: "p-postgres-dr" }, "promoted", DR));
        assert.match(msgs(failover)[0], /If this is a failover \(platform:dr.failover: true\), regenerate the pack config/);
        assert.deepEqual(msgs(failover, parsePackConfig({ drTargets: targets, drFailover: true })), []);
    });
});
