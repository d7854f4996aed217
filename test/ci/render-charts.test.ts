/**
 * The pull-request workflow's render job, run offline: the pinned helm (installed from the npm
 * registry, integrity- and sha256-checked) renders a chart the project writes itself
 * (test/data/render-chart, an app container and an exporter sidecar like Loki's gateway) through
 * `npm run render-charts`, the same command the job runs, and the policy pack judges every container
 * it installs: an exporter without requests and limits fails with exit 1, with them it passes.
 * The real charts are rendered only in CI (their repositories are not reachable here).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../../lib/offline/stack";
import { ensureHelm, HELM_PIN, helmCacheDir, unzipEntry } from "../../scripts/lib/helm-binary";
import { classify, helmTemplateArgs, main as renderMain, requirePinned } from "../../scripts/render-charts";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("render-charts-");
const CHART = path.join(REPO_ROOT, "test", "data", "render-chart");
const LIMITS = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/** A plan directory holding one release of the project's chart, as `npm run plan` writes releases. */
function planDir(values: Record<string, unknown>): string {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "fixture", "helm"), { recursive: true });
    fs.writeFileSync(path.join(dir, "fixture", "helm", "demo.yaml"), yaml.dump({ name: "demo", chart: CHART, namespace: "apps", values }));
    return dir;
}

