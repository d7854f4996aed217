/**
 * `npm run policy -- check` read the way the Kubernetes API server reads input: YAML 1.1 with merge
 * keys, duplicate keys refused, bounded aliases and depth, the format told by structure alone; and
 * every malformed input ends as exit 2 with one line, never a stack trace (run as a real process too).
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { main } from "../../scripts/policy";
import { checkDocumentBounds, INPUT_LIMITS, loadPolicyInputs } from "../../policies/lib/inputs";
import { readYamlDocument } from "../../policies/lib/kube-yaml";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";
import { IN_MUTATION_RUN } from "../harness/mutation-run";
import { countingView } from "../harness/work";

const DIGEST = "sha256:" + "b".repeat(64);
const tmpDir = tempDirs("policy-inputs-");
const tmp = tmpDir.file;
const check = async (file: string, ...args: string[]) => {
    const r = await main(["check", file, "--format", "json", ...args]);
    return { ...r, violations: r.code < 2 ? (JSON.parse(r.stdout) as { policy: string; message: string; resource: string }[]) : [] };
};

const HARDENED = "{ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true }";
const RES = "{ requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 500m, memory: 128Mi } }";

describe("policy check input: YAML as the API server reads it", () => {
    it("merges `<<` keys: an init container hidden in a merge is checked; a manifest built from anchors and merges passes", async () => {
        const hidden = tmp("hidden.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      <<: { initContainers: [{ name: evil, image: busybox }] }
      containers: [{ name: web, image: ghcr.io/org/web@${DIGEST}, resources: ${RES}, securityContext: ${HARDENED} }]
`);
        const r = await check(hidden);
        assert.equal(r.code, 1);
        assert.ok(r.violations.some((v) => v.policy === "image-digest-and-registry" && /initContainer evil image busybox must be pinned/.test(v.message)));
        const anchors = tmp("anchors.yaml", `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: apps }
spec:
  template:
    spec:
      initContainers:
        - &base
          name: init
          image: ghcr.io/org/web@${DIGEST}
          resources: ${RES}
          securityContext: ${HARDENED}
      containers:
        - <<: *base
          name: web
`);
        const ok = await check(anchors);
        assert.deepEqual([ok.code, ok.violations], [0, []], ok.stderr);
    });
    it("YAML 1.1 scalars as go-yaml v2 reads them: `privileged: yes` is true; timestamps stay strings", async () => {
        const f = tmp("yes.yaml", `apiVersion: v1
kind: Pod
metadata: { name: p, namespace: apps, annotations: { built: 2001-12-14 } }
spec:
  containers: [{ name: c, image: ghcr.io/org/c@${DIGEST}, resources: ${RES}, securityContext: { privileged: yes, allowPrivilegeEscalation: off, readOnlyRootFilesystem: on, runAsNonRoot: y } }]
`);
        const [pod] = loadPolicyInputs(f);
        assert.equal(pod.props.metadata.annotations.built, "2001-12-14");
        const r = await check(f);
        assert.deepEqual(r.violations.map((v) => v.message), ["Pod p: container c is privileged [CIS EKS 4.2.1]."]);
    });
    it("refuses duplicate keys (they would hide a value from one reader or the other)", async () => {
        const r = await check(tmp("dup.yaml", `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers: [{ name: c, image: ghcr.io/org/c@${DIGEST} }]\n  containers: []\n`));
        assert.equal(r.code, 2);
        assert.match(r.stderr, /not valid YAML: duplicated mapping key/);
    });
    it("merges in a large file are fine (beyond js-yaml's default of 10,000 merged keys)", async () => {
        const doc = (i: number) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c${i}, namespace: apps }\ndata:\n  base: &b { ${Array.from({ length: 20 }, (_, k) => `k${k}: v`).join(", ")} }\n  merged: { <<: [*b, *b, *b], own: x }\n`;
        const r = await check(tmp("merges.yaml", Array.from({ length: 300 }, (_, i) => doc(i)).join("---\n")));
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(r.violations, []);
    });
    it("refuses alias bombs and recursive aliases quickly; ordinary aliases are fine", async () => {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n";
        const L = "abcdefghijklmnop";
        for (let i = 1; i < 12; i++) bomb += `${L[i]}: &${L[i]} [${Array(9).fill(`*${L[i - 1]}`).join(",")}]\n`;
        const text = `apiVersion: v1\nkind: ConfigMap\n${bomb}`;
        const r = await check(tmp("bomb.yaml", text));
        assert.equal(r.code, 2);
        assert.match(r.stderr, /aliases expand the document beyond 1000000 nodes .*refused$/);
        // Quickly, counted rather than timed: the reader shares aliased nodes (no copy of 9^12 nodes)
        // and the bound is computed once per distinct node, so refusing costs a few hundred reads
        // where walking the expansion would take a million before reaching the limit.
        const { value, aliases } = readYamlDocument(text, INPUT_LIMITS, { mergeKeys: 0 });
        const doc = value as Record<string, unknown[]>;
        assert.ok(aliases && doc.l[0] === doc.l[8] && doc.b[0] === doc.a, "aliased nodes are shared, not copied");
        const counter = { reads: 0 };
        assert.throws(() => checkDocumentBounds(countingView(doc, counter)), /aliases expand the document beyond 1000000 nodes/);
        assert.ok(counter.reads < 1000, `${counter.reads} reads to refuse a document of ${Object.keys(doc).length * 10} distinct nodes`);
        assert.match((await check(tmp("cycle.yaml", "apiVersion: v1\nkind: ConfigMap\ndata: &a [*a]\n"))).stderr, /a recursive alias makes the document infinite/);
        const fine = await check(tmp("alias.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m { name: c, namespace: apps }\ndata: { a: &v x, b: *v }\n"));
        assert.equal(fine.code, 0, fine.stderr);
    });
    it("bounds depth: JSON and YAML nested beyond 256 levels are refused, 200 levels are read", async () => {
        const deep = (d: number) => `{"apiVersion":"v1","kind":"ConfigMap","data":${"[".repeat(d)}${"]".repeat(d)}}`;
        const r = await check(tmp("deep.json", deep(5000)));
        assert.deepEqual([r.code, r.stderr.includes("nested deeper than 256 levels")], [2, true], r.stderr);
        assert.equal((await check(tmp("ok.json", deep(200)))).code, 0);
        assert.match((await check(tmp("deep.yaml", `apiVersion: v1\nkind: ConfigMap\ndata: ${"[".repeat(400)}${"]".repeat(400)}\n`))).stderr, /maxDepth|deeper than/);
        // Through aliases: each level small, the expansion deep.
        let y = "apiVersion: v1\nkind: ConfigMap\na0: &a0 [x]\n";
        for (let i = 1; i < 300; i++) y += `a${i}: &a${i} [*a${i - 1}]\n`;
        assert.match((await check(tmp("deepalias.yaml", y))).stderr, /nested deeper than 256 levels \(through aliases\)/);
    });
});

describe("policy check input: the format from the structure alone", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: { containers: [{ name: "c", image: "busybox" }] } };
    it("anything with apiVersion and kind is a Kubernetes object, whatever else it has (deployment:, stack: + resources:)", async () => {
        for (const extra of [{ deployment: { resources: [] } }, { stack: "prod", resources: [] }]) {
            const r = await check(tmp("pod.json", JSON.stringify({ ...pod, ...extra })));
            assert.equal(r.code, 1);
            assert.ok(r.violations.some((v) => /Pod p: container c image busybox must be pinned/.test(v.message)), JSON.stringify(extra));
        }
    });
    it("refuses half an object, an ambiguous document and a stack export with foreign keys", async () => {
        const cases: [unknown, RegExp][] = [
            [{ kind: "Pod", spec: pod.spec }, /has kind but no apiVersion/],
            [{ apiVersion: "v1", spec: pod.spec }, /has apiVersion but no kind/],
            [{ version: 3, deployment: { resources: [] }, stack: "prod", resources: [] }, /looks like both a stack export .* and a plan snapshot .*ambiguous/],
            [{ version: 3, deployment: { resources: [] }, items: [pod] }, /has deployment.resources but also items: not a pulumi stack export/],
            [{ deployment: { resources: null } }, /deployment.resources is null, not a list/],
            [{ stack: 3, resources: [] }, /a plan snapshot needs stack \(a string\) and resources \(a list\)/],
            [[pod, { hello: 1 }], /\[1\] has no apiVersion and kind/],
            [{ apiVersion: "apps/v1/x", kind: "Deployment" }, /apiVersion "apps\/v1\/x" is not <group>\/<version>/],
        ];
        for (const [doc, pattern] of cases) {
            const r = await check(tmp("x.json", JSON.stringify(doc)));
            assert.equal(r.code, 2, JSON.stringify(doc));
            assert.match(r.stderr, pattern);
        }
    });
});

/** Malformed inputs: each must end as exit 2 with one line on stderr and no stack trace. */
function malformed(): [string, string[]][] {
    const good = tmp("good.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n`);
    const cfg = (name: string, text: string) => ["check", good, "--config", tmp(name, text)];
    let bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n";
    for (let i = 1; i < 12; i++) bomb += `a${i}: &a${i} [${Array(9).fill(i === 1 ? "*a" : `*a${i - 1}`).join(",")}]\n`;
    const pem = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n";
    const signed = tmp("signed.yaml", `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: c, image: ghcr.io/org/c@${DIGEST} }] }\n`);
    return [
        ["List with items that are a number", ["check", tmp("items-number.yaml", "apiVersion: v1\nkind: List\nitems: 5\n")]],
        ["List with a null item", ["check", tmp("item-null.json", JSON.stringify({ apiVersion: "v1", kind: "List", items: [null] }))]],
        ["null resource in a stack export", ["check", tmp("export.json", JSON.stringify({ version: 3, deployment: { resources: [null] } }))]],
        ["resource without a type in a stack export", ["check", tmp("export2.json", JSON.stringify({ version: 3, deployment: { resources: [{ urn: "u" }] } }))]],
        ["null resource in a plan snapshot", ["check", tmp("plan.json", JSON.stringify({ stack: "prod", resources: [null] }))]],
        ["inputs that are not an object in a plan snapshot", ["check", tmp("plan2.json", JSON.stringify({ stack: "prod", resources: [{ key: "k", type: "t", custom: true, inputs: "x" }] }))]],
        ["a PEM block that is not a key", ["check", signed, "--config", tmp("pem.json", JSON.stringify({ "image-signature-and-sbom": { verificationMode: "registry", signedRegistries: ["ghcr.io/org"], cosignPublicKeys: [pem] } }))]],
        ["a PEM block that is not a key, in offline mode", cfg("pem-offline.json", JSON.stringify({ "image-signature-and-sbom": { cosignPublicKeys: [pem] } }))],
        ["an alias bomb", ["check", tmp("bomb.yaml", `apiVersion: v1\nkind: ConfigMap\n${bomb}`)]],
        ["JSON nested 3000 deep", ["check", tmp("deep.json", `${"[".repeat(3000)}${"]".repeat(3000)}`)]],
        ["a scalar document", ["check", tmp("scalar.yaml", "42\n")]],
        ["binary garbage", ["check", tmp("garbage.yaml", "\u0000\u0001\u0002: [\n")]],
        ["a null config", cfg("null.json", "null")],
        ['{"all": null}', cfg("allnull.json", '{"all": null}')],
        ["an empty config file", cfg("empty.json", "")],
        ["a config that is a list", cfg("list.json", "[]")],
        ["--config without a file", ["check", good, "--config"]],
        ["an unknown option", ["check", good, "--fast"]],
        ["a missing file", ["check", path.join(tmpDir(), "nope.yaml")]],
        ["a directory", ["check", tmpDir()]],
    ];
}

const STACK_TRACE = /^\s+at |Error: .*\n\s+at |UnhandledPromiseRejection|node:internal/m;

describe("policy check: every malformed input exits 2 with one readable line", () => {
    for (const [name, args] of malformed()) {
        it(name, async () => {
            const r = await main(args);
            assert.equal(r.code, 2, `${name}: ${r.stdout}${r.stderr}`);
            assert.equal(r.stderr.split("\n").length, 1, r.stderr);
            assert.match(r.stderr, /^policy check: \S/);
            assert.doesNotMatch(r.stderr, /could not complete/, "a known error says what is wrong");
            assert.doesNotMatch(r.stderr, STACK_TRACE);
        });
    }
    it("the same through the real CLI process (npm run policy): exit 2, one line, no stack trace or unhandled rejection", async function () {
        this.timeout(120000);
        if (IN_MUTATION_RUN) this.skip(); // child processes only: they see no mutant
        const picks = malformed().filter(([name]) => ["List with items that are a number", "a PEM block that is not a key", "an alias bomb", "JSON nested 3000 deep", '{"all": null}'].includes(name));
        const run = (args: string[]) => new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
            const p = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", "policy.ts"), ...args], { cwd: REPO_ROOT });
            let stderr = "";
            let stdout = "";
            p.stderr.on("data", (d) => (stderr += d));
            p.stdout.on("data", (d) => (stdout += d));
            p.on("close", (code) => resolve({ code, stderr, stdout }));
        });
        const results = await Promise.all(picks.map(([, args]) => run(args)));
        results.forEach((r, i) => {
            assert.equal(r.code, 2, `${picks[i][0]}: ${r.stderr}`);
            assert.equal(r.stderr.trimEnd().split("\n").length, 1, `${picks[i][0]}: ${r.stderr}`);
            assert.doesNotMatch(r.stderr, STACK_TRACE);
            assert.equal(r.stdout, "");
        });
        const help = await run(["--help"]);
        assert.equal(help.code, 0);
        assert.match(help.stdout, /^usage: npm run policy -- check/);
        assert.match(help.stdout, /Exit status: 0 no mandatory violation, 1 mandatory violations .*\n2 bad arguments, config or input/);
    });
});
