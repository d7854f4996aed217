/**
 * `npm run policy -- check`: exit codes, formats and inputs; and the project's admission fixtures
 * (test/data/admission: requests/limits, tags and digests, registry allow-list, every workload
 * kind) swept through it: every resource loads, every container, init and ephemeral container is
 * found, and each resource gets exactly the findings its fixture annotation expects.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { main } from "../../scripts/policy";
import { loadPolicyInputs, typeOfManifest } from "../../policies/lib/inputs";
import { extractWorkload } from "../../policies/lib/workloads";
import { COMPLIANT_DEPLOYMENT as good, DIGEST } from "../harness/manifests";
import { DATA } from "../harness/reference";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("policy-cli-").file;
const json = async (args: string[]) => {
    const r = await main([...args, "--format", "json"]);
    return { ...r, violations: r.stdout ? (JSON.parse(r.stdout) as { resource: string; type: string; policy: string; enforcementLevel: string; message: string }[]) : [] };
};

/** Containers counted independently of the policy code: every object with an image under a *containers key. */
function countContainers(node: unknown): number {
    if (Array.isArray(node)) return node.reduce((n, x) => n + countContainers(x), 0);
    if (!node || typeof node !== "object") return 0;
    return Object.entries(node as Record<string, unknown>).reduce((n, [k, v]) => {
        const own = /^(containers|initContainers|ephemeralContainers)$/.test(k) && Array.isArray(v) ? v.filter((c) => c && typeof c === "object" && "image" in c).length : 0;
        return n + own + countContainers(v);
    }, 0);
}

describe("npm run policy -- check", () => {
    it("exit 0 and a summary for compliant manifests", async () => {
        const r = await main(["check", tmp("good.yaml", good)]);
        assert.equal(r.code, 0, r.stdout);
        assert.match(r.stdout, /^1 resources checked: 0 mandatory, 0 advisory violation\(s\)$/m);
    });
    it("exit 1 on a mandatory violation; --format json prints {resource, type, policy, enforcementLevel, message}", async () => {
        const r = await json(["check", tmp("bad.yaml", good.replace(`@${DIGEST}`, ":1.0"))]);
        assert.equal(r.code, 1);
        assert.deepEqual(Object.keys(r.violations[0]).sort(), ["enforcementLevel", "message", "policy", "resource", "type"]);
        assert.equal(r.violations[0].policy, "image-digest-and-registry");
        assert.equal(r.violations[0].type, "kubernetes:apps/v1:Deployment");
        assert.match(r.violations[0].resource, /bad\.yaml Deployment apps\/web$/);
    });
    it("reads multi-document YAML, JSON and List kinds, and old apiVersions of workload kinds", async () => {
        const list = { apiVersion: "v1", kind: "List", items: [yaml.load(good), { apiVersion: "batch/v1beta1", kind: "CronJob", metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "j", image: "busybox" }] } } } } } }] };
        const fromJson = loadPolicyInputs(tmp("list.json", JSON.stringify(list)));
        // Type tokens keep the object's own apiVersion, as Pulumi names it; the workload policies match every version.
        assert.deepEqual(fromJson.map((r) => r.type), ["kubernetes:apps/v1:Deployment", "kubernetes:batch/v1beta1:CronJob"]);
        assert.ok((await json(["check", tmp("list.json", JSON.stringify(list))])).violations.some((v) => v.type === "kubernetes:batch/v1beta1:CronJob" && v.policy === "container-resources"));
        const multi = loadPolicyInputs(tmp("multi.yaml", `${good}---\n---\n${yaml.dump(list)}`));
        assert.equal(multi.length, 3);
    });
    it("reads a pulumi stack export and the offline plan's snapshot", async () => {
        const exported = { version: 3, deployment: { resources: [
            { urn: "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod", type: "pulumi:pulumi:Stack", custom: false },
            { urn: "urn:pulumi:prod::p::aws:kms/key:Key::k", type: "aws:kms/key:Key", custom: true, inputs: { enableKeyRotation: false }, protect: true },
        ] } };
        const r = await json(["check", tmp("stack.json", JSON.stringify(exported))]);
        assert.equal(r.code, 1);
        assert.deepEqual(r.violations.map((v) => [v.policy, v.resource]), [["kms-key-rotation", "urn:pulumi:prod::p::aws:kms/key:Key::k"]]);
        // A plan snapshot in the offline plan's format (never out/: a test must not depend on an earlier run's files).
        const snapshot = { stack: "prod", environment: "prod", resources: [{ key: "aws:kms/key:Key::k", type: "aws:kms/key:Key", name: "k", custom: true, protect: true, inputs: { enableKeyRotation: true } }] };
        assert.equal((await main(["check", tmp("plan.json", JSON.stringify(snapshot))])).code, 0);
    });
    it("exit 2 with the file and the reason on unreadable input, bad arguments or a config typo", async () => {
        const missing = await main(["check", "/nonexistent/x.yaml"]);
        assert.deepEqual([missing.code, missing.stderr], [2, "policy check: /nonexistent/x.yaml: cannot read: ENOENT"]);
        const broken = tmp("broken.yaml", "kind: Pod\n  bad: [indent");
        assert.match((await main(["check", broken])).stderr, /broken\.yaml: not valid YAML: /);
        assert.match((await main(["check", tmp("scalar.yaml", "just a string")])).stderr, /document 1 is a string, not a Kubernetes object/);
        assert.match((await main(["check", tmp("g.yaml", good), "--format", "xml"])).stderr, /--format must be text or json, not "xml"/);
        assert.match((await main(["lint", "x"])).stderr, /unknown command lint \(see --help\)/);
        const cfg = tmp("cfg.json", JSON.stringify({ "rds-baseline": { enviroment: "prod" } }));
        const typo = await main(["check", tmp("g.yaml", good), "--config", cfg]);
        assert.equal(typo.code, 2);
        assert.match(typo.stderr, /cfg\.json: Invalid policy pack config: - "rds-baseline"\.enviroment: not a property of this policy; it reads environment, minBackupRetentionDays/);
    });
});

