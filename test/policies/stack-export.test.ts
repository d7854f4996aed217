/**
 * Issue 23 classes 2 and 3 through `npm run policy -- check`: stack exports and plan snapshots read
 * whole. Secrets are judged from their plaintext (`--show-secrets`) or fail closed; inputs and live
 * outputs are both judged; inline YAML of a ConfigGroup is read; a manifest given with a stack
 * export does not switch the stack policies off; and a value from a file is never "unknown",
 * whatever its text.
 */
import * as assert from "node:assert/strict";
import * as yaml from "js-yaml";
import { main } from "../../scripts/policy";
import { UNKNOWN_STRING } from "../../policies/lib/unknown";
import { COMPLIANT_DEPLOYMENT, DIGEST } from "../harness/manifests";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("policy-stack-").file;
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const encrypted = { [SIG]: SECRET, ciphertext: "v1:AAAAbm90IHJlYWRhYmxl" };
const plaintext = (v: unknown) => ({ [SIG]: SECRET, plaintext: JSON.stringify(v) });

const deployment = yaml.load(COMPLIANT_DEPLOYMENT) as Record<string, any>;
const unlimited = () => {
    const d = structuredClone(deployment);
    delete d.spec.template.spec.containers[0].resources.limits;
    return d;
};
const URN = (type: string, name: string) => `urn:pulumi:prod::platform::${type}::${name}`;
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

interface ExportResource { type: string; name: string; inputs?: unknown; outputs?: unknown; custom?: boolean; parent?: string; id?: string }
const stackExport = (resources: ExportResource[]) => ({
    version: 3,
    deployment: { manifest: {}, resources: resources.map((r) => ({ urn: URN(r.type, r.name), custom: r.custom ?? true, type: r.type, protect: true, ...(r.inputs !== undefined ? { inputs: r.inputs } : {}), ...(r.outputs !== undefined ? { outputs: r.outputs } : {}), ...(r.parent ? { parent: r.parent } : {}), ...(r.id ? { id: r.id } : {}) })) },
});

const check = async (text: string, name = "stack.json") => {
    const r = await main(["check", tmp(name, text), "--format", "json"]);
    const violations = r.stdout ? (JSON.parse(r.stdout) as { resource: string; policy: string; enforcementLevel: string; message: string }[]) : [];
    return { ...r, violations, of: (policy: string) => violations.filter((v) => v.policy === policy) };
};

const rds = (props: Record<string, unknown>) => ({
    engine: "postgres", storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", backupRetentionPeriod: 14, iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"], deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "f", manageMasterUserPassword: true, ...props,
});

describe("class 3: secrets in stack exports and plans", () => {
    it("a workload whose spec or pod template is an encrypted secret fails closed, saying why", async () => {
        for (const [what, inputs] of [["spec", { ...deployment, spec: encrypted }], ["spec.template", { ...deployment, spec: { ...deployment.spec, template: encrypted } }]] as const) {
            const r = await check(JSON.stringify(stackExport([{ type: DEPLOYMENT, name: "web", inputs }])));
            assert.equal(r.code, 1, `${what}: ${r.stdout}`);
            const m = r.of("container-resources");
            assert.deepEqual(m.map((v) => [v.enforcementLevel, v.message]), [["mandatory", `cannot be verified: ${what} is a secret encrypted in the stack export (export with --show-secrets to check it); the check fails closed.`]], what);
        }
    });

    it("with --show-secrets the plaintext is judged like any value", async () => {
        const bad = await check(JSON.stringify(stackExport([{ type: DEPLOYMENT, name: "web", inputs: { ...deployment, spec: plaintext(unlimited().spec) } }])));
        assert.ok(bad.of("container-resources").some((v) => /resources\.limits\.cpu is not set/.test(v.message)), bad.stdout);
        const good = await check(JSON.stringify(stackExport([{ type: DEPLOYMENT, name: "web", inputs: { ...deployment, spec: plaintext(deployment.spec) } }])));
        assert.deepEqual(good.of("container-resources"), []);
    });

    it("a secret publiclyAccessible: true fails; an encrypted one cannot be verified; a plan's \"[secret]\" cannot be verified", async () => {
        const shown = await check(JSON.stringify(stackExport([{ type: "aws:rds/instance:Instance", name: "db", inputs: rds({ publiclyAccessible: plaintext(true) }) }])));
        assert.deepEqual(shown.of("rds-baseline").map((v) => v.message), ["RDS instance must not be publicly accessible [RDS.2]."]);
        const hidden = await check(JSON.stringify(stackExport([{ type: "aws:rds/instance:Instance", name: "db", inputs: rds({ publiclyAccessible: encrypted }) }])));
        assert.deepEqual(hidden.of("rds-baseline").map((v) => [v.enforcementLevel, v.message]), [["mandatory", "cannot be verified: publiclyAccessible is a secret encrypted in the stack export (export with --show-secrets to check it); the check fails closed."]]);
        const plan = { stack: "prod", environment: "prod", resources: [{ key: "aws:rds/instance:Instance::db", type: "aws:rds/instance:Instance", name: "db", custom: true, protect: true, dependsOn: [], inputs: rds({ publiclyAccessible: "[secret]" }) }] };
        const masked = await check(JSON.stringify(plan), "plan.json");
        assert.equal(masked.code, 1);
        assert.deepEqual(masked.of("rds-baseline").map((v) => v.message), ["cannot be verified: publiclyAccessible is masked as \"[secret]\" in the plan snapshot; the check fails closed."]);
    });
});

