/**
 * Issue 22: a failover that works with the primary region gone. The failover plan is built with
 * every primary-region invoke, create and update failing (lib/offline/mocks.ts `unavailableRegions`,
 * against what the standby build deployed); the standby cluster is reachable from the DR runner and
 * has access entries for CI and break glass; the DR provider carries the stack's aws: settings;
 * zones come from config; the database design is one RDS accepts (self-managed master credential
 * replicated to the DR region; a replica without a final snapshot).
 */
import * as assert from "node:assert/strict";
import { BuiltStack, buildStack, builtStack, promiseOf } from "../../lib/offline/stack";
import { RecordedResource } from "../../lib/offline/recorder";
import { PlatformMocks } from "../../lib/offline/mocks";
import { DR_RUNNER_WORKFLOWS } from "../../components/dr/disaster-recovery";
import { buildFailover, failoverOf } from "../harness/failover";

const DR_REGION = "eu-central-1";
const PRIMARY = "eu-west-1";
const T = {
    db: "aws:rds/instance:Instance",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    entry: "aws:eks/accessEntry:AccessEntry",
    association: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    project: "aws:codebuild/project:Project",
    webhook: "aws:codebuild/webhook:Webhook",
    subnet: "aws:ec2/subnet:Subnet",
    provider: "pulumi:providers:aws",
};


/** prod's DR settings for a dev build (dev is the cheapest stack to build with DR on). */
const prodDr = (prod: BuiltStack) => ({ ...prod.config.dr, vpcCidr: "10.21.0.0/16", availabilityZones: ["eu-central-1a", "eu-central-1b"] });

const under = (s: BuiltStack, parentKey: string, r: RecordedResource): boolean => {
    const parents = new Map(s.resources.map((x) => [x.key, x.parent]));
    for (let k: string | undefined = r.key; k; k = parents.get(k)) if (k === parentKey) return true;
    return false;
};

