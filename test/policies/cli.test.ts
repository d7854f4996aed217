/**
 * `npm run policy -- check`: exit codes, formats and inputs; and Kyverno's own policy test
 * fixtures (../shared/reference/kyverno-fixtures) swept through it: every resource loads, every
 * container, init and ephemeral container is found, and the verdicts agree with Kyverno's where
 * the rules are the same (registries) or stricter (requests/limits, digests).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { main } from "../../scripts/policy";
import { loadPolicyInputs, typeOfManifest } from "../../policies/lib/inputs";
import { extractWorkload } from "../../policies/lib/workloads";
import { REFERENCE } from "../harness/reference";

const FIXTURES = path.join(REFERENCE, "kyverno-fixtures");
const DIGEST = "sha256:" + "b".repeat(64);

function allYaml(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? allYaml(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
    });
}
function tmp(name: string, text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
}
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

const good = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/org/web@${DIGEST}
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 500m, memory: 128Mi } }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true }
`;

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

describe("Kyverno's fixtures through policy check", () => {
    const files = allYaml(FIXTURES);
    it(`every one of the ${files.length} fixture files loads without error, and every container is found`, async () => {
        let workloads = 0;
        let containers = 0;
        for (const f of files) {
            const r = await main(["check", f, "--format", "json"]);
            assert.ok(r.code === 0 || r.code === 1, `${f}: ${r.stderr}`);
            for (const res of loadPolicyInputs(f)) {
                const w = extractWorkload(res.props, res.type);
                const expected = countContainers(res.props.spec ?? res.props.template ?? {});
                if (w) {
                    workloads++;
                    containers += w.containers.length;
                    assert.equal(w.containers.length, expected, `${res.urn}: containers found`);
                } else if (/^(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob)$/.test(res.props.kind)) {
                    assert.fail(`${res.urn}: a workload kind was not extracted`);
                }
            }
        }
        assert.ok(workloads >= 50 && containers >= 80, `${workloads} workloads, ${containers} containers`);
    });

    it("require-pod-requests-limits: every fixture fails the strict rule (no fixture sets limits.cpu), init containers included", async () => {
        const dir = path.join(FIXTURES, "require-pod-requests-limits");
        const resources = [".kyverno-test/resource.yaml", ...fs.readdirSync(path.join(dir, ".chainsaw-test")).filter((f) => /^(good|bad)-/.test(f)).map((f) => `.chainsaw-test/${f}`)]
            .flatMap((f) => loadPolicyInputs(path.join(dir, f)));
        const failing = new Set((await json(["check", ...resources.map((r) => r.urn.split(" ")[0].replace(/#\d+$/, ""))])).violations.filter((v) => v.policy === "container-resources").map((v) => v.resource));
        const workloads = resources.filter((r) => extractWorkload(r.props, r.type));
        assert.equal(workloads.length, 15);
        for (const w of workloads) assert.ok(failing.has(w.urn), `${w.urn} fails container-resources`);
    });

    it("disallow-latest-tag: every resource Kyverno rejects is rejected (untagged and :latest, in init containers too)", async () => {
        const dir = path.join(FIXTURES, "disallow-latest-tag");
        for (const f of [".kyverno-test/resource.yaml", ".chainsaw-test/bad-pod-latest-fail-first.yaml", ".chainsaw-test/bad-pod-latest-success-first.yaml", ".chainsaw-test/bad-pod-no-tag.yaml"]) {
            const v = (await json(["check", path.join(dir, f)])).violations.filter((x) => x.policy === "image-digest-and-registry");
            const bad = loadPolicyInputs(path.join(dir, f)).filter((r) => !["myapp-pod", "gooddeployment01"].includes(r.name));
            for (const r of bad) assert.ok(v.some((x) => x.resource === r.urn && /must be pinned by digest/.test(x.message)), `${r.urn}`);
        }
        const initOnly = (await json(["check", path.join(dir, ".chainsaw-test", "bad-pod-latest-success-first.yaml")])).violations;
        assert.ok(initOnly.some((x) => /initContainer .* image .*:latest must be pinned by digest/.test(x.message)));
    });

    it("restrict-image-registries: with Kyverno's allowed registries the registry verdicts equal Kyverno's", async () => {
        const dir = path.join(FIXTURES, "restrict-image-registries");
        const cfg = tmp("cfg.json", JSON.stringify({ "image-digest-and-registry": { allowedRegistries: ["eu.foo.io", "bar.io"] } }));
        const registryFailures = async (file: string) => new Set((await json(["check", file, "--config", cfg])).violations.filter((v) => /allowed registry/.test(v.message)).map((v) => v.resource));
        const cli = yaml.load(fs.readFileSync(path.join(dir, ".kyverno-test", "kyverno-test.yaml"), "utf8")) as { results: { resources: string[]; result: string }[] };
        const file = path.join(dir, ".kyverno-test", "resource.yaml");
        const failed = await registryFailures(file);
        const byName = new Map(loadPolicyInputs(file).map((r) => [r.name, r.urn]));
        let compared = 0;
        for (const result of cli.results) for (const name of result.resources) {
            assert.equal(failed.has(byName.get(name)!), result.result === "fail", `${name}: kyverno says ${result.result}`);
            compared++;
        }
        const chainsaw: Record<string, "pass" | "fail"> = { "good-pods.yaml": "pass", "good-podcontrollers.yaml": "pass", "bad-pod-false.yaml": "fail", "bad-pod-noregistry.yaml": "fail", "bad-pod-notall.yaml": "fail", "bad-podcontrollers.yaml": "fail" };
        for (const [f, verdict] of Object.entries(chainsaw)) {
            const p = path.join(dir, ".chainsaw-test", f);
            const fails = await registryFailures(p);
            for (const r of loadPolicyInputs(p).filter((x) => extractWorkload(x.props, x.type))) {
                assert.equal(fails.has(r.urn), verdict === "fail", `${f} ${r.name}: kyverno says ${verdict}`);
                compared++;
            }
        }
        assert.equal(compared, 21);
        // Kyverno's step 3: an ephemeral container busybox:1.35 added with kubectl debug is denied.
        const pods = loadPolicyInputs(path.join(dir, ".chainsaw-test", "good-pods.yaml"));
        const pod = structuredClone(pods.find((r) => r.name === "goodpod02-registry")!.props);
        pod.spec.ephemeralContainers = [{ name: "debugger", image: "busybox:1.35" }];
        const v = (await json(["check", tmp("debug.yaml", yaml.dump(pod)), "--config", cfg])).violations;
        assert.ok(v.some((x) => /ephemeralContainer debugger image busybox:1\.35 must come from an allowed registry/.test(x.message)));
    });
});
