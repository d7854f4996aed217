/**
 * The derived data in test/data and lib/charts/containers.json: every file names its source
 * (project, version, file, git blob) and the command that regenerates it, holds facts only (no
 * schema prose), and the derivation scripts do what they say on a chart directory made here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main as derive } from "../../scripts/derive/index";
import { commentedKeys, shapeOf } from "../../scripts/derive/charts";
import { ContainersFile, deriveContainers } from "../../scripts/derive/containers";
import { gitBlobId } from "../../scripts/derive/provenance";
import { stripProse } from "../../scripts/derive/schema";
import { chartIndex, DATA } from "../harness/reference";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("derive-");

const jsonFiles = (dir: string) => fs.readdirSync(path.join(DATA, dir)).filter((f) => f.endsWith(".json")).map((f) => path.join(DATA, dir, f));

describe("derived data (test/data)", () => {
    const derived = [...jsonFiles("charts"), ...jsonFiles("crds")];
    it("every chart and CRD file names project, version, upstream file, git blob and the regenerating command", () => {
        assert.ok(derived.length >= 15, `${derived.length} files`);
        for (const f of derived) {
            const data = JSON.parse(fs.readFileSync(f, "utf8"));
            for (const src of "chart" in (data.source ?? {}) ? Object.values(data.source) : [data.source]) {
                const s = src as Record<string, string>;
                assert.ok(s.project && s.version && s.file, `${f}: project/version/file`);
                assert.match(s.blob, /^[0-9a-f]{40}$/, `${f}: blob`);
                assert.match(s.regenerate, /^npm run derive -- (charts|crds) /, `${f}: regenerate`);
            }
        }
    });
    it("schemas carry no prose: stripping descriptions, titles, examples and defaults changes nothing", () => {
        for (const f of derived.filter((x) => /crds|schema\.json$/.test(x))) {
            const data = JSON.parse(fs.readFileSync(f, "utf8"));
            const schemas = data.versions ? data.versions.map((v: { schema: unknown }) => v.schema) : [data.schema];
            for (const s of schemas) assert.deepEqual(stripProse(s), s, f);
        }
    });
    it("lib/charts/containers.json names per chart the source of each input, the same files the values indexes were derived from", () => {
        const file = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "lib", "charts", "containers.json"), "utf8")) as ContainersFile;
        for (const [chart, facts] of Object.entries(file.charts)) {
            const inputs = [{ chart, version: facts.version, source: facts.source }, ...Object.entries(facts.subcharts ?? {}).map(([sub, s]) => ({ chart: sub, ...s }))];
            for (const input of inputs) {
                for (const s of Object.values(input.source)) {
                    assert.ok(s.project && s.file, `${chart}: project/file`);
                    assert.equal(s.version, input.version, `${chart}: version`);
                    assert.match(s.blob, /^[0-9a-f]{40}$/, `${chart}: blob`);
                    assert.match(s.regenerate, /^npm run derive -- containers --(reference|chart) /, `${chart}: regenerate`);
                }
                // Same Chart.yaml and values.yaml (by git blob) as test/data's index of that chart version.
                const index = chartIndex(input.chart, input.version);
                assert.deepEqual([input.source.chart.blob, input.source.values.blob], [index.source.chart.blob, index.source.values.blob], `${input.chart} ${input.version}: containers.json and test/data derived from different files; regenerate both from one reference`);
            }
        }
    });
    it("the cosign vectors were made by the current generator (its git blob is recorded)", () => {
        const v = JSON.parse(fs.readFileSync(path.join(DATA, "cosign", "vectors.json"), "utf8"));
        assert.equal(v.source.blob, gitBlobId(fs.readFileSync(path.join(__dirname, "..", "..", "scripts", "derive", "cosign.ts"))), "regenerate: npm run derive -- cosign");
    });
});

describe("derivation scripts", () => {
    it("containers: resources paths, enabled switches and security contexts of a chart, with its source; bad arguments exit 2", () => {
        const dir = tmp();
        fs.writeFileSync(path.join(dir, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\n");
        fs.writeFileSync(path.join(dir, "values.yaml"), "resources: {}\npodSecurityContext:\n  runAsNonRoot: true\nworker:\n  enabled: false\n  resources:\n    limits: {cpu: 1}\n  rules:\n  - resources: [pods]\n");
        const { name, facts } = deriveContainers(dir, "npm run derive -- containers --chart demo");
        assert.equal(name, "demo");
        assert.deepEqual([facts.version, facts.resources, facts.switches, facts.securityContexts], ["1.2.3", ["resources", "worker.resources"], { worker: false }, { podSecurityContext: { runAsNonRoot: true } }]);
        assert.deepEqual(facts.source.values, { project: "demo", version: "1.2.3", file: "demo/values.yaml", blob: gitBlobId(fs.readFileSync(path.join(dir, "values.yaml"))), regenerate: "npm run derive -- containers --chart demo" });
        const err = console.error;
        console.error = () => undefined;
        try {
            assert.equal(derive(["containers"]), 2, "containers without --reference or --chart");
            assert.equal(derive(["containers", "--chart", dir, "--out", dir]), 1, "a chart the platform does not pin");
        } finally {
            console.error = err;
        }
    });
    it("gitBlobId has git hash-object semantics", () => {
        assert.equal(gitBlobId(Buffer.from("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a");
    });
    it("stripProse drops prose keywords but keeps a property called description", () => {
        const s = { type: "object", description: "x", properties: { description: { type: "string", title: "t" } }, items: { default: 1, type: "integer" } };
        assert.deepEqual(stripProse(s), { type: "object", properties: { description: { type: "string" } }, items: { type: "integer" } });
    });
    it("shapes keep keys and types only; commented keys get their path from the indentation", () => {
        assert.deepEqual(shapeOf({ a: { b: 1, c: [] }, d: [{ x: "s" }, { y: true }], e: {} }), {
            type: "object", properties: {
                a: { type: "object", properties: { b: { type: "integer" }, c: { type: "array" } } },
                d: { type: "array", items: { type: "object", properties: { x: { type: "string" }, y: { type: "boolean" } } } },
                e: { type: "object" },
            },
        });
        const text = "persistence:\n  enabled: false\n  # storageClassName: gp3\n  #  annotations:\n  #    x: y\nconfig: |\n  # notAKey: 1\nimage:\n  # digest: sha256\n";
        assert.deepEqual(commentedKeys(text, { persistence: { enabled: false }, config: "", image: {} }), ["image.digest", "persistence.annotations", "persistence.annotations.x", "persistence.storageClassName"]);
    });
    it("npm run derive -- charts --chart <dir> writes an index naming the chart and the command; bad arguments exit 2", () => {
        const dir = tmp();
        fs.mkdirSync(path.join(dir, "demo"));
        fs.writeFileSync(path.join(dir, "demo", "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: 4.5.6\n");
        fs.writeFileSync(path.join(dir, "demo", "values.yaml"), "image:\n  repository: x\n  tag: y\nresources: {}\n");
        const log = console.log;
        console.log = () => undefined;
        try {
            assert.equal(derive(["charts", "--chart", path.join(dir, "demo"), "--out", dir]), 0);
        } finally {
            console.log = log;
        }
        const index = JSON.parse(fs.readFileSync(path.join(dir, "charts", "demo-1.2.3.values.json"), "utf8"));
        assert.deepEqual([index.chart.name, index.chart.version, index.images, index.resources], ["demo", "1.2.3", [{ path: "image", form: "object", keys: ["repository", "tag"], defaults: { repository: "x", tag: "y" } }], ["resources"]]);
        assert.equal(index.source.values.blob, gitBlobId(fs.readFileSync(path.join(dir, "demo", "values.yaml"))));
        assert.match(index.source.values.regenerate, /^npm run derive -- charts --chart /);
        const err = console.error;
        console.error = () => undefined;
        try {
            assert.equal(derive(["charts"]), 2);
            assert.equal(derive(["nonsense"]), 2);
            assert.equal(derive(["crds", "--crd", "x.yaml"]), 2);
        } finally {
            console.error = err;
        }
    });
});
