/**
 * policies/aws/baseline.ts on the cases mutation testing (`npm run mutation`) found no test for:
 * invalid boolean strings (RDS.3 on replicas, RDS.13), a replica without a key of its own, log
 * exports by engine (postgres, other engines, a replica whose engine is inherited), what makes an
 * instance a replica, an EKS encryption config without a provider, endpoint CIDR entries that are
 * not CIDRs (unknown ones excepted), the exact EKS.1/EKS.2 texts, and a launch template without
 * metadata options. policies/aws/security-groups.ts, storage.ts and iam.ts: port ranges (named,
 * joined when adjacent, invalid ones as the whole protocol), the union check leaving a member open
 * on its own to the baseline, S3 settings given inline or as one object, a backup vault lock of
 * unknown vault, and preBoundaryRoles.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import type { PolicyResource } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const VERSIONS = ["1.34", "1.35"];
const prod = parsePackConfig({ environment: "prod", supportedEksVersions: VERSIONS });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let n = 0;
const res = (type: string, props: Record<string, any>): PolicyResource => ({ urn: `urn:${type}::m${++n}`, type, name: `m${n}`, props, protect: true });
const messages = (r: PolicyResource, policy: string) => evaluatePack([r], prod).filter((v) => v.policy === policy).map((v) => v.message);
const RDS = "aws:rds/instance:Instance";
const primary = (over: Record<string, unknown> = {}) => res(RDS, {
    engine: "postgres", storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false, backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "final", ...over,
});
const replica = (over: Record<string, unknown> = {}) => primary({ engine: undefined, replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:p", multiAz: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined, ...over });
const rds = (r: PolicyResource) => messages(r, "rds-baseline");

describe("mutation-found cases: AWS baseline", () => {
    it("RDS: the compliant primary and replica pass; invalid boolean strings fail RDS.3 (replica) and RDS.13", () => {
        assert.deepEqual(rds(primary()), []);
        assert.deepEqual(rds(replica()), []);
        assert.deepEqual(rds(replica({ kmsKeyId: undefined })), [], "a replica naming no key keeps its source's encryption");
        assert.match(rds(replica({ storageEncrypted: "maybe" })).join(), /RDS read replica must keep storage encrypted.*\[RDS\.3\]/);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: false })), ["RDS instance must enable automatic minor version upgrades [RDS.13]."]);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: "maybe" })), ["RDS instance must enable automatic minor version upgrades [RDS.13]."]);
        assert.deepEqual(rds(primary({ autoMinorVersionUpgrade: "true" })), []);
    });
    it("RDS.9: postgres (and a replica of inherited engine) must export postgresql and upgrade; other engines any log type", () => {
        assert.deepEqual(rds(primary({ enabledCloudwatchLogsExports: [] })), ["RDS instance must export its logs to CloudWatch; missing postgresql, upgrade [RDS.9]."]);
        assert.deepEqual(rds(replica({ enabledCloudwatchLogsExports: ["upgrade"] })), ["RDS read replica must export its logs to CloudWatch; missing postgresql [RDS.9]."]);
        assert.deepEqual(rds(replica({ enabledCloudwatchLogsExports: [] })), ["RDS read replica must export its logs to CloudWatch; missing postgresql, upgrade [RDS.9]."]);
        assert.deepEqual(rds(replica({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] })), []);
        assert.deepEqual(rds(primary({ engine: "mysql", enabledCloudwatchLogsExports: ["error"] })), []);
        assert.deepEqual(rds(primary({ engine: undefined, enabledCloudwatchLogsExports: ["error"] })), [], "a primary of unknown engine: any log type");
        assert.deepEqual(rds(primary({ engine: "mysql", enabledCloudwatchLogsExports: undefined })), ["RDS instance must export its logs to CloudWatch; missing any log type [RDS.9]."]);
    });
    it("RDS: a null or empty replicateSourceDb is a primary (Multi-AZ and final snapshot apply); any other value a replica", () => {
        const standalone = ["RDS instance in prod must be Multi-AZ [RDS.5].", "RDS instance in prod must take a final snapshot on deletion."];
        assert.deepEqual(rds(replica({ replicateSourceDb: null, engine: "postgres" })), standalone);
        assert.deepEqual(rds(replica({ replicateSourceDb: "", engine: "postgres" })), standalone);
        assert.deepEqual(rds(replica({ replicateSourceDb: "Stryker was here!" })), []);
    });
    it("EKS: an encryption config without a provider fails EKS.3; entries that are not CIDRs are named, unknown ones are not; exact EKS.1 and EKS.2 texts", () => {
        const cluster = (over: Record<string, unknown>) => res("aws:eks/cluster:Cluster", {
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } }, vpcConfig: { endpointPublicAccess: false },
            enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"], version: VERSIONS[0], ...over,
        });
        const eks = (over: Record<string, unknown>) => messages(cluster(over), "eks-baseline");
        assert.deepEqual(eks({}), []);
        assert.deepEqual(eks({ encryptionConfig: { resources: ["secrets"] } }), ["EKS cluster must encrypt Kubernetes secrets with a customer-managed KMS key [EKS.3]."]);
        assert.deepEqual(eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "not-a-cidr"] } }), ['EKS cluster publicAccessCidrs entry "not-a-cidr" is not a CIDR block [EKS.1].']);
        // An unknown entry is not named as "not a CIDR" (the verdict waits for the update instead).
        const withUnknown = eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["10.0.0.0/8", "not-a-cidr", UNKNOWN] } });
        assert.equal(withUnknown.length, 1);
        assert.match(withUnknown[0], /entry "not-a-cidr" is not a CIDR block \[EKS\.1\]\.$/);
        const open = eks({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0", "::/0"] } });
        assert.equal(open.length, 1);
        assert.match(open[0], /^EKS cluster endpoint must be private or restricted to specific CIDRs; publicAccessCidrs together admit \S.* and \S.* \[EKS\.1\]\.$/);
        assert.deepEqual(eks({ version: "1.0" }), [`EKS cluster must run a supported Kubernetes version (1.34, 1.35); has 1.0 [EKS.2].`]);
    });
    it("a launch template without metadata options fails both IMDS checks", () => {
        assert.deepEqual(messages(res("aws:ec2/launchTemplate:LaunchTemplate", {}), "launch-template-baseline"), [
            "Launch template must require IMDSv2 (metadataOptions.httpTokens = required) [EC2.170].",
            "Launch template must set the IMDS hop limit to 1 so pods cannot reach node credentials.",
        ]);
    });
});

describe("mutation-found cases: security groups, S3, backup vaults, IAM roles", () => {
    const SG = "aws:ec2/securityGroup:SecurityGroup";
    const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    const sg = (ingress: unknown[]) => res(SG, { ingress });
    const sgMessages = (rs: PolicyResource[], policy = "security-group-baseline") => evaluatePack(rs, prod).filter((v) => v.policy === policy).map((v) => v.message);
    const OPEN = "Security group must not admit ingress open to the world:";

    it("port ranges: a range is named by its ends, adjacent ranges open to the same families join, others do not, an invalid range is the whole protocol", () => {
        const tcp = (fromPort: number, toPort: number, cidrBlocks: string[], ipv6CidrBlocks: string[] = []) => ({ protocol: "tcp", fromPort, toPort, cidrBlocks, ipv6CidrBlocks });
        assert.deepEqual(sgMessages([sg([tcp(8000, 8080, ["0.0.0.0/0"])])]), [`${OPEN} tcp ports 8000-8080 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([sg([tcp(80, 80, ["0.0.0.0/0"]), tcp(81, 90, ["0.0.0.0/0"])])]), [`${OPEN} tcp ports 80-90 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([sg([tcp(80, 80, ["0.0.0.0/0"]), tcp(82, 82, ["0.0.0.0/0"])])]), [`${OPEN} tcp port 80 from all of IPv4 (0.0.0.0/0) [EC2.18].`, `${OPEN} tcp port 82 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([sg([tcp(80, 80, ["0.0.0.0/0"]), tcp(81, 81, [], ["::/0"])])]), [`${OPEN} tcp port 80 from all of IPv4 (0.0.0.0/0) [EC2.18].`, `${OPEN} tcp port 81 from all of IPv6 (::/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([sg([tcp(90, 80, ["0.0.0.0/0"])])]), [`${OPEN} tcp ports 0-65535 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        // Ranges the provider refuses (negative, past 65535, fractional, missing an end) are the whole protocol too.
        for (const [fromPort, toPort] of [[-1, 22], [22, 65536], [22.5, 30], [22, 30.5], [undefined, 22], [22, undefined]]) {
            assert.deepEqual(sgMessages([sg([{ protocol: "udp", fromPort, toPort, cidrBlocks: ["0.0.0.0/0"] }])]), [`${OPEN} udp ports 0-65535 from all of IPv4 (0.0.0.0/0) [EC2.18].`], `${fromPort}-${toPort}`);
        }
        assert.deepEqual(sgMessages([sg([tcp(0, 22, ["0.0.0.0/0"]), tcp(1000, 65535, ["0.0.0.0/0"])])]), [`${OPEN} tcp ports 0-22 from all of IPv4 (0.0.0.0/0) [EC2.18].`, `${OPEN} tcp ports 1000-65535 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        // A rule on every port (its range invalid) and a ranged one: half of IPv4 everywhere, the other half on 22 only.
        assert.deepEqual(sgMessages([sg([tcp(90, 80, ["0.0.0.0/1"]), tcp(22, 22, ["128.0.0.0/1"])])]), [`${OPEN} tcp port 22 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
    });

    it("per protocol, sorted: all traffic from half of IPv4 completes the other half on each protocol; ports apply to tcp and udp only", () => {
        assert.deepEqual(sgMessages([sg([
            { protocol: "udp", fromPort: 53, toPort: 53, cidrBlocks: ["128.0.0.0/1"] },
            null,
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/1"] },
            { protocol: "icmp", fromPort: 3, toPort: 4, cidrBlocks: ["128.0.0.0/1"], ipv6CidrBlocks: ["::/0"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["128.0.0.0/1"], ipv6CidrBlocks: ["::/0"] },
        ])]), [
            `${OPEN} icmp (every port) from all of IPv4 (0.0.0.0/0) and all of IPv6 (::/0) [EC2.18].`,
            `${OPEN} tcp port 443 from all of IPv4 (0.0.0.0/0) and all of IPv6 (::/0) [EC2.18].`,
            `${OPEN} udp port 53 from all of IPv4 (0.0.0.0/0) [EC2.18].`,
        ]);
    });

    it("what all traffic already opens everywhere is said once; each protocol adds only the other family", () => {
        assert.deepEqual(sgMessages([sg([
            { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
            { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
            { protocol: "icmpv6", fromPort: -1, toPort: -1, ipv6CidrBlocks: ["::/0"] },
        ])]), [
            `${OPEN} all traffic from all of IPv4 (0.0.0.0/0) [EC2.18].`,
            `${OPEN} icmpv6 (every port) from all of IPv6 (::/0) [EC2.18].`,
            `${OPEN} tcp port 22 from all of IPv6 (::/0) [EC2.18].`,
        ]);
        assert.deepEqual(sgMessages([sg([{ protocol: "all", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }])]), [`${OPEN} all traffic from all of IPv4 (0.0.0.0/0) and all of IPv6 (::/0) [EC2.18].`]);
    });

    it("a null CIDR list is no source; a rule without a protocol is judged on every port", () => {
        assert.deepEqual(sgMessages([sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: null, ipv6CidrBlocks: ["::/0"] }])]), [`${OPEN} tcp port 22 from all of IPv6 (::/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([sg([{ fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])]), [`${OPEN}  (every port) from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
    });

    it("a group whose standalone rule is open on its own is left to security-group-baseline by the union check", () => {
        const group = { ...res(SG, { ingress: [] }), id: "sg-1" } as PolicyResource;
        const rule = res(INGRESS, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" });
        assert.deepEqual(sgMessages([group, rule], "security-group-ingress-union"), []);
        assert.deepEqual(sgMessages([group, rule]), [`Security group rule must not admit ingress open to the world: tcp port 22 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        // Linked as above, two halves of IPv4 open nothing alone and everything together.
        const half = { ...rule, props: { ...rule.props, cidrIpv4: "0.0.0.0/1" } };
        assert.deepEqual(sgMessages([{ ...group, props: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["128.0.0.0/1"] }] } }, half], "security-group-ingress-union"), [`Security group ${group.name} with its rules ${rule.name} admits ingress open to the world: tcp port 22 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
    });

    it("the union check: every linked ingress rule is named; an egress rule on the group is not ingress", () => {
        const group = { ...res(SG, { ingress: [] }), id: "sg-2" } as PolicyResource;
        const half = (cidrIpv4: string, type = INGRESS) => res(type, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4, securityGroupId: "sg-2" });
        const [a, b] = [half("0.0.0.0/1"), half("128.0.0.0/1")];
        assert.deepEqual(sgMessages([group, a, b], "security-group-ingress-union"), [`Security group ${group.name} with its rules ${a.name}, ${b.name} admits ingress open to the world: tcp port 22 from all of IPv4 (0.0.0.0/0) [EC2.18].`]);
        assert.deepEqual(sgMessages([group, a, half("128.0.0.0/1", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")], "security-group-ingress-union"), []);
    });

    const KMS = "encrypted with a customer-managed KMS key (sseAlgorithm aws:kms and kmsMasterKeyId a key or alias ARN outside alias/aws/) [S3.17]";
    const TLS = "have a bucket policy that denies every request without TLS (Deny, every principal, s3:*, the bucket and its objects, only the condition Bool aws:SecureTransport false) [S3.5]";
    const denyTls = (b: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
    /** A bucket configured inline (BucketV2's own arguments) except for its public access block, a separate resource. */
    const inlineBucket = (props: Record<string, unknown>) => [
        res("aws:s3/bucketV2:BucketV2", { bucket: "b2", serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }] }] }], versionings: [{ enabled: true }], policy: denyTls("b2"), ...props }),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "b2", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    ];
    const s3 = (rs: PolicyResource[]) => sgMessages(rs, "s3-baseline");

    it("S3: inline encryption, versioning and policy count for their bucket, and each is judged", () => {
        assert.deepEqual(s3(inlineBucket({})), []);
        assert.deepEqual(s3(inlineBucket({ serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "AES256" }] }] }] })), [`S3 bucket b2 must be ${KMS}: its inline encryption rules are not.`]);
        assert.deepEqual(s3(inlineBucket({ versionings: [{ enabled: false }] })), ["S3 bucket b2 must have versioning enabled so overwritten and deleted objects stay recoverable [S3.14]: its inline versioning is not enabled."]);
        assert.deepEqual(s3(inlineBucket({ policy: denyTls("another-bucket") })), [`S3 bucket b2 must ${TLS}: its inline policy does not.`]);
        const unnamed = inlineBucket({ bucket: undefined });
        assert.deepEqual(s3(unnamed).filter((m) => m.includes("inline policy")), [`S3 bucket ${unnamed[0].name} must ${TLS}: its inline policy does not.`], "no bucket name: nothing the policy could name");
        for (const none of [null, ""]) assert.deepEqual(s3(inlineBucket({ policy: none })), [`S3 bucket b2 must ${TLS}; it has none.`], JSON.stringify(none));
    });

    it("S3: null entries read as missing ones; every rule of a configuration must be KMS; a setting of unknown bucket says so", () => {
        const SSE = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
        const kms = { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } };
        assert.deepEqual(s3(inlineBucket({ serverSideEncryptionConfigurations: [null, { rules: null }] })), [`S3 bucket b2 must be ${KMS}; it has none.`]);
        assert.deepEqual(s3(inlineBucket({ serverSideEncryptionConfigurations: [{ rules: [null, { applyServerSideEncryptionByDefault: null }, { applyServerSideEncryptionByDefaults: [null] }] }] })), [`S3 bucket b2 must be ${KMS}: its inline encryption rules are not.`]);
        const sse = (bucket: unknown, rules: unknown[]) => res(SSE, { bucket, rules });
        const two = sse("b2", [kms, { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
        assert.deepEqual(s3([...inlineBucket({ serverSideEncryptionConfigurations: undefined }), two]), [`S3 encryption configuration ${two.name} (bucket b2) must have every rule ${KMS}.`]);
        const loose = sse(5, [null]);
        assert.deepEqual(s3([loose]), [`S3 encryption configuration ${loose.name} (bucket (its bucket)) must have every rule ${KMS}.`]);
    });

    it("S3: a setting given as one object rather than a list is read as a list of one", () => {
        assert.deepEqual(s3([...inlineBucket({ serverSideEncryptionConfigurations: undefined }), res("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", { bucket: "b2", rules: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } } })]), []);
    });

    it("a prod backup vault: a lock tied to it by dependency counts, a lock of unknown vault makes its missing lock undecided, none is a finding", () => {
        const vault = res("aws:backup/vault:Vault", { name: "v1", kmsKeyArn: KEY });
        const lock = { ...res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", { backupVaultName: UNKNOWN, changeableForDays: 3 }), propertyDependencies: { backupVaultName: [vault.urn] } } as PolicyResource;
        assert.deepEqual(evaluatePack([vault, lock], prod).filter((v) => v.policy === "backup-vault-baseline").map((v) => [v.enforcementLevel, v.message]), []);
        // Tied to no vault, it may be any vault's: the vault's missing lock is undecided until the update.
        const floating = res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", { backupVaultName: UNKNOWN, changeableForDays: 3 });
        assert.deepEqual(evaluatePack([vault, floating], prod).filter((v) => v.policy === "backup-vault-baseline").map((v) => [v.enforcementLevel, v.message, v.undecided]), [
            ["advisory", `undecided during preview (${floating.name}.backupVaultName unknown until the update; decided at \`pulumi up\`): Backup vault v1 in prod must have a vault lock in compliance mode (aws.backup.VaultLockConfiguration with changeableForDays).`, [`${floating.name}.backupVaultName`]],
        ]);
        assert.deepEqual(evaluatePack([vault], prod).filter((v) => v.policy === "backup-vault-baseline").map((v) => v.enforcementLevel), ["mandatory"]);
    });

    it("IAM: a role named in preBoundaryRoles is exempt; any other role is judged", () => {
        const cfg = parsePackConfig({ permissionsBoundaryName: "platform-boundary", rolePath: "/platform/", preBoundaryRoles: ["legacy-cluster-role"] });
        const role = (name: string) => ({ ...res("aws:iam/role:Role", { path: "/" }), name });
        const iam = (r: PolicyResource) => evaluatePack([r], cfg).filter((v) => v.policy === "iam-role-boundary").map((v) => v.message);
        assert.deepEqual(iam(role("legacy-cluster-role")), []);
        assert.equal(iam(role("new-role")).length, 2);
    });

    it("IAM: the boundary name is matched literally (a dot is a dot), and only as a string ARN", () => {
        const cfg = parsePackConfig({ permissionsBoundaryName: "platform.boundary", rolePath: "/platform/" });
        const iam = (permissionsBoundary: unknown) => evaluatePack([res("aws:iam/role:Role", { path: "/platform/", permissionsBoundary })], cfg).filter((v) => v.policy === "iam-role-boundary").map((v) => v.message);
        const arn = "arn:aws:iam::123456789012:policy/platform.boundary";
        assert.deepEqual(iam(arn), []);
        assert.deepEqual(iam("arn:aws:iam::123456789012:policy/platformXboundary"), ['IAM role must carry the permissions boundary arn:<partition>:iam::<account>:policy/platform.boundary; has "arn:aws:iam::123456789012:policy/platformXboundary".']);
        assert.deepEqual(iam([arn]), [`IAM role must carry the permissions boundary arn:<partition>:iam::<account>:policy/platform.boundary; has ${JSON.stringify([arn])}.`]);
    });

    it("launch templates: unencrypted EBS mappings are named; mappings that are not a list, or entries without EBS, are not", () => {
        const lt = (blockDeviceMappings: unknown) => messages(res("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, blockDeviceMappings }), "launch-template-baseline");
        assert.deepEqual(lt([{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }, null, { deviceName: "/dev/sdb" }, { deviceName: "/dev/xvdb", ebs: { encrypted: true } }]), ["Launch template volume /dev/xvda must be encrypted [EC2.7]."]);
        assert.deepEqual(lt({ deviceName: "/dev/xvda", ebs: { encrypted: false } }), []);
    });

    it("a security group whose CIDR list holds an unknown entry is undecided; the unknown is not named as a bad CIDR", () => {
        const v = evaluatePack([sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8", UNKNOWN] }])], prod).filter((x) => x.policy === "security-group-baseline");
        assert.deepEqual(v.map((x) => [x.enforcementLevel, x.message]), [["advisory", "cannot decide during preview: ingress[0].cidrBlocks[1] unknown until the update; decided at `pulumi up`."]]);
    });
});