describe("class 3: inputs and live outputs", () => {
    it("compliant inputs over non-compliant live outputs fail, saying it is the live object; a shared finding is reported once", async () => {
        const live = { ...unlimited(), status: { replicas: 2 } };
        const r = await check(JSON.stringify(stackExport([{ type: DEPLOYMENT, name: "web", inputs: deployment, outputs: live }])));
        assert.equal(r.code, 1, r.stdout);
        assert.deepEqual(r.of("container-resources").map((v) => v.message), [
            "Deployment web: container web resources.limits.cpu is not set; set a positive quantity. (in the live outputs)",
            "Deployment web: container web resources.limits.memory is not set; set a positive quantity. (in the live outputs)",
        ]);
        const both = await check(JSON.stringify(stackExport([{ type: DEPLOYMENT, name: "web", inputs: unlimited(), outputs: live }])));
        assert.deepEqual(both.of("container-resources").map((v) => v.message), [
            "Deployment web: container web resources.limits.cpu is not set; set a positive quantity.",
            "Deployment web: container web resources.limits.memory is not set; set a positive quantity.",
        ]);
    });

    it("a live RDS instance made public after the deploy fails", async () => {
        const r = await check(JSON.stringify(stackExport([{ type: "aws:rds/instance:Instance", name: "db", inputs: rds({ publiclyAccessible: false }), outputs: rds({ publiclyAccessible: true, arn: "arn:aws:rds:eu-west-1:123456789012:db:db" }) }])));
        assert.deepEqual(r.of("rds-baseline").map((v) => v.message), ["RDS instance must not be publicly accessible [RDS.2]. (in the live outputs)"]);
    });
});

