/**
 * Issue 23 classes 2 and 10 at the evaluator: only engine-marked values (UNKNOWN) are unknown, a
 * finding is advisory only when it depends on one, and in the first preview of a new stack (every
 * id unknown) stack policies tie resources by their property dependencies and keep the findings
 * that do not depend on an unknown mandatory. The offline first preview (the mocks in preview) of
 * every stack passes with no false mandatory finding. The engine-protocol side is in engine.test.ts.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import type { PolicyResource } from "../../policies/lib/types";
import { isUnknown, UNKNOWN, UNKNOWN_STRING } from "../../policies/lib/unknown";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { builtFirstPreview, STACKS } from "../../lib/offline/stack";

const prod = parsePackConfig({ environment: "prod", drTargets: { database: { rpoMinutes: 5, rtoMinutes: 60 } } });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/k";
const res = (type: string, name: string, props: Record<string, any>, extra: Partial<PolicyResource> = {}): PolicyResource => ({ urn: `urn:${type}::${name}`, type, name, props, protect: true, ...extra });
const verdicts = (rs: PolicyResource[], policy: string) => evaluatePack(rs, prod).filter((v) => v.policy === policy).map((v) => [v.enforcementLevel, v.resource, v.message]);

/** A bucket with every setting, as the first preview sees it: the settings' `bucket` is the bucket's unknown id, tied by property dependency. */
function bucketSet(name: string, tie = true): PolicyResource[] {
    const b = res("aws:s3/bucket:Bucket", name, {});
    const deps = tie ? { propertyDependencies: { bucket: [b.urn] } } : {};
    return [
        b,
        res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-sse`, { bucket: UNKNOWN, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: UNKNOWN } }] }, deps),
        res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-pab`, { bucket: UNKNOWN, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, deps),
        res("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`, { bucket: UNKNOWN, versioningConfiguration: { status: "Enabled" } }, deps),
        res("aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`, { bucket: UNKNOWN, policy: UNKNOWN }, deps),
    ];
}

describe("class 10: stack findings in the first preview", () => {
    it("settings tied by property dependency count for their bucket; what depends on unknown values is advisory, per setting", () => {
        const v = verdicts([...bucketSet("logs"), ...bucketSet("chunks")], "s3-baseline");
        assert.ok(v.length > 0 && v.every(([level]) => level === "advisory"), JSON.stringify(v));
        assert.ok(v.every(([, , m]) => !/it has none/.test(m as string)), JSON.stringify(v));
        assert.deepEqual(v.map(([, r]) => r).sort(), ["urn:aws:s3/bucketPolicy:BucketPolicy::chunks-policy", "urn:aws:s3/bucketPolicy:BucketPolicy::logs-policy", "urn:aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::chunks-sse", "urn:aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::logs-sse"]);
    });

    it("a bucket without any encryption configuration is mandatory, however many unknowns the rest of the stack holds", () => {
        const logs = bucketSet("logs").filter((r) => r.name !== "logs-sse");
        const v = verdicts([...logs, ...bucketSet("chunks")], "s3-baseline").filter(([level]) => level === "mandatory");
        assert.deepEqual(v, [["mandatory", "urn:aws:s3/bucket:Bucket::logs", "S3 bucket logs must be encrypted with a customer-managed KMS key (sseAlgorithm aws:kms and kmsMasterKeyId a key or alias ARN outside alias/aws/) [S3.17]; it has none."]]);
    });

    it("a setting whose bucket is unknown and tied to nothing might be any bucket's: a bucket lacking that setting is undecided, naming it", () => {
        const loose = bucketSet("chunks", false).find((r) => r.name === "chunks-versioning")!;
        const logs = bucketSet("logs").filter((r) => r.name !== "logs-versioning");
        const v = verdicts([...logs, loose], "s3-baseline").filter(([, r]) => r === "urn:aws:s3/bucket:Bucket::logs");
        assert.deepEqual(v, [["advisory", "urn:aws:s3/bucket:Bucket::logs", "undecided during preview (chunks-versioning.bucket unknown until the update; decided at `pulumi up`): S3 bucket logs must have versioning enabled so overwritten and deleted objects stay recoverable [S3.14]; it has none."]]);
    });

    it("a vault lock and a namespace's guardrails are tied the same way", () => {
        const vault = res("aws:backup/vault:Vault", "vault", { name: UNKNOWN, kmsKeyArn: KEY });
        const lock = res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "lock", { backupVaultName: UNKNOWN, changeableForDays: 3 }, { propertyDependencies: { backupVaultName: [vault.urn] } });
        assert.deepEqual(verdicts([vault, lock], "backup-vault-baseline"), []);
        assert.deepEqual(verdicts([vault], "backup-vault-baseline").map(([level]) => level), ["mandatory"]);
        const ns = res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: UNKNOWN } });
        const meta = { propertyDependencies: { metadata: [ns.urn] } };
        const lr = res("kubernetes:core/v1:LimitRange", "lr", { metadata: { namespace: UNKNOWN }, spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "1Gi" } }] } }, meta);
        const rq = res("kubernetes:core/v1:ResourceQuota", "rq", { metadata: { namespace: UNKNOWN }, spec: { hard: { cpu: "1", memory: "1Gi" } } }, meta);
        assert.deepEqual(verdicts([ns, lr, rq], "namespace-guardrails"), []);
        assert.deepEqual(verdicts([ns, lr], "namespace-guardrails").map(([level]) => level), ["mandatory"]);
    });

    it("the DR replica tied to its primary counts while its source ARN is unknown; no replica at all is mandatory", () => {
        // The regions come from the providers (known in a first preview): the tie says the source is the primary, in another region.
        const primary = res("aws:rds/instance:Instance", "db", { identifier: "app", engine: "postgres" }, { region: "eu-west-1" });
        const replica = res("aws:rds/instance:Instance", "db-dr", { identifier: "app-dr", replicateSourceDb: UNKNOWN }, { propertyDependencies: { replicateSourceDb: [primary.urn] }, region: "eu-central-1" });
        const sameRegion = res("aws:rds/instance:Instance", "db-dr", { identifier: "app-dr", replicateSourceDb: UNKNOWN }, { propertyDependencies: { replicateSourceDb: [primary.urn] }, region: "eu-west-1" });
        assert.equal(verdicts([primary, sameRegion], "dr-targets").filter(([level]) => level === "mandatory").length, 2, "a replica tied to a primary of its own region is no DR copy");
        const velero = res("kubernetes:helm.sh/v3:Release", "velero", { chart: "velero", values: UNKNOWN });
        assert.deepEqual(verdicts([primary, replica, velero], "dr-targets"), []);
        assert.deepEqual(verdicts([primary, velero], "dr-targets").map(([level, , m]) => [level, (m as string).split(":").slice(0, 2).join(":")]), [
            ["mandatory", "Recovery target missed: database"], ["mandatory", "Recovery target missed: database"],
        ]);
        const untied = res("aws:rds/instance:Instance", "db-dr", { identifier: "app-dr", replicateSourceDb: UNKNOWN }, { region: "eu-central-1" });
        assert.deepEqual(verdicts([primary, untied], "dr-targets").map(([level, , m]) => [level, m]), [["advisory", "cannot decide during preview: db-dr.replicateSourceDb unknown until the update; decided at `pulumi up`."]]);
    });

    it("a resource policy's checks are independent: a public database is mandatory while its key's ARN is unknown", () => {
        const db = res("aws:rds/instance:Instance", "db", { engine: "postgres", storageEncrypted: true, kmsKeyId: UNKNOWN, publiclyAccessible: true, backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true, enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "f", manageMasterUserPassword: true });
        assert.deepEqual(verdicts([db], "rds-baseline").map(([level, , m]) => [level, (m as string).replace(/ \(storageEncrypted.*$/, "")]), [
            ["advisory", "undecided during preview (kmsKeyId unknown until the update; decided at `pulumi up`): RDS instance must encrypt storage with a customer-managed KMS key"],
            ["mandatory", "RDS instance must not be publicly accessible [RDS.2]."],
        ]);
    });

    it("a check that fails on an unknown list decides nothing instead of crashing the run", () => {
        const policy = res("kubernetes:kyverno.io/v1:ClusterPolicy", "verify", { spec: { rules: UNKNOWN } });
        const v = evaluatePack([policy], parsePackConfig({ signedRegistries: ["ghcr.io/org"] })).filter((x) => x.policy === "admission-sbom-rule");
        assert.deepEqual(v.map((x) => [x.enforcementLevel, x.message]), [["advisory", "cannot decide during preview: verify.spec.rules unknown until the update; decided at `pulumi up`."]]);
    });
});

