/**
 * Each policy with a passing and failing case, one property changed per case; then the
 * platform's own stacks pass every mandatory policy and an injected defect is caught.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig, PolicyConfigError } from "../../policies/evaluate";
import { PolicyResource } from "../../policies/lib/types";
import { extractWorkload } from "../../policies/lib/workloads";
import { HELM_WORKLOAD_RESOURCES } from "../../policies/kubernetes/guardrails";
import { missingCommentedKeys, valuesShapeAt } from "../harness/reference";
import { parseQuantity } from "../../policies/lib/quantity";
import { matchesRegistry, parseImage } from "../../policies/supply-chain/images";
import { deniesInsecureTransport } from "../../policies/aws/storage";

const prodCfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "a".repeat(64);

function violations(r: PolicyResource, cfg = prodCfg) {
    return evaluatePack([r], cfg);
}
function assertViolation(r: PolicyResource, policy: string, pattern: RegExp, cfg = prodCfg) {
    const v = violations(r, cfg).filter((x) => x.policy === policy);
    assert.ok(v.some((x) => pattern.test(x.message)), `expected ${policy} matching ${pattern}; got ${JSON.stringify(v.map((x) => x.message))}`);
}
function assertClean(r: PolicyResource, cfg = prodCfg) {
    assert.deepEqual(violations(r, cfg), []);
}
const res = (type: string, props: Record<string, any>, protect = true): PolicyResource => ({ urn: `${type}::x`, type, name: "x", props, protect });

describe("policy: rds-baseline", () => {
    const good = () => res("aws:rds/instance:Instance", {
        engine: "postgres", storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", publiclyAccessible: false, backupRetentionPeriod: 14,
        iamDatabaseAuthenticationEnabled: true, enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true,
        skipFinalSnapshot: false, finalSnapshotIdentifier: "final", manageMasterUserPassword: true,
    });
    it("passes a compliant instance", () => assertClean(good()));
    it("fails unencrypted storage", () => { const r = good(); r.props.storageEncrypted = false; assertViolation(r, "rds-baseline", /\[RDS\.3\]/); });
    it("fails a public instance", () => { const r = good(); r.props.publiclyAccessible = true; assertViolation(r, "rds-baseline", /\[RDS\.2\]/); });
    it("fails short backup retention", () => { const r = good(); r.props.backupRetentionPeriod = 3; assertViolation(r, "rds-baseline", /at least 7 days; has 3 \[RDS\.11\]/); });
    it("fails without IAM auth", () => { const r = good(); r.props.iamDatabaseAuthenticationEnabled = false; assertViolation(r, "rds-baseline", /\[RDS\.10\]/); });
    it("fails without the upgrade log export", () => { const r = good(); r.props.enabledCloudwatchLogsExports = ["postgresql"]; assertViolation(r, "rds-baseline", /missing upgrade \[RDS\.9\]/); });
    it("accepts a self-managed master password (what a cross-region replica needs; the provider keeps it secret in the state)", () => {
        const r = good(); delete r.props.manageMasterUserPassword; r.props.password = "generated-by-random"; assertClean(r);
    });
    it("fails prod without deletion protection, Multi-AZ, final snapshot or protect", () => {
        const r = good();
        Object.assign(r.props, { deletionProtection: false, multiAz: false, skipFinalSnapshot: true });
        r.protect = false;
        assertViolation(r, "rds-baseline", /\[RDS\.8\]/);
        assertViolation(r, "rds-baseline", /\[RDS\.5\]/);
        assertViolation(r, "rds-baseline", /final snapshot/);
        assertViolation(r, "rds-baseline", /protect option/);
    });
    it("allows single-AZ without deletion protection in dev", () => {
        const r = good();
        Object.assign(r.props, { deletionProtection: false, multiAz: false, skipFinalSnapshot: true });
        r.protect = false;
        assertClean(r, parsePackConfig({ environment: "dev" }));
    });
});

describe("policy: eks-baseline", () => {
    const good = () => res("aws:eks/cluster:Cluster", {
        version: "1.35", encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:eu-west-1:1:key/k" } },
        vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false }, enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    });
    it("passes a compliant cluster", () => assertClean(good()));
    it("passes a public endpoint restricted to CIDRs", () => { const r = good(); r.props.vpcConfig = { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }; assertClean(r); });
    it("fails a public endpoint open to the world", () => { const r = good(); r.props.vpcConfig = { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }; assertViolation(r, "eks-baseline", /\[EKS\.1\]/); });
    it("fails without secrets encryption", () => { const r = good(); delete r.props.encryptionConfig; assertViolation(r, "eks-baseline", /\[EKS\.3\]/); });
    it("fails missing audit logs", () => { const r = good(); r.props.enabledClusterLogTypes = ["api"]; assertViolation(r, "eks-baseline", /missing audit, authenticator, controllerManager, scheduler \[EKS\.8\]/); });
    it("fails an unsupported version", () => { const r = good(); r.props.version = "1.29"; assertViolation(r, "eks-baseline", /has 1\.29 \[EKS\.2\]/); });
});

describe("policies: kms, launch template, log group, security group", () => {
    it("kms-key-rotation", () => {
        assertClean(res("aws:kms/key:Key", { enableKeyRotation: true }));
        assertViolation(res("aws:kms/key:Key", { enableKeyRotation: false }), "kms-key-rotation", /\[KMS\.4\]/);
    });
    it("launch-template-baseline", () => {
        const good = { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] };
        assertClean(res("aws:ec2/launchTemplate:LaunchTemplate", good));
        assertViolation(res("aws:ec2/launchTemplate:LaunchTemplate", { ...good, metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }), "launch-template-baseline", /IMDSv2/);
        assertViolation(res("aws:ec2/launchTemplate:LaunchTemplate", { ...good, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }), "launch-template-baseline", /hop limit/);
        assertViolation(res("aws:ec2/launchTemplate:LaunchTemplate", { ...good, blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }), "launch-template-baseline", /must be encrypted/);
    });
    it("log-group-baseline", () => {
        assertClean(res("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", retentionInDays: 30 }));
        assertViolation(res("aws:cloudwatch/logGroup:LogGroup", { retentionInDays: 30 }), "log-group-baseline", /KMS/);
        assertViolation(res("aws:cloudwatch/logGroup:LogGroup", { kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" }), "log-group-baseline", /retention/);
    });
    it("security-group-baseline", () => {
        assertClean(res("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ cidrBlocks: ["10.0.0.0/16"] }] }));
        assertViolation(res("aws:ec2/securityGroup:SecurityGroup", { ingress: [{ cidrBlocks: ["0.0.0.0/0"] }] }), "security-group-baseline", /0\.0\.0\.0\/0/);
        assertViolation(res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { cidrIpv4: "0.0.0.0/0" }), "security-group-baseline", /\[EC2\.18\]/);
    });
});

const limits = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** A Deployment in `apps`; containers get a hardened securityContext unless they set their own (workload-hygiene). */
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
function deployment(containers: any[], extra: Record<string, any> = {}) {
    const harden = (c: any) => ({ securityContext: HARDENED, ...c });
    const spec = { ...extra, containers: containers.map(harden), ...(extra.initContainers ? { initContainers: extra.initContainers.map(harden) } : {}) };
    return res("kubernetes:apps/v1:Deployment", { metadata: { name: "web", namespace: "apps" }, spec: { template: { spec } } });
}

