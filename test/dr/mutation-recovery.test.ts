/**
 * policies/lib/cron.ts and policies/lib/recovery.ts on the cases mutation testing (`npm run mutation`)
 * found no test for: Go durations of robfig's `@every` (signs, a bare zero, fractions, trailing
 * text), robfig's exact descriptors and time-zone prefix (Parse: the zone up to the first space,
 * loaded by time.LoadLocation), AWS's `?` outside the day fields and the `cron(...)` frame, and
 * target lines for stores a figure list lacks.
 */
import * as assert from "node:assert/strict";
import { awsCronIntervalMinutes, cronIntervalMinutes, missedTargets, recoveryFigures } from "../../policies/lib/recovery";

describe("mutation-found cases: cron and recovery", () => {
    it("@every reads a Go duration: a negative one runs every second, a sign alone or trailing text is refused", () => {
        // time.ParseDuration accepts a leading sign; robfig runs a duration under one second every second.
        assert.deepEqual(["@every -5m", "@every +5m", "@every -1h30m", "@every 0", "@every -0", "@every +0"].map(cronIntervalMinutes), [1, 5, 1, 1, 1, 1]);
        assert.deepEqual(["@every -", "@every +", "@every 5m+", "@every 5m-", "@every 5m-1m", "@every 5mx", "@every x5m", "@every 5", "@every --5m"].map(cronIntervalMinutes), Array(9).fill(undefined));
    });
    it("@every reads fractions as Go does: digits after the point, a point with no digits before or after", () => {
        assert.deepEqual(["@every 1.50m", "@every .75h", "@every 1.m", "@every 0.25h30m", "@every 1.5h", "@every 90.9s"].map(cronIntervalMinutes), [2, 45, 1, 45, 90, 2]);
        assert.deepEqual(["@every .h", "@every 1..5m", "@every .m5"].map(cronIntervalMinutes), [undefined, undefined, undefined]);
    });
    it("a step above 1 makes a day field restricted (robfig's OR of the day fields), a step of 1 does not", () => {
        // Odd days of the month or Mondays: two days at most; Mondays only: a week.
        assert.deepEqual(["0 0 */2 * 1", "0 0 ?/2 * 1", "0 0 */1 * 1", "0 0 * * 1"].map(cronIntervalMinutes), [2880, 2880, 10080, 10080]);
    });
    it("an item the grammar refuses refuses the field, even beside valid items (a word step, a value under the minimum, a reversed range)", () => {
        assert.deepEqual(["0/x * * * *", "*/1.5 * * * *", "0 0 0,15 * *", "0 0 1 0,6 *", "5-2,10 * * * *", "10,5-2 * * * *", "1,0-x * * * *", "0 0 * * 1,constructor", "0 0 1 1,toString *"].map(cronIntervalMinutes), Array(9).fill(undefined));
        assert.deepEqual(["cron(0 5 ? * 0,1 *)", "cron(0 5 0,15 * ? *)", "cron(0 5 ? * 1,constructor *)"].map(awsCronIntervalMinutes), [undefined, undefined, undefined]);
    });
    it("descriptors are exact, as robfig's switch compares them: case, one space after @every, nothing around", () => {
        assert.deepEqual(["@daily", "@every 5m", "CRON_TZ=UTC @every 5m", "TZ=UTC   @hourly"].map(cronIntervalMinutes), [1440, 5, 5, 60]);
        assert.deepEqual(["@Daily", "@HOURLY", "@every  5m", "@every\t5m", "@EVERY 5m", "@@every 5m", "@x@every 5m", "@every 5m x", " @daily", "@daily ", "@every "].map(cronIntervalMinutes), Array(11).fill(undefined));
    });
    it("a time-zone prefix names a zone Go can load, up to the first space; only a DST zone adds an hour, and never to @every", () => {
        // UTC and the fixed zero-offset names (Go reads "" as UTC); Etc/GMT+5 has no DST but is counted as zoned (a bound, not a figure).
        assert.deepEqual(["TZ=UTC 0 3 * * *", "TZ=UCT 0 3 * * *", "TZ=Etc/Greenwich 0 3 * * *", "TZ= 0 3 * * *", "CRON_TZ=Zulu 0 3 * * *"].map(cronIntervalMinutes), [1440, 1440, 1440, 1440, 1440]);
        assert.deepEqual(["TZ=Europe/Paris 0 3 * * *", "TZ=Europe/Paris   0 3 * * *", "TZ=Etc/GMT+5 0 3 * * *", "TZ=Local 0 3 * * *", "TZ=Europe/Paris @every 5m", "TZ=America/New_York @every 90s"].map(cronIntervalMinutes), [1500, 1500, 1500, 1500, 5, 2]);
        // robfig: "provided bad location" for an unknown zone; no space after the prefix; a tab is part of the zone name.
        assert.deepEqual(["TZ=Europe/Pari 0 3 * * *", "TZ=Mars/UTC 0 3 * * *", "TZ=Europe/Paris", "TZ=UTC", "TZ=", "TZ=Europe/Paris\t0 3 * * *", "xTZ=Europe/Paris 0 3 * * *", "0 3 * * * TZ=UTC", "tz=UTC 0 3 * * *"].map(cronIntervalMinutes), Array(9).fill(undefined));
    });
    it("AWS cron is read inside cron( ... ) only, with six fields and the year *", () => {
        assert.deepEqual(["cron(0 5 ? * * *)", " cron(0 5 ? * * *) ", "cron( 0 5 ? * * * )", "cron(0  5 ? * * *)"].map(awsCronIntervalMinutes), [1440, 1440, 1440, 1440]);
        assert.deepEqual(["xcron(0 5 ? * * *)", "cron(0 5 ? * * *)x", "cron(0 5 ? * * * *)", "cron(0 5 ? * *)", "cron(0 5 * * ? 2031)", "cron(0 5 ? * * ?)", "cron()"].map(awsCronIntervalMinutes), Array(7).fill(undefined));
    });
    it("AWS cron takes ? only in the day-of-month and day-of-week fields", () => {
        assert.deepEqual(["cron(? 5 ? * * *)", "cron(0 ? ? * * *)", "cron(0 5 ? ? * *)"].map(awsCronIntervalMinutes), [undefined, undefined, undefined]);
        // robfig reads ? as * in any field.
        assert.deepEqual(["? 5 * * *", "* 5 * * *"].map(cronIntervalMinutes), [1381, 1381]);
    });
    it("targets are checked against the figures given: a store they do not include gives no line", () => {
        const figures = recoveryFigures({ databaseReplica: false, databaseBackupReplication: false, objectReplication: "none" }).filter((f) => f.store !== "database");
        assert.deepEqual(missedTargets(figures, { database: { rpoMinutes: 5, rtoMinutes: 60 } }), []);
        assert.deepEqual(missedTargets([], { database: { rpoMinutes: 5, rtoMinutes: 60 }, clusterState: { rpoMinutes: 5, rtoMinutes: 60 } }), []);
        assert.equal(missedTargets(figures, { clusterState: { rpoMinutes: 5, rtoMinutes: 60 } }).length, 2);
    });
});
