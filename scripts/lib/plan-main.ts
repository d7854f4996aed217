/**
 * The offline plan: `npm run plan -- <stack> [--diff old.json] [--out dir] [--quiet]`.
 *
 * Builds the stack under the Pulumi mocks from its own Pulumi.<stack>.yaml, runs the policy pack
 * over every resource, prints a preview-like tree and counts by type, and writes
 * out/<stack>/plan.json (inputs with secrets masked) and out/<stack>/manifests.yaml.
 * With --diff the baseline file is never overwritten (see planFile).
 * Exit codes: 0 ok, 1 mandatory policy violation or a change AWS refuses, 2 invalid config, bad arguments or input, or
 * program error (one line; PLATFORM_DEBUG=1 adds the stack trace of a program error).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../stacks/config";
import { buildStack, readStackConfig, REPO_ROOT, stackConfigs, STACKS, UnknownStackError } from "../../lib/offline/stack";
import { accountReport } from "../../lib/aws/account";
import { evaluatePackAsync, PolicyConfigError } from "../../policies/evaluate";
import { packConfigFile, packConfigText, readPackConfigFile } from "./pack-config";
import { toPolicyResource } from "../../policies/lib/resources";
import { renderCounts, renderDiff, renderDrReport, renderTree } from "./render";
import { diffSnapshots, Snapshot, stackSnapshot } from "./snapshot";
import { platformImageReport, renderImageReport } from "./image-report";
import { ProjectError } from "../../lib/offline/project";
import { PlanInputError, planProject } from "./plan-project";

const USAGE = "usage: npm run plan -- <stack> [--diff <old plan.json>] [--out <dir>] [--quiet] [--project <dir> [--platform-plan <plan.json>]] (npm run plan -- --help)";

const HELP = `Offline plan: builds a stack from its Pulumi.<stack>.yaml under the Pulumi SDK mocks (no cloud
account, no Pulumi CLI), runs the policy pack over every resource and prints a preview-like tree.

usage: npm run plan -- <stack> [--diff <old plan.json>] [--out <dir>] [--quiet]
       npm run plan -- --project <dir> <stack> [--platform-plan <plan.json>] [--diff ...] [--out ...] [--quiet]

  <stack>          dev, staging, prod, or any stack with a Pulumi.<stack>.yaml
  --project <dir>  plan another Pulumi project of this repository instead, e.g. examples/service:
                   its StackReference to the platform reads the outputs of the platform stack's
                   offline plan (out/<platform stack>/plan.json: run npm run plan -- <platform stack>
                   first), and the pack judges it with that platform stack's policy config
  --platform-plan <file>  the platform plan.json the project's StackReference reads instead
  --diff <file>    compare with an earlier plan.json: resources added, removed, changed (old => new
                   values) and replaced; the file is never overwritten (when it is <out>/plan.json
                   the new plan goes to <out>/plan.new.json)
  --out <dir>      where to write plan.json, manifests.yaml and helm/ (default out/<stack>, or
                   out/<project dir name>-<stack> with --project)
  --quiet          print only the resource count, the diff and the policy verdicts
  --help, -h       this text

exit codes: 0 ok, 1 a mandatory policy is violated or the diff holds a change AWS refuses,
            2 invalid config, bad arguments or input`;

class UsageError extends Error {}
class HelpRequested extends Error {}

interface Options {
    stack: string;
    diff?: string;
    out: string;
    quiet: boolean;
    /** Directory of another Pulumi project to plan (--project). */
    project?: string;
    platformPlan?: string;
}

