/**
 * The policy command.
 *   npm run policy -- check <file...|-> [--config policy-config.json] [--format text|json]
 *     evaluates the policy pack offline over Kubernetes manifests, a `pulumi stack export` or a plan
 *     snapshot, with the config file read exactly as `--policy-pack-config` is. Stack policies judge each
 *     whole-stack input (stack export, plan snapshot) as its own stack, whatever manifests come with it;
 *     on loose manifests alone they are skipped; the output says what ran and what was skipped.
 *     Exit 0 without mandatory violations, 1 with, 2 on bad arguments, config or input, and on any
 *     other error: always one readable line on stderr, never a stack trace.
 *   npm run policy -- config <stack> [--check]
 *     writes policies/config/<stack>.json from Pulumi.<stack>.yaml (engine format, one entry per
 *     policy); --check exits 1 when the committed file differs instead of writing it.
 *   npm run policy -- --help
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePackAsync, parsePackConfig, plannedPolicies, type PolicyConfigs } from "../policies/evaluate";
import { loadPolicyInputs } from "../policies/lib/inputs";
import { loadKeys } from "../policies/supply-chain/cosign";
import { packConfigFile, readPackConfigFile, REPO_ROOT } from "./lib/pack-config";

const USAGE = [
    "usage: npm run policy -- check <file...|-> [--config policy-config.json] [--format text|json]",
    "       npm run policy -- config <stack> [--check]",
].join("\n");

const HELP = `${USAGE}

check: evaluates the platform's policy pack offline, with the same policies \`pulumi preview --policy-pack policies\` runs.

Inputs (each file is read by its structure; a document that fits no format, or several, is refused):
  Kubernetes manifests  read as \`kubectl apply -f\` reads them: YAML (multi-document, go-yaml v2's
                        YAML 1.1 with merge keys and Unicode line breaks) or a JSON stream (one or
                        more objects); UTF-8 or UTF-16 with a BOM; any object with items is a list;
                        duplicate keys are refused, as the API server refuses them
  pulumi stack export   {"version": 3, "deployment": {"resources": [...]}}
  plan snapshot         out/<stack>/plan.json written by \`npm run plan\`
  -                     standard input (e.g. \`helm template ... | npm run policy -- check -\`)
Only regular files are read (FIFOs and devices are refused); input stops at 256 MiB.
Stack policies judge each stack export or plan snapshot as a stack of its own (manifests given with it do
not turn them off); on loose manifests alone they are skipped. The output says what ran.

Options:
  --config FILE         policy pack config in the engine's format (as given to --policy-pack-config,
                        e.g. policies/config/prod.json); every policy's defaults otherwise
  --format text|json    text (default) or a JSON list of {resource, type, policy, enforcementLevel, message}
  -h, --help            this help

config <stack>: writes policies/config/<stack>.json from Pulumi.<stack>.yaml, and policies/config/service/<stack>.json
for the service stacks on that platform stack (the same less dr-targets and admission-sbom-rule, which judge
the platform's own design); --check compares instead.

Exit status: 0 no mandatory violation, 1 mandatory violations (config --check: the file differs),
2 bad arguments, config or input, or the check could not complete (one line on stderr says why).
What is checked for which kinds: docs/policy-checks.md.`;

class UsageError extends Error {}
/** Errors of the lazily loaded stack config (bad Pulumi.<stack>.yaml, unknown stack): reported as exit 2. */
const CONFIG_ERRORS = new Set(["ConfigError", "UnknownStackError"]);

function parseCheckArgs(rest: string[]) {
    const files: string[] = [];
    let config: string | undefined;
    let format: "text" | "json" = "text";
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === "--config") {
            config = rest[++i];
            if (config === undefined || config.startsWith("--")) throw new UsageError("--config needs a file");
        } else if (a === "--format") {
            const f = rest[++i];
            if (f !== "text" && f !== "json") throw new UsageError(`--format must be text or json, not ${JSON.stringify(f ?? null)}`);
            format = f;
        } else if (a.startsWith("--")) throw new UsageError(`unknown option ${a} (see --help)`);
        else files.push(a);
    }
    if (files.length === 0) throw new UsageError("no input files (see --help)");
    return { files, config, format };
}

/** The pack config of a file; every configured key must load, whatever the verification mode. */
function readConfig(file: string | undefined): PolicyConfigs {
    const config = file ? readPackConfigFile(file) : parsePackConfig({});
    for (const settings of Object.values(config)) {
        const keys = settings.properties.cosignPublicKeys;
        if (Array.isArray(keys)) loadKeys(keys as string[]);
    }
    return config;
}