describe("policy: container-resources", () => {
    it("passes containers with requests <= limits", () => assertClean(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: limits }])));
    it("fails a container without limits", () => assertViolation(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: { requests: limits.requests } }]), "container-resources", /container app resources\.limits\.cpu is not set; set a positive quantity/));
    it("fails an init container without requests", () => assertViolation(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: limits }], { initContainers: [{ name: "init", image: `ghcr.io/org/i@${DIGEST}` }] }), "container-resources", /initContainer init resources\.requests\.memory is not set/));
    it("fails requests above limits", () => assertViolation(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: { requests: { cpu: "2", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } } }]), "container-resources", /requests\.cpu \(2\) must not exceed limits\.cpu \(1\)/));
    it("fails limits above the configured maximum", () => assertViolation(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: { requests: limits.requests, limits: { cpu: "500m", memory: "64Gi" } } }]), "container-resources", /limits\.memory \(64Gi\) must not exceed the maximum 32Gi/));
    it("finds containers in CronJobs and Rollouts", () => {
        const cron = res("kubernetes:batch/v1:CronJob", { metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "job", image: `ghcr.io/org/j@${DIGEST}` }] } } } } } });
        assertViolation(cron, "container-resources", /CronJob c: container job resources\.requests\.cpu is not set/);
        const rollout = res("kubernetes:argoproj.io/v1alpha1:Rollout", { metadata: { name: "r" }, spec: { template: { spec: { containers: [{ name: "app", image: `ghcr.io/org/a@${DIGEST}` }] } } } });
        assertViolation(rollout, "container-resources", /Rollout r: container app resources\.limits\.memory is not set/);
    });
    it("parses Kubernetes quantities", () => {
        // Exact nano-units (BigInt), as the API server stores them.
        assert.equal(parseQuantity("500m"), 500_000_000n);
        assert.equal(parseQuantity("2"), 2_000_000_000n);
        assert.equal(parseQuantity("128Mi"), 128n * 2n ** 20n * 1_000_000_000n);
        assert.equal(parseQuantity("1G"), 10n ** 18n);
        assert.equal(parseQuantity("1e3"), 10n ** 12n);
        assert.equal(parseQuantity("12x"), undefined);
    });
});

