/**
 * `npm run policy -- check <file...> [--config policy-config.json] [--format text|json]`: evaluates
 * the policy pack offline over Kubernetes manifests, a `pulumi stack export` or a plan snapshot.
 * Exit 0 without mandatory violations, 1 with, 2 on bad arguments, config or input.
 */
import * as fs from "node:fs";
import { evaluatePackAsync, parsePackConfig, PolicyConfigError } from "../policies/evaluate";
import { loadPolicyInputs, PolicyInputError } from "../policies/lib/inputs";

const USAGE = "usage: npm run policy -- check <file...> [--config policy-config.json] [--format text|json]";

class UsageError extends Error {}

function parseArgs(argv: string[]) {
    const [command, ...rest] = argv;
    if (command !== "check") throw new UsageError(`${command ? `unknown command ${command}` : "missing command"}\n${USAGE}`);
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

function readConfig(file: string | undefined) {
    if (!file) return parsePackConfig({});
    let raw: any;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PolicyInputError(`${file}: cannot read the policy config: ${(e as Error).message.split("\n")[0]}`);
    }
    // --policy-pack-config files hold the pack config under "all".
    return parsePackConfig(raw && typeof raw === "object" && "all" in raw ? raw.all : raw);
}

export async function main(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const opts = parseArgs(argv);
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
        if (e instanceof UsageError || e instanceof PolicyInputError || e instanceof PolicyConfigError) return { code: 2, stdout: "", stderr: e.message };
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
