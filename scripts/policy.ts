/**
 * The policy command.
 *   npm run policy -- check <file...> [--config policy-config.json] [--format text|json]
 *     evaluates the policy pack offline over Kubernetes manifests, a `pulumi stack export` or a plan
 *     snapshot, with the config file read exactly as `--policy-pack-config` is. Stack policies run only
 *     on whole-stack inputs (stack export, plan snapshot); the output says what ran and what was skipped.
 *     Exit 0 without mandatory violations, 1 with, 2 on bad arguments, config or input.
 *   npm run policy -- config <stack> [--check]
 *     writes policies/config/<stack>.json from Pulumi.<stack>.yaml (engine format, one entry per
 *     policy); --check exits 1 when the committed file differs instead of writing it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePackAsync, parsePackConfig, PolicyConfigError, plannedPolicies } from "../policies/evaluate";
import { loadPolicyInputs, PolicyInputError } from "../policies/lib/inputs";
import { packConfigFile, readPackConfigFile, REPO_ROOT } from "./lib/pack-config";

const USAGE = [
    "usage: npm run policy -- check <file...> [--config policy-config.json] [--format text|json]",
    "       npm run policy -- config <stack> [--check]",
].join("\n");

class UsageError extends Error {}
/** Errors of the lazily loaded stack config (bad Pulumi.<stack>.yaml, unknown stack): reported as exit 2. */
const CONFIG_ERRORS = new Set(["ConfigError", "UnknownStackError"]);

function parseCheckArgs(rest: string[]) {
    const files: string[] = [];
    let config: string | undefined;
    let format: "text" | "json" = "text";
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === "--config") config = rest[++i];
        else if (a === "--format") {
            const f = rest[++i];
            if (f !== "text" && f !== "json") throw new UsageError(`--format must be text or json, not ${JSON.stringify(f)}\n${USAGE}`);
            format = f;
        } else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}\n${USAGE}`);
        else files.push(a);
    }
    if (files.length === 0) throw new UsageError(`no input files\n${USAGE}`);
    if (rest.includes("--config") && !config) throw new UsageError(`--config needs a file\n${USAGE}`);
    return { files, config, format };
}

async function check(rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const opts = parseCheckArgs(rest);
    const config = opts.config ? readPackConfigFile(opts.config) : parsePackConfig({});
    const resources = opts.files.flatMap((f) => loadPolicyInputs(f));
    const wholeStack = resources.length > 0 && resources.every((r) => r.fromStack === true);
    const { run, skipped } = plannedPolicies(config, { wholeStack });
    const violations = await evaluatePackAsync(resources, config, undefined, { wholeStack });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const ranLine = `policies run: ${run.map((p) => p.name).join(", ") || "none"}`;
    const skippedLines = skipped.map((s) => `policy skipped: ${s.policy}: ${s.reason}`);
    if (opts.format === "json") {
        const stdout = JSON.stringify(violations.map((v) => ({ resource: v.resource, type: v.type, policy: v.policy, enforcementLevel: v.enforcementLevel, message: v.message })), null, 2);
        return { code: mandatory > 0 ? 1 : 0, stdout, stderr: [ranLine, ...skippedLines].join("\n") };
    }
    const stdout = [
        ...violations.map((v) => `[${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`),
        ranLine, ...skippedLines,
        `${resources.length} resources checked: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`,
    ].join("\n");
    return { code: mandatory > 0 ? 1 : 0, stdout, stderr: "" };
}

/** Writes (or with --check compares) policies/config/<stack>.json from Pulumi.<stack>.yaml. */
async function config(rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stacks = rest.filter((a) => !a.startsWith("--"));
    const unknown = rest.filter((a) => a.startsWith("--") && a !== "--check");
    if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}\n${USAGE}`);
    if (stacks.length !== 1) throw new UsageError(`config takes one stack name\n${USAGE}`);
    const [stack] = stacks;
    // Loaded here: the stack modules are only needed by this subcommand, and check stays quick to start.
    const { PROJECT, readStackConfig, withPlaceholderSecrets } = await import("../lib/offline/stack");
    const { parsePlatformConfig } = await import("../stacks/config");
    const { packConfigText } = await import("./lib/pack-config");
    const values = readStackConfig(stack) as Record<string, any>;
    withPlaceholderSecrets(values);
    const text = packConfigText(parsePlatformConfig({ project: PROJECT, stack, values }));
    const file = packConfigFile(stack);
    const rel = path.relative(REPO_ROOT, file);
    if (rest.includes("--check")) {
        const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
        if (current === text) return { code: 0, stdout: `${rel} is up to date with Pulumi.${stack}.yaml`, stderr: "" };
        return { code: 1, stdout: "", stderr: `${rel} ${current === undefined ? "is missing" : "differs from what Pulumi." + stack + ".yaml gives"}; run: npm run policy -- config ${stack}` };
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return { code: 0, stdout: `wrote ${rel}`, stderr: "" };
}

export async function main(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const [command, ...rest] = argv;
    try {
        if (command === "check") return await check(rest);
        if (command === "config") return await config(rest);
        throw new UsageError(`${command ? `unknown command ${command}` : "missing command"}\n${USAGE}`);
    } catch (e) {
        if (e instanceof UsageError || e instanceof PolicyInputError || e instanceof PolicyConfigError || (e instanceof Error && CONFIG_ERRORS.has(e.constructor.name))) {
            return { code: 2, stdout: "", stderr: e.message };
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((r) => {
        if (r.stdout) console.log(r.stdout);
        if (r.stderr) console.error(r.stderr);
        process.exit(r.code);
    });
}