function parseArgs(argv: string[]): Options {
    const opts: Partial<Options> = { quiet: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--help" || a === "-h") throw new HelpRequested();
        if (a === "--diff" || a === "--out" || a === "--project" || a === "--platform-plan") {
            const v = argv[++i];
            if (!v || v.startsWith("-")) throw new UsageError(`${a} needs a value; ${USAGE}`);
            if (a === "--diff") opts.diff = v;
            else if (a === "--out") opts.out = v;
            else if (a === "--project") opts.project = v;
            else opts.platformPlan = v;
        } else if (a === "--quiet") opts.quiet = true;
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}; ${USAGE}`);
        else if (!opts.stack) opts.stack = a;
        else throw new UsageError(`unexpected argument ${a}; ${USAGE}`);
    }
    if (!opts.stack) throw new UsageError(`no stack given; ${USAGE}`);
    if (opts.platformPlan && !opts.project) throw new UsageError(`--platform-plan needs --project; ${USAGE}`);
    const outName = opts.project ? `${path.basename(path.resolve(opts.project))}-${opts.stack}` : opts.stack;
    return { stack: opts.stack, diff: opts.diff, quiet: opts.quiet!, out: opts.out ?? path.join(REPO_ROOT, "out", outName), project: opts.project, platformPlan: opts.platformPlan };
}

/** Reads the --diff file and checks it is a plan snapshot (written by an earlier `npm run plan`). */
export function readSnapshot(file: string): Snapshot {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`--diff ${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let data: unknown;
    try {
        data = JSON.parse(text);
    } catch (e) {
        throw new UsageError(`--diff ${file}: not valid JSON (${(e as Error).message})`);
    }
    const snap = data as Partial<Snapshot>;
    const valid = !!snap && typeof snap === "object" && typeof snap.stack === "string" && Array.isArray(snap.resources)
        && snap.resources.every((r) => !!r && typeof r === "object" && typeof r.key === "string" && typeof r.type === "string" && typeof r.name === "string");
    if (!valid) throw new UsageError(`--diff ${file}: not a plan snapshot (expected the plan.json an earlier npm run plan wrote: {stack, environment, resources: [{key, type, name, inputs}]})`);
    return snap as Snapshot;
}

/** Where the new plan.json goes: `<out>/plan.json`, or `<out>/plan.new.json` when that is the --diff baseline (never overwritten). */
export function planFile(out: string, diff?: string): string {
    const file = path.join(out, "plan.json");
    if (!diff) return file;
    const real = (p: string) => {
        try {
            return fs.realpathSync(p);
        } catch {
            return path.resolve(p);
        }
    };
    return real(diff) === real(file) ? path.join(out, "plan.new.json") : file;
}

function writeOutputs(dir: string, snapshot: Snapshot, planJson: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(planJson, JSON.stringify(snapshot, null, 2) + "\n");
    const manifests = snapshot.resources
        .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/"))
        .map((r) => yaml.dump(r.inputs, { noRefs: true, lineWidth: 160 }));
    fs.writeFileSync(path.join(dir, "manifests.yaml"), manifests.join("---\n"));
    const releases = snapshot.resources.filter((r) => r.type.startsWith("kubernetes:helm.sh/"));
    if (releases.length > 0) {
        fs.mkdirSync(path.join(dir, "helm"), { recursive: true });
        for (const r of releases) fs.writeFileSync(path.join(dir, "helm", `${r.name}.yaml`), yaml.dump(r.inputs, { noRefs: true, lineWidth: 160 }));
    }
}

/** `--project`: the plan of another project of this repository (scripts/lib/plan-project.ts). */
async function projectMain(opts: Options & { project: string }, started: bigint): Promise<number> {
    const before = opts.diff ? readSnapshot(opts.diff) : undefined;
    const plan = await planProject({ project: opts.project, stack: opts.stack, platformPlan: opts.platformPlan, out: opts.out, quiet: opts.quiet });
    const planJson = planFile(opts.out, opts.diff);
    try {
        writeOutputs(opts.out, plan.snapshot, planJson);
    } catch (e) {
        throw new UsageError(`--out ${opts.out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const diff = before ? diffSnapshots(before, plan.snapshot) : undefined;
    const out = [...plan.lines];
    if (diff) out.splice(out.findIndex((l) => l.startsWith("Policy config:")) - 1, 0, "", ...renderDiff(diff));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out.push(`Wrote ${path.relative(process.cwd(), opts.out) || "."}/${path.basename(planJson)} and manifests.yaml in ${ms.toFixed(0)} ms.`);
    console.log(out.join("\n"));
    return plan.mandatory > 0 || (diff?.refused.length ?? 0) > 0 ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
    const started = process.hrtime.bigint();
    const opts = parseArgs(argv);
    if (opts.project) return projectMain({ ...opts, project: opts.project }, started);
    // Bad input fails before the (slow) build.
    const before = opts.diff ? readSnapshot(opts.diff) : undefined;
    const values = readStackConfig(opts.stack);
    const built = await buildStack(opts.stack, { values });
    // Once-per-account resources and quotas, summed over every stack of the repository sharing this stack's account.
    const accounts = accountReport(stackConfigs().configs, STACKS, opts.stack);
    if (accounts.problems.length > 0) throw new ConfigError("account-wide checks over every Pulumi.<stack>.yaml", accounts.problems);
    // The stack outputs go into the snapshot (secrets masked): what a service stack's StackReference reads offline.
    const snapshot = await stackSnapshot(opts.stack, built.config.environment, built.resources, built.platform.outputs);
    // The policy config is the committed file `pulumi preview --policy-pack-config` gets; it must match the stack's config.
    const configFile = packConfigFile(opts.stack);
    const configRel = path.relative(REPO_ROOT, configFile);
    const packConfig = readPackConfigFile(configFile);
    if (fs.readFileSync(configFile, "utf8") !== packConfigText(built.config)) {
        throw new PolicyConfigError(`${configRel} is out of date with Pulumi.${opts.stack}.yaml (the engine would judge with stale settings); run: npm run policy -- config ${opts.stack}`);
    }
    const violations = await evaluatePackAsync(built.resources.map(toPolicyResource), packConfig);
    const planJson = planFile(opts.out, opts.diff);
    try {
        writeOutputs(opts.out, snapshot, planJson);
    } catch (e) {
        throw new UsageError(`--out ${opts.out}: cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }

    const out: string[] = [];
    if (!opts.quiet) out.push(`Offline plan of stack ${opts.stack} (${built.config.environment}, ${built.config.region}); no cloud calls were made.`, "", ...renderTree(snapshot.resources), "");
    const customCount = snapshot.resources.filter((r) => r.custom).length;
    out.push(`Resources: ${customCount} (${snapshot.resources.length - customCount} components)`);
    if (!opts.quiet) out.push(...renderCounts(snapshot.resources));
    const diff = before ? diffSnapshots(before, snapshot) : undefined;
    if (diff) out.push("", ...renderDiff(diff));
    if (!opts.quiet) out.push("", ...renderDrReport(built.platform.drReport));
    out.push("", ...renderImageReport(platformImageReport(built.resources), !opts.quiet));
    out.push("", "Account quotas (used/quota, every stack of the account; docs/deploy.md#quotas):", ...accounts.lines);
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    out.push("", `Policy config: ${configRel}`);
    out.push(`Policies: ${violations.length === 0 ? "no violations" : `${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`}`);
    for (const v of violations) out.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const outDir = path.relative(process.cwd(), opts.out) || ".";
    out.push(`Wrote ${outDir}/${path.basename(planJson)}${planJson.endsWith("plan.new.json") ? ` (kept ${outDir}/plan.json, the --diff baseline)` : ""} and manifests.yaml in ${ms.toFixed(0)} ms.`);
    console.log(out.join("\n"));
    return mandatory.length > 0 || (diff?.refused.length ?? 0) > 0 ? 1 : 0;
}

/** Runs the plan and exits with its code (2 with one readable message on bad input). */
export function run(argv: string[]): void {
    main(argv).then(
        (code) => process.exit(code),
        (e) => {
            if (e instanceof HelpRequested) {
                console.log(HELP);
                process.exit(0);
            }
            if (e instanceof ConfigError || e instanceof PolicyConfigError || e instanceof UsageError || e instanceof UnknownStackError || e instanceof pulumi.RunError || e instanceof ProjectError || e instanceof PlanInputError) console.error(e.message);
            else if (process.env.PLATFORM_DEBUG) console.error(`plan failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
            else console.error(`plan failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)} (PLATFORM_DEBUG=1 shows the stack trace)`);
            process.exit(2);
        },
    );
}
