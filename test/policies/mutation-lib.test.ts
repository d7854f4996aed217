/**
 * The pack's judgement helpers (policies/lib: unknown.ts, judge.ts, links.ts, resources.ts,
 * stack-export.ts) on the cases mutation testing (`npm run mutation`) found no in-process test for:
 * how unknown and opaque values print, the adapter's copy outside a preview and of lists, a check
 * that fails while reading what it cannot judge (undecided, fail closed, or a bug that propagates),
 * the order of opaque paths in the fail-closed sentence, settings with a known key while a subject's
 * key is unknown, secret list elements of the offline plan, and the stack export's secrets whose
 * plaintext is not JSON, ids, dependencies, errors and inline YAML labels.
 * AWS values, CIDR unions, the TLS deny and the config validator: mutation-lib-values.test.ts.
 */
import * as assert from "node:assert/strict";
import * as yaml from "js-yaml";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { judgeSubject, eachCheck } from "../../policies/lib/judge";
import { Links } from "../../policies/lib/links";
import { MASKED_SECRET, toPolicyResource } from "../../policies/lib/resources";
import { fromPlanSnapshot, fromStackExport, StackInputError, withInlineManifests } from "../../policies/lib/stack-export";
import type { PolicyResource } from "../../policies/lib/types";
import { containsUnjudgeable, newReads, OpaqueValue, plainCopy, trackReads, UNKNOWN, UNKNOWN_STRING } from "../../policies/lib/unknown";
import { main } from "../../scripts/policy";
import { COMPLIANT_DEPLOYMENT } from "../harness/manifests";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("mutation-lib-").file;
const prod = parsePackConfig({ environment: "prod" });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const res = (type: string, name: string, props: Record<string, any>, extra: Partial<PolicyResource> = {}): PolicyResource => ({ urn: `urn:${type}::${name}`, type, name, props, protect: true, ...extra });
const findings = (rs: PolicyResource[], policy: string) => evaluatePack(rs, prod).filter((v) => v.policy === policy).map((v) => [v.enforcementLevel, v.resource, v.message]);

describe("mutation-found cases: unknown and opaque values", () => {
    it("an unknown prints as unknown until the update, an opaque value as a secret, in text and in JSON", () => {
        assert.equal(String(UNKNOWN), "(unknown until the update)");
        assert.equal(String(new OpaqueValue("why")), "(secret)");
        assert.equal(JSON.stringify({ a: UNKNOWN, b: [new OpaqueValue("why")] }), '{"a":"[unknown]","b":["[secret]"]}');
    });

    it("no string, number or boolean holds an unknown, not even the engine's sentinel text", () => {
        for (const v of [UNKNOWN_STRING, "", "x", 0, 1, true, false, null, undefined]) assert.equal(containsUnjudgeable(v), false, String(v));
        assert.equal(containsUnjudgeable(UNKNOWN), true);
        assert.equal(containsUnjudgeable([1, [new OpaqueValue("why")]]), true);
    });

    it("the pack's copy of the engine's properties: outside a preview a sentinel is a string (the provider's region); a list copies its elements only", () => {
        assert.equal(plainCopy(UNKNOWN_STRING), UNKNOWN_STRING);
        assert.deepEqual(plainCopy({ region: UNKNOWN_STRING }), { region: UNKNOWN_STRING });
        const list: any = Array.from({ length: 12 }, (_, i) => (i === 11 ? UNKNOWN_STRING : i));
        Object.assign(list, { x1: "a", "1x": "b", extra: "c" });
        assert.deepEqual(plainCopy(list, true), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, UNKNOWN]);
        assert.deepEqual(plainCopy(list), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, UNKNOWN_STRING]);
    });
});

describe("mutation-found cases: tracking reads", () => {
    it("a tracked object reads as the same object each time; frozen data is handed out as it is (a proxy must), other read-only data stays tracked", () => {
        const reads = newReads();
        const data: Record<string, any> = { b: { c: 1 }, frozen: Object.freeze({ inner: { u: UNKNOWN } }) };
        Object.defineProperty(data, "readOnly", { value: { u: UNKNOWN }, writable: false, configurable: true, enumerable: true });
        const p = trackReads(data, "r", reads);
        assert.equal(p.b, p.b);
        assert.equal(p.frozen.inner, data.frozen.inner, "a non-writable, non-configurable property is returned unwrapped");
        assert.equal(p.frozen.inner.u, UNKNOWN);
        assert.deepEqual([...reads.unknown], []);
        assert.equal(p.readOnly.u, UNKNOWN);
        assert.deepEqual([...reads.unknown], ["r.readOnly.u"]);
    });
});

