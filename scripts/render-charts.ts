/**
 * `npm run render-charts -- <stack>... [--plan-dir DIR] [--helm PATH]`: every object a Helm release
 * installs, judged by the policy pack before it reaches the cluster.
 *
 * For each stack it reads the releases the offline plan wrote (`<plan-dir>/<stack>/helm/*.yaml`:
 * chart, pinned version, repository, namespace and the exact values the program passes), renders
 * each with `helm template` (the pinned helm of scripts/lib/helm-binary.ts, or --helm), writes the
 * manifests to `<plan-dir>/<stack>/rendered/<release>.yaml`, and runs `npm run policy -- check` on
 * them with the stack's policy config. Chart images by tag count as advisory while the stack's
 * `platformImages.requirePinned` is false (the documented state until `npm run images -- lock`), as
 * mandatory once it is true. A chart given as a local path (no repository) is rendered from that
 * directory: the tests run this same path on a chart the project writes itself.
 *
 * Needs network for remote charts (the pull-request workflow's render job). Exit 0 when every
 * release rendered and no mandatory policy is violated, 1 on a mandatory violation, 2 on bad
 * arguments, a missing plan or a chart that does not render (one line each on stderr).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ensureHelm, helmCacheDir } from "./lib/helm-binary";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run render-charts -- <stack>... [--plan-dir DIR (default out)] [--config-dir DIR (default policies/config)] [--helm PATH]";

class UsageError extends Error {}
class HelpRequested extends Error {}

interface Options { stacks: string[]; planDir: string; configDir: string; helm?: string }

function parseArgs(argv: string[]): Options {
    const opts: Options = { stacks: [], planDir: path.join(ROOT, "out"), configDir: path.join(ROOT, "policies", "config") };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value; ${USAGE}`);
            return path.resolve(v);
        };
        if (a === "--plan-dir") opts.planDir = value();
        else if (a === "--config-dir") opts.configDir = value();
        else if (a === "--helm") opts.helm = value();
        else if (a === "--help" || a === "-h") throw new HelpRequested(USAGE);
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}; ${USAGE}`);
        else opts.stacks.push(a);
    }
    if (opts.stacks.length === 0) throw new UsageError(`no stack given; ${USAGE}`);
    return opts;
}

/** What the plan wrote for one release (the inputs of kubernetes:helm.sh/v3:Release). */
export interface ReleaseInputs {
    name: string;
    chart: string;
    version?: string;
    namespace?: string;
    repositoryOpts?: { repo?: string };
    values?: Record<string, unknown>;
}

/** The `helm template` arguments of a release: repository chart at its pinned version, or a local chart directory. */
export function helmTemplateArgs(r: ReleaseInputs, valuesFile: string, planDir: string, extra: { kubeVersion?: string; apiVersions: string[] }): string[] {
    const args = ["template", r.name];
    if (r.repositoryOpts?.repo) {
        if (!r.version) throw new Error(`release ${r.name}: chart ${r.chart} from ${r.repositoryOpts.repo} has no pinned version`);
        args.push(r.chart, "--repo", r.repositoryOpts.repo, "--version", r.version);
    } else {
        args.push(path.resolve(planDir, r.chart));
    }
    // helm.v3.Release never runs `helm test`: its test hooks are not installed, so they are not judged.
    args.push("--namespace", r.namespace ?? "default", "--values", valuesFile, "--skip-tests");
    if (extra.kubeVersion) args.push("--kube-version", extra.kubeVersion);
    for (const v of extra.apiVersions) args.push("--api-versions", v);
    return args;
}