describe("policy: image-digest-and-registry", () => {
    it("passes a digest-pinned image from an allowed registry", () => assertClean(deployment([{ name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: limits }])));
    it("fails a tag-only image", () => assertViolation(deployment([{ name: "app", image: "ghcr.io/org/app:1.2.3", resources: limits }]), "image-digest-and-registry", /must be pinned by digest/));
    it("fails :latest", () => assertViolation(deployment([{ name: "app", image: "ghcr.io/org/app:latest", resources: limits }]), "image-digest-and-registry", /must be pinned by digest/));
    it("fails a look-alike registry (whole-segment match)", () => assertViolation(deployment([{ name: "app", image: `ghcr.io.evil.org/org/app@${DIGEST}`, resources: limits }]), "image-digest-and-registry", /allowed registry/));
    it("parses references like the container runtime", () => {
        assert.deepEqual(parseImage("nginx"), { registry: "docker.io", repository: "library/nginx", tag: undefined, digest: undefined });
        assert.deepEqual(parseImage(`registry.example.com:5000/team/app:1.0@${DIGEST}`), { registry: "registry.example.com:5000", repository: "team/app", tag: "1.0", digest: DIGEST });
        assert.equal(parseImage("bitnami/redis")!.registry, "docker.io");
        assert.equal(parseImage("localhost:5000/app")!.registry, "localhost:5000");
        assert.equal(parseImage("UPPER/case"), undefined);
        assert.ok(matchesRegistry(parseImage("registry.example.com/team/app")!, ["registry.example.com"]));
        assert.ok(!matchesRegistry(parseImage("registry.example.com.evil.org/team/app")!, ["registry.example.com"]));
        assert.ok(matchesRegistry(parseImage("ghcr.io/org/app")!, ["ghcr.io/org"]));
        assert.ok(!matchesRegistry(parseImage("ghcr.io/organisation/app")!, ["ghcr.io/org"]));
        assert.ok(matchesRegistry(parseImage("nginx")!, ["docker.io/library"]));
    });
    it("Docker Hub's other names are docker.io, as runtimes pull them: allowed where docker.io is, refused where it is not", () => {
        const hub = parsePackConfig({ environment: "prod", allowedRegistries: ["docker.io/library"] });
        for (const image of [`index.docker.io/library/nginx@${DIGEST}`, `registry-1.docker.io/library/nginx@${DIGEST}`, `INDEX.DOCKER.IO/nginx@${DIGEST}`, `nginx@${DIGEST}`]) {
            assert.deepEqual(violations(deployment([{ name: "app", image, resources: limits }]), hub).filter((v) => v.policy === "image-digest-and-registry"), [], image);
        }
        const ghcrOnly = parsePackConfig({ environment: "prod", allowedRegistries: ["ghcr.io"] });
        assertViolation(deployment([{ name: "app", image: `registry-1.docker.io/library/nginx@${DIGEST}`, resources: limits }]), "image-digest-and-registry", /must come from an allowed registry \(ghcr\.io\)/, ghcrOnly);
        assert.ok(matchesRegistry(parseImage("registry-1.docker.io/org/app")!, ["index.docker.io/org"]));
    });
    it("extracts init and ephemeral containers with their paths", () => {
        const w = extractWorkload({ kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "a" }], initContainers: [{ name: "b" }], ephemeralContainers: [{ name: "c" }] } })!;
        assert.deepEqual(w.containers.map((c) => [c.kind, c.path]), [["container", "spec.containers[0]"], ["initContainer", "spec.initContainers[0]"], ["ephemeralContainer", "spec.ephemeralContainers[0]"]]);
    });
});

