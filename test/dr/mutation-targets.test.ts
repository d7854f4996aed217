/**
 * Cases the mutation run found unjudged in the DR facts (policies/dr/targets.ts recoveryFactsOf):
 * object replication must cover every bucket of the primary region (a second, unreplicated bucket
 * is "none"), settings tie to buckets only by a name they share or an engine dependency on a bucket,
 * a bucket with no region of its own takes its replication config's; Velero locations and snapshot
 * locations that lack entries or a config are read without failing.
 */
import * as assert from "node:assert/strict";
import { recoveryFactsOf } from "../../policies/dr/targets";
import type { PolicyResource } from "../../policies/lib/types";

const PRIMARY = "eu-west-1";
const DR = "eu-central-1";
const BUCKET = "aws:s3/bucketV2:BucketV2";
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const r = (type: string, props: Record<string, any>, name: string, region: string | null = PRIMARY, extra: Partial<PolicyResource> = {}): PolicyResource => ({ urn: `${type}::${name}`, type, name, props, ...(region ? { region } : {}), ...extra });
const rule = (to: string) => ({ status: "Enabled", destination: { bucket: `arn:aws:s3:::${to}` } });
const objects = (resources: PolicyResource[]) => recoveryFactsOf(resources, PRIMARY).objectReplication;

describe("mutation-found cases: DR facts from resources", () => {
    const logs = r(BUCKET, { bucket: "logs" }, "logs");
    const logsDr = r(BUCKET, { bucket: "logs-dr" }, "logs-dr", DR);

    it("every primary bucket must replicate: a second bucket without a configuration makes it none", () => {
        const config = r(REPLICATION, { bucket: "logs", rules: [rule("logs-dr")] }, "c");
        assert.equal(objects([logs, logsDr, config]), "crr");
        assert.equal(objects([logs, r(BUCKET, { bucket: "velero" }, "velero"), logsDr, config]), "none");
    });

    it("a configuration without a bucket name replicates no bucket without one either; a dependency on no bucket ties nothing", () => {
        const unnamed = r(BUCKET, {}, "unnamed");
        assert.equal(objects([unnamed, logsDr, r(REPLICATION, { rules: [rule("logs-dr")] }, "c")]), "none");
        const stray = r(REPLICATION, { bucket: "logs", rules: [rule("logs-dr")] }, "c", PRIMARY, { propertyDependencies: { bucket: ["urn:pulumi:prod::platform::aws:s3/bucketV2:BucketV2::gone"] } });
        assert.equal(objects([logs, logsDr, stray]), "crr");
    });

    it("a bucket with no region of its own is a primary bucket, judged in its configuration's region", () => {
        const regionless = r(BUCKET, { bucket: "logs" }, "logs", null);
        assert.equal(objects([regionless, logsDr, r(REPLICATION, { bucket: "logs", rules: [rule("logs-dr")] }, "c")]), "crr");
    });

    it("of destination buckets sharing a name, the one with a region decides", () => {
        const twin = r(BUCKET, { bucket: "logs-dr" }, "logs-dr-twin", null);
        assert.equal(objects([logs, twin, logsDr, r(REPLICATION, { bucket: "logs", rules: [rule("logs-dr")] }, "c")]), "crr");
    });

    it("Velero locations: null entries, a location or snapshot location without a config are read, not a failure", () => {
        const velero = (configuration: Record<string, unknown>, schedule: Record<string, unknown> = {}) => recoveryFactsOf([r("kubernetes:helm.sh/v3:Release", { chart: "velero", values: { configuration, schedules: { dr: { schedule: "*/15 * * * *", template: { storageLocation: "dr" }, ...schedule } } } }, "velero")], PRIMARY).clusterStateIntervalMinutes;
        const dr = { name: "dr", config: { region: DR } };
        assert.equal(velero({ backupStorageLocation: [null, { name: "default" }, dr], volumeSnapshotLocation: [{}] }), 15);
        assert.equal(velero({ backupStorageLocation: [null, { name: "default", config: { region: DR } }], volumeSnapshotLocation: [{ config: { region: PRIMARY } }] }, { template: {} }), 15, "the default location by name");
        assert.equal(velero({ backupStorageLocation: [{ name: "dr" }], volumeSnapshotLocation: [] }), undefined, "a location without a region is not the DR region");
    });
});
