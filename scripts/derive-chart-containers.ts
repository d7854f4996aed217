/**
 * Derives lib/charts/containers.json: for each pinned chart (and the subcharts it installs), every
 * values path that sets a container's `resources`, and every path whose `enabled` switch turns a
 * part of the chart on or off, with its default. Facts only (paths and booleans), from the chart's
 * default values.yaml. Source: a directory of `<chart>/{Chart.yaml,values.yaml}`, by default
 * ../shared/reference/helm-charts (developer machines); run `npm run -s derive:chart-containers [dir]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { CHARTS } from "../components/shared/helm";

/** Subcharts installed by a chart, under the values key that configures them. */
const SUBCHARTS: Record<string, Record<string, string>> = {
    "kube-prometheus-stack": { "kube-state-metrics": "kube-state-metrics", "prometheus-node-exporter": "prometheus-node-exporter" },
};

function walk(v: unknown, at: string[], out: { resources: string[]; switches: Record<string, boolean> }): void {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = [...at, k];
        if (k === "resources" && x !== null && typeof x === "object" && !Array.isArray(x)) out.resources.push(p.join("."));
        else if (k === "enabled" && typeof x === "boolean") out.switches[at.join(".")] = x;
        else walk(x, p, out);
    }
}

function main(): void {
    const dir = process.argv[2] ?? path.join(__dirname, "..", "..", "shared", "reference", "helm-charts");
    const facts: Record<string, { version: string; resources: string[]; switches: Record<string, boolean> }> = {};
    for (const pin of Object.values(CHARTS)) {
        const chartDir = path.join(dir, pin.chart);
        if (!fs.existsSync(chartDir)) throw new Error(`no ${chartDir}: pass the directory holding the charts' default values`);
        const chartYaml = yaml.load(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as { version: string };
        if (chartYaml.version !== pin.version) throw new Error(`${pin.chart}: have ${chartYaml.version}, pinned ${pin.version}`);
        const out = { resources: [] as string[], switches: {} as Record<string, boolean> };
        walk(yaml.load(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")), [], out);
        for (const [sub, key] of Object.entries(SUBCHARTS[pin.chart] ?? {})) {
            const subOut = { resources: [] as string[], switches: {} as Record<string, boolean> };
            walk(yaml.load(fs.readFileSync(path.join(dir, sub, "values.yaml"), "utf8")), [key], subOut);
            out.resources.push(...subOut.resources);
            Object.assign(out.switches, Object.fromEntries(Object.entries(subOut.switches).filter(([k]) => !(k in out.switches))));
        }
        facts[pin.chart] = { version: pin.version, resources: [...new Set(out.resources)].sort(), switches: out.switches };
    }
    const file = path.join(__dirname, "..", "lib", "charts", "containers.json");
    fs.writeFileSync(file, JSON.stringify({ source: "each pinned chart's default values.yaml", charts: facts }, null, 1) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), file)}: ${Object.values(facts).reduce((n, c) => n + c.resources.length, 0)} container resource paths in ${Object.keys(facts).length} charts`);
}

main();
