/**
 * Issue 23 class 4: the AWS baseline judged as AWS and its provider read the resources. Security
 * group ingress on the union of CIDRs per port (standalone rules too, IPv6 too), EKS public CIDRs
 * likewise; RDS read replicas judged; AWS-managed KMS keys are not customer keys; strings the
 * provider coerces to booleans and numbers read as it does; every public access block, encryption
 * configuration and bucket policy of a bucket must comply; a TLS deny counts only when it covers
 * the bucket and is not narrowed; vault locks without changeableForDays are governance mode. And
 * class 8's index: each bucket setting is looked up once, not once per bucket.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { isCustomerKmsKey, awsBool } from "../../policies/lib/aws-values";
import { deniesInsecureTransport } from "../../policies/lib/tls-deny";
import type { PolicyResource } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const prod = parsePackConfig({ environment: "prod" });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let n = 0;
const res = (type: string, props: Record<string, any>, extra: Partial<PolicyResource> = {}): PolicyResource => ({ urn: `urn:${type}::r${++n}`, type, name: `r${n}`, props, protect: true, ...extra });
const findings = (rs: PolicyResource[], policy: string, cfg = prod) => evaluatePack(rs, cfg).filter((v) => v.policy === policy);
const messages = (rs: PolicyResource[], policy: string, cfg = prod) => findings(rs, policy, cfg).map((v) => v.message);

describe("class 4: security group ingress open to the world", () => {
    const SG = "aws:ec2/securityGroup:SecurityGroup";
    const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
    const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    const sg = (ingress: unknown[]) => res(SG, { ingress });
    const tcp = (port: number, cidrBlocks: string[], ipv6CidrBlocks: string[] = []) => ({ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks, ipv6CidrBlocks });

    it("a standalone aws:ec2/securityGroupRule open to 0.0.0.0/0 is checked (ingress only)", () => {
        const open = res(RULE, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg-1" });
        assert.deepEqual(messages([open], "security-group-baseline"), ["Security group rule must not admit ingress open to the world: tcp port 22 from all of IPv4 (0.0.0.0/0) [EC2.18]."]);
        assert.deepEqual(messages([res(RULE, { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })], "security-group-baseline"), []);
        assert.deepEqual(messages([res(RULE, { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] })], "security-group-baseline"), []);
    });

    it("::/0 is all of IPv6: on a security group, an aws:vpc ingress rule and an aws:ec2 rule", () => {
        assert.match(messages([sg([tcp(443, [], ["::/0"])])], "security-group-baseline").join(), /tcp port 443 from all of IPv6 \(::\/0\)/);
        assert.match(messages([res(INGRESS, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "::/0" })], "security-group-baseline").join(), /all of IPv6/);
        assert.match(messages([res(RULE, { type: "ingress", protocol: "6", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["0::/0"] })], "security-group-baseline").join(), /tcp port 443 from all of IPv6/);
        assert.deepEqual(messages([res(INGRESS, { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv6: "2001:db8::/32" })], "security-group-baseline"), []);
    });

    it("the union of CIDRs per port: 0.0.0.0/1 + 128.0.0.0/1 is 0.0.0.0/0, within one rule or across rules on the same port, not across ports", () => {
        assert.match(messages([sg([tcp(22, ["0.0.0.0/1", "128.0.0.0/1"])])], "security-group-baseline").join(), /tcp port 22 from all of IPv4/);
        assert.match(messages([sg([tcp(22, ["0.0.0.0/1"]), tcp(22, ["128.0.0.0/2", "192.0.0.0/2"])])], "security-group-baseline").join(), /tcp port 22 from all of IPv4/);
        assert.deepEqual(messages([sg([tcp(22, ["0.0.0.0/1"]), tcp(443, ["128.0.0.0/1"])])], "security-group-baseline"), []);
        // A range covering the other rule's port joins it; all traffic (-1) joins every port.
        assert.match(messages([sg([{ protocol: "tcp", fromPort: 0, toPort: 1024, cidrBlocks: ["0.0.0.0/1"] }, tcp(443, ["128.0.0.0/1"])])], "security-group-baseline").join(), /tcp port 443 from all of IPv4/);
        assert.match(messages([sg([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/1"] }, tcp(5432, ["128.0.0.0/1"])])], "security-group-baseline").join(), /tcp port 5432 from all of IPv4/);
        assert.match(messages([sg([{ protocol: "all", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }])], "security-group-baseline").join(), /all traffic from all of IPv4/);
        // Host bits below the prefix do not hide a /0.
        assert.match(messages([sg([tcp(80, ["10.1.2.3/0"])])], "security-group-baseline").join(), /all of IPv4/);
    });

    it("a source that is not a CIDR block fails closed", () => {
        assert.match(messages([sg([tcp(80, ["0.0.0.0/33"])])], "security-group-baseline").join(), /source "0\.0\.0\.0\/33" is not a CIDR block/);
    });

    it("a group and its standalone rules together: tied by securityGroupId (the stack export's id) or, while ids are unknown, by property dependency", () => {
        const group = res(SG, { ingress: [tcp(443, ["0.0.0.0/1"])] }, { id: "sg-0abc" });
        const byId = res(INGRESS, { securityGroupId: "sg-0abc", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "128.0.0.0/1" });
        assert.deepEqual(messages([group, byId], "security-group-baseline"), [], "no single resource is open");
        assert.match(messages([group, byId], "security-group-ingress-union").join(), new RegExp(`Security group ${group.name} with its rules ${byId.name} admits ingress open to the world: tcp port 443 from all of IPv4`));
        const byDependency = res(RULE, { securityGroupId: UNKNOWN, type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["128.0.0.0/1"] }, { propertyDependencies: { securityGroupId: [group.urn] } });
        const preview = findings([{ ...group, id: undefined }, byDependency], "security-group-ingress-union");
        assert.deepEqual(preview.map((v) => v.enforcementLevel), ["mandatory"], "decided while the id is unknown");
        const elsewhere = res(INGRESS, { securityGroupId: "sg-other", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "128.0.0.0/1" });
        assert.deepEqual(messages([group, elsewhere], "security-group-ingress-union"), []);
    });
});

describe("class 4: EKS public endpoint CIDRs as a union", () => {
    const cluster = (vpcConfig: Record<string, unknown>) => res("aws:eks/cluster:Cluster", {
        version: "1.35", enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } }, vpcConfig,
    });
    const eks = (vpc: Record<string, unknown>) => messages([cluster(vpc)], "eks-baseline");
    it("0.0.0.0/1 + 128.0.0.0/1, ::/0, or no CIDRs on a public endpoint fail; specific CIDRs and a private endpoint pass", () => {
        assert.match(eks({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }).join(), /publicAccessCidrs together admit all of IPv4 \(0\.0\.0\.0\/0\) \[EKS\.1\]/);
        assert.match(eks({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "::/0"] }).join(), /all of IPv6/);
        assert.match(eks({ endpointPublicAccess: true }).join(), /no publicAccessCidrs means 0\.0\.0\.0\/0/);
        assert.deepEqual(eks({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }), []);
        assert.deepEqual(eks({ endpointPublicAccess: false, publicAccessCidrs: ["0.0.0.0/0"] }), []);
        assert.deepEqual(eks({ endpointPublicAccess: "false", publicAccessCidrs: ["0.0.0.0/0"] }), [], "the provider reads \"false\" as false");
    });
    it("an AWS-managed key is not a customer key for secrets encryption", () => {
        const c = cluster({ endpointPublicAccess: false });
        c.props.encryptionConfig.provider.keyArn = "arn:aws:kms:eu-west-1:123456789012:alias/aws/eks";
        assert.match(messages([c], "eks-baseline").join(), /\[EKS\.3\]/);
    });
});

describe("class 4: RDS read replicas, AWS-managed keys and coerced strings", () => {
    const instance = (over: Record<string, unknown> = {}) => res("aws:rds/instance:Instance", {
        engine: "postgres", storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false, backupRetentionPeriod: 14,
        iamDatabaseAuthenticationEnabled: true, enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true,
        skipFinalSnapshot: false, finalSnapshotIdentifier: "final", manageMasterUserPassword: true, ...over,
    });
    const replica = (over: Record<string, unknown> = {}) => res("aws:rds/instance:Instance", {
        replicateSourceDb: "arn:aws:rds:eu-west-1:123456789012:db:primary", storageEncrypted: true, kmsKeyId: KEY, publiclyAccessible: false, backupRetentionPeriod: 14,
        iamDatabaseAuthenticationEnabled: true, enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: false, ...over,
    });
    const rds = (r: PolicyResource) => messages([r], "rds-baseline");

    it("replicateSourceDb no longer skips the checks: a public or unencrypted replica fails, a compliant single-AZ replica passes", () => {
        assert.deepEqual(rds(replica()), []);
        assert.deepEqual(rds(replica({ publiclyAccessible: true })), ["RDS read replica must not be publicly accessible [RDS.2]."]);
        assert.match(rds(replica({ storageEncrypted: false })).join(), /\[RDS\.3\]/);
        assert.match(rds(replica({ kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:alias/aws/rds" })).join(), /\[RDS\.3\]/);
        assert.match(rds(replica({ iamDatabaseAuthenticationEnabled: false, deletionProtection: false })).join(), /\[RDS\.10\].*\[RDS\.8\]/);
    });

    it("alias/aws/rds (and any alias/aws/...) is AWS-managed, not a customer key; a customer alias or key ARN is", () => {
        assert.match(rds(instance({ kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/aws/rds" })).join(), /customer-managed KMS key .*\[RDS\.3\]/);
        assert.deepEqual(rds(instance({ kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/platform-db" })), []);
        for (const [v, ok] of [[KEY, true], ["arn:aws-cn:kms:cn-north-1:123456789012:alias/app", true], ["arn:aws:kms:eu-west-1:123456789012:alias/aws/s3", false], ["arn:aws:kms:eu-west-1:123456789012:alias/AWS/s3", false], ["alias/app", false], ["1234abcd-12ab-34cd-56ef-1234567890ab", false], [undefined, false]] as const) {
            assert.equal(isCustomerKmsKey(v), ok, String(v));
        }
    });

    it("\"true\" is true where the provider coerces it: a string publiclyAccessible fails, string settings that comply pass", () => {
        for (const v of ["true", "True", "TRUE", "1", "t"]) assert.deepEqual(rds(instance({ publiclyAccessible: v })), ["RDS instance must not be publicly accessible [RDS.2]."], v);
        assert.deepEqual(rds(instance({ publiclyAccessible: "yes" })), ["RDS instance must not be publicly accessible [RDS.2]."], "a value the provider refuses fails closed");
        assert.deepEqual(rds(instance({ publiclyAccessible: "false", storageEncrypted: "true", deletionProtection: "true", multiAz: "1", backupRetentionPeriod: "14" })), []);
        assert.match(rds(instance({ backupRetentionPeriod: "3" })).join(), /at least 7 days; has 3 \[RDS\.11\]/);
        assert.deepEqual([awsBool("TRUE"), awsBool("f"), awsBool(""), awsBool("yes"), awsBool(null)], [true, false, false, "invalid", undefined]);
    });
});

describe("class 4: S3 settings, one of each per bucket, and the TLS deny", () => {
    const bucketArn = (b: string) => [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`];
    const deny = (over: Record<string, unknown> = {}, bucket = "b1") => ({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: bucketArn(bucket), Condition: { Bool: { "aws:SecureTransport": "false" } }, ...over }] });
    const pab = (over: Record<string, unknown> = {}) => res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "b1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, ...over });
    const bucket = (extra: PolicyResource[] = [], policy: unknown = JSON.stringify(deny())) => [
        res("aws:s3/bucket:Bucket", { bucket: "b1" }),
        res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { bucket: "b1", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }] }),
        pab(),
        res("aws:s3/bucketVersioning:BucketVersioning", { bucket: "b1", versioningConfiguration: { status: "Enabled" } }),
        res("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b1", policy }),
        ...extra,
    ];
    const s3 = (rs: PolicyResource[]) => messages(rs, "s3-baseline");

    it("a compliant bucket passes; PAB booleans given as strings the provider coerces count", () => {
        assert.deepEqual(s3(bucket()), []);
        const rs = bucket();
        Object.assign(rs[2].props, { blockPublicAcls: "true", blockPublicPolicy: "true", ignorePublicAcls: "true", restrictPublicBuckets: "true" });
        assert.deepEqual(s3(rs), []);
    });

    it("a second, permissive public access block on the same bucket fails (S3 keeps one: the last write wins)", () => {
        const second = pab({ blockPublicPolicy: false, restrictPublicBuckets: false });
        assert.deepEqual(s3(bucket([second])), [`S3 public access block ${second.name} (bucket b1) must block all public access (blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true) [S3.8]; S3 keeps one block per bucket, so a permissive one opens it.`]);
    });

    it("an encryption configuration with an AWS-managed key fails [S3.17]", () => {
        const rs = bucket();
        rs[1].props.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3";
        assert.match(s3(rs).join(), /\[S3\.17\]/);
    });

    it("a TLS deny scoped to another bucket, narrowed by a condition, or NotResource does not count", () => {
        const narrowed = [
            deny({}, "other-bucket"),
            deny({ Resource: ["arn:aws:s3:::b1"] }),
            deny({ Condition: { Bool: { "aws:SecureTransport": "false" }, StringEquals: { "aws:SourceVpce": "vpce-1" } } }),
            deny({ Condition: { Bool: { "aws:SecureTransport": "false", "aws:ViaAWSService": "false" } } }),
            deny({ Resource: undefined, NotResource: ["arn:aws:s3:::b1/public/*"] }),
            deny({ Action: ["s3:GetObject", "s3:PutObject"] }),
            deny({ NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Principal: undefined }),
        ];
        for (const p of narrowed) {
            assert.equal(deniesInsecureTransport(p, "b1"), false, JSON.stringify(p));
            assert.match(s3(bucket([], JSON.stringify(p))).join(), /must deny every request without TLS for that bucket and its objects/);
        }
    });

    it("condition keys compared case-insensitively, Bool values case-insensitively, IfExists and wildcards as IAM does", () => {
        const counted = [
            deny({ Condition: { Bool: { "AWS:SecureTransport": "false" } } }),
            deny({ Condition: { Bool: { "aws:securetransport": "FALSE" } } }),
            deny({ Condition: { BoolIfExists: { "aws:SecureTransport": false } } }),
            deny({ Condition: { Bool: { "aws:SecureTransport": ["true", "false"] } } }),
            deny({ Resource: "*" }),
            deny({ Resource: ["arn:aws:s3:::b?", "arn:aws:s3:::b1/*"] }),
            deny({ Action: "S3:*", Principal: { AWS: ["*"] } }),
        ];
        for (const p of counted) assert.equal(deniesInsecureTransport(p, "b1"), true, JSON.stringify(p));
        assert.equal(deniesInsecureTransport(deny({ Condition: { Bool: { "aws:SecureTransport": "true" } } }), "b1"), false);
        assert.equal(deniesInsecureTransport(deny({ Resource: ["arn:aws:s3:::B1", "arn:aws:s3:::B1/*"] }), "b1"), false, "resource ARNs are case-sensitive");
    });

    it("a second bucket policy on the bucket without the TLS deny fails, whichever is written last", () => {
        const second = res("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b1", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b1/*" }] }) });
        assert.match(s3(bucket([second])).join(), new RegExp(`S3 bucket policy ${second.name} \\(bucket b1\\) must deny every request without TLS`));
    });
});

describe("class 4: backup vault lock modes", () => {
    const vault = () => res("aws:backup/vault:Vault", { name: "v", kmsKeyArn: KEY });
    const lock = (over: Record<string, unknown> = {}) => res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", { backupVaultName: "v", minRetentionDays: 7, maxRetentionDays: 3650, changeableForDays: 3, ...over });
    const vaults = (rs: PolicyResource[]) => messages(rs, "backup-vault-baseline");
    it("a lock without changeableForDays is governance mode, however it is spelt (absent, null, below 3, not a number)", () => {
        assert.deepEqual(vaults([vault(), lock()]), []);
        assert.deepEqual(vaults([vault(), lock({ changeableForDays: "3" })]), [], "a numeric string the provider coerces");
        for (const days of [undefined, null, 0, 2, "", "three"]) assert.match(vaults([vault(), lock({ changeableForDays: days })]).join(), /must be compliance mode: set changeableForDays/, String(days));
    });
    it("a second, governance-mode lock on the same vault fails", () => {
        assert.match(vaults([vault(), lock(), lock({ changeableForDays: null })]).join(), /must be compliance mode/);
    });
    it("an AWS-managed key is not a customer key for the vault [Backup.1]", () => {
        const v = vault();
        v.props.kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:alias/aws/backup";
        assert.match(vaults([v, lock()]).join(), /\[Backup\.1\]/);
    });
});

describe("class 8: bucket settings indexed once per stack", () => {
    /** Counts reads of each setting's `bucket` during one evaluation of s3-baseline over `count` buckets. */
    function bucketReads(count: number): number {
        let reads = 0;
        const counted = (props: Record<string, any>) => new Proxy(props, { get: (t, k, r) => { if (k === "bucket") reads++; return Reflect.get(t, k, r); } });
        const rs: PolicyResource[] = [];
        for (let i = 0; i < count; i++) {
            const b = `b${i}`;
            rs.push(res("aws:s3/bucket:Bucket", { bucket: b }));
            for (const type of ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPolicy:BucketPolicy"]) rs.push(res(type, counted({ bucket: b })));
        }
        evaluatePack(rs, prod, undefined);
        return reads;
    }
    it("reads of the settings' bucket grow linearly with the buckets (not with their square)", () => {
        const small = bucketReads(50);
        const large = bucketReads(200);
        assert.ok(large <= small * 4 + 8, `50 buckets: ${small} reads, 200 buckets: ${large} reads`);
    });
});
