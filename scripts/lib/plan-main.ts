/**
 * The offline plan: `npm run plan -- <stack> [--diff old.json] [--out dir] [--quiet]`.
 *
 * Builds the stack under the Pulumi mocks from its own Pulumi.<stack>.yaml, runs the policy pack
 * over every resource, prints a preview-like tree and counts by type, and writes
 * out/<stack>/plan.json (inputs with secrets masked) and out/<stack>/manifests.yaml.
 * Exit codes: 0 ok, 1 mandatory policy violation, 2 invalid config, bad arguments or program error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../stacks/config";
import { buildStack, readStackConfig, REPO_ROOT, UnknownStackError } from "../../lib/offline/stack";
import { evaluatePackAsync, PolicyConfigError } from "../../policies/evaluate";
import { packConfigFile, packConfigText, readPackConfigFile } from "./pack-config";
import { toPolicyResource } from "../../policies/lib/resources";
import { renderCounts, renderDiff, renderDrReport, renderTree } from "./render";
import { diffSnapshots, Snapshot, toSnapshot } from "./snapshot";
import { platformImageReport, renderImageReport } from "./image-report";

const USAGE = "usage: npm run plan -- <stack> [--diff <old plan.json>] [--out <dir>] [--quiet]";

class UsageError extends Error {}

interface Options {
    stack: string;
    diff?: string;
    out: string;
    quiet: boolean;
}

function parseArgs(argv: string[]): Options {
    const opts: Partial<Options> = { quiet: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--diff" || a === "--out") {
            const v = argv[++i];
            if (!v) throw new UsageError(`${a} needs a value\n${USAGE}`);
            if (a === "--diff") opts.diff = v;
            else opts.out = v;
        } else if (a === "--quiet") opts.quiet = true;
        else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}\n${USAGE}`);
        else if (!opts.stack) opts.stack = a;
        else throw new UsageError(`unexpected argument ${a}\n${USAGE}`);
    }
    if (!opts.stack) throw new UsageError(`no stack given\n${USAGE}`);
    return { stack: opts.stack, diff: opts.diff, quiet: opts.quiet!, out: opts.out ?? path.join(REPO_ROOT, "out", opts.stack) };
}

function writeOutputs(dir: string, snapshot: Snapshot): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(snapshot, null, 2) + "\n");
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

export async function main(argv: string[]): Promise<number> {
    const started = process.hrtime.bigint();
    const opts = parseArgs(argv);
    const values = readStackConfig(opts.stack);
    const built = await buildStack(opts.stack, { values });
    const snapshot = toSnapshot(opts.stack, built.config.environment, built.resources);
    // The policy config is the committed file `pulumi preview --policy-pack-config` gets; it must match the stack's config.
    const configFile = packConfigFile(opts.stack);
    const configRel = path.relative(REPO_ROOT, configFile);
    const packConfig = readPackConfigFile(configFile);
    if (fs.readFileSync(configFile, "utf8") !== packConfigText(built.config)) {
        throw new PolicyConfigError(`${configRel} is out of date with Pulumi.${opts.stack}.yaml (the engine would judge with stale settings); run: npm run policy -- config ${opts.stack}`);
    }
    const violations = await evaluatePackAsync(built.resources.map(toPolicyResource), packConfig);
    writeOutputs(opts.out, snapshot);

    const out: string[] = [];
    if (!opts.quiet) out.push(`Offline plan of stack ${opts.stack} (${built.config.environment}, ${built.config.region}); no cloud calls were made.`, "", ...renderTree(snapshot.resources), "");
    const customCount = snapshot.resources.filter((r) => r.custom).length;
    out.push(`Resources: ${customCount} (${snapshot.resources.length - customCount} components)`);
    if (!opts.quiet) out.push(...renderCounts(snapshot.resources));
    if (opts.diff) {
        let before: Snapshot;
        try {
            before = JSON.parse(fs.readFileSync(opts.diff, "utf8")) as Snapshot;
        } catch (e) {
            throw new UsageError(`cannot read --diff ${opts.diff}: ${(e as Error).message}`);
        }
        out.push("", ...renderDiff(diffSnapshots(before, snapshot)));
    }
    out.push("", ...renderDrReport(built.platform.drReport));
    out.push("", ...renderImageReport(platformImageReport(built.resources), !opts.quiet));
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    out.push("", `Policy config: ${configRel}`);
    out.push(`Policies: ${violations.length === 0 ? "no violations" : `${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`}`);
    for (const v of violations) out.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out.push(`Wrote ${path.relative(process.cwd(), opts.out) || "."}/plan.json and manifests.yaml in ${ms.toFixed(0)} ms.`);
    console.log(out.join("\n"));
    return mandatory.length > 0 ? 1 : 0;
}

/** Runs the plan and exits with its code (2 with one readable message on bad input). */
export function run(argv: string[]): void {
    main(argv).then(
        (code) => process.exit(code),
        (e) => {
            if (e instanceof ConfigError || e instanceof PolicyConfigError || e instanceof UsageError || e instanceof UnknownStackError || e instanceof pulumi.RunError) console.error(e.message);
            else console.error(`plan failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
            process.exit(2);
        },
    );
}