describe("policy: workload-hygiene (advisory)", () => {
    const ok = { name: "app", image: `ghcr.io/org/app@${DIGEST}`, resources: limits };
    it("passes a hardened container", () => assertClean(deployment([ok])));
    it("flags privileged, privilege escalation, writable root and root user", () => {
        const r = deployment([{ ...ok, securityContext: { privileged: true } }]);
        for (const p of [/is privileged \[CIS EKS 4\.2\.1\]/, /allowPrivilegeEscalation: false \[CIS EKS 4\.2\.5\]/, /readOnlyRootFilesystem: true/, /runAsNonRoot: true/]) assertViolation(r, "workload-hygiene", p);
        assert.ok(violations(r).every((v) => v.enforcementLevel === "advisory"));
    });
    it("flags hostNetwork and hostPath outside system namespaces, allows them in one", () => {
        const r = deployment([ok], { hostNetwork: true, volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] });
        assertViolation(r, "workload-hygiene", /uses hostNetwork outside the system namespaces/);
        assertViolation(r, "workload-hygiene", /mounts hostPath \/var\/log/);
        r.props.metadata.namespace = "kube-system";
        assertClean(r);
    });
    it("can be made mandatory by config", () => {
        const v = violations(deployment([{ ...ok, securityContext: { privileged: true } }]), parsePackConfig({ enforcement: { "workload-hygiene": "mandatory" } }));
        assert.ok(v.length > 0 && v.every((x) => x.enforcementLevel === "mandatory"));
    });
});