async function check(rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const opts = parseCheckArgs(rest);
    const config = readConfig(opts.config);
    const resources = opts.files.flatMap((f) => loadPolicyInputs(f));
    // Each stack export or plan snapshot is a stack the stack policies judge on its own; manifests given with it do not turn them off.
    const wholeStack = resources.some((r) => r.fromStack === true);
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

/** Writes (or with --check compares) policies/config/<stack>.json and policies/config/service/<stack>.json from Pulumi.<stack>.yaml. */
async function config(rest: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stacks = rest.filter((a) => !a.startsWith("--"));
    const unknown = rest.filter((a) => a.startsWith("--") && a !== "--check");
    if (unknown.length) throw new UsageError(`unknown option ${unknown[0]} (see --help)`);
    if (stacks.length !== 1) throw new UsageError("config takes one stack name (see --help)");
    const [stack] = stacks;
    // Loaded here: the stack modules are only needed by this subcommand, and check stays quick to start.
    const { PROJECT, readStackConfig, withPlaceholderSecrets } = await import("../lib/offline/stack");
    const { parsePlatformConfig } = await import("../stacks/config");
    const { packConfigText, servicePackConfigFile, servicePackConfigText } = await import("./lib/pack-config");
    const values = readStackConfig(stack) as Record<string, any>;
    withPlaceholderSecrets(values);
    const cfg = parsePlatformConfig({ project: PROJECT, stack, values });
    // The platform stack's file, and its service stacks' (the same, less the policies on the platform's own design).
    const files = [[packConfigFile(stack), packConfigText(cfg)], [servicePackConfigFile(stack), servicePackConfigText(cfg)]];
    const rels = files.map(([file]) => path.relative(REPO_ROOT, file));
    if (rest.includes("--check")) {
        for (const [i, [file, text]] of files.entries()) {
            const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
            if (current !== text) return { code: 1, stdout: "", stderr: `${rels[i]} ${current === undefined ? "is missing" : "differs from what Pulumi." + stack + ".yaml gives"}; run: npm run policy -- config ${stack}` };
        }
        return { code: 0, stdout: `${rels.join(" and ")} are up to date with Pulumi.${stack}.yaml`, stderr: "" };
    }
    for (const [file, text] of files) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
    }
    return { code: 0, stdout: `wrote ${rels.join(" and ")}`, stderr: "" };
}

/** Every error as one line: the lines of a multi-line message joined. */
function oneLine(e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    const lines = message.split("\n").map((l) => l.trim()).filter(Boolean);
    // "Invalid policy pack config:" followed by "- a", "- b" reads as "...: - a; - b".
    return lines.reduce((acc, l, i) => (i === 0 ? l : `${acc}${lines[i - 1].endsWith(":") ? " " : "; "}${l}`), "") || (e instanceof Error ? e.name : "unknown error");
}

/** Errors that say what is wrong with the arguments, config or input (anything else "could not complete"). */
const KNOWN_ERRORS = new Set([...CONFIG_ERRORS, "PolicyInputError", "PolicyConfigError", "RegistryError", "CosignKeyError"]);

export async function main(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const [command, ...rest] = argv;
    try {
        if (command === "-h" || command === "--help" || command === "help" || (command === "check" && rest.some((a) => a === "-h" || a === "--help"))) return { code: 0, stdout: HELP, stderr: "" };
        if (command === "check") return await check(rest);
        if (command === "config") return await config(rest);
        throw new UsageError(command ? `unknown command ${command} (see --help)` : `missing command; ${USAGE.split("\n")[0]}`);
    } catch (e) {
        // Usage, config and input errors say what is wrong; anything else still ends as exit 2 (not
        // "violations found"), in one line, never a stack trace.
        const known = e instanceof UsageError || (e instanceof Error && KNOWN_ERRORS.has(e.constructor.name));
        return { code: 2, stdout: "", stderr: `policy ${command === "config" ? "config" : "check"}: ${known ? "" : "could not complete: "}${oneLine(e)}` };
    }
}

if (require.main === module) {
    const fail = (e: unknown) => {
        process.stderr.write(`policy: could not complete: ${oneLine(e)}\n`);
        process.exit(2);
    };
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    main(process.argv.slice(2)).then((r) => {
        if (r.stderr) process.stderr.write(`${r.stderr}\n`);
        // Exit once stdout is flushed (a pipe may be slower than us), whatever timers remain.
        process.stdout.write(r.stdout ? `${r.stdout}\n` : "", () => process.exit(r.code));
    }, fail);
}
