/**
 * Every environment built from its own Pulumi.<stack>.yaml; asserts what differs between them and
 * what must hold in all of them.
 */
import * as assert from "node:assert/strict";
import { BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";

const T = {
    nat: "aws:ec2/natGateway:NatGateway",
    subnet: "aws:ec2/subnet:Subnet",
    db: "aws:rds/instance:Instance",
    cluster: "aws:eks/cluster:Cluster",
    key: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
};

describe("environments differ by config only", () => {
    let dev: BuiltStack, staging: BuiltStack, prod: BuiltStack;
    before(async () => {
        dev = await builtStack("dev");
        staging = await builtStack("staging");
        prod = await builtStack("prod");
    });

    it("dev has one NAT gateway over 2 AZs, staging one over 3 (it shares prod's Elastic IP quota), prod one per AZ", () => {
        assert.equal(dev.ofType(T.nat).length, 1);
        assert.equal(dev.ofType(T.subnet).length, 6);
        assert.equal(staging.primary().ofType(T.nat).length, 1);
        assert.equal(prod.primary().ofType(T.nat).length, 3);
        assert.equal(prod.primary().ofType(T.subnet).length, 9);
        // The standby DR VPC runs one NAT until failover.
        assert.equal(prod.ofType(T.nat).length - prod.primary().ofType(T.nat).length, 1);
    });

    it("dev database is single-AZ and unprotected; prod is Multi-AZ, protected, with a final snapshot", () => {
        const d = dev.ofType(T.db)[0];
        assert.equal(d.inputs.multiAz, false);
        assert.equal(d.inputs.deletionProtection, false);
        assert.equal(d.protect, false);
        const p = prod.ofType(T.db)[0];
        assert.equal(p.inputs.multiAz, true);
        assert.equal(p.inputs.deletionProtection, true);
        assert.equal(p.protect, true);
        assert.equal(p.inputs.skipFinalSnapshot, false);
        assert.equal(p.inputs.finalSnapshotIdentifier, "platform-prod-postgres-final");
        assert.equal(p.inputs.deleteAutomatedBackups, false);
        assert.equal(p.inputs.backupRetentionPeriod, 35);
        assert.equal(d.inputs.backupRetentionPeriod, 7);
    });

    it("prod protects the database key and the cluster with its keys", () => {
        const protectedKeys = prod.ofType(T.key).filter((k) => k.protect).map((k) => k.name).sort();
        assert.deepEqual(protectedKeys, ["app-images-key", "backup-key", "cosign-key", "database-key", "dr-backup-key", "dr-database-key", "dr-storage-key", "eks-secrets-key", "eks-volume-key", "jaeger-key", "loki-key", "velero-key"]);
        assert.equal(prod.ofType(T.cluster)[0].protect, true);
        assert.equal(prod.ofType(T.cluster)[0].inputs.deletionProtection, true);
        assert.equal(dev.ofType(T.key).filter((k) => k.protect).length, 0);
    });

    it("retention follows the environment", () => {
        const flow = (s: BuiltStack) => s.get(T.logGroup, "network-flowlogs").inputs.retentionInDays;
        assert.deepEqual([flow(dev), flow(staging), flow(prod)], [14, 90, 365]);
    });

    it("prod runs two node groups, the observability one tainted", () => {
        const groups = prod.ofType("aws:eks/nodeGroup:NodeGroup");
        assert.equal(groups.length, 2);
        const obs = groups.find((g) => g.name === "eks-observability-ng")!;
        assert.deepEqual(obs.inputs.taints, [{ key: "workload", value: "observability", effect: "NO_SCHEDULE" }]);
        assert.equal(dev.ofType("aws:eks/nodeGroup:NodeGroup")[0].inputs.capacityType, "SPOT");
    });

    for (const stack of STACKS) {
        describe(`${stack}: invariants`, () => {
            let s: BuiltStack;
            before(async () => (s = await builtStack(stack)));

            it("the EKS API endpoint is private (no public CIDRs configured)", () => {
                const vpc = s.ofType(T.cluster)[0].inputs.vpcConfig;
                assert.equal(vpc.endpointPrivateAccess, true);
                assert.equal(vpc.endpointPublicAccess, false);
                assert.equal(vpc.publicAccessCidrs, undefined);
            });

            it("every launch template requires IMDSv2 with hop limit 1 and encrypts its gp3 root volume with KMS", () => {
                const lts = s.ofType(T.launchTemplate);
                assert.ok(lts.length >= 1);
                for (const lt of lts) {
                    assert.equal(lt.inputs.metadataOptions.httpTokens, "required");
                    assert.equal(lt.inputs.metadataOptions.httpPutResponseHopLimit, 1);
                    const ebs = lt.inputs.blockDeviceMappings[0].ebs;
                    assert.equal(ebs.encrypted, "true");
                    assert.equal(ebs.volumeType, "gp3");
                    assert.match(ebs.kmsKeyId, /^arn:aws:kms:/);
                }
            });

            it("every log group, the database and the default StorageClass are encrypted with a customer KMS key", () => {
                for (const lg of s.ofType(T.logGroup)) assert.match(lg.inputs.kmsKeyId ?? "", /^arn:aws:kms:/, lg.name);
                const db = s.ofType(T.db)[0];
                assert.equal(db.inputs.storageEncrypted, true);
                assert.match(db.inputs.kmsKeyId, /^arn:aws:kms:/);
                const sc = s.ofType("kubernetes:storage.k8s.io/v1:StorageClass")[0];
                assert.equal(sc.inputs.parameters.encrypted, "true");
                assert.match(sc.inputs.parameters.kmsKeyId, /^arn:aws:kms:/);
                assert.equal(sc.inputs.metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
            });

            it("every symmetric KMS key rotates (asymmetric signing keys cannot) and every key has an alias", () => {
                const keys = s.ofType(T.key);
                for (const k of keys) assert.equal(k.inputs.enableKeyRotation, k.inputs.keyUsage !== "SIGN_VERIFY", k.name);
                assert.equal(s.ofType("aws:kms/alias:Alias").length, keys.length);
            });

            it("every taggable AWS resource carries environment, component and managed-by tags", () => {
                const tagged = s.resources.filter((r) => r.type.startsWith("aws:") && r.inputs.tags);
                assert.ok(tagged.length > 30);
                for (const r of tagged) {
                    assert.equal(r.inputs.tags.environment, stack, r.key);
                    assert.equal(r.inputs.tags["managed-by"], "pulumi", r.key);
                    assert.ok(r.inputs.tags.component, r.key);
                }
            });

            it("every resource except the top-level components has a parent", () => {
                const orphans = s.resources.filter((r) => !r.parent && !r.type.startsWith("platform:"));
                assert.deepEqual(orphans.map((r) => r.key), []);
            });

            it("every Kubernetes resource uses the cluster's provider", () => {
                const k8s = s.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
                assert.ok(k8s.length > 0);
                for (const r of k8s) assert.equal(r.provider, "pulumi:providers:kubernetes::eks-k8s", r.key);
            });

            it("the kubeconfig is a secret and authenticates with aws eks get-token", async () => {
                const provider = s.get("pulumi:providers:kubernetes", "eks-k8s");
                assert.deepEqual(provider.secretPaths, ["kubeconfig"]);
                const kubeconfig = JSON.parse(await new Promise<string>((r) => s.platform.cluster.kubeconfig.apply(r)));
                assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", `platform-${stack}-eks`]);
                assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
            });
        });
    }
});