describe("mutation-found cases: a check that fails while reading what it cannot judge", () => {
    const bucket = res("aws:s3/bucket:Bucket", "b", {});
    const props = () => trackReads({ rules: UNKNOWN, zeta: new OpaqueValue("encrypted z"), alpha: new OpaqueValue("encrypted a"), n: 1 }, "b", newReads());

    it("reading into an unknown list has decided nothing: the subject is undecided, naming what was unknown", () => {
        const p = props();
        assert.deepEqual(judgeSubject(bucket, () => (p.rules as unknown[]).map((r) => String(r))), [{ resource: bucket, message: "", undecided: ["b.rules"] }]);
        assert.deepEqual(eachCheck(() => (p.rules as unknown[]).map((r) => String(r)), () => ["kept"]), [{ message: "", undecided: ["b.rules"] }, "kept"]);
    });

    it("a verdict lists the unknowns its check read and its own, sorted and once; a check that found nothing but read one cannot decide", () => {
        const p = trackReads({ zu: UNKNOWN, au: UNKNOWN }, "b", newReads());
        assert.deepEqual(judgeSubject(bucket, () => (p.zu && p.au ? [{ message: "m", undecided: ["x", "b.au"] }, "plain"] : [])), [
            { resource: bucket, message: "m", undecided: ["b.au", "b.zu", "x"] },
            { resource: bucket, message: "plain", undecided: ["b.au", "b.zu"] },
        ]);
        assert.deepEqual(judgeSubject(bucket, () => (p.zu && p.au ? [] : ["never"])), [{ resource: bucket, message: "", undecided: ["b.au", "b.zu"] }]);
    });

    it("a failure after reading only judgeable values is a bug: the very error propagates", () => {
        const p = props();
        const bug = new Error("a bug in the check");
        assert.throws(() => judgeSubject(bucket, () => {
            if (p.n === 1) throw bug;
            return [];
        }), (e: unknown) => e === bug);
    });

    it("a failure after reading opaque values fails closed, naming each path in order with its reason", () => {
        const p = props();
        assert.deepEqual(judgeSubject(bucket, () => {
            if (p.zeta && p.alpha) throw new TypeError("cannot read a secret");
            return [];
        }), [{ resource: bucket, message: "cannot be verified: b.alpha is encrypted a; b.zeta is encrypted z; the check fails closed." }]);
    });
});

describe("mutation-found cases: settings tied to subjects whose key is unknown", () => {
    const VAULT = "aws:backup/vault:Vault";
    const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
    const NO_LOCK = "in prod must have a vault lock in compliance mode (aws.backup.VaultLockConfiguration with changeableForDays).";

    it("a lock naming a known vault is that vault's, not floating for a vault whose name is unknown; one naming no known vault might be the unknown one's", () => {
        const pending = res(VAULT, "pending", { name: UNKNOWN, kmsKeyArn: KEY });
        const known = res(VAULT, "known", { name: "known", kmsKeyArn: KEY });
        const lockKnown = res(LOCK, "lock-known", { backupVaultName: "known", changeableForDays: 7 });
        assert.deepEqual(findings([pending, known, lockKnown], "backup-vault-baseline"), [["mandatory", pending.urn, `Backup vault (unknown until the update) ${NO_LOCK}`]]);
        const lockElsewhere = res(LOCK, "lock-other", { backupVaultName: "other", changeableForDays: 7 });
        assert.deepEqual(findings([pending, known, lockKnown, lockElsewhere], "backup-vault-baseline"), [
            ["advisory", pending.urn, `undecided during preview (lock-other.backupVaultName unknown until the update; decided at \`pulumi up\`): Backup vault (unknown until the update) ${NO_LOCK}`],
        ]);
    });

    it("a setting tied to the unknown subject by dependency is linked to it, and so not also floating for it", () => {
        const pending = res(VAULT, "pending", { name: UNKNOWN });
        const tied = res(LOCK, "tied", { backupVaultName: "renamed" }, { propertyDependencies: { backupVaultName: [pending.urn] } });
        const loose = res(LOCK, "loose", { backupVaultName: "other" });
        const links = new Links([pending, res(VAULT, "nameless", {})], (v) => v.props.name, [loose, tied], "backupVaultName");
        assert.deepEqual(links.of(pending), { linked: [tied], floating: ["loose.backupVaultName"] });
        assert.deepEqual(links.of(res(VAULT, "nameless", {})), { linked: [], floating: [] }, "a subject without a key is tied by dependency only");
    });
});

