/**
 * Derives lib/charts/containers.json: for each pinned chart (and the subcharts it installs), every
 * values path that sets a container's `resources`, every path whose `enabled` switch turns a
 * part of the chart on or off, with its default, and the default (pod/container) security contexts. Facts only (paths and booleans), from the chart's
 * default values.yaml. Source: a directory of `<chart>/{Chart.yaml,values.yaml}`, by default
 * ../shared/reference/helm-charts (developer machines); run `npm run -s derive:chart-containers [dir]`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { CHARTS } from "../components/shared/helm";

/** Containers whose template reads a `resources` key the default values omit (checked in the chart's templates). */
const EXTRA_CONTAINERS: Record<string, string[]> = {
    jaeger: ["jaeger.resources"],
};

/** Subcharts installed by a chart, under the values key that configures them. */
const SUBCHARTS: Record<string, Record<string, string>> = {
    "kube-prometheus-stack": { "kube-state-metrics": "kube-state-metrics", "prometheus-node-exporter": "prometheus-node-exporter" },
};

interface Out { resources: string[]; switches: Record<string, boolean>; securityContexts: Record<string, unknown> }

function walk(v: unknown, at: string[], out: Out): void {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = [...at, k];
        if (/^(securityContext|containerSecurityContext|podSecurityContext)$/.test(k) && x !== null && typeof x === "object" && !Array.isArray(x)) out.securityContexts[p.join(".")] = x;
        else if (k === "resources" && x !== null && typeof x === "object" && !Array.isArray(x)) out.resources.push(p.join("."));
        else if (k === "enabled" && typeof x === "boolean") out.switches[at.join(".")] = x;
        else walk(x, p, out);
    }
}

function main(): void {
    const dir = process.argv[2] ?? path.join(__dirname, "..", "..", "shared", "reference", "helm-charts");
    const facts: Record<string, { version: string } & Out> = {};
    for (const pin of Object.values(CHARTS)) {
        const chartDir = path.join(dir, pin.chart);
        if (!fs.existsSync(chartDir)) throw new Error(`no ${chartDir}: pass the directory holding the charts' default values`);
        const chartYaml = yaml.load(fs.readFileSync(path.join(chartDir, "Chart.yaml"), "utf8")) as { version: string };
        if (chartYaml.version !== pin.version) throw new Error(`${pin.chart}: have ${chartYaml.version}, pinned ${pin.version}`);
        const out: Out = { resources: [], switches: {}, securityContexts: {} };
        walk(yaml.load(fs.readFileSync(path.join(chartDir, "values.yaml"), "utf8")), [], out);
        for (const [sub, key] of Object.entries(SUBCHARTS[pin.chart] ?? {})) {
            const subOut: Out = { resources: [], switches: {}, securityContexts: {} };
            walk(yaml.load(fs.readFileSync(path.join(dir, sub, "values.yaml"), "utf8")), [key], subOut);
            out.resources.push(...subOut.resources);
            Object.assign(out.securityContexts, subOut.securityContexts);
            Object.assign(out.switches, Object.fromEntries(Object.entries(subOut.switches).filter(([k]) => !(k in out.switches))));
        }
        facts[pin.chart] = { version: pin.version, resources: [...new Set([...out.resources, ...(EXTRA_CONTAINERS[pin.chart] ?? [])])].sort(), switches: out.switches, securityContexts: out.securityContexts };
    }
    const file = path.join(__dirname, "..", "lib", "charts", "containers.json");
    fs.writeFileSync(file, JSON.stringify({ source: "each pinned chart's default values.yaml", charts: facts }, null, 1) + "\n");
    console.log(`wrote ${path.relative(process.cwd(), file)}: ${Object.values(facts).reduce((n, c) => n + c.resources.length, 0)} container resource paths in ${Object.keys(facts).length} charts`);
}

main();
