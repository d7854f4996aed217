/**
 * `npm run derive -- <what> [options]`: makes the project's data derived from upstream files (facts
 * only: keys, types, schemas without prose), test data under test/data/ and the chart container facts
 * the product reads (lib/charts/containers.json), or from scratch (cosign vectors).
 *
 *   npm run derive -- charts --reference ../shared/reference   every pinned chart and its subcharts
 *   npm run derive -- charts --chart ./loki                    one chart directory (helm pull <chart> --version <v> --untar)
 *   npm run derive -- crds --reference ../shared/reference     every CRD under <reference>/crds
 *   npm run derive -- crds --crd file.yaml --version v1.9.0    one CRD file of that release
 *   npm run derive -- cosign                                   new cosign/Sigstore test vectors (node:crypto)
 *   npm run derive -- containers --reference ../shared/reference   lib/charts/containers.json, every pinned chart
 *   npm run derive -- containers --chart ./loki                update one pinned chart's entry (at its pinned version)
 *   npm run derive -- replacements                             lib/aws/cfn-replacements.json (CloudFormation schemas, npm registry)
 *   npm run derive -- all --reference ../shared/reference      all of the above but replacements and metrics
 *   npm run derive -- metrics --mirrors DIR                    test/data/metrics/exporters.json from git mirrors (<owner>+<name>/repo)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS } from "../../components/shared/helm";
import { deriveChart } from "./charts";
import { generateCosignVectors } from "./cosign";
import { ABOUT, ChartContainers, ContainersFile, deriveContainers } from "./containers";
import { deriveCrds } from "./crds";
import { deriveMetrics } from "./metrics";
import { gitBlobId, writeJson } from "./provenance";
import { deriveReplacements } from "./replacements";

const ROOT = path.resolve(__dirname, "..", "..");
export const DATA = path.join(ROOT, "test", "data");
/** Where `containers` writes containers.json: read at run time, so under lib/, not test/. */
export const LIB_CHARTS = path.join(ROOT, "lib", "charts");
const TARGETS = ["charts", "crds", "cosign", "containers", "replacements", "all", "metrics"];
const USAGE = "usage: npm run derive -- charts|crds|cosign|containers|replacements|all [--reference DIR] [--chart DIR]... [--crd FILE --version V]... [--out DIR (default test/data, lib/charts for containers)]\n       npm run derive -- metrics --mirrors DIR";

class UsageError extends Error {}

interface Args { what: string; reference?: string; charts: string[]; crds: string[]; version?: string; out?: string; mirrors?: string }

function parseArgs(argv: string[]): Args {
    const args: Args = { what: "", charts: [], crds: [] };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
            return v;
        };
        if (a === "--reference") args.reference = path.resolve(value());
        else if (a === "--chart") args.charts.push(path.resolve(value()));
        else if (a === "--crd") args.crds.push(path.resolve(value()));
        else if (a === "--version") args.version = value();
        else if (a === "--out") args.out = path.resolve(value());
        else if (a === "--mirrors") args.mirrors = path.resolve(value());
        else if (a === "--help" || a === "-h") throw new UsageError("");
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
        else if (!args.what) args.what = a;
        else throw new UsageError(`unexpected argument ${a}`);
    }
    if (!TARGETS.includes(args.what)) throw new UsageError(args.what ? `unknown target ${args.what}` : "which data? charts, crds, cosign, containers, replacements or all");
    if (args.reference && !fs.existsSync(args.reference)) throw new UsageError(`--reference ${args.reference}: no such directory`);
    if (args.crds.length && !args.version) throw new UsageError("--crd needs --version (the release the CRD belongs to)");
    return args;
}

const rel = (p: string) => path.relative(ROOT, p);
/** The command recorded in each derived file (paths as the user gave them relative to the repository). */
const command = (what: string, flag: string, p: string) => `npm run derive -- ${what} ${flag} ${path.relative(ROOT, p) || "."}`;

function charts(args: Args): string[] {
    const dirs = [...args.charts];
    if (args.reference) {
        // The pinned charts and the subcharts they depend on that the reference has.
        const root = path.join(args.reference, "helm-charts");
        const pinned: string[] = Object.values(CHARTS).map((c) => c.chart);
        for (const name of pinned) {
            const dir = path.join(root, name);
            if (!fs.existsSync(dir)) throw new Error(`${dir}: the reference has no chart ${name}`);
            dirs.push(dir);
        }
        for (const name of fs.readdirSync(root)) if (!pinned.includes(name) && pinned.some((p) => dependsOn(path.join(root, p), name))) dirs.push(path.join(root, name));
    }
    if (dirs.length === 0) throw new UsageError("charts: give --reference DIR or --chart DIR");
    const written: string[] = [];
    for (const dir of dirs) {
        const regenerate = args.reference && dir.startsWith(args.reference) ? command("charts", "--reference", args.reference) : command("charts", "--chart", dir);
        const { index, schema } = deriveChart(dir, regenerate, args.reference && dir.startsWith(args.reference) ? args.reference : undefined);
        const pin = Object.values(CHARTS).find((c) => c.chart === index.chart.name);
        if (pin && pin.version !== index.chart.version) console.warn(`note: ${index.chart.name} ${index.chart.version} is not the pinned ${pin.version} (components/shared/helm.ts)`);
        const base = path.join(args.out ?? DATA, "charts", `${index.chart.name}-${index.chart.version}`);
        writeJson(`${base}.values.json`, index);
        written.push(`${base}.values.json`);
        if (schema) {
            writeJson(`${base}.schema.json`, schema);
            written.push(`${base}.schema.json`);
        }
    }
    return written;
}