/** `npm run render-charts -- <args>` as a user runs it (a child process). */
function renderChartsCli(args: string[]) {
    const r = spawnSync("npm", ["run", "-s", "render-charts", "--", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same command's main, in this process (faster). */
async function renderCharts(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await renderMain(args, (l) => out.push(l), (l) => err.push(l));
    return { code, out: out.join("\n") + "\n", err: err.join("\n") + "\n" };
}

describe("render-charts (the pull-request workflow's render job, on the project's own chart)", function () {
    this.timeout(180000);
    let helm: string;
    before(() => {
        helm = ensureHelm(helmCacheDir(REPO_ROOT));
    });

    it("the pinned helm is v3.18.0 and matches its sha256", () => {
        const r = spawnSync(helm, ["version", "--short"], { encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^v3\.18\.0\+g/);
        assert.match(HELM_PIN.integrity, /^sha512-/);
        assert.match(HELM_PIN.sha256, /^[0-9a-f]{64}$/);
    });

    it("a container without requests and limits in what the chart installs fails the check (exit 1), naming it", () => {
        const dir = planDir({ resources: LIMITS });
        const r = renderChartsCli(["fixture", "--plan-dir", dir]);
        assert.equal(r.code, 1, r.err);
        assert.match(r.out, /rendered fixture\/demo \(.*render-chart\): 1 objects/);
        assert.match(r.out, /\[mandatory\] container-resources: .*Deployment apps\/demo .*container exporter resources\.limits\.memory is not set/);
        assert.doesNotMatch(r.out, /container app /, "the app container has its limits");
        const rendered = fs.readFileSync(path.join(dir, "fixture", "rendered", "demo.yaml"), "utf8");
        assert.match(rendered, /name: exporter/);
    });

    it("with every container's requests and limits set, the check passes (exit 0)", async () => {
        const r = await renderCharts(["fixture", "--plan-dir", planDir({ resources: LIMITS, exporter: { resources: LIMITS } })]);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /fixture: 0 mandatory, 0 advisory violation\(s\) in what the charts install/);
    });

    it("a release is rendered at its pinned version from its repository, without helm test hooks; bad input exits 2 with one line", async () => {
        const args = helmTemplateArgs({ name: "loki", chart: "loki", version: "18.11.0", namespace: "observability", repositoryOpts: { repo: "https://grafana-community.github.io/helm-charts" } }, "/v.json", "/plan", { kubeVersion: "1.35.0", apiVersions: ["monitoring.coreos.com/v1"] });
        assert.deepEqual(args, ["template", "loki", "loki", "--repo", "https://grafana-community.github.io/helm-charts", "--version", "18.11.0", "--namespace", "observability", "--values", "/v.json", "--skip-tests", "--kube-version", "1.35.0", "--api-versions", "monitoring.coreos.com/v1"]);
        assert.throws(() => helmTemplateArgs({ name: "x", chart: "x", repositoryOpts: { repo: "https://example.org" } }, "/v", "/p", { apiVersions: [] }), /no pinned version/);
        const missing = await renderCharts(["nostack", "--plan-dir", tmp()]);
        assert.equal(missing.code, 2);
        assert.match(missing.err, /no releases; run npm run plan -- nostack first\n$/);
        const broken = planDir({ replicas: "{{ not yaml" });
        fs.writeFileSync(path.join(broken, "fixture", "helm", "demo.yaml"), yaml.dump({ name: "demo", chart: path.join(REPO_ROOT, "test", "data", "no-such-chart") }));
        const r = await renderCharts(["fixture", "--plan-dir", broken, "--helm", helm]);
        assert.equal(r.code, 2);
        assert.match(r.err, /^fixture\/demo\.yaml: helm template .* failed: /);
    });

    it("a chart image by tag is advisory while the stack's platformImages.requirePinned is false, mandatory once it is true", async () => {
        const dir = planDir({ resources: LIMITS, exporter: { resources: LIMITS, image: "registry.k8s.io/pause:3.10" } });
        const r = await renderCharts(["fixture", "--plan-dir", dir]);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /\[advisory\] image-digest-and-registry: .*container exporter image registry\.k8s\.io\/pause:3\.10 must be pinned by digest/);
        assert.match(r.out, /1 chart container image\(s\) by tag: advisory, because platform:supplyChain\.platformImages\.requirePinned is false; npm run images -- lock pins them/);
        const v = { resource: "r", type: "t", policy: "image-digest-and-registry", enforcementLevel: "mandatory", message: "container x image a:1 must be pinned by digest (@sha256:<64 hex>); a tag alone can move." };
        assert.equal(classify([v], true)[0].enforcementLevel, "mandatory");
        assert.equal(classify([{ ...v, message: "image a must come from an allowed registry" }], false)[0].enforcementLevel, "mandatory", "a registry finding stays mandatory");
        for (const stack of ["dev", "staging", "prod"]) assert.equal(await requirePinned(stack), false, `${stack} documents requirePinned: false`);
    });

    it("reads one entry of a zip archive (the layer that ships helm)", () => {
        // A stored (uncompressed) single-entry zip: local header, data, central directory, end record.
        const name = Buffer.from("helm/helm");
        const data = Buffer.from("#!/bin/sh\n");
        const local = Buffer.alloc(30);
        local.writeUInt32LE(0x04034b50, 0);
        local.writeUInt32LE(data.length, 18);
        local.writeUInt32LE(data.length, 22);
        local.writeUInt16LE(name.length, 26);
        const central = Buffer.alloc(46);
        central.writeUInt32LE(0x02014b50, 0);
        central.writeUInt32LE(data.length, 20);
        central.writeUInt32LE(data.length, 24);
        central.writeUInt16LE(name.length, 28);
        const centralAt = local.length + name.length + data.length;
        const end = Buffer.alloc(22);
        end.writeUInt32LE(0x06054b50, 0);
        end.writeUInt16LE(1, 10);
        end.writeUInt32LE(centralAt, 16);
        const zip = Buffer.concat([local, name, data, central, name, end]);
        assert.equal(unzipEntry(zip, "helm/helm").toString(), "#!/bin/sh\n");
        assert.throws(() => unzipEntry(zip, "kubectl/kubectl"), /zip has no entry kubectl\/kubectl/);
    });

    it("the pull-request workflow has a separate render job: plan of every stack, then render-charts of every stack", () => {
        const wf = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "pull-request.yml"), "utf8")) as { jobs: Record<string, { "runs-on": string; needs?: unknown; permissions: Record<string, string>; steps: { run?: string; uses?: string }[] }> };
        const job = wf.jobs["render-charts"];
        assert.ok(job, "jobs.render-charts");
        assert.equal(job["runs-on"], "ubuntu-latest");
        assert.deepEqual(job.permissions, { contents: "read" }, "no token beyond reading the repository");
        const runs = job.steps.flatMap((s) => (s.run ? [s.run] : []));
        assert.ok(runs.some((r) => /npm ci/.test(r)));
        assert.ok(runs.some((r) => /for stack in dev staging prod; do npm run -s plan -- "\$stack" --quiet; done/.test(r)));
        assert.ok(runs.some((r) => r.trim() === "npm run -s render-charts -- dev staging prod"));
        for (const s of job.steps) if (s.uses) assert.match(s.uses, /@[0-9a-f]{40}$/, `${s.uses}: actions pinned by commit`);
    });
});
