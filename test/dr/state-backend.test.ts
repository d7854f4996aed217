/**
 * The bootstrap's DR half (issue 22): the Pulumi state bucket replicated to the DR region and a
 * multi-region key for the awskms secrets provider, so a failover can log in and decrypt with the
 * primary region down.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { readStateDrRegion, stateDisasterRecovery } from "../../bootstrap/state-dr";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../lib/offline/mocks";
import { record, RecordedResource } from "../../lib/offline/recorder";
import { promiseOf, setRegions } from "../../lib/offline/stack";
import { conditionKeyFindings } from "../../lib/aws/rules";
import { replicationRoleFindings } from "../../lib/aws/dr-rules";
import { awsFacts } from "../../lib/aws/facts";

const config = (values: Record<string, string>) => ({ get: (k: string) => values[k], getObject: () => undefined });

describe("bootstrap: state and secrets provider that survive a regional outage", () => {
    let resources: RecordedResource[];
    let outputs: { drBackendUrl: pulumi.Output<string>; secretsProvider: string };
    const get = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name)!;
    before(async () => {
        const values = { repository: "acme/platform", drRegion: "eu-central-1" };
        const cfg = readBootstrapConfig(config(values), "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const recorded = await record(() => {
            const id = bootstrapIdentity(cfg);
            return stateDisasterRecovery(cfg, readStateDrRegion(config(values), cfg)!, id, MOCK_ACCOUNT_ID, { "aws:region": "eu-west-1", "aws:allowedAccountIds": `["${MOCK_ACCOUNT_ID}"]` });
        });
        resources = recorded.resources;
        setRegions(resources, "eu-west-1");
        outputs = recorded.result;
    });

    it("a multi-region secrets key in the bootstrap's region with a replica in the DR region, one alias name in both, no region in the provider URL", async () => {
        const key = get("aws:kms/key:Key", "state-dr-key");
        assert.equal(key.inputs.multiRegion, true);
        assert.equal(key.region, "eu-west-1");
        assert.equal(key.protect, true);
        const replica = get("aws:kms/replicaKey:ReplicaKey", "state-dr-replica-key");
        assert.equal(replica.region, "eu-central-1");
        assert.equal(replica.inputs.primaryKeyArn, await promiseOf((key.resource as any).arn));
        const aliases = resources.filter((r) => r.type === "aws:kms/alias:Alias" && r.name.startsWith("state-dr")).map((a) => [a.inputs.name, a.region]);
        assert.deepEqual(aliases, [["alias/platform-shared-pulumi-secrets-mr", "eu-west-1"], ["alias/platform-shared-pulumi-secrets-mr", "eu-central-1"]]);
        assert.equal(outputs.secretsProvider, "awskms://alias/platform-shared-pulumi-secrets-mr");
    });

    it("the state bucket replicates to a versioned DR-region bucket under the replica key, with RTC and delete markers (released locks)", async () => {
        const state = resources.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "ci-state")!;
        const rule = resources.find((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")!;
        assert.equal(rule.inputs.bucket, state.inputs.bucket);
        const r0 = rule.inputs.rules[0];
        assert.deepEqual([r0.status, r0.deleteMarkerReplication.status, r0.destination.replicationTime.status], ["Enabled", "Enabled", "Enabled"]);
        assert.equal(r0.destination.encryptionConfiguration.replicaKmsKeyId, await promiseOf((get("aws:kms/replicaKey:ReplicaKey", "state-dr-replica-key").resource as any).arn));
        const copy = resources.find((r) => r.type === "aws:s3/bucket:Bucket" && `arn:aws:s3:::${r.inputs.bucket}` === r0.destination.bucket)!;
        assert.equal(copy.region, "eu-central-1");
        assert.equal(copy.protect, true);
        assert.ok(resources.some((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.region === "eu-central-1" && r.inputs.bucket === copy.inputs.bucket));
        assert.equal(await promiseOf(outputs.drBackendUrl), `s3://platform-shared-pulumi-state-dr-${MOCK_ACCOUNT_ID}?region=eu-central-1`);
        const provider = get("pulumi:providers:aws", "state-dr-dr-provider");
        assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), [MOCK_ACCOUNT_ID], "the DR provider carries the bootstrap's aws: settings");
        const role = resources.find((r) => r.type === "aws:iam/role:Role" && r.name === "state-dr-state-role")!;
        assert.equal(role.inputs.path, "/platform/");
        assert.equal(role.inputs.permissionsBoundary, `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/platform-boundary`);
        // Delete markers replicate only with s3:ReplicateDelete on the copy (S3 User Guide, replication permissions).
        assert.deepEqual(replicationRoleFindings(resources), []);
    });

    it("the preview role reads the copy, takes its locks and decrypts with either key; condition keys are real", async () => {
        const policy = JSON.parse(get("aws:iam/rolePolicy:RolePolicy", "state-dr-preview-policy").inputs.policy);
        assert.deepEqual(policy.Statement.map((s: any) => s.Sid), ["ReadStateCopy", "ReadStateCopyObjects", "LocksInStateCopy", "SecretsMultiRegion"]);
        assert.deepEqual(policy.Statement[3].Resource, [await promiseOf((get("aws:kms/key:Key", "state-dr-key").resource as any).arn), await promiseOf((get("aws:kms/replicaKey:ReplicaKey", "state-dr-replica-key").resource as any).arn)]);
        assert.deepEqual(conditionKeyFindings(resources, awsFacts()), []);
    });

    it("bootstrap:drRegion: unset is no replication; a bad, equal or other-partition region, or Pulumi Cloud, is refused with the key named", () => {
        const cfg = readBootstrapConfig(config({ repository: "acme/platform" }), "eu-west-1", "shared");
        assert.equal(readStateDrRegion(config({}), cfg), undefined);
        assert.throws(() => readStateDrRegion(config({ drRegion: "eu-centrl-1" }), cfg), /^Error: bootstrap:drRegion: "eu-centrl-1" is not an AWS region \(did you mean eu-central-1\?\)/);
        assert.throws(() => readStateDrRegion(config({ drRegion: "eu-west-1" }), cfg), /bootstrap:drRegion: eu-west-1 is the bootstrap's own region/);
        assert.throws(() => readStateDrRegion(config({ drRegion: "cn-north-1" }), cfg), /another partition/);
        const cloud = readBootstrapConfig(config({ repository: "acme/platform", backend: "pulumi-cloud" }), "eu-west-1", "shared");
        assert.throws(() => readStateDrRegion(config({ drRegion: "eu-central-1" }), cloud), /only with bootstrap:backend s3/);
    });
});
