/**
 * Every platform chart image, pinned from a complete lock, renders to a valid reference carrying
 * its digest, in the chart's own template format (test/data/image-templates.json, read from
 * each chart's templates at its pinned version), with the values the program passes to each
 * release in every stack. A digest written in the wrong form for a chart (a bare hex where the
 * chart prints the value after `@`, or `sha256:` where the chart adds it) fails here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { builtStack } from "../../lib/offline/stack";
import { ImageLock, withPinnedImages } from "../../components/shared/image-lock";
import { CHART_IMAGES, ChartImage, splitRef } from "../../components/shared/platform-images";
import { CHARTS } from "../../components/shared/helm";
import { parseImage } from "../../policies/supply-chain/images";
import { imageBlock } from "../harness/reference";

interface Form { when?: "sha" | "digest"; render?: string; fail?: string }
interface TemplateFact { chart: string; path: string; source: string; forms: Form[] }
const FACTS = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "image-templates.json"), "utf8")).images as TemplateFact[];

const REFS = [...new Set(CHART_IMAGES.map((i) => i.ref))].sort();
const digestOf = (ref: string) => `sha256:${Buffer.from(`digest of ${ref}`).toString("hex").padEnd(64, "0").slice(0, 64)}`;
const fullLock = (): ImageLock => ({ version: 1, images: Object.fromEntries(REFS.map((r) => [r, { digest: digestOf(r) }])) });

const get = (values: unknown, dotted: string): unknown => dotted.split(".").reduce<any>((n, k) => (n && typeof n === "object" ? n[k] : undefined), values);
const SUBCHARTS = new Set(["kube-state-metrics", "prometheus-node-exporter"]);

/** The chart's default image block (its own values, or its subchart's). */
function defaults(image: ChartImage): Record<string, string> {
    const [head, ...rest] = image.path.split(".");
    const found = SUBCHARTS.has(head) ? imageBlock(head, rest.join(".")) : imageBlock(CHARTS[image.chart].chart, image.path);
    return found?.defaults ?? {};
}

/** What the chart template prints for this block, or throws what the chart's `fail` says. */
export function renderImage(fact: TemplateFact, block: Record<string, unknown>, chartDefaults: Record<string, string>, defaultTag: string): string {
    const set = (k: string) => typeof block[k] === "string" && block[k] !== "";
    const form = fact.forms.find((f) => f.when === undefined || set(f.when));
    if (!form) throw new Error(`${fact.chart} ${fact.path}: no template form applies`);
    if (form.fail) throw new Error(`${fact.chart} ${fact.path}: the chart fails: ${form.fail}`);
    const value = (k: string) => String(block[k] ?? chartDefaults[k] ?? "");
    const registry = String(block.registry || chartDefaults.registry || chartDefaults.defaultRegistry || "");
    return form.render!
        .replace("{registry}/", registry ? `${registry}/` : "")
        .replace("{repository}", value("repository"))
        .replace("{tag}", String(block.tag || chartDefaults.tag || defaultTag))
        .replace("{sha}", value("sha"))
        .replace("{digest}", value("digest"));
}

describe("chart images render to valid digest references in each chart's own format", function () {
    this.timeout(60000);
    it("the template facts cover exactly the chart images of the inventory", () => {
        assert.deepEqual(FACTS.map((f) => `${f.chart} ${f.path}`).sort(), CHART_IMAGES.map((i) => `${i.chart} ${i.path}`).sort());
    });

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: with a complete lock, every chart image renders as <registry>/<repository>[:tag]@<its digest>`, async () => {
            // The values each release gets (the committed lock pins nothing), merged with a complete lock as helmRelease() merges it.
            const built = await builtStack(stack);
            const releases = built.ofType("kubernetes:helm.sh/v3:Release");
            const problems: string[] = [];
            for (const image of CHART_IMAGES) {
                const release = releases.find((r) => r.inputs.chart === CHARTS[image.chart].chart);
                if (!release) continue; // the stack does not install this chart
                const values = withPinnedImages(image.chart, release.inputs.values as Record<string, unknown>, fullLock());
                if (image.enabledBy && get(values, image.enabledBy) !== true) continue;
                const fact = FACTS.find((f) => f.chart === image.chart && f.path === image.path)!;
                const block = (get(values, image.path) ?? {}) as Record<string, unknown>;
                let rendered: string;
                try {
                    rendered = renderImage(fact, block, defaults(image), splitRef(image.ref).tag);
                } catch (e) {
                    problems.push((e as Error).message);
                    continue;
                }
                const parsed = parseImage(rendered);
                const want = parseImage(image.ref)!;
                if (!parsed) problems.push(`${image.chart} ${image.path}: renders ${rendered}, not a valid image reference (${fact.source})`);
                else if (parsed.digest !== digestOf(image.ref)) problems.push(`${image.chart} ${image.path}: renders ${rendered} without the locked digest`);
                else if (`${parsed.registry}/${parsed.repository}` !== `${want.registry}/${want.repository}`) problems.push(`${image.chart} ${image.path}: renders ${rendered}, another repository than ${image.ref}`);
                else if (parsed.tag !== undefined && parsed.tag !== want.tag) problems.push(`${image.chart} ${image.path}: renders tag ${parsed.tag}, not ${want.tag}`);
            }
            assert.deepEqual(problems, []);
        });
    }

    it("the renderer reads the facts as the charts do: kube-state-metrics prints its sha after '@', node-exporter refuses sha", () => {
        const ksm = FACTS.find((f) => f.path === "kube-state-metrics.image")!;
        const hex = "b".repeat(64);
        assert.equal(parseImage(renderImage(ksm, { sha: hex }, { registry: "registry.k8s.io", repository: "kube-state-metrics/kube-state-metrics" }, "v2.20.0")), undefined, "bare hex is an invalid reference");
        assert.equal(parseImage(renderImage(ksm, { sha: `sha256:${hex}` }, { registry: "registry.k8s.io", repository: "kube-state-metrics/kube-state-metrics" }, "v2.20.0"))?.digest, `sha256:${hex}`);
        const ne = FACTS.find((f) => f.path === "prometheus-node-exporter.image")!;
        assert.throws(() => renderImage(ne, { sha: hex }, {}, "v1"), /image\.sha forbidden/);
    });
});