describe("policy: s3-baseline (both type tokens)", () => {
    const KEY = "arn:aws:kms:eu-west-1:1:key/k";
    const tls = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"], Condition: { Bool: { "aws:SecureTransport": false } } }] });
    const bucketSet = (bucketType: string, sseType: string, versioningType: string) => [
        res(bucketType, { bucket: "b1" }),
        res(sseType, { bucket: "b1", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }] }),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "b1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        res(versioningType, { bucket: "b1", versioningConfiguration: { status: "Enabled" } }),
        res("aws:s3/bucketPolicy:BucketPolicy", { bucket: "b1", policy: tls }),
    ];
    const current = () => bucketSet("aws:s3/bucket:Bucket", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketVersioning:BucketVersioning");
    const v2 = () => bucketSet("aws:s3/bucketV2:BucketV2", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "aws:s3/bucketVersioningV2:BucketVersioningV2");
    const s3 = (rs: PolicyResource[]) => evaluatePack(rs, prodCfg).filter((v) => v.policy === "s3-baseline").map((v) => v.message);
    it("passes a compliant bucket under either token", () => {
        assert.deepEqual(s3(current()), []);
        assert.deepEqual(s3(v2()), []);
    });
    it("fails SSE-S3 instead of KMS [S3.17]", () => {
        for (const set of [current(), v2()]) {
            set[1].props.rules[0].applyServerSideEncryptionByDefault = { sseAlgorithm: "AES256" };
            assert.match(s3(set).join(), /S3 encryption configuration x \(bucket b1\) must have every rule encrypted with a customer-managed KMS key .* \[S3\.17\]/);
        }
    });
    it("fails a missing or partial public access block [S3.8], no versioning [S3.14], no TLS-only policy [S3.5]", () => {
        const set = current();
        set[2].props.restrictPublicBuckets = false;
        set[3].props.versioningConfiguration.status = "Suspended";
        set[4].props.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] });
        const m = s3(set).join("\n");
        for (const id of ["S3.8", "S3.14", "S3.5"]) assert.ok(m.includes(`[${id}]`), id);
        assert.equal(s3([current()[0]]).length, 4, "a bare bucket fails all four");
    });
    it("accepts the older inline settings of BucketV2", () => {
        const rs = v2().filter((r) => !r.type.includes("EncryptionConfiguration") && !r.type.includes("Versioning"));
        Object.assign(rs[0].props, { serverSideEncryptionConfigurations: [{ rules: [{ applyServerSideEncryptionByDefaults: [{ sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY }] }] }], versionings: [{ enabled: true }] });
        assert.deepEqual(s3(rs), []);
    });
    it("TLS-only policy: a JSON string or object, Principal * or {AWS: *}, action s3:* or *, condition false or \"false\"; nothing else counts", () => {
        const st = (over: Record<string, unknown>) => ({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"], Condition: { Bool: { "aws:SecureTransport": false } }, ...over }] });
        for (const ok of [st({}), st({ Principal: { AWS: "*" } }), st({ Action: ["s3:GetObject", "*"] }), st({ Condition: { Bool: { "aws:SecureTransport": "false" } } })]) {
            assert.ok(deniesInsecureTransport(ok, "b1"), JSON.stringify(ok));
            assert.ok(deniesInsecureTransport(JSON.stringify(ok), "b1"));
        }
        for (const bad of [st({ Effect: "Allow" }), st({ Principal: { AWS: "arn:aws:iam::1:root" } }), st({ Action: "s3:GetObject" }), st({ Condition: { Bool: { "aws:SecureTransport": true } } }), "{not json", undefined, { Statement: "x" }]) {
            assert.ok(!deniesInsecureTransport(bad, "b1"), JSON.stringify(bad));
        }
    });
    it("SSE: only aws:kms or aws:kms:dsse with a KMS key ARN (not a key id, not any string)", () => {
        const sse = (d: any) => { const set = current(); set[1].props.rules = [{ applyServerSideEncryptionByDefault: d }]; return s3(set).some((m) => m.includes("[S3.17]")); };
        assert.equal(sse({ sseAlgorithm: "aws:kms:dsse", kmsMasterKeyId: KEY }), false);
        assert.equal(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab" }), true);
        assert.equal(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: `x${KEY}` }), true);
        assert.equal(sse({ sseAlgorithm: "AES256", kmsMasterKeyId: KEY }), true);
        assert.equal(sse({ sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws-us-gov:kms:us-gov-west-1:1:key/k" }), false);
        const set = current();
        set[1].props.rules = undefined;
        assert.ok(s3(set).some((m) => m.includes("[S3.17]")), "no rules at all");
    });
    it("settings of another bucket do not count; a bucket without a name is judged on its inline settings", () => {
        const other = current().slice(1).map((r) => ({ ...r, props: { ...r.props, bucket: "b2", ...(r.props.policy ? { policy: r.props.policy.replace(/b1/g, "b2") } : {}) } }));
        assert.equal(s3([current()[0], ...other]).length, 4);
        assert.equal(s3([res("aws:s3/bucket:Bucket", {})]).length, 4);
        const messages = s3([res("aws:s3/bucket:Bucket", {}, false)]);
        assert.ok(messages.every((m) => m.startsWith("S3 bucket x ")), messages.join());
    });
    it("fails an unprotected bucket in prod only", () => {
        const set = current();
        set[0].protect = false;
        assert.match(s3(set).join(), /protect option/);
        assert.deepEqual(evaluatePack(set, parsePackConfig({ environment: "dev" })).filter((v) => v.policy === "s3-baseline"), []);
    });
});

describe("policy: backup-vault-baseline", () => {
    const vault = () => res("aws:backup/vault:Vault", { name: "v", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" });
    const lock = (extra = {}) => res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", { backupVaultName: "v", minRetentionDays: 7, maxRetentionDays: 3650, changeableForDays: 3, ...extra });
    const msgs = (rs: PolicyResource[], cfg = prodCfg) => evaluatePack(rs, cfg).filter((v) => v.policy === "backup-vault-baseline").map((v) => v.message);
    it("passes an encrypted vault locked in compliance mode", () => assert.deepEqual(msgs([vault(), lock()]), []));
    it("fails an unencrypted vault [Backup.1]", () => { const v = vault(); delete v.props.kmsKeyArn; assert.match(msgs([v, lock()]).join(), /\[Backup\.1\]/); });
    it("fails an unprotected vault in prod, naming it", () => {
        const v = vault();
        v.protect = false;
        assert.deepEqual(msgs([v, lock()]), ["Backup vault v in prod must be protected with the Pulumi protect option."]);
    });
    it("fails prod without a lock, or with a governance-mode lock", () => {
        assert.match(msgs([vault()]).join(), /must have a vault lock/);
        assert.match(msgs([vault(), lock({ changeableForDays: undefined })]).join(), /compliance mode/);
        assert.deepEqual(msgs([vault()], parsePackConfig({ environment: "dev" })), []);
    });
});

describe("policy: namespace-guardrails and helm-workload-resources", () => {
    const ns = res("kubernetes:core/v1:Namespace", { metadata: { name: "apps" } });
    const lr = res("kubernetes:core/v1:LimitRange", { metadata: { name: "d", namespace: "apps" }, spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" } }] } });
    const rq = res("kubernetes:core/v1:ResourceQuota", { metadata: { name: "q", namespace: "apps" }, spec: { hard: { "requests.cpu": "4", "requests.memory": "8Gi" } } });
    const of = (rs: PolicyResource[], p: string) => evaluatePack(rs, prodCfg).filter((v) => v.policy === p).map((v) => v.message);
    it("a namespace needs both a LimitRange and a ResourceQuota", () => {
        assert.deepEqual(of([ns, lr, rq], "namespace-guardrails"), []);
        assert.deepEqual(of([ns, lr], "namespace-guardrails"), ["Namespace apps must have a ResourceQuota that bounds its CPU and memory; it has no ResourceQuota."]);
        assert.deepEqual(of([ns], "namespace-guardrails"), [
            "Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; it has no LimitRange.",
            "Namespace apps must have a ResourceQuota that bounds its CPU and memory; it has no ResourceQuota.",
        ]);
    });
    it("a known chart must set every workload's resources; an unknown chart at least one complete block", () => {
        const full = { requests: { cpu: "10m", memory: "10Mi" }, limits: { cpu: "1", memory: "1Gi" } };
        const rollouts = (values: any) => res("kubernetes:helm.sh/v3:Release", { name: "argo-rollouts", chart: "argo-rollouts", values });
        assert.deepEqual(of([rollouts({ controller: { resources: full }, dashboard: { resources: full } })], "helm-workload-resources"), []);
        assert.deepEqual(of([rollouts({ controller: { resources: { requests: full.requests } }, dashboard: { resources: full } })], "helm-workload-resources"), ["Helm release argo-rollouts (chart argo-rollouts): controller.resources must set limits.cpu, limits.memory."]);
        const other = (values: any) => res("kubernetes:helm.sh/v3:Release", { name: "x", chart: "something", values });
        assert.deepEqual(of([other({ server: { resources: full } })], "helm-workload-resources"), []);
        assert.deepEqual(of([other({ replicas: 2 })], "helm-workload-resources"), ["Helm release x (chart something) sets no resources for its workloads."]);
    });
});

describe("policy: admission-sbom-rule", () => {
    const KEY = "-----BEGIN PUBLIC KEY-----\nMFk...\n-----END PUBLIC KEY-----\n";
    const policy = (over: Record<string, any> = {}, failurePolicy = "Fail") => res("kubernetes:kyverno.io/v1:ClusterPolicy", {
        spec: {
            failurePolicy,
            rules: [{ verifyImages: [{ imageReferences: ["ghcr.io/example-org/*"], failureAction: "Enforce", attestors: [{ entries: [{ keys: { publicKeys: KEY } }] }], attestations: [{ predicateType: "https://spdx.dev/Document", attestors: [{ entries: [{ keys: { publicKeys: KEY } }] }] }], ...over }] }],
        },
    });
    const cfg = parsePackConfig({ signedRegistries: ["ghcr.io/example-org"], admission: "enforce" });
    const msgs = (rs: PolicyResource[], c = cfg) => evaluatePack(rs, c).filter((v) => v.policy === "admission-sbom-rule").map((v) => v.message);
    it("passes a keyed signature + SPDX attestation rule that enforces", () => assert.deepEqual(msgs([policy()]), []));
    it("fails when no rule covers a signed registry", () => assert.match(msgs([policy({ imageReferences: ["ghcr.io/other/*"] })])[0], /No admission rule verifies images from ghcr\.io\/example-org/));
    it("fails without an SBOM attestation, with a non-SBOM predicate, or in audit while enforcing", () => {
        assert.equal(msgs([policy({ attestations: [] })]).length, 1);
        assert.equal(msgs([policy({ attestations: [{ predicateType: "https://slsa.dev/provenance/v1", attestors: [{ entries: [{ keys: { publicKeys: KEY } }] }] }] })]).length, 1);
        assert.equal(msgs([policy({ failureAction: "Audit" })]).length, 1);
        assert.equal(msgs([policy({}, "Ignore")]).length, 1);
        assert.deepEqual(msgs([policy({ failureAction: "Audit" })], parsePackConfig({ signedRegistries: ["ghcr.io/example-org"], admission: "audit" })), []);
    });
    it("requires nothing when no registry is signed", () => assert.deepEqual(msgs([], parsePackConfig({})), []));
    it("a broader image reference covers a narrower registry; each signed registry is judged on its own", () => {
        assert.deepEqual(msgs([policy({ imageReferences: ["ghcr.io/*"] })]), []);
        assert.deepEqual(msgs([policy()], parsePackConfig({ signedRegistries: ["ghcr.io/example-org/", "quay.io/team"], admission: "enforce" })), [
            "No admission rule verifies images from quay.io/team: add a Kyverno ClusterPolicy verifyImages with imageReferences quay.io/team/* (components/security/image-verification.ts).",
        ]);
        assert.equal(msgs([policy({ imageReferences: ["ghcr.io/example-org-other/*"] })]).length, 1);
    });
    it("attestors must carry a PEM public key; the legacy `type` field of an attestation counts", () => {
        assert.equal(msgs([policy({ attestors: [{ entries: [{ keyless: { subject: "x" } }] }] })]).length, 1);
        assert.deepEqual(msgs([policy({ attestations: [{ type: "https://cyclonedx.org/schema", attestors: [{ entries: [{ keys: { publicKeys: KEY } }] }] }] })]), []);
        assert.match(msgs([policy({ attestations: [{ predicateType: "https://spdx.dev/Document", attestors: [] }] })])[0], /must require a signature by a configured key and a signed SBOM attestation \(CycloneDX or SPDX\), with failureAction Enforce and failurePolicy Fail\./);
        assert.deepEqual(msgs([res("kubernetes:kyverno.io/v1:ClusterPolicy", { spec: {} })]).length, 1);
    });
});

describe("workload extraction (every kind, its pod spec path, names and refs)", () => {
    const podSpec = { containers: [{ name: "c", image: "i" }], initContainers: [{ name: "i", image: "i" }] };
    const cases: [string, Record<string, any>, string][] = [
        ["Pod", { spec: podSpec }, "spec"],
        ["Deployment", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["StatefulSet", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["DaemonSet", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["ReplicaSet", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["ReplicationController", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["Job", { spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["CronJob", { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }, "spec.jobTemplate.spec.template.spec"],
        ["Rollout", { apiVersion: "argoproj.io/v1alpha1", spec: { template: { spec: podSpec } } }, "spec.template.spec"],
        ["PodTemplate", { template: { spec: podSpec } }, "template.spec"],
    ];
    for (const [kind, body, path] of cases) {
        it(`${kind}: containers at ${path}`, () => {
            const w = extractWorkload({ kind, metadata: { name: "n", namespace: "ns" }, ...body })!;
            assert.deepEqual([w.kind, w.name, w.namespace, w.podSpecPath, w.containers.map((c) => c.path)], [kind, "n", "ns", path, [`${path}.containers[0]`, `${path}.initContainers[0]`]]);
        });
    }
    it("takes the kind from the Pulumi type token when the object has none, and handles missing parts", () => {
        assert.equal(extractWorkload({ spec: { template: { spec: podSpec } } }, "kubernetes:apps/v1:Deployment")!.kind, "Deployment");
        assert.equal(extractWorkload({ spec: podSpec }, "aws:kms/key:Key"), undefined);
        assert.equal(extractWorkload({ spec: podSpec }), undefined);
        const bare = extractWorkload({ kind: "Deployment" })!;
        assert.deepEqual([bare.name, bare.namespace, bare.containers, bare.podSpec], ["(unnamed)", undefined, [], {}]);
        assert.deepEqual(extractWorkload({ kind: "Deployment", spec: { template: "x" } })!.containers, []);
        // A custom resource with a pod template at the usual path is a workload too, whatever its group.
        assert.equal(extractWorkload({ kind: "Rollout", apiVersion: "example.com/v1", spec: { template: { spec: podSpec } } })!.group, "example.com");
        assert.equal(extractWorkload({ kind: "Rollout", apiVersion: "example.com/v1", spec: { replicas: 1 } }), undefined);
    });
    it("keeps an Argo Rollout's workloadRef (only for Rollouts)", () => {
        const ref = extractWorkload({ kind: "Rollout", apiVersion: "argoproj.io/v1alpha1", metadata: { name: "r" }, spec: { workloadRef: { kind: "Deployment", name: "web" } } })!;
        assert.deepEqual([ref.workloadRef, ref.containers], [{ kind: "Deployment", name: "web" }, []]);
        assert.equal(extractWorkload({ kind: "Deployment", spec: { workloadRef: { kind: "X", name: "y" }, template: { spec: podSpec } } })!.workloadRef, undefined);
        assert.equal(extractWorkload({ kind: "Rollout", apiVersion: "argoproj.io/v1alpha1" })!.workloadRef, undefined);
    });
});

describe("helm-workload-resources table", () => {
    it("every workload path of the table is a key (or a commented-out key) of that chart's values", () => {
        for (const [chart, paths] of Object.entries(HELM_WORKLOAD_RESOURCES)) {
            for (const p of paths) assert.ok(valuesShapeAt(chart, p) !== undefined || missingCommentedKeys(chart, [p]).length === 0, `${chart}: ${p}`);
        }
        assert.equal(valuesShapeAt("grafana", "resources.noSuchKey"), undefined);
    });
});

describe("policy pack config", () => {
    it("refuses a misspelt key with the allowed keys", () => {
        assert.throws(() => parsePackConfig({ enviroment: "prod" }), (e: Error) => e instanceof PolicyConfigError && /enviroment: unknown key; allowed keys: environment, /.test(e.message));
    });
    it("refuses an unknown policy in enforcement overrides", () => {
        assert.throws(() => parsePackConfig({ enforcement: { "rds-baseilne": "advisory" } }), /unknown policy "rds-baseilne"; known policies: rds-baseline/);
    });
    it("can lower a policy to advisory", () => {
        const v = evaluatePack([res("aws:kms/key:Key", { enableKeyRotation: false })], parsePackConfig({ enforcement: { "kms-key-rotation": "advisory" } }));
        assert.equal(v[0].enforcementLevel, "advisory");
    });
});