describe("failover with the primary region down (issue 22)", () => {
    let prod: BuiltStack;
    let failover: BuiltStack;
    /** prod with stack-wide provider settings, a rotated password and a missing break-glass role (one build for three tests). */
    let variant: BuiltStack;
    before(async () => {
        prod = await builtStack("prod");
        failover = await failoverOf(prod);
        variant = await buildStack("prod", {
            mutate: (v) => {
                v["aws:defaultTags"] = { tags: { owner: "platform-team" } };
                v["aws:maxRetries"] = "5";
                v["aws:skipMetadataApiCheck"] = "true";
                v["platform:database"] = { ...v["platform:database"], masterPasswordGeneration: 2 };
            },
        });
    });

    it("plans with every primary-region invoke, create and update failing: only DR-region resources are added or changed", () => {
        assert.ok(failover.ofType("aws:eks/cluster:Cluster").some((c) => c.region === DR_REGION), "the standby cluster is planned");
        for (const r of failover.resources.filter((x) => x.custom && x.region === PRIMARY)) {
            assert.deepEqual(r.inputs, prod.resources.find((x) => x.key === r.key)?.inputs, `${r.key} unchanged`);
        }
    });

    it("the outage model bites: a create, an update or an invoke in the primary region fails the plan", async () => {
        await assert.rejects(buildFailover(prod, { deployed: new Map() }), /eu-west-1 is unavailable \(regional outage\): .* would be created there/);
        await assert.rejects(buildFailover(prod, { mutate: (v) => (v["platform:database"] = { ...v["platform:database"], slowQueryMs: 999 }) }), /eu-west-1 is unavailable \(regional outage\): aws:rds\/parameterGroup:ParameterGroup::database-params would be updated there/);
        // Standing by, the stack reads the signing key's public key from KMS: a call into the failed region (the SDK's
        // serialization of the Kyverno policy that holds the key swallows the message, so the mock is asked directly too).
        await assert.rejects(buildStack("prod", { account: { unavailableRegions: [PRIMARY], deployed: prod.registered } }), /error serializing property/);
        const mocks = new PlatformMocks(PRIMARY, { unavailableRegions: [PRIMARY] });
        assert.throws(() => mocks.call({ token: "aws:kms/getPublicKey:getPublicKey", inputs: { keyId: "k" } } as any), /eu-west-1 is unavailable \(regional outage\): invoke aws:kms\/getPublicKey/);
        assert.throws(() => mocks.call({ token: "aws:index/getAvailabilityZones:getAvailabilityZones", inputs: {} } as any), /invoke aws:index\/getAvailabilityZones/);
        assert.doesNotThrow(() => mocks.call({ token: "aws:iam/getRole:getRole", inputs: { name: "r" } } as any), "IAM is global");
    });

    it("no availability-zone lookup at all: both regions' subnets are in the zones pinned in config", () => {
        for (const s of [prod, failover]) {
            for (const subnet of s.ofType(T.subnet)) {
                const pinned = subnet.region === PRIMARY ? s.config.network.availabilityZones! : s.config.dr.availabilityZones!;
                const index = Number(subnet.name.split("-").pop());
                assert.equal(subnet.inputs.availabilityZone, pinned[index], subnet.name);
            }
        }
        assert.deepEqual(prod.config.dr.availabilityZones, ["eu-central-1a", "eu-central-1b", "eu-central-1c"]);
    });

    it("the standby cluster: access entries for the CI deploy role (admin), the preview role (read) and the break-glass role (admin); a private API the DR runner reaches", async () => {
        const standby = failover.get("aws:eks/cluster:Cluster", "dr-eks-cluster");
        assert.equal(standby.inputs.vpcConfig.endpointPrivateAccess, true);
        assert.equal(standby.inputs.vpcConfig.endpointPublicAccess, false);
        const entries = failover.ofType(T.association).filter((a) => a.inputs.clusterName === standby.inputs.name).map((a) => [a.inputs.principalArn, a.inputs.policyArn.split("/").pop()]);
        assert.deepEqual(entries.sort(), [
            ["arn:aws:iam::123456789012:role/platform-break-glass", "AmazonEKSClusterAdminPolicy"],
            ["arn:aws:iam::123456789012:role/platform-deploy", "AmazonEKSClusterAdminPolicy"],
            ["arn:aws:iam::123456789012:role/platform-preview", "AmazonEKSAdminViewPolicy"],
        ]);
        const runnerSg = await promiseOf((failover.get("aws:ec2/securityGroup:SecurityGroup", "dr-ci-runner-sg").resource as any).id);
        const rule = failover.get(T.ingress, "dr-eks-api-from-dr-ci-runner");
        assert.equal(rule.inputs.referencedSecurityGroupId, runnerSg);
        assert.equal(rule.inputs.fromPort, 443);
        assert.equal(rule.region, DR_REGION);
    });

    it("the DR runner exists while standing by, in the DR VPC, with the DR region's GitHub connection, for the deploy path and the drill", () => {
        const project = prod.get(T.project, "dr-ci-runner-project");
        assert.equal(project.region, DR_REGION);
        assert.equal(project.inputs.name, "platform-prod-dr-gha-runner");
        assert.equal(project.inputs.source.auth.resource, prod.config.dr.ciConnectionArn);
        assert.match(prod.config.dr.ciConnectionArn!, /:eu-central-1:/);
        const vpcId = prod.get("aws:ec2/vpc:Vpc", "dr-network-vpc");
        assert.ok(under(prod, "platform:dr:DisasterRecovery::dr", project));
        assert.ok(vpcId.region === DR_REGION);
        const filters = prod.get(T.webhook, "dr-ci-runner-webhook").inputs.filterGroups[0].filters;
        assert.equal(filters[1].pattern, `^(${DR_RUNNER_WORKFLOWS.join("|")})$`);
        assert.deepEqual(DR_RUNNER_WORKFLOWS, ["deploy", "up", "dr-drill"]);
        assert.equal(prod.platform.outputs.drCiRunnerProject, "platform-prod-dr-gha-runner");
    });

    it("the DR provider carries every aws: setting of the stack (account guard, default tags, ...), its own region and STS region", async () => {
        const p = variant.get(T.provider, "dr-provider").inputs;
        assert.deepEqual(JSON.parse(p.allowedAccountIds), ["123456789012"]);
        assert.deepEqual(JSON.parse(p.defaultTags), { tags: { owner: "platform-team", "dr-of": PRIMARY } });
        assert.equal(p.region, DR_REGION);
        assert.equal(p.stsRegion, DR_REGION);
        assert.equal(p.maxRetries, "5");
        assert.equal(p.skipMetadataApiCheck, "true");
    });

    it("the master password is the platform's (not RDS-managed, which RDS refuses for a replica source), its secret replicated to the DR region under a DR key", async () => {
        const primary = prod.get(T.db, "database-instance");
        assert.equal(primary.inputs.manageMasterUserPassword, undefined);
        assert.equal(primary.inputs.masterUserSecretKmsKeyId, undefined);
        assert.ok(primary.secretPaths.includes("password"), "the password is a Pulumi secret");
        const secret = prod.get(T.secret, "database-master-secret");
        assert.equal(secret.region, PRIMARY);
        assert.equal(secret.inputs.name, "platform-prod-postgres-master");
        assert.equal(secret.inputs.replicas.length, 1);
        assert.equal(secret.inputs.replicas[0].region, DR_REGION);
        assert.equal(secret.inputs.replicas[0].kmsKeyId, await promiseOf((prod.get("aws:kms/key:Key", "dr-database-key").resource as any).arn));
        const version = prod.get(T.secretVersion, "database-master-value");
        assert.deepEqual(version.dependsOn, [primary.key], "the secret is written after the instance has the password");
        assert.ok(version.secretPaths.includes("secretString"));
        const drArn = await promiseOf(prod.platform.outputs.drDbMasterSecretArn as string);
        assert.equal(drArn, (await promiseOf(prod.platform.outputs.dbMasterSecretArn as string)).replace(`:${PRIMARY}:`, `:${DR_REGION}:`));
    });

    it("rotation: a new generation replaces the random password only (instance modified, secret rewritten, nothing replaced)", async () => {
        const rotated = variant;
        const password = (s: BuiltStack) => s.get("random:index/randomPassword:RandomPassword", "database-master-password").inputs.keepers;
        assert.deepEqual([password(prod), password(rotated)], [{ generation: "1" }, { generation: "2" }]);
        const rds = (s: BuiltStack) => s.ofType(T.db).concat(s.ofType(T.secret), s.ofType(T.secretVersion)).map((r) => [r.key, r.inputs]);
        assert.deepEqual(rds(rotated), rds(prod), "instance and secret inputs other than the (masked) password are the same: modified, not replaced");
    });

    it("the replica is deleted without a final snapshot (RDS refuses one for a replica); the promoted instance keeps one", () => {
        const replica = prod.get(T.db, "dr-database-instance");
        assert.equal(replica.inputs.skipFinalSnapshot, true);
        assert.equal(replica.inputs.finalSnapshotIdentifier, undefined);
        const promoted = failover.get(T.db, "dr-database-instance");
        assert.equal(promoted.inputs.skipFinalSnapshot, false);
        assert.equal(promoted.inputs.finalSnapshotIdentifier, "platform-prod-postgres-dr-final");
    });

    it("the outputs the drill reads", async () => {
        const o = prod.platform.outputs;
        assert.equal(await promiseOf(o.drDatabaseIdentifier as string), "platform-prod-postgres-dr");
        assert.match(await promiseOf(o.drDatabaseEndpoint as string), /^platform-prod-postgres-dr\..*\.eu-central-1\.rds\.amazonaws\.com:5432$/);
        assert.match(await promiseOf(o.drVaultArn as string), /^arn:aws:backup:eu-central-1:/);
        assert.match(await promiseOf(o.drReplicatedBackupsArn as string), /^arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-/);
        assert.match(await promiseOf(o.drClusterStateBucket as string), /^platform-prod-dr-cluster-state-/);
        assert.equal(await promiseOf(o.drBreakGlassRoleArn as string), "arn:aws:iam::123456789012:role/platform-break-glass");
        assert.match(await promiseOf(failover.platform.outputs.drStandbyClusterEndpoint as string), /eu-central-1\.eks\.amazonaws\.com/);
    });

    it("a break-glass role that does not exist fails every preview (the stack output drBreakGlassRoleArn looks it up), not the failover", async () => {
        // The SDK's mock monitor drops the invoke's message when it fails an output; the mock's own answer carries it.
        await assert.rejects(buildStack("dev", { mutate: (v) => { v["platform:dr"] = prodDr(prod); v["aws:allowedAccountIds"] = ["123456789012"]; }, account: { missingRoles: ["platform-break-glass"] } }), /error serializing property "outputs"/);
        assert.throws(() => new PlatformMocks(PRIMARY, { missingRoles: ["platform-break-glass"] }).call({ token: "aws:iam/getRole:getRole", inputs: { name: "platform-break-glass" } } as any), /reading IAM Role \(platform-break-glass\): couldn't find resource/);
    });
});
