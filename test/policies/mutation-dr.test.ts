/**
 * policies/dr/targets.ts on the cases mutation testing (`npm run mutation`) found no test for: ARN
 * and stack region reading, bucket replication seen from each side (source regions, disabled and
 * missing rules, key-region destinations, RTC on one of several rules), Velero's locations (which is
 * the default, the cluster's region, disabled, paused, read-only), backup copies to vaults known only
 * by dependency, and the failover hint on the database's message only.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { arnRegion, recoveryFactsOf, stackRegion } from "../../policies/dr/targets";
import { PolicyResource } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const PRIMARY = "eu-west-1";
const DR = "eu-central-1";
const r = (type: string, props: Record<string, any>, name: string, region?: string, deps?: Record<string, string[]>): PolicyResource =>
    ({ urn: `${type}::${name}`, type, name, props, ...(region ? { region } : {}), ...(deps ? { propertyDependencies: deps } : {}) });
const BUCKET = "aws:s3/bucket:Bucket";
const REPL = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const rule = (dst: string, rtc = false, extra: Record<string, any> = {}) => ({ status: "Enabled", destination: { bucket: dst, ...(rtc ? { replicationTime: { status: "Enabled" } } : {}) }, ...extra });
const objects = (rs: PolicyResource[]) => recoveryFactsOf(rs, PRIMARY).objectReplication;
const velero = (values: Record<string, any>, name = "velero", type = RELEASE, chart = "velero") => r(type, { chart, values }, name);
const cluster = (rs: PolicyResource[]) => recoveryFactsOf(rs, PRIMARY).clusterStateIntervalMinutes;

describe("mutation-found cases: dr-targets", () => {
    it("arnRegion reads only a string ARN's region, in any partition, with multi-part names and two-digit numbers", () => {
        assert.equal(arnRegion(`arn:aws:kms:${PRIMARY}:1:key/k`), PRIMARY);
        assert.equal(arnRegion("arn:aws-us-gov:kms:us-gov-west-1:1:key/k"), "us-gov-west-1");
        assert.equal(arnRegion("arn:aws:kms:xx-east-10:1:key/k"), "xx-east-10");
        assert.equal(arnRegion(`xarn:aws:kms:${PRIMARY}:1:key/k`), undefined);
        assert.equal(arnRegion([`arn:aws:kms:${PRIMARY}:1:key/k`]), undefined);
        assert.equal(arnRegion("arn:aws:s3:::bucket"), undefined);
    });
    it("stackRegion is the region most resources are in; resources without one do not count", () => {
        assert.equal(stackRegion([r(BUCKET, {}, "a", PRIMARY), r(BUCKET, {}, "b", DR), r(BUCKET, {}, "c", DR)]), DR);
        assert.equal(stackRegion([r(BUCKET, {}, "a"), r(BUCKET, {}, "b"), r(BUCKET, {}, "c"), r(BUCKET, {}, "d", PRIMARY)]), PRIMARY);
        assert.equal(stackRegion([r(BUCKET, {}, "a")]), undefined);
    });
    it("a replica counts only as an RDS instance, and only when both regions are known and differ", () => {
        const src = `arn:aws:rds:${PRIMARY}:1:db:p`;
        assert.equal(recoveryFactsOf([r("aws:rds/instance:Instance", { replicateSourceDb: src }, "replica")], PRIMARY).databaseReplica, false, "replica region unknown");
        assert.equal(recoveryFactsOf([r("aws:rds/instance:Instance", { replicateSourceDb: src }, "replica", DR)], PRIMARY).databaseReplica, true);
        assert.equal(recoveryFactsOf([r("aws:rds/cluster:Cluster", { replicateSourceDb: src }, "other", DR)], PRIMARY).databaseReplica, false, "not an RDS instance");
    });
    it("while ids are unknown, the first resource a dependency names is the source (a replica's database, a replication's bucket)", () => {
        const db = (name: string, region: string) => r("aws:rds/instance:Instance", { identifier: name }, name, region);
        const replica = r("aws:rds/instance:Instance", { replicateSourceDb: UNKNOWN }, "replica", DR, { replicateSourceDb: ["aws:iam/role:Role::x", "aws:rds/instance:Instance::near"] });
        assert.equal(recoveryFactsOf([db("near", DR), replica], PRIMARY).databaseReplica, false, "the source named by the dependency is in the replica's region");
        assert.equal(recoveryFactsOf([db("near", PRIMARY), replica], PRIMARY).databaseReplica, true);
        const buckets = [r(BUCKET, { bucket: "logs-dr" }, "logs-dr", DR), r(BUCKET, { bucket: "logs" }, "logs", PRIMARY)];
        const config = r(REPL, { bucket: UNKNOWN, rules: [rule("arn:aws:s3:::logs-dr", true)] }, "c", PRIMARY, { bucket: ["aws:s3/bucket:Bucket::logs"] });
        assert.equal(objects([...buckets, config]), "rtc");
    });
    it("bucket replication: destinations by ARN in any partition only, every source bucket including those of no known region", () => {
        const base = [r(BUCKET, { bucket: "logs" }, "logs", PRIMARY), r(BUCKET, { bucket: "logs-dr" }, "logs-dr", DR)];
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule("arn:aws:s3:::logs-dr", true)] }, "c", PRIMARY)]), "rtc");
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule("arn:aws-cn:s3:::logs-dr", true)] }, "c", PRIMARY)]), "rtc");
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule("xarn:aws:s3:::logs-dr", true)] }, "c", PRIMARY)]), "none");
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule(5 as never)] }, "c", PRIMARY)]), "none", "a destination that is not a string names no bucket");
        // A bucket of no known region is a source too: unreplicated, it makes the store "none".
        assert.equal(objects([...base, r(BUCKET, { bucket: "loose" }, "loose"), r(REPL, { bucket: "logs", rules: [rule("arn:aws:s3:::logs-dr", true)] }, "c", PRIMARY)]), "none");
        // A disabled rule reaches nothing; a null rule is skipped; RTC on one of two rules is enough.
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [{ ...rule("arn:aws:s3:::logs-dr"), status: "Disabled" }] }, "c", PRIMARY)]), "none");
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [null, rule("arn:aws:s3:::logs-dr", true)] }, "c", PRIMARY)]), "rtc");
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule("arn:aws:s3:::logs-dr"), rule("arn:aws:s3:::logs-dr", true)] }, "c", PRIMARY)]), "rtc");
        // The source bucket's region decides, not the config's provider region.
        assert.equal(objects([...base, r(REPL, { bucket: "logs", rules: [rule("arn:aws:s3:::logs-dr")] }, "c", DR)]), "crr");
        // A destination bucket of unknown region: the replica key's region stands in.
        const loose = [r(BUCKET, { bucket: "logs" }, "logs", PRIMARY), r(BUCKET, { bucket: "far" }, "far")];
        const withKey = (key: string) => ({ ...rule("arn:aws:s3:::far"), destination: { bucket: "arn:aws:s3:::far", encryptionConfiguration: { replicaKmsKeyId: key } } });
        assert.equal(objects([...loose, r(REPL, { bucket: "logs", rules: [withKey(`arn:aws:kms:${DR}:1:key/k`)] }, "c", PRIMARY)]), "crr");
        assert.equal(objects([...loose, r(REPL, { bucket: "logs", rules: [withKey(`arn:aws:kms:${PRIMARY}:1:key/k`)] }, "c", PRIMARY)]), "none");
        assert.equal(objects([...loose, r(REPL, { bucket: "logs", rules: [rule("arn:aws:s3:::far")] }, "c", PRIMARY)]), "none");
    });
    it("Velero: the default location is the one marked default, else the one named default; the cluster's region is its snapshot location's", () => {
        const snap = [{ name: "default", config: { region: PRIMARY } }];
        const every5 = { schedule: "*/5 * * * *" };
        // Marked default (second) wins over the one named "default".
        const marked = [null, { name: "default", config: { region: PRIMARY } }, { name: "remote", default: true, config: { region: DR } }];
        assert.equal(cluster([velero({ configuration: { backupStorageLocation: marked, volumeSnapshotLocation: snap }, schedules: { a: every5 } })]), 5);
        const named = [{ name: "x", config: { region: PRIMARY } }, { name: "default", config: { region: DR } }];
        assert.equal(cluster([velero({ configuration: { backupStorageLocation: named, volumeSnapshotLocation: snap }, schedules: { a: every5 } })]), 5);
        // Without a snapshot location, the default location's region is the cluster's; then the stack's.
        const two = [{ name: "default", default: true, config: { region: DR } }, { name: "p", config: { region: PRIMARY } }];
        assert.equal(cluster([velero({ configuration: { backupStorageLocation: two }, schedules: { a: { ...every5, template: { storageLocation: "p" } } } })]), 5);
        assert.equal(cluster([velero({ configuration: { backupStorageLocation: [{ name: "d", config: { region: DR } }] }, schedules: { a: { ...every5, template: { storageLocation: "d" } } } })]), 5);
        // A snapshot location elsewhere than the stack's region makes a location in the stack's region remote.
        const far = [{ config: { region: "us-east-1" } }];
        const local = [{ name: "default", default: true, config: { region: PRIMARY } }];
        assert.equal(cluster([velero({ configuration: { backupStorageLocation: local, volumeSnapshotLocation: far }, schedules: { a: every5 } })]), 5);
    });
    it("Velero: disabled, paused, null and read-only schedules and locations do not count; the shortest remote interval does; only the velero chart", () => {
        const locs = [{ name: "default", default: true, config: { region: PRIMARY } }, { name: "dr", config: { region: DR } }, { name: "ro", accessMode: "ReadOnly", config: { region: DR } }];
        const values = (schedules: Record<string, any>) => ({ configuration: { backupStorageLocation: locs, volumeSnapshotLocation: [{ config: { region: PRIMARY } }] }, schedules });
        const to = (loc: string, schedule: string, extra: Record<string, any> = {}) => ({ schedule, template: { storageLocation: loc }, ...extra });
        assert.equal(cluster([velero(values({ n: null, off: to("dr", "*/1 * * * *", { disabled: true }), p: to("dr", "*/2 * * * *", { paused: true }), ro: to("ro", "*/3 * * * *"), h: to("dr", "0 * * * *"), q: to("dr", "*/15 * * * *") }))]), 15);
        assert.equal(cluster([velero(values({ a: to("nowhere", "*/5 * * * *") }))]), undefined);
        assert.equal(cluster([velero(values({ a: to("dr", "*/5 * * * *") }), "loki", RELEASE, "loki")]), undefined);
        assert.equal(cluster([velero(values({ a: to("dr", "*/5 * * * *") }), "cm", "kubernetes:core/v1:ConfigMap")]), undefined);
        assert.equal(cluster([velero(values({ a: to("dr", "*/5 * * * *") }))]), 5);
    });
    it("backup copies: a vault known only by dependency counts when in another region; the plan's region decides; bad schedules give no figure", () => {
        const plan = (copy: string, region?: string, deps?: Record<string, string[]>, schedules = ["cron(0 5 ? * * *)"]) =>
            r("aws:backup/plan:Plan", { rules: schedules.map((schedule) => ({ schedule, copyActions: [{ destinationVaultArn: copy }] })) }, "plan", region, deps);
        const vault = (region: string) => r("aws:backup/vault:Vault", {}, "dr-vault", region);
        const copy = (rs: PolicyResource[]) => recoveryFactsOf(rs, PRIMARY).backupCopyIntervalMinutes;
        assert.equal(copy([vault(DR), plan(UNKNOWN as string, PRIMARY, { rules: ["aws:backup/vault:Vault::dr-vault"] })]), 1440);
        assert.equal(copy([vault(PRIMARY), plan(UNKNOWN as string, PRIMARY, { rules: ["aws:backup/vault:Vault::dr-vault"] })]), undefined);
        assert.equal(copy([vault(DR), plan(UNKNOWN as string, PRIMARY)]), undefined);
        // Of several dependencies, the vault in another region than the plan's (here the stack's) counts.
        const other = r("aws:backup/vault:Vault", {}, "local-vault", PRIMARY);
        const many = { rules: ["aws:iam/role:Role::backup", "aws:backup/vault:Vault::local-vault", "aws:backup/vault:Vault::dr-vault"] };
        assert.equal(copy([other, vault(DR), plan(UNKNOWN as string, undefined, many)]), 1440);
        assert.equal(copy([other, vault(PRIMARY), plan(UNKNOWN as string, undefined, many)]), undefined);
        const withNull = r("aws:backup/plan:Plan", { rules: [{ schedule: "cron(0 5 ? * * *)", copyActions: [null, { destinationVaultArn: `arn:aws:backup:${DR}:1:backup-vault:v` }] }] }, "plan", PRIMARY);
        assert.equal(copy([withNull]), 1440);
        assert.equal(copy([plan(`arn:aws:backup:${PRIMARY}:1:backup-vault:v`, DR)]), 1440, "a plan in another region copying into the stack's region");
        assert.equal(copy([plan(`arn:aws:backup:${DR}:1:backup-vault:v`, PRIMARY, undefined, ["rate(1 hour)", "cron(0 6 ? * SUN *)"])]), 10080);
    });
    it("the failover hint is added to the database's message only, and only for a standalone RDS instance in another region", () => {
        const cfg = parsePackConfig({ drTargets: { database: { rpoMinutes: 5, rtoMinutes: 60 }, objectStorage: { rpoMinutes: 15, rtoMinutes: 60 } } });
        const msgs = (rs: PolicyResource[]) => evaluatePack(rs, cfg).filter((v) => v.policy === "dr-targets").map((v) => v.message);
        const stack = [r("aws:rds/instance:Instance", { identifier: "p" }, "p", PRIMARY), r(BUCKET, { bucket: "logs" }, "logs", PRIMARY), r(BUCKET, { bucket: "x" }, "x", PRIMARY)];
        const hint = /If this is a failover/;
        const plain = msgs([...stack, r(BUCKET, { bucket: "elsewhere" }, "elsewhere", DR)]);
        assert.equal(plain.length, 4);
        for (const m of plain) assert.ok(!hint.test(m) && m.endsWith(")."), m);
        const failover = msgs([...stack, r("aws:rds/instance:Instance", { identifier: "standby" }, "standby", DR)]);
        assert.deepEqual(failover.map((m) => [m.split(":")[1].trim(), hint.test(m)]), [["database", true], ["database", true], ["objectStorage", false], ["objectStorage", false]]);
    });
});