describe("class 2: only engine-marked values are unknown", () => {
    const rollout = (name: unknown, namespace: unknown) => res("kubernetes:argoproj.io/v1alpha1:Rollout", "canary", {
        apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "canary", namespace },
        spec: { template: { spec: { containers: [{ name, image: `ghcr.io/org/app@sha256:${"c".repeat(64)}`, resources: { requests: { cpu: "1", memory: "1Gi" } } }] } } },
    });
    const limits = (r: PolicyResource) => evaluatePack([r], prod).filter((v) => v.policy === "container-resources").map((v) => [v.enforcementLevel, v.message]);

    it("the sentinel string is an ordinary string: names, namespaces and container names equal to it change nothing", () => {
        assert.deepEqual(limits(rollout(UNKNOWN_STRING, UNKNOWN_STRING)), [
            ["mandatory", `Rollout canary: container ${UNKNOWN_STRING} resources.limits.cpu is not set; set a positive quantity.`],
            ["mandatory", `Rollout canary: container ${UNKNOWN_STRING} resources.limits.memory is not set; set a positive quantity.`],
        ]);
    });

    it("an engine-marked unknown name or namespace only labels a finding: it stays mandatory", () => {
        assert.deepEqual(limits(rollout(UNKNOWN, UNKNOWN)).map(([level]) => level), ["mandatory", "mandatory"]);
    });

    it("a rule that decides on the namespace waits for it (workload-hygiene's system namespaces)", () => {
        const r = rollout("app", UNKNOWN);
        r.props.spec.template.spec.hostNetwork = true;
        const hygiene = evaluatePack([r], parsePackConfig({ enforcement: { "workload-hygiene": "mandatory" } })).filter((v) => v.policy === "workload-hygiene" && /hostNetwork/.test(v.message));
        assert.deepEqual(hygiene.map((v) => v.enforcementLevel), ["advisory"]);
        assert.match(hygiene[0].message, /^undecided during preview \(metadata\.namespace unknown/);
    });
});

describe("class 10: the offline first preview of every stack (mocks in preview)", function () {
    this.timeout(120000);
    for (const stack of STACKS) {
        it(`${stack}: ids and ARNs are unknown, settings are tied by property dependencies, no mandatory finding`, async () => {
            const s = await builtFirstPreview(stack);
            const unknown = s.resources.filter((r) => Object.values(r.inputs).some(isUnknown));
            assert.ok(unknown.length > 10, `${stack}: ${unknown.length} resources with an unknown input`);
            const tied = s.resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy");
            assert.ok(tied.length > 0 && tied.every((r) => r.propertyDependencies?.bucket?.length === 1), "every bucket policy names its bucket's resource");
            const v = evaluatePack(s.resources.map(toPolicyResource), readPackConfigFile(packConfigFile(stack)));
            assert.deepEqual(v.filter((x) => x.enforcementLevel === "mandatory").map((x) => `${x.policy}: ${x.message}`), []);
        });
    }
});
