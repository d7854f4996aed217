/**
 * Inputs kubectl applies that an earlier reader judged differently (issue 23, classes 1 and 9),
 * end to end through `policy check`: each hides a non-compliant container (image `busybox`,
 * unpinned) in a way kubectl v1.32 reads, which one kubectl process confirms for the whole set
 * before the check must find it; and compliant inputs kubectl reads must not be refused.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { main } from "../../scripts/policy";
import { COMPLIANT_DEPLOYMENT as good, DIGEST } from "../harness/manifests";
import { kubectlRead, type KubectlReading } from "../harness/kubectl-read";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("inputs-kubectl-");
const EVIL = "{ name: evil, image: busybox }";
const GOOD = `{ name: web, image: "ghcr.io/org/web@${DIGEST}", resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 500m, memory: 128Mi } }, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true } }`;
const head = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: apps }\n`;
const evilJson = (name: string) => JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: "apps" }, spec: { template: { spec: { containers: [{ name: "evil", image: "busybox" }] } } } });

/** Files that hide the evil container from a YAML 1.2 / JSON.parse reader; kubectl applies it. */
const HIDDEN: Record<string, [string, string | Buffer]> = {
    "a later merge key overrides an explicit key": ["f1.yaml", `${head("f1-web")}spec:\n  template:\n    spec:\n      containers: [${GOOD}]\n      <<: { containers: [${EVIL}] }\n`],
    "the second of two merge keys wins": ["f2.yaml", `${head("f2-web")}spec:\n  template:\n    spec:\n      <<: { containers: [${GOOD}] }\n      <<: { containers: [${EVIL}] }\n`],
    "U+2028 ends a comment": ["f3.yaml", `${head("f3-web")}spec:\n  template:\n    spec:\n      containers: [${GOOD}]\n      # note\u2028      initContainers: [${EVIL}]\n`],
    "NEL (U+0085) ends a comment": ["f4.yaml", `${head("f4-web")}spec:\n  template:\n    spec:\n      containers: [${GOOD}]\n      # note\u0085      initContainers: [${EVIL}]\n`],
    "U+2029 ends a block scalar": ["f5.yaml", `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: f5-web\n  namespace: apps\n  annotations:\n    note: |\n      text\u2029spec: { template: { spec: { containers: [${EVIL}] } } }\n`],
    "an items list in an object that is no List": ["f6.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: f6-cm }\nitems:\n  - ${evilJson("f6-web")}\n`],
    "items without kind take the list's kind": ["f7.yaml", `apiVersion: apps/v1\nkind: DeploymentList\nitems:\n  - { metadata: { name: f7-web, namespace: apps }, spec: { template: { spec: { containers: [${EVIL}] } } } }\n`],
    "a BOM before a later document": ["f8.yaml", `${good.replace("name: web", "name: f8-good")}---\n\ufeff${head("f8-web")}spec: { template: { spec: { containers: [${EVIL}] } } }\n`],
    "JSON with a BOM": ["f9.json", `\ufeff${evilJson("f9-web")}`],
    "concatenated JSON objects": ["f10.json", `${JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "f10-cm" } })}${evilJson("f10-web")}\n`],
    "the standard !!float tag": ["f11.yaml", `${head("f11-web")}spec: { template: { spec: { containers: [{ name: evil, image: busybox, resources: { limits: { cpu: !!float 1 } } }] } } }\n`],
    "UTF-16 with a BOM": ["f12.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(evilJson("f12-web"), "utf16le")])],
};

/** Compliant but for the quantity's spelling, which the API server reads: must pass. */
const QUANTITIES: Record<string, string> = {
    "spaces around a quantity (the API server trims them)": " 100m\u00a0",
    "a long but valid spelling": `${"0".repeat(70)}100m`,
    "a long fraction": `0.1${"0".repeat(80)}`,
};

describe("policy check finds what kubectl applies (issue 23 class 1) and reads the quantities the API server reads (class 9)", function () {
    this.timeout(120_000);
    let dir: string;
    let theirs: Map<string, KubectlReading>;
    const quantityFile = (i: number, q: string) => good.replace("name: web", `name: q${i}-web`).replace("cpu: 100m,", `cpu: ${JSON.stringify(q)},`);
    before(() => {
        dir = tmp();
        const files: Record<string, string | Buffer> = Object.fromEntries(Object.values(HIDDEN));
        Object.values(QUANTITIES).forEach((q, i) => (files[`q${i}.yaml`] = quantityFile(i, q)));
        theirs = kubectlRead(dir, files);
    });
    for (const [title, [file]] of Object.entries(HIDDEN)) {
        it(`${title}: kubectl applies the container, policy check fails on it`, async () => {
            const k = theirs.get(file)!;
            assert.equal(k.error, undefined, k.error);
            assert.ok(JSON.stringify(k.objects).includes('"image":"busybox"'), `kubectl reads no evil container: ${JSON.stringify(k.objects)}`);
            const r = await main(["check", path.join(dir, file), "--format", "json"]);
            assert.equal(r.code, 1, `${r.stderr}${r.stdout}`);
            assert.match(r.stdout, /image busybox must be pinned/);
        });
    }
    Object.entries(QUANTITIES).forEach(([title, q], i) => {
        it(`${title}: ${JSON.stringify(q.length > 30 ? `${q.slice(0, 12)}...` : q)} passes, as kubectl's typed decoding reads it`, async () => {
            assert.equal(theirs.get(`q${i}.yaml`)?.error, undefined);
            const typed = kubectlRead(tmp(), { [`q${i}.yaml`]: quantityFile(i, q) }, "typed").get(`q${i}.yaml`)!;
            assert.equal(typed.error, undefined, typed.error);
            const r = await main(["check", path.join(dir, `q${i}.yaml`), "--format", "json"]);
            assert.deepEqual([r.code, r.stdout.trim()], [0, "[]"], r.stderr);
        });
    });
    it("a tab around a quantity is refused, as the API server refuses it (it arrives escaped)", async () => {
        const text = quantityFile(9, "\t100m");
        const typed = kubectlRead(tmp(), { "q9.yaml": text }, "typed").get("q9.yaml")!;
        assert.match(typed.error ?? "", /quantities must match/);
        const r = await main(["check", tmp.file("q9.yaml", text), "--format", "json"]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /is not a Kubernetes quantity/);
    });
});
