/**
 * The backup and DR rules of lib/aws/dr-rules.ts (issue 22 point 4) on every stack and the failover
 * plan (they must find nothing) and on fixtures with each defect main had (they must find it).
 */
import * as assert from "node:assert/strict";
import { continuousRetentionFindings, pinnedZoneFindings, providerSettingFindings, replaceOrderFindings, replicaFinalSnapshotFindings, replicationRoleFindings, restoreOverrideFindings } from "../../lib/aws/dr-rules";
import type { RecordedResource } from "../../lib/offline/recorder";
import { BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";
import { failoverOf } from "../harness/failover";

const fake = (type: string, name: string, inputs: Record<string, any>, region?: string): RecordedResource =>
    ({ key: `${type}::${name}`, type, name, custom: true, protect: false, dependsOn: [], ignoreChanges: [], inputs, secretPaths: [], resource: undefined as any, region });

const pinnedOf = (s: BuiltStack) => ({ [s.config.region]: s.config.network.availabilityZones, ...(s.config.dr.enabled ? { [s.config.dr.region!]: s.config.dr.availabilityZones } : {}) });
const all = (s: BuiltStack) => [
    ...continuousRetentionFindings(s.resources),
    ...replicaFinalSnapshotFindings(s.resources),
    ...providerSettingFindings(s.resources, s.config.awsProvider),
    ...restoreOverrideFindings(s.resources),
    ...pinnedZoneFindings(s.resources, pinnedOf(s)),
    ...replaceOrderFindings(s.resources),
    ...replicationRoleFindings(s.resources),
];

describe("backup and DR rules (lib/aws/dr-rules.ts)", () => {
    for (const stack of STACKS) it(`${stack}: nothing to find`, async () => assert.deepEqual(all(await builtStack(stack)), []));
    it("prod's failover plan: nothing to find", async () => assert.deepEqual(all(await failoverOf(await builtStack("prod"))), []));

    it("continuous backup against the instance's retention: staging on main (7 days on the instance, 14 in the rule) is a perpetual diff", () => {
        const plan = fake("aws:backup/plan:Plan", "backup-plan", { rules: [{ ruleName: "daily" }, { ruleName: "continuous", enableContinuousBackup: true, lifecycle: { deleteAfter: 14 } }] });
        const selection = fake("aws:backup/selection:Selection", "backup-selection", { planId: "p", selectionTags: [{ type: "STRINGEQUALS", key: "backup", value: "aws-backup" }] });
        const db = (days: number, tags = { backup: "aws-backup" }) => fake("aws:rds/instance:Instance", "database-instance", { backupRetentionPeriod: days, tags });
        assert.deepEqual(continuousRetentionFindings([plan, selection, db(7)]), ["database-instance: backupRetentionPeriod 7 but the continuous rule continuous of backup-plan keeps 14 days: AWS Backup sets the instance's retention to the rule's, a perpetual diff"]);
        assert.deepEqual(continuousRetentionFindings([plan, selection, db(14)]), []);
        assert.deepEqual(continuousRetentionFindings([plan, selection, db(7, { backup: "none" } as any)]), [], "an instance the plan does not select");
    });

    it("a replica with a final snapshot (main's protected replica) cannot be deleted", () => {
        const replica = (inputs: Record<string, any>) => fake("aws:rds/instance:Instance", "dr-database-instance", { replicateSourceDb: "arn:aws:rds:eu-west-1:1:db:x", ...inputs });
        assert.deepEqual(replicaFinalSnapshotFindings([replica({ skipFinalSnapshot: false, finalSnapshotIdentifier: "x-dr-final" })]), ["dr-database-instance: a read replica with finalSnapshotIdentifier x-dr-final; RDS refuses a final snapshot of a replica, so its deletion fails"]);
        assert.equal(replicaFinalSnapshotFindings([replica({})]).length, 1);
        assert.deepEqual(replicaFinalSnapshotFindings([replica({ skipFinalSnapshot: true }), fake("aws:rds/instance:Instance", "primary", { skipFinalSnapshot: false, finalSnapshotIdentifier: "f" })]), []);
    });

    it("a DR provider without the stack's account guard and default tags (main's: region and one tag only)", () => {
        const settings = { allowedAccountIds: ["123456789012"], defaultTags: { tags: { team: "platform" } }, maxRetries: 5 };
        const mainProvider = fake("pulumi:providers:aws", "dr-provider", { region: "eu-central-1", defaultTags: JSON.stringify({ tags: { "dr-of": "eu-west-1" } }) });
        assert.deepEqual(providerSettingFindings([mainProvider], settings), [
            "provider dr-provider: allowedAccountIds is (unset), the stack's aws:allowedAccountIds is [\"123456789012\"]",
            "provider dr-provider: default tags team of aws:defaultTags missing",
            "provider dr-provider: maxRetries is (unset), the stack's aws:maxRetries is 5",
        ]);
        const good = fake("pulumi:providers:aws", "dr-provider", { region: "eu-central-1", allowedAccountIds: "[\"123456789012\"]", defaultTags: JSON.stringify({ tags: { team: "platform", "dr-of": "eu-west-1" } }), maxRetries: "5" });
        assert.deepEqual(providerSettingFindings([good], settings), []);
    });

    it("an RDS restore test without network overrides (main's) restores into the default VPC", () => {
        const group = fake("aws:rds/subnetGroup:SubnetGroup", "database-subnets", { name: "p-postgres-isolated" });
        const selection = (overrides?: Record<string, string>) => fake("aws:backup/restoreTestingSelection:RestoreTestingSelection", "rt", { protectedResourceType: "RDS", restoreMetadataOverrides: overrides });
        assert.deepEqual(restoreOverrideFindings([group, selection()]), [
            "rt: no dbSubnetGroupName override: the restore goes to the default VPC (or fails where there is none)",
            "rt: vpcSecurityGroupIds override null is not a JSON list of security group ids: the restore gets the default security group",
        ]);
        assert.deepEqual(restoreOverrideFindings([group, selection({ DBSubnetGroupName: "p-postgres-isolated", VpcSecurityGroupIds: "[\"sg-123\"]" })]), [], "keys are case-insensitive");
        assert.match(restoreOverrideFindings([group, selection({ dbSubnetGroupName: "default", vpcSecurityGroupIds: "sg-123" })]).join("\n"), /dbSubnetGroupName default is not a DB subnet group of the stack[\s\S]*"sg-123" is not a JSON list/);
    });

    it("subnets in zones other than the pinned ones (main's live lookup), or in a region with no pinned zones", () => {
        const subnet = (name: string, az: string, region = "eu-west-1") => fake("aws:ec2/subnet:Subnet", name, { availabilityZone: az }, region);
        const pinned = { "eu-west-1": ["eu-west-1a", "eu-west-1b"] };
        assert.deepEqual(pinnedZoneFindings([subnet("network-private-0", "eu-west-1a"), subnet("network-private-1", "eu-west-1b")], pinned), []);
        assert.deepEqual(pinnedZoneFindings([subnet("network-private-1", "eu-west-1c"), subnet("dr-network-public-0", "eu-central-1a", "eu-central-1")], pinned), [
            "network-private-1: in eu-west-1c, the zone pinned for index 1 is eu-west-1b",
            "dr-network-public-0: no zones pinned in config for eu-central-1",
        ]);
    });

    it("a backups replication replaced create-first (main's): its delete stops replication by source ARN, the new one's included", () => {
        const replication = (deleteBeforeReplace: boolean) => ({ ...fake("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "dr-database-backups-replication", { sourceDbInstanceArn: "arn:aws:rds:eu-west-1:1:db:x", retentionPeriod: 14 }), deleteBeforeReplace });
        assert.deepEqual(replaceOrderFindings([replication(false)]), ["dr-database-backups-replication: replaced create-first (no deleteBeforeReplace): one backups replication per source instance and region; its delete stops replication by source ARN, so a create-first replacement stops the new one"]);
        assert.deepEqual(replaceOrderFindings([replication(true), fake("aws:rds/instance:Instance", "database-instance", {})]), []);
    });

    it("a replication role without s3:ReplicateDelete while delete markers replicate (main's state bucket copy): released locks never reach the copy", () => {
        const parent = "platform:dr:BucketReplication::state";
        const config = (deletes: "Enabled" | "Disabled") => ({ ...fake("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "state-config", { rules: [{ deleteMarkerReplication: { status: deletes }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } }, destination: { encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:eu-central-1:1:key/mrk-1" } } }] }), parent });
        const policy = (actions: string[]) => ({ ...fake("aws:iam/rolePolicy:RolePolicy", "state-policy", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }) }), parent });
        const base = ["s3:GetReplicationConfiguration", "s3:ListBucket", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:ReplicateObject", "s3:ReplicateTags", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"];
        assert.deepEqual(replicationRoleFindings([config("Enabled"), policy(base)]), ["state-config: the replication role's policy lacks s3:ReplicateDelete"]);
        assert.deepEqual(replicationRoleFindings([config("Enabled"), policy([...base, "s3:ReplicateDelete"])]), []);
        assert.deepEqual(replicationRoleFindings([config("Disabled"), policy(base)]), [], "no delete markers, no ReplicateDelete");
        assert.deepEqual(replicationRoleFindings([config("Disabled"), { ...policy(base), parent: "elsewhere" }]), ["state-config: the replication role's policy lacks " + base.slice(0, 9).join(", ")], "a policy of another component does not count");
    });
});