describe("class 3: ConfigGroup inline YAML and manifests given with a stack export", () => {
    const group = (inputs: Record<string, unknown>) => ({ type: "kubernetes:yaml/v2:ConfigGroup", name: "apps", custom: false, inputs });

    it("inline yaml and objs of a ConfigGroup are read; objects the stack holds as its children are not read twice", async () => {
        const text = yaml.dump(unlimited());
        for (const inputs of [{ yaml: text }, { yaml: [text] }, { objs: [unlimited()] }]) {
            const r = await check(JSON.stringify(stackExport([group(inputs)])));
            assert.equal(r.code, 1, JSON.stringify(inputs));
            assert.equal(r.of("container-resources").length, 2, r.stdout);
            assert.match(r.of("container-resources")[0].resource, /ConfigGroup::apps (yaml|objs).* Deployment apps\/web$/);
        }
        const withChild = await check(JSON.stringify(stackExport([group({ yaml: text }), { type: DEPLOYMENT, name: "web", inputs: unlimited(), parent: URN("kubernetes:yaml/v2:ConfigGroup", "apps") }])));
        assert.equal(withChild.of("container-resources").length, 2, "the child only, not the inline copy too");
        assert.ok(withChild.of("container-resources").every((v) => v.resource === URN(DEPLOYMENT, "web")));
    });

    it("one plain manifest appended to a stack export does not make the stack policies skip it", async () => {
        const exportDoc = stackExport([{ type: "kubernetes:core/v1:Namespace", name: "apps", inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } } }]);
        const r = await main(["check", tmp("mixed.yaml", `${yaml.dump(exportDoc)}---\n${COMPLIANT_DEPLOYMENT}`)]);
        assert.equal(r.code, 1, r.stdout);
        assert.match(r.stdout, /^\[mandatory\] namespace-guardrails: urn:pulumi:prod::platform::kubernetes:core\/v1:Namespace::apps .*it has no LimitRange/m);
        assert.doesNotMatch(r.stdout, /policy skipped/);
        const separate = await main(["check", tmp("stack.json", JSON.stringify(exportDoc)), tmp("web.yaml", COMPLIANT_DEPLOYMENT)]);
        assert.match(separate.stdout, /namespace-guardrails: urn:.*Namespace::apps/);
    });

    it("two stack exports in one check are two stacks: one stack's guardrails do not cover the other's namespace", async () => {
        const ns = stackExport([{ type: "kubernetes:core/v1:Namespace", name: "apps", inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } } }]);
        const guards = stackExport([
            { type: "kubernetes:core/v1:LimitRange", name: "lr", inputs: { apiVersion: "v1", kind: "LimitRange", metadata: { name: "lr", namespace: "apps" }, spec: { limits: [{ type: "Container", default: { cpu: "1", memory: "1Gi" } }] } } },
            { type: "kubernetes:core/v1:ResourceQuota", name: "rq", inputs: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "rq", namespace: "apps" }, spec: { hard: { cpu: "4", memory: "8Gi" } } } },
        ]);
        const r = await main(["check", tmp("a.json", JSON.stringify(ns)), tmp("b.json", JSON.stringify(guards))]);
        assert.match(r.stdout, /namespace-guardrails: .*Namespace::apps/);
    });
});

describe("class 2: a value read from a file is never unknown", () => {
    it("names, namespaces and container names equal to the engine's unknown sentinel are ordinary strings: findings stay mandatory", async () => {
        const d = unlimited();
        d.metadata.name = UNKNOWN_STRING;
        d.metadata.namespace = UNKNOWN_STRING;
        d.spec.template.spec.containers[0].name = UNKNOWN_STRING;
        for (const [file, text] of [["web.yaml", yaml.dump(d)], ["stack.json", JSON.stringify(stackExport([{ type: DEPLOYMENT, name: UNKNOWN_STRING, inputs: d }]))]] as const) {
            const r = await check(text, file);
            assert.equal(r.code, 1, r.stdout);
            const m = r.of("container-resources");
            assert.deepEqual(m.map((v) => v.enforcementLevel), ["mandatory", "mandatory"], file);
            assert.ok(m.every((v) => !/undecided|cannot decide/.test(v.message)), m.map((v) => v.message).join("\n"));
        }
    });

    it("an image, a key ARN or a whole property equal to a sentinel is judged as that string", async () => {
        const d = structuredClone(deployment);
        d.spec.template.spec.containers[0].image = UNKNOWN_STRING;
        const r = await check(yaml.dump(d), "web.yaml");
        assert.equal(r.code, 1);
        assert.ok(r.of("image-digest-and-registry").every((v) => v.enforcementLevel === "mandatory" && !/undecided/.test(v.message)), r.stdout);
        const db = await check(JSON.stringify(stackExport([{ type: "aws:rds/instance:Instance", name: "db", inputs: rds({ kmsKeyId: UNKNOWN_STRING, publiclyAccessible: UNKNOWN_STRING }) }])));
        assert.deepEqual(db.of("rds-baseline").map((v) => [v.enforcementLevel, v.message]), [
            ["mandatory", "RDS instance must encrypt storage with a customer-managed KMS key (storageEncrypted, and kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3]."],
            ["mandatory", "RDS instance must not be publicly accessible [RDS.2]."],
        ]);
        assert.ok(DIGEST);
    });
});