describe("policy inputs (unit)", () => {
    it("maps apiVersion/kind to Pulumi's type tokens: core, groups, every version kept", () => {
        assert.equal(typeOfManifest("v1", "Service"), "kubernetes:core/v1:Service");
        assert.equal(typeOfManifest("v1", "Pod"), "kubernetes:core/v1:Pod");
        assert.equal(typeOfManifest("networking.k8s.io/v1", "Ingress"), "kubernetes:networking.k8s.io/v1:Ingress");
        assert.equal(typeOfManifest("extensions/v1beta1", "Deployment"), "kubernetes:extensions/v1beta1:Deployment");
        assert.equal(typeOfManifest("argoproj.io/v1alpha1", "Rollout"), "kubernetes:argoproj.io/v1alpha1:Rollout");
        assert.equal(typeOfManifest("example.com/v1", "Rollout"), "kubernetes:example.com/v1:Rollout");
    });
    it("expands List and *List kinds; refuses non-objects and objects without apiVersion/kind in them", () => {
        const f = tmp("lists.json", JSON.stringify({ apiVersion: "v1", kind: "PodList", items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "n" } }] }));
        assert.deepEqual(loadPolicyInputs(f).map((r) => [r.name, r.type]), [["a", "kubernetes:core/v1:Pod"]]);
        assert.match(loadPolicyInputs(f)[0].urn, /lists\.json\.items\[0\] Pod n\/a$/);
        assert.throws(() => loadPolicyInputs(tmp("l1.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [null] }))), /items\[0\] is null, not a Kubernetes object/);
        assert.throws(() => loadPolicyInputs(tmp("l2.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ kind: "NoVersion" }] }))), /items\[0\]: apiVersion undefined is not/);
        assert.throws(() => loadPolicyInputs(tmp("l3.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [7] }))), /items\[0\] is number/);
        const top = tmp("array.json", JSON.stringify([{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }]));
        assert.deepEqual(loadPolicyInputs(top).map((r) => r.name), ["c"]);
        assert.throws(() => loadPolicyInputs(tmp("odd.json", JSON.stringify({ hello: 1 }))), /odd\.json: the document has no apiVersion\/kind and is not a stack export/);
        assert.throws(() => loadPolicyInputs(tmp("bad.json", "{ nope")), /bad\.json: not valid JSON/);
    });
    it("stack exports skip providers and read inputs, falling back to outputs; plan snapshots keep custom resources", () => {
        const exported = { deployment: { resources: [
            { urn: "urn:pulumi:s::p::pulumi:providers:aws::default", type: "pulumi:providers:aws", custom: true, inputs: {} },
            { urn: "urn:pulumi:s::p::aws:kms/key:Key::k", type: "aws:kms/key:Key", custom: true, outputs: { enableKeyRotation: true }, protect: true },
        ] } };
        const rs = loadPolicyInputs(tmp("e.json", JSON.stringify(exported)));
        assert.deepEqual(rs.map((r) => [r.name, r.props.enableKeyRotation, r.protect]), [["k", true, true]]);
        const plan = { stack: "s", resources: [{ key: "c::x", type: "platform:x:C", name: "x", custom: false }, { key: "k", type: "aws:kms/key:Key", name: "k", custom: true, inputs: { a: 1 } }] };
        assert.deepEqual(loadPolicyInputs(tmp("p.json", JSON.stringify(plan))).map((r) => [r.urn, r.props.a, r.protect]), [["k", 1, false]]);
    });
});

/** Expected finding -> the policy and the message that reports it. */
const FINDINGS: Record<string, [string, RegExp]> = {
    resources: ["container-resources", /resources\.(requests|limits)\.(cpu|memory) [^;]+; set a positive quantity\./],
    "requests-above-limits": ["container-resources", /must not exceed limits\./],
    "above-maximum": ["container-resources", /must not exceed the maximum/],
    digest: ["image-digest-and-registry", /must be pinned by digest/],
    registry: ["image-digest-and-registry", /must come from an allowed registry/],
    invalid: ["image-digest-and-registry", /has an invalid image reference/],
};
const JUDGED = new Set(Object.values(FINDINGS).map(([policy]) => policy));

describe("admission fixtures (test/data/admission) through policy check", () => {
    const dir = path.join(DATA, "admission");
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => path.join(dir, f)) : [];
    const config = path.join(dir, "config.json");
    it("are present (test/data/admission/*.yaml)", () => assert.ok(files.length >= 4, `fixtures missing in ${dir}`));

    it("every resource loads, every container is found, every non-workload kind is skipped", () => {
        let workloads = 0;
        let containers = 0;
        const kinds = new Set<string>();
        for (const f of files) {
            for (const res of loadPolicyInputs(f)) {
                const w = extractWorkload(res.props, res.type);
                if (w) {
                    workloads++;
                    kinds.add(w.kind);
                    containers += w.containers.length;
                    assert.equal(w.containers.length, countContainers(res.props.spec ?? {}), `${res.urn}: containers found`);
                } else {
                    assert.match(res.props.kind, /^(Namespace|ConfigMap)$/, `${res.urn}: a workload kind was not extracted`);
                }
            }
        }
        assert.deepEqual([...kinds].sort(), ["CronJob", "DaemonSet", "Deployment", "Job", "Pod", "ReplicaSet", "Rollout", "StatefulSet"]);
        assert.ok(workloads >= 50 && containers >= 65, `${workloads} workloads, ${containers} containers`);
    });

    it("each resource gets exactly the findings its test.platform.dev/expect annotation names", async () => {
        let judged = 0;
        for (const f of files) {
            const r = await json(["check", f, "--config", config]);
            assert.ok(r.code === 0 || r.code === 1, `${f}: ${r.stderr}`);
            for (const res of loadPolicyInputs(f)) {
                const expect = String(res.props.metadata?.annotations?.["test.platform.dev/expect"] ?? "");
                assert.ok(expect, `${res.urn}: no test.platform.dev/expect annotation`);
                const found = r.violations.filter((v) => v.resource === res.urn && JUDGED.has(v.policy) && v.enforcementLevel === "mandatory");
                const wanted = expect === "none" ? [] : expect.split(/\s+/);
                for (const token of wanted) {
                    const [name, where] = token.split("@");
                    const [policy, message] = FINDINGS[name] ?? assert.fail(`${res.urn}: unknown expectation ${token}`);
                    assert.ok(found.some((v) => v.policy === policy && message.test(v.message) && (!where || v.message.includes(where))), `${res.urn}: expected ${token}, got ${JSON.stringify(found.map((v) => v.message))}`);
                }
                const unexpected = found.filter((v) => !wanted.some((t) => FINDINGS[t.split("@")[0]][1].test(v.message)));
                assert.deepEqual(unexpected.map((v) => v.message), [], `${res.urn}: findings not in ${expect}`);
                judged++;
            }
        }
        assert.ok(judged >= 50, `${judged} resources judged`);
    });

    it("an ephemeral container added to an admitted pod (kubectl debug) with a tag from another registry is refused", async () => {
        const pod = structuredClone(loadPolicyInputs(path.join(dir, "registries.yaml")).find((r) => r.name === "reg-allowed-host")!.props);
        assert.equal((await main(["check", tmp("pod.yaml", yaml.dump(pod)), "--config", config])).code, 0);
        pod.spec.ephemeralContainers = [{ name: "debugger", image: "busybox:1.36" }];
        const v = (await json(["check", tmp("debug.yaml", yaml.dump(pod)), "--config", config])).violations;
        assert.ok(v.some((x) => /ephemeralContainer debugger image busybox:1\.36 must come from an allowed registry/.test(x.message)));
    });
});