/** The cluster's Kubernetes version and the API versions the stack installs (CRDs), so charts render what they render in the cluster. */
function clusterFacts(planJson: string): { kubeVersion?: string; apiVersions: string[] } {
    if (!fs.existsSync(planJson)) return { apiVersions: [] };
    const plan = JSON.parse(fs.readFileSync(planJson, "utf8")) as { resources: { type: string; inputs: Record<string, unknown> }[] };
    const cluster = plan.resources.find((r) => r.type === "aws:eks/cluster:Cluster");
    const apiVersions = new Set<string>();
    for (const r of plan.resources) if (r.type.startsWith("kubernetes:") && typeof r.inputs.apiVersion === "string" && r.inputs.apiVersion.includes("/")) apiVersions.add(r.inputs.apiVersion);
    // kube-prometheus-stack installs the Prometheus operator's CRDs; charts render their monitors only when the API exists.
    if (plan.resources.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack")) apiVersions.add("monitoring.coreos.com/v1");
    return { kubeVersion: typeof cluster?.inputs.version === "string" ? `${cluster.inputs.version}.0` : undefined, apiVersions: [...apiVersions].sort() };
}

/** Renders every release of one stack; returns the rendered files. */
export function renderStack(stack: string, planDir: string, helm: string, log: (line: string) => void): string[] {
    const dir = path.join(planDir, stack);
    const helmDir = path.join(dir, "helm");
    if (!fs.existsSync(helmDir)) throw new UsageError(`${path.relative(process.cwd(), helmDir) || helmDir}: no releases; run npm run plan -- ${stack} first`);
    const facts = clusterFacts(path.join(dir, "plan.json"));
    const outDir = path.join(dir, "rendered");
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const files: string[] = [];
    for (const f of fs.readdirSync(helmDir).filter((x) => x.endsWith(".yaml")).sort()) {
        const release = yaml.load(fs.readFileSync(path.join(helmDir, f), "utf8")) as ReleaseInputs;
        const valuesFile = path.join(outDir, `${path.basename(f, ".yaml")}.values.json`);
        fs.writeFileSync(valuesFile, JSON.stringify(release.values ?? {}));
        const r = spawnSync(helm, helmTemplateArgs(release, valuesFile, dir, facts), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        fs.rmSync(valuesFile);
        if (r.status !== 0) throw new UsageError(`${stack}/${f}: helm template ${release.chart} ${release.version ?? ""} failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`);
        const out = path.join(outDir, f);
        fs.writeFileSync(out, r.stdout);
        const objects = r.stdout.split(/^---\s*$/m).filter((d) => /^kind:/m.test(d)).length;
        log(`rendered ${stack}/${release.name} (${release.chart}${release.version ? ` ${release.version}` : ""}): ${objects} objects -> ${path.relative(process.cwd(), out)}`);
        files.push(out);
    }
    return files;
}

export interface Violation { resource: string; type: string; policy: string; enforcementLevel: string; message: string }

/** An image-by-tag finding of the pack (image-digest-and-registry's "must be pinned by digest"). */
const BY_TAG = (v: Violation) => v.policy === "image-digest-and-registry" && /must be pinned by digest/.test(v.message);

/** The pack's verdicts on rendered charts: an image by tag is advisory unless the stack requires pinned platform images. */
export function classify(violations: Violation[], requirePinned: boolean): Violation[] {
    return violations.map((v) => (BY_TAG(v) && !requirePinned ? { ...v, enforcementLevel: "advisory" } : v));
}

/**
 * `platform:supplyChain.platformImages.requirePinned` of the stack (false when the stack has no
 * Pulumi.<stack>.yaml here, e.g. the tests' fixture): chart images by tag are refused only when true.
 */
export async function requirePinned(stack: string): Promise<boolean> {
    if (!fs.existsSync(path.join(ROOT, `Pulumi.${stack}.yaml`))) return false;
    const { PROJECT, readStackConfig, withPlaceholderSecrets } = await import("../lib/offline/stack");
    const { parsePlatformConfig } = await import("../stacks/config");
    const values = readStackConfig(stack) as Record<string, any>;
    withPlaceholderSecrets(values);
    return parsePlatformConfig({ project: PROJECT, stack, values }).supplyChain.platformImages.requirePinned;
}

/** Renders and checks; `print` gets every output line, `warn` the progress and error lines. Returns the exit code. */
export async function main(argv: string[], print: (line: string) => void = console.log, warn: (line: string) => void = console.error): Promise<number> {
    try {
        const opts = parseArgs(argv);
        const helm = opts.helm ?? ensureHelm(helmCacheDir(ROOT), warn);
        // The check of `npm run policy -- check <files> --config policies/config/<stack>.json`, in this process.
        const policy = await import("./policy");
        let worst = 0;
        for (const stack of opts.stacks) {
            const files = renderStack(stack, opts.planDir, helm, print);
            if (files.length === 0) continue;
            const config = path.join(opts.configDir, `${stack}.json`);
            const check = await policy.main(["check", ...files, ...(fs.existsSync(config) ? ["--config", config] : []), "--format", "json"]);
            if (check.code === 2) {
                warn(check.stderr);
                return 2;
            }
            const pinned = await requirePinned(stack);
            // Chart images by tag are the platform's documented state until `npm run images -- lock`: refused only with requirePinned.
            const violations = classify(JSON.parse(check.stdout) as Violation[], pinned);
            const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
            print(`policy check of ${stack}'s rendered charts (npm run policy -- check${fs.existsSync(config) ? ` --config ${path.relative(ROOT, config)}` : ""}):`);
            for (const v of violations) print(`[${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`);
            const byTag = violations.filter(BY_TAG).length;
            if (byTag > 0) print(`${byTag} chart container image(s) by tag: ${pinned ? "refused (platformImages.requirePinned is true)" : "advisory, because platform:supplyChain.platformImages.requirePinned is false; npm run images -- lock pins them, and requirePinned: true then refuses any tag"}`);
            print(`${stack}: ${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s) in what the charts install`);
            worst = Math.max(worst, mandatory.length > 0 ? 1 : 0);
        }
        return worst;
    } catch (e) {
        if (e instanceof HelpRequested) {
            print(e.message);
            return 0;
        }
        warn(e instanceof UsageError ? e.message : `render-charts: ${(e as Error).message.split("\n")[0]}`);
        return 2;
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => (process.exitCode = code));
