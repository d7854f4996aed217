/**
 * `npm run policy -- check <file...> [--config policy-config.json] [--format text|json]`: evaluates
 * the policy pack offline over Kubernetes manifests, a `pulumi stack export` or a plan snapshot.
 * Exit 0 without mandatory violations, 1 with, 2 on bad arguments, config or input, and on any
 * other error: always one readable line on stderr, never a stack trace.
 */
import * as fs from "node:fs";
import { evaluatePackAsync, parsePackConfig } from "../policies/evaluate";
import { loadPolicyInputs } from "../policies/lib/inputs";
import { loadKeys } from "../policies/supply-chain/cosign";

const USAGE = "usage: npm run policy -- check <file...|-> [--config policy-config.json] [--format text|json]";

const HELP = `${USAGE}

Evaluates the platform's policy pack offline, with the same policies \`pulumi preview --policy-pack policies\` runs.

Inputs (each file is read by its structure; a document that fits no format, or several, is refused):
  Kubernetes manifests  YAML (multi-document, read as the API server reads it: YAML 1.1, merge keys,
                        no duplicate keys) or JSON; List and *List kinds; a JSON array of objects
  pulumi stack export   {"version": 3, "deployment": {"resources": [...]}}
  plan snapshot         out/<stack>/plan.json written by \`npm run plan\`
  -                     standard input (e.g. \`helm template ... | npm run policy -- check -\`)

Options:
  --config FILE         policy pack config (as given to --policy-pack-config); defaults otherwise
  --format text|json    text (default) or a JSON list of {resource, type, policy, enforcementLevel, message}
  -h, --help            this help

Exit status: 0 no mandatory violation, 1 mandatory violations, 2 bad arguments, config or input,
or the check could not complete (one line on stderr says why).
What is checked for which kinds: docs/policy-checks.md.`;

/** Bad arguments, config or input: exit 2 with this one-line message. */
class UsageError extends Error {}

function parseArgs(argv: string[]) {
    if (argv.some((a) => a === "-h" || a === "--help") || argv[0] === "help") return { help: true as const };
    const [command, ...rest] = argv;
    if (command !== "check") throw new UsageError(command ? `unknown command ${command} (see --help)` : `missing command; ${USAGE}`);
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
    if (files.length === 0) throw new UsageError(`no input files; ${USAGE}`);
    return { help: false as const, files, config, format };
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function readConfig(file: string | undefined) {
    if (!file) return parsePackConfig({});
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`${file}: cannot read the policy config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0]}`);
    }
    // An empty or null config is a mistake, not a request for the defaults.
    if (!isObject(raw)) throw new UsageError(`${file}: the policy config must be a JSON object, not ${raw === null ? "null" : Array.isArray(raw) ? "a list" : typeof raw}`);
    // --policy-pack-config files hold the pack config under "all".
    if ("all" in raw && !isObject(raw.all)) throw new UsageError(`${file}: "all" must be an object of pack settings, not ${raw.all === null ? "null" : typeof raw.all}`);
    const config = parsePackConfig("all" in raw ? raw.all : raw);
    loadKeys(config.cosignPublicKeys); // a PEM that is not a key is a config error whatever the mode
    return config;
}

/** Every error as one line: the first line of its message, the rest of a multi-line message joined. */
function oneLine(e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    return message.split("\n").map((l) => l.trim()).filter(Boolean).join("; ") || (e instanceof Error ? e.name : "unknown error");
}

export async function main(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const opts = parseArgs(argv);
        if (opts.help) return { code: 0, stdout: HELP, stderr: "" };
        const config = readConfig(opts.config);
        const resources = opts.files.flatMap((f) => loadPolicyInputs(f));
        const violations = await evaluatePackAsync(resources, config);
        const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
        const stdout = opts.format === "json"
            ? JSON.stringify(violations.map((v) => ({ resource: v.resource, type: v.type, policy: v.policy, enforcementLevel: v.enforcementLevel, message: v.message })), null, 2)
            : [...violations.map((v) => `[${v.enforcementLevel}] ${v.policy}: ${v.resource} (${v.type}): ${v.message}`),
                `${resources.length} resources checked: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)`].join("\n");
        return { code: mandatory > 0 ? 1 : 0, stdout, stderr: "" };
    } catch (e) {
        // Input, config and usage errors say what is wrong; anything else still ends as exit 2 (not
        // "violations found"), in one line.
        const known = e instanceof Error && (e instanceof UsageError || ["PolicyInputError", "PolicyConfigError", "RegistryError", "CosignKeyError"].includes(e.constructor.name));
        return { code: 2, stdout: "", stderr: `policy check: ${known ? "" : "could not complete: "}${oneLine(e)}` };
    }
}

if (require.main === module) {
    const fail = (e: unknown) => {
        process.stderr.write(`policy check: could not complete: ${oneLine(e)}\n`);
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