function dependsOn(chartDir: string, name: string): boolean {
    const file = path.join(chartDir, "Chart.yaml");
    return fs.existsSync(file) && new RegExp(`^\\s*-?\\s*name:\\s*["']?${name}["']?\\s*$`, "m").test(fs.readFileSync(file, "utf8"));
}

function crds(args: Args): string[] {
    const files: { file: string; reference?: string; version?: string }[] = args.crds.map((file) => ({ file, version: args.version }));
    if (args.reference) {
        const root = path.join(args.reference, "crds");
        for (const dir of fs.readdirSync(root)) for (const f of fs.readdirSync(path.join(root, dir)).filter((x) => /\.ya?ml$/.test(x))) files.push({ file: path.join(root, dir, f), reference: args.reference });
    }
    if (files.length === 0) throw new UsageError("crds: give --reference DIR or --crd FILE --version V");
    const written: string[] = [];
    for (const f of files) {
        const regenerate = f.reference ? command("crds", "--reference", f.reference) : `${command("crds", "--crd", f.file)} --version ${f.version}`;
        for (const crd of deriveCrds(f.file, regenerate, { referenceDir: f.reference, version: f.version })) {
            const out = path.join(args.out ?? DATA, "crds", `${crd.plural}.${crd.group}.json`);
            writeJson(out, crd);
            written.push(out);
        }
    }
    return written;
}

function cosign(args: Args): string[] {
    const vectors = generateCosignVectors("npm run derive -- cosign");
    vectors.source.blob = gitBlobId(fs.readFileSync(path.join(__dirname, "cosign.ts")));
    const out = path.join(args.out ?? DATA, "cosign", "vectors.json");
    writeJson(out, vectors);
    return [out];
}

/**
 * lib/charts/containers.json. With --reference every pinned chart (the file is rewritten); with
 * --chart the entries of those charts, the others kept. Each chart must be at its pinned version.
 */
function containers(args: Args): string[] {
    if (!args.reference && args.charts.length === 0) throw new UsageError("containers: give --reference DIR or --chart DIR");
    const file = path.join(args.out ?? LIB_CHARTS, "containers.json");
    const pinned = Object.values(CHARTS);
    const derived = new Map<string, ChartContainers>();
    const add = (dir: string, regenerate: string, referenceDir?: string) => {
        const { name, facts } = deriveContainers(dir, regenerate, referenceDir);
        const pin = pinned.find((c) => c.chart === name);
        if (!pin && args.what === "all") return; // `all --chart <subchart>`: its facts belong to the parent's entry
        if (!pin) throw new Error(`${dir}: ${name} is not a chart the platform pins (components/shared/helm.ts)`);
        if (pin.version !== facts.version) throw new Error(`${dir}: ${name} ${facts.version} is not the pinned ${pin.version} (components/shared/helm.ts)`);
        derived.set(name, facts);
    };
    if (args.reference) {
        for (const pin of pinned) {
            const dir = path.join(args.reference, "helm-charts", pin.chart);
            if (!fs.existsSync(dir)) throw new Error(`${dir}: the reference has no chart ${pin.chart}`);
            add(dir, command("containers", "--reference", args.reference), args.reference);
        }
    }
    for (const dir of args.charts) add(dir, command("containers", "--chart", dir));
    // --chart alone updates those entries of the existing file; every pinned chart must end up with one.
    const existing: Partial<ContainersFile> = !args.reference && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : {};
    const charts: Record<string, ChartContainers> = {};
    for (const pin of pinned) {
        const facts = derived.get(pin.chart) ?? existing.charts?.[pin.chart];
        if (!facts) throw new Error(`${path.relative(ROOT, file)} has no entry for ${pin.chart}: give its directory with --chart or --reference`);
        if (facts.version !== pin.version) console.warn(`note: ${pin.chart} is pinned at ${pin.version}, its entry is for ${facts.version}: derive it again with --chart`);
        charts[pin.chart] = facts;
    }
    writeJson(file, { about: ABOUT, charts } satisfies ContainersFile);
    return [file];
}

export function main(argv: string[]): number {
    try {
        const args = parseArgs(argv);
        const written: string[] = [];
        if (args.what === "charts" || args.what === "all") written.push(...charts(args));
        if (args.what === "crds" || args.what === "all") written.push(...crds(args));
        if (args.what === "cosign" || args.what === "all") written.push(...cosign(args));
        if (args.what === "containers" || args.what === "all") written.push(...containers(args));
        if (args.what === "replacements") {
            const { file, data } = deriveReplacements();
            writeJson(file, data);
            written.push(file);
        }
        if (args.what === "metrics") {
            if (!args.mirrors) throw new UsageError("metrics: give --mirrors DIR (bare git mirrors as <owner>+<name>/repo)");
            const out = path.join(args.out ?? DATA, "metrics", "exporters.json");
            writeJson(out, deriveMetrics(args.mirrors, "npm run derive -- metrics --mirrors <dir of git mirrors>"));
            written.push(out);
        }
        for (const f of written) console.log(`wrote ${rel(f)} (${fs.statSync(f).size} bytes)`);
        return 0;
    } catch (e) {
        if (e instanceof UsageError) {
            if (!e.message) {
                console.log(USAGE);
                return 0;
            }
            console.error(`${e.message}\n${USAGE}`);
            return 2;
        }
        console.error(`derive: ${(e as Error).message}`);
        return 1;
    }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
