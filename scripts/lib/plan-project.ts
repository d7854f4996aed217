/**
 * The offline plan of another Pulumi project of this repository, a service stack that consumes the
 * platform: `npm run plan -- --project examples/service <stack>`. Its StackReference to the
 * platform is answered with the outputs of the platform stack's own offline plan
 * (out/<platform stack>/plan.json, written by `npm run plan -- <platform stack>`, or the file given
 * with --platform-plan), and the policy pack judges it with the policy config of that platform
 * stack's service stacks, as `pulumi preview --policy-pack policies --policy-pack-config
 * policies/config/service/<stack>.json` would.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildProject, isPlatformStack, parseStackName } from "../../lib/offline/project";
import type { StackOutputs } from "../../lib/offline/mocks";
import { REPO_ROOT } from "../../lib/offline/stack";
import { evaluatePackAsync } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import { readPackConfigFile, servicePackConfigFile } from "./pack-config";
import { renderCounts, renderTree } from "./render";
import { Snapshot, stackSnapshot } from "./snapshot";

/** A plan input that cannot be used (missing platform plan, a snapshot without outputs). */
export class PlanInputError extends Error {}

export interface ProjectPlanOptions {
    /** The project's directory (its Pulumi.yaml). */
    project: string;
    stack: string;
    /** Plan snapshot of the platform stack; defaults to out/<stack of the reference>/plan.json. */
    platformPlan?: string;
    out: string;
    quiet: boolean;
}

export interface ProjectPlan {
    snapshot: Snapshot;
    lines: string[];
    /** Mandatory violations. */
    mandatory: number;
}

const rel = (f: string) => path.relative(process.cwd(), f) || ".";

/** The platform plan a StackReference reads: where it is, and its outputs. */
interface PlatformPlan {
    file: string;
    snapshot: Snapshot;
}

function readPlatformPlan(name: string, file: string): PlatformPlan {
    const { stack } = parseStackName(name);
    if (!fs.existsSync(file)) throw new PlanInputError(`StackReference ${name}: no offline plan of the platform stack at ${rel(file)}; run npm run plan -- ${stack} first (or give --platform-plan <plan.json>)`);
    let snapshot: Snapshot;
    try {
        snapshot = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
    } catch (e) {
        throw new PlanInputError(`--platform-plan ${rel(file)}: not valid JSON (${(e as Error).message})`);
    }
    if (!snapshot || typeof snapshot !== "object" || !snapshot.outputs || !Array.isArray(snapshot.secretOutputNames)) {
        throw new PlanInputError(`${rel(file)}: a plan snapshot without stack outputs (written by an older npm run plan, or not a plan); run npm run plan -- ${stack} again`);
    }
    return { file, snapshot };
}

/** Builds the project's stack, judges it with the pack and renders the plan. */
export async function planProject(opts: ProjectPlanOptions): Promise<ProjectPlan> {
    const dir = path.resolve(opts.project);
    const read: PlatformPlan[] = [];
    const platformOutputs = (name: string): StackOutputs | undefined => {
        const file = opts.platformPlan ? path.resolve(opts.platformPlan) : isPlatformStack(name) ? path.join(REPO_ROOT, "out", parseStackName(name).stack, "plan.json") : undefined;
        if (!file) return undefined;
        const plan = readPlatformPlan(name, file);
        read.push(plan);
        return { outputs: plan.snapshot.outputs!, secretOutputNames: plan.snapshot.secretOutputNames! };
    };
    // A missing platform plan is reported as such, not as the program failure it causes inside the SDK.
    let built: Awaited<ReturnType<typeof buildProject>>;
    try {
        built = await buildProject(dir, opts.stack, platformOutputs);
    } catch (e) {
        const cause = [e, (e as { cause?: unknown }).cause].find((x) => x instanceof PlanInputError);
        if (cause) throw cause;
        const input = (e instanceof Error ? e.message : String(e)).match(/(StackReference .*|.*a plan snapshot without stack outputs.*)$/m);
        if (input && read.length === 0) throw new PlanInputError(input[1]);
        throw e;
    }
    const platform = read[0];
    if (!platform) throw new PlanInputError(`${rel(dir)} reads no platform stack through a StackReference: nothing to judge it with (the policy config is the platform stack's)`);
    const environment = String(platform.snapshot.outputs!.environment ?? platform.snapshot.environment);
    const snapshot = await stackSnapshot(`${built.project}/${opts.stack}`, environment, built.resources, built.result);
    const configFile = servicePackConfigFile(platform.snapshot.stack);
    const violations = await evaluatePackAsync(built.resources.map(toPolicyResource), readPackConfigFile(configFile));

    const lines: string[] = [];
    if (!opts.quiet) {
        lines.push(`Offline plan of stack ${opts.stack} of project ${built.project} (${rel(dir)}); no cloud calls were made.`);
        lines.push(`StackReference ${built.references.join(", ")} answered with the outputs of ${rel(platform.file)} (platform stack ${platform.snapshot.stack}, ${environment}).`, "", ...renderTree(snapshot.resources), "");
    }
    const customCount = snapshot.resources.filter((r) => r.custom).length;
    lines.push(`Resources: ${customCount} (${snapshot.resources.length - customCount} components)`);
    if (!opts.quiet) {
        lines.push(...renderCounts(snapshot.resources), "", "Outputs:");
        for (const [k, v] of Object.entries(built.outputs.outputs)) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    lines.push("", `Policy config: ${path.relative(REPO_ROOT, configFile)} (the platform stack's, for its service stacks)`);
    lines.push(`Policies: ${violations.length === 0 ? "no violations" : `${mandatory.length} mandatory, ${violations.length - mandatory.length} advisory violation(s)`}`);
    for (const v of violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`);
    return { snapshot, lines, mandatory: mandatory.length };
}