describe("mutation-found cases: settings by key", () => {
    it("several locks naming one vault are all that vault's; a property depending twice on one vault ties its setting to it", () => {
        const VAULT = "aws:backup/vault:Vault";
        const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
        const vault = res(VAULT, "v", { name: "v", kmsKeyArn: KEY });
        const locks = ["a", "b", "c"].map((n) => res(LOCK, n, { backupVaultName: "v", changeableForDays: n === "c" ? undefined : 7 }));
        assert.deepEqual(findings([vault, ...locks], "backup-vault-baseline"), [["mandatory", locks[2].urn, "Backup vault lock c (vault v) must be compliance mode: set changeableForDays (3 or more); without it the lock is governance mode, which an administrator can remove."]]);
        assert.deepEqual(new Links([vault], (v) => v.props.name, locks, "backupVaultName").of(vault), { linked: locks, floating: [] });
        const pending = res(VAULT, "pending", { name: UNKNOWN });
        const twice = res(LOCK, "twice", { backupVaultName: UNKNOWN }, { propertyDependencies: { backupVaultName: [pending.urn, pending.urn] } });
        assert.deepEqual(new Links([pending], (v) => v.props.name, [twice], "backupVaultName").of(pending), { linked: [twice], floating: [] });
    });
});

describe("mutation-found cases: the offline plan's resources", () => {
    it("a secret element of a list is masked, the rest of the list kept; a resource without dependsOn depends on its property dependencies only", () => {
        const r = toPolicyResource({ key: "k", type: "t", name: "n", protect: false, inputs: { env: ["a", "b"], obj: { s: "x" } }, secretPaths: ["env[1]", "obj.s"], propertyDependencies: { obj: ["dep"] } });
        assert.deepEqual(r.props, { env: ["a", MASKED_SECRET], obj: { s: MASKED_SECRET } });
        assert.deepEqual(r.dependencies, ["dep"]);
        assert.deepEqual(toPolicyResource({ key: "k", type: "t", name: "n", protect: false, inputs: {} }).dependencies, []);
    });
});

