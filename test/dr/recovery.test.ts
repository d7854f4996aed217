/**
 * The recovery model without stacks: schedule intervals, figures and targets.
 */
import * as assert from "node:assert/strict";
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures } from "../../policies/lib/recovery";

describe("recovery model", () => {
    it("reads the intervals of the schedules the platform writes", () => {
        assert.deepEqual(["*/5 * * * *", "0 * * * *", "0 3 * * *", "0 6 * * 0", "0 7 1 * *", "*/2 * * 1 *"].map(cronIntervalMinutes), [5, 60, 1440, 10080, 44640, undefined]);
        assert.deepEqual(["cron(0 5 ? * * *)", "cron(0 6 ? * SUN *)", "rate(1 hour)"].map(awsCronIntervalMinutes), [1440, undefined, undefined]);
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
