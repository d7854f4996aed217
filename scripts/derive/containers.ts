/**
 * The containers of a pinned chart (lib/charts/containers.json): every values path that sets a
 * container's `resources`, every path whose `enabled` switch turns a part of the chart on or off
 * (with its default), and the default pod/container security contexts. Facts only (paths, booleans
 * and security-context settings), from the chart's default values.yaml and those of the subcharts
 * it installs, with the source of each input file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChartFiles, readChart } from "./charts";
import { Source } from "./provenance";

/** Containers whose template reads a `resources` key the default values omit (checked in the chart's templates). */
const EXTRA_CONTAINERS: Record<string, string[]> = {
    jaeger: ["jaeger.resources"],
};

/** Subcharts installed by a chart, under the values key that configures them. */
const SUBCHARTS: Record<string, Record<string, string>> = {
    "kube-prometheus-stack": { "kube-state-metrics": "kube-state-metrics", "prometheus-node-exporter": "prometheus-node-exporter" },
};

export interface ChartContainers {
    version: string;
    source: { chart: Source; values: Source };
    /** The subcharts whose containers are listed under their values key, with their version and source. */
    subcharts?: Record<string, { version: string; source: { chart: Source; values: Source } }>;
    /** Values paths of every container's resources block (`resources` or `<x>Resources`; subchart paths under the subchart's key). */
    resources: string[];
    /** The chart's default requests/limits of the blocks that have any, by path. */
    resourceDefaults: Record<string, unknown>;
    /** `enabled` switches by the path they turn on or off, with the chart's default. */
    switches: Record<string, boolean>;
    /** Default `securityContext` / `containerSecurityContext` / `podSecurityContext` blocks by path. */
    securityContexts: Record<string, unknown>;
}

/** The whole file: what it holds, and the facts per pinned chart. */
export interface ContainersFile {
    about: string;
    charts: Record<string, ChartContainers>;
}

export const ABOUT = "container facts of each pinned chart's default values.yaml (and its subcharts'): resources paths and their defaults, enabled switches, security contexts; each chart names its source files";

interface Facts { resources: string[]; resourceDefaults: Record<string, unknown>; switches: Record<string, boolean>; securityContexts: Record<string, unknown> }

/**
 * A container's resources block: `resources`, or a key ending in `Resources` (velero's
 * `upgradeJobResources`, kyverno's `crds.migration.podResources`) whose map holds only requests,
 * limits or claims (or is empty). Keys such as `controlledResources` (a list) or
 * `excludeBootstrapResources` (a switch) are not containers.
 */
function isResourcesBlock(key: string, value: Record<string, unknown>): boolean {
    if (key === "resources") return true;
    return /[a-z]Resources$/.test(key) && Object.keys(value).every((k) => k === "requests" || k === "limits" || k === "claims");
}

/** Label and annotation maps hold names, never containers: not walked (`additionalRuleGroupLabels.kubernetesResources: {}` is a label map). */
const LABEL_MAP = /(^|[a-z])(labels|annotations|Labels|Annotations)$/;

function walk(v: unknown, at: string[], out: Facts): void {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = [...at, k];
        const isMap = x !== null && typeof x === "object" && !Array.isArray(x);
        if (/^(securityContext|containerSecurityContext|podSecurityContext)$/.test(k) && isMap) out.securityContexts[p.join(".")] = x;
        else if (isMap && isResourcesBlock(k, x as Record<string, unknown>)) {
            out.resources.push(p.join("."));
            // The chart's own requests/limits, when it sets any: a container the values leave alone still gets them.
            const block = x as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
            if (Object.keys(block.requests ?? {}).length > 0 || Object.keys(block.limits ?? {}).length > 0) out.resourceDefaults[p.join(".")] = block;
        } else if (LABEL_MAP.test(k)) continue;
        else if (k === "enabled" && typeof x === "boolean") out.switches[at.join(".")] = x;
        else walk(x, p, out);
    }
}

/**
 * A subchart's directory: under the chart (`charts/<name>`, as `helm pull --untar` lays it out) or
 * beside it (a reference directory holding each chart once).
 */
function subchartDir(chartDir: string, name: string): string {
    const candidates = [path.join(chartDir, "charts", name), path.join(path.dirname(chartDir), name)];
    const dir = candidates.find((d) => fs.existsSync(path.join(d, "values.yaml")));
    if (!dir) throw new Error(`${chartDir}: subchart ${name} not found in ${candidates.join(" or ")}`);
    return dir;
}

/** Derives the container facts of the chart directory `dir` (and the subcharts it installs). */
export function deriveContainers(dir: string, regenerate: string, referenceDir?: string): { name: string; facts: ChartContainers } {
    const read = (d: string) => readChart(d, regenerate, referenceDir && d.startsWith(referenceDir) ? referenceDir : undefined);
    const main: ChartFiles = read(dir);
    const name = main.chart.name;
    const out: Facts = { resources: [], resourceDefaults: {}, switches: {}, securityContexts: {} };
    walk(main.defaults, [], out);
    const subcharts: NonNullable<ChartContainers["subcharts"]> = {};
    for (const [sub, key] of Object.entries(SUBCHARTS[name] ?? {})) {
        const files = read(subchartDir(dir, sub));
        const wanted = main.chart.dependencies?.find((d) => d.name === sub)?.version;
        if (wanted && /^\d+\.\d+\.\d+$/.test(wanted) && wanted !== files.chart.version) throw new Error(`${name} ${main.chart.version} depends on ${sub} ${wanted}, the directory has ${files.chart.version}`);
        const subOut: Facts = { resources: [], resourceDefaults: {}, switches: {}, securityContexts: {} };
        walk(files.defaults, [key], subOut);
        out.resources.push(...subOut.resources);
        Object.assign(out.resourceDefaults, subOut.resourceDefaults);
        Object.assign(out.securityContexts, subOut.securityContexts);
        Object.assign(out.switches, Object.fromEntries(Object.entries(subOut.switches).filter(([k]) => !(k in out.switches))));
        subcharts[sub] = { version: files.chart.version, source: { chart: files.src("Chart.yaml"), values: files.src("values.yaml") } };
    }
    const facts: ChartContainers = {
        version: main.chart.version,
        source: { chart: main.src("Chart.yaml"), values: main.src("values.yaml") },
        ...(Object.keys(subcharts).length > 0 ? { subcharts } : {}),
        resources: [...new Set([...out.resources, ...(EXTRA_CONTAINERS[name] ?? [])])].sort(),
        resourceDefaults: out.resourceDefaults,
        switches: out.switches,
        securityContexts: out.securityContexts,
    };
    return { name, facts };
}