describe("mutation-found cases: stack exports and plan snapshots", () => {
    const SIG = "4dabf18193072939515e22adb298388d";
    const SECRET = "1b47061264138c4ac30d75fd1eb44270";
    const RDS = "aws:rds/instance:Instance";
    const URN = (type: string, name: string) => `urn:pulumi:prod::platform::${type}::${name}`;
    const doc = (resources: Record<string, unknown>[]) => ({ version: 3, deployment: { manifest: {}, resources } });

    it("a secret whose plaintext is not JSON cannot be verified: the check fails closed, saying so", () => {
        const [db] = fromStackExport(doc([{ urn: URN(RDS, "db"), type: RDS, custom: true, inputs: { publiclyAccessible: { [SIG]: SECRET, plaintext: "not json" } } }]), "stack.json");
        assert.deepEqual(evaluatePack([db], prod).filter((v) => v.policy === "rds-baseline" && /verified/.test(v.message)).map((v) => v.message), [
            "cannot be verified: publiclyAccessible is a secret whose plaintext is not JSON; the check fails closed.",
        ]);
    });

    it("a resource keeps its id and parent, and only the string URNs of its dependencies and property dependencies", () => {
        const [r] = fromStackExport(doc([{
            urn: URN(RDS, "db"), type: RDS, custom: true, id: "db-1", parent: "urn:parent", inputs: {},
            dependencies: ["urn:a", 5, null], propertyDependencies: { kmsKeyId: ["urn:k", 7], other: "not a list" },
        }]), "stack.json");
        assert.deepEqual(r, {
            urn: URN(RDS, "db"), type: RDS, name: "db", props: {}, protect: false, fromStack: true, stack: "stack.json", id: "db-1", parent: "urn:parent",
            dependencies: ["urn:a"], propertyDependencies: { kmsKeyId: ["urn:k"], other: [] },
        });
    });

    it("a resource without a urn or a type, or not an object, or with inputs or outputs that are not objects, is refused, naming its place", () => {
        const refused = (resources: unknown[]) => {
            try {
                fromStackExport(doc(resources as Record<string, unknown>[]), "stack.json");
            } catch (e) {
                assert.ok(e instanceof StackInputError, String(e));
                return e.message;
            }
            return "accepted";
        };
        const ok = { urn: URN(RDS, "db"), type: RDS, custom: true, inputs: {} };
        assert.equal(refused([ok, { type: RDS, custom: true, inputs: {} }]), "stack.json: deployment.resources[1] has no urn");
        assert.equal(refused([ok, null]), "stack.json: deployment.resources[1] is null, not a resource");
        assert.equal(refused([5]), "stack.json: deployment.resources[0] is number, not a resource");
        assert.equal(refused([{ ...ok, type: "" }]), "stack.json: deployment.resources[0] has no type");
        assert.equal(refused([{ ...ok, inputs: [] }]), "stack.json: deployment.resources[0].inputs is not an object");
        assert.equal(refused([{ ...ok, outputs: "x" }]), "stack.json: deployment.resources[0].outputs is not an object");
        assert.equal(refused([{ ...ok, inputs: null, outputs: undefined }]), "accepted");
    });

    it("a plan snapshot's resource keeps its parent; without one (or an id) none is made up", () => {
        const [r, orphan] = fromPlanSnapshot({ stack: "prod", resources: [{ key: "k", name: "n", type: RDS, custom: true, parent: "p", inputs: {} }, { key: "o", name: "o", type: RDS, custom: true, inputs: {} }] }, "plan.json");
        assert.equal(r.parent, "p");
        assert.deepEqual(Object.keys(orphan).filter((k) => k === "parent" || k === "id"), []);
        const [bare] = fromStackExport(doc([{ urn: URN(RDS, "db"), type: RDS, custom: true, inputs: {} }]), "stack.json");
        assert.deepEqual(Object.keys(bare).filter((k) => k === "parent" || k === "id"), []);
    });

    it("each inline YAML text of a ConfigGroup is named by its index; an object declared with empty name and namespace is the child registered without them", async () => {
        const deployment = yaml.load(COMPLIANT_DEPLOYMENT) as Record<string, any>;
        const unlimited = structuredClone(deployment);
        delete unlimited.spec.template.spec.containers[0].resources.limits;
        const group = { urn: URN("kubernetes:yaml/v2:ConfigGroup", "apps"), type: "kubernetes:yaml/v2:ConfigGroup", custom: false, inputs: { yaml: [COMPLIANT_DEPLOYMENT, yaml.dump(unlimited)] } };
        const check = async (resources: Record<string, unknown>[]) => {
            const r = await main(["check", tmp("stack.json", JSON.stringify(doc(resources))), "--format", "json"]);
            return (JSON.parse(r.stdout) as { resource: string; policy: string }[]).filter((v) => v.policy === "container-resources").map((v) => v.resource);
        };
        assert.deepEqual([...new Set(await check([group]))], [`${group.urn} yaml[1] Deployment apps/web`]);
        assert.deepEqual([...new Set(await check([{ ...group, inputs: { yaml: yaml.dump(unlimited) } }]))], [`${group.urn} yaml Deployment apps/web`], "one text: no index");
        // kubectl reads an empty name or namespace as none: the object declared so is the child the engine registered without them.
        const anon = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "", namespace: "" }, data: {} };
        const child = { urn: URN("kubernetes:core/v1:ConfigMap", "cm"), type: "kubernetes:core/v1:ConfigMap", custom: true, parent: group.urn, inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: {}, data: {} } };
        const read = fromStackExport(doc([{ ...group, inputs: { objs: [anon] } }, child]), "stack.json");
        const objects = (objs: unknown[], where: string) => objs.map((o: any): PolicyResource => ({ urn: where, type: `kubernetes:core/v1:${o.kind}`, name: "", props: o }));
        assert.deepEqual(withInlineManifests(read, () => [], objects).map((r) => r.urn), [group.urn, child.urn]);
        // Another object is read though the group has a child (one without metadata at all).
        const other = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other", namespace: "apps" } };
        const bare = { ...child, inputs: {} };
        const both = withInlineManifests(fromStackExport(doc([{ ...group, inputs: { objs: [anon, other] } }, bare]), "stack.json"), () => [], objects);
        assert.deepEqual(both.map((r) => [r.urn, r.props.metadata?.name]), [[group.urn, undefined], [child.urn, undefined], [`${group.urn} objs`, "other"]]);
    });
});
