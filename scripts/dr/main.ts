/**
 * `npm run dr -- <command> <stack> [options]`: the DR drill (docs/runbooks/disaster-recovery.md).
 *
 *   preflight <stack>   before any credential (CI): the GitHub side matches Pulumi.<stack>.yaml
 *                       (repository, region, deploy role, and AWS_DR_REGION = platform:dr.region);
 *                       refuses a production stack
 *   drill <stack> --outputs <file> [--out <dir>] [--chaos <key>] [--deadline-minutes <n>]
 *                       [--rds-ca <file>] [--run-id <id>] [--plan] [--allow-production]
 *                       the drill; --plan prints the steps and refusals without calling AWS
 *   cleanup <stack> --outputs <file>
 *                       deletes the instance an earlier drill left (only one carrying the drill's tag)
 *
 * <file> is `pulumi stack output drDrill --json` (scripts/dr/contract.ts). Exit status: 0 passed,
 * 1 failed (a target missed, a check or a step failed), 2 refused or bad input, 3 aborted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DrillInputError, DrDrillOutput, parseDrillOutputs } from "./contract";
import { DRILL_TAG, DrillFlags, drillInstanceId, enabledDr, EXIT_CODES, isProduction, refusals, STEP_TIMEOUT_MINUTES } from "./decide";

const USAGE = `usage: npm run dr -- preflight <stack>
       npm run dr -- drill <stack> --outputs <file> [--out <dir>] [--chaos <key>] [--deadline-minutes <n>] [--rds-ca <file>] [--run-id <id>] [--plan] [--allow-production]
       npm run dr -- cleanup <stack> --outputs <file>
<file>: pulumi stack output drDrill --json. Exit: 0 passed, 1 failed, 2 refused or bad input, 3 aborted.`;

export interface CliArgs extends DrillFlags {
    command: "preflight" | "drill" | "cleanup";
    outputs?: string;
    out: string;
    rdsCa?: string;
    runId: string;
    plan: boolean;
}

export class UsageError extends Error {}

/** Parses the command line; throws UsageError naming the problem. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, now = new Date()): CliArgs {
    const [command, stack, ...rest] = argv;
    if (command !== "preflight" && command !== "drill" && command !== "cleanup") throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}`);
    if (!stack || stack.startsWith("-")) throw new UsageError(`${command} needs a stack name`);
    const a: CliArgs = {
        command, stack, out: path.join("out", "dr", stack), plan: false, allowProduction: false, productionConfirmation: env.DR_DRILL_ALLOW_PRODUCTION,
        deadlineMinutes: 110,
        runId: env.GITHUB_RUN_ID ? `gh-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}` : `local-${now.toISOString().replace(/[-:]/g, "").slice(0, 15)}`,
    };
    for (let i = 0; i < rest.length; i++) {
        const flag = rest[i];
        const value = () => {
            const v = rest[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--outputs": a.outputs = value(); break;
            case "--out": a.out = value(); break;
            case "--chaos": { const v = value(); if (v !== "none") a.chaos = v; break; }
            case "--deadline-minutes": { const v = value(); a.deadlineMinutes = Number(v); if (!/^\d+$/.test(v)) throw new UsageError(`--deadline-minutes ${v}: a whole number of minutes`); break; }
            case "--rds-ca": a.rdsCa = value(); break;
            case "--run-id": { const v = value(); if (!/^[\w.-]{1,40}$/.test(v)) throw new UsageError(`--run-id ${v}: 1 to 40 of letters, digits, _ . -`); a.runId = v; break; }
            case "--plan": a.plan = true; break;
            case "--allow-production": a.allowProduction = true; break;
            default: throw new UsageError(`unknown option ${flag}`);
        }
    }
    if (command !== "preflight" && !a.outputs) throw new UsageError(`${command} needs --outputs <file> (pulumi stack output drDrill --json > <file>)`);
    return a;
}

/** What `drill` will do, step by step, for --plan and the log. */
export function drillPlan(out: DrDrillOutput, a: CliArgs): string[] {
    const dr = enabledDr(out);
    const drillId = drillInstanceId(out);
    const db = dr.database;
    return [
        `DR drill of ${out.stack} (${out.environment}), run ${a.runId}, deadline ${a.deadlineMinutes} min, report in ${a.out}`,
        `1. preflight: ${out.primary.database.identifier} available in ${out.primary.region}${db.mode === "replica" ? `; standing replica ${db.replica.identifier} available and replicating in ${dr.region}` : ""}; no ${drillId} left over`,
        db.mode === "replica"
            ? `2. rpo: maximum ReplicaLag of ${db.replica.identifier} over 15 min (target ${out.targets.database?.rpoMinutes ?? "none"} min)`
            : `2. rpo: age of the latest restorable time of ${db.replicatedBackupsArn} (target ${out.targets.database?.rpoMinutes ?? "none"} min)`,
        ...(db.mode === "replica" ? [`3. setup: create ${drillId}, a cross-region replica of ${out.primary.database.identifier} made like ${db.replica.identifier} (limit ${STEP_TIMEOUT_MINUTES.createReplica} min; not part of the RTO)`] : []),
        db.mode === "replica"
            ? `4. failover: promote ${drillId} (limit ${STEP_TIMEOUT_MINUTES.promote} min)`
            : `4. failover: restore ${db.replicatedBackupsArn} to its latest restorable time into ${drillId} (limit ${STEP_TIMEOUT_MINUTES.restore} min)`,
        `5. database: TLS login with ${db.credentialSecretArn ?? "(no replicated master credential in the outputs: this step will fail)"}, SELECT 1 (RTO = failover + this, target ${out.targets.database?.rtoMinutes ?? "none"} min)`,
        dr.cluster.built
            ? `6. cluster: ${dr.cluster.name} ACTIVE, /readyz, ${dr.cluster.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(", ")} available`
            : `6. cluster: skipped, ${dr.cluster.name} is built on failover only`,
        `7. failback: delete ${drillId} (only the drill's own instance; the stack's resources are never changed)`,
        ...(a.chaos ? [`8. chaos: start experiment ${a.chaos} in ${out.primary.region} and wait for its end state (limit ${STEP_TIMEOUT_MINUTES.chaos} min)`] : []),
    ];
}

function readOutputs(file: string): DrDrillOutput {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new DrillInputError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; write it with \`pulumi stack output drDrill --json > ${file}\``);
    }
    return parseDrillOutputs(text, file);
}

/** The preflight's problems (the CI checks of scripts/ci-preflight.ts plus the DR region and the production refusal). */
async function preflight(a: CliArgs, env: NodeJS.ProcessEnv): Promise<string[]> {
    const { preflightProblems, stackConfig } = await import("../ci-preflight");
    const cfg = stackConfig(a.stack);
    const problems = preflightProblems(cfg, "deploy", env);
    if (!cfg.dr.enabled) problems.push(`Pulumi.${a.stack}.yaml: platform:dr.enabled is false; the drill needs a DR region`);
    else if (env.AWS_DR_REGION !== cfg.dr.region) problems.push(`GitHub environment ${a.stack}: variable AWS_DR_REGION is ${JSON.stringify(env.AWS_DR_REGION ?? "")} but Pulumi.${a.stack}.yaml has platform:dr.region ${cfg.dr.region}`);
    if ((cfg.environment === "prod" || a.stack === "prod") && env.DR_DRILL_ALLOW_PRODUCTION !== a.stack) problems.push(`stack ${a.stack} is production: the scheduled drill runs against non-production stacks only`);
    return problems;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(USAGE);
        return 0;
    }
    let a: CliArgs;
    try {
        a = parseArgs(argv, env);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        console.error(`dr: ${e.message}\n${USAGE}`);
        return 2;
    }
    if (a.command === "preflight") {
        const problems = await preflight(a, env);
        for (const p of problems) console.error(`::error::${p}`);
        if (problems.length === 0) console.log(`dr preflight ${a.stack}: repository, regions and role match the stack`);
        return problems.length === 0 ? 0 : EXIT_CODES.refused;
    }
    let out: DrDrillOutput;
    try {
        out = readOutputs(a.outputs!);
    } catch (e) {
        if (!(e instanceof DrillInputError)) throw e;
        console.error(`dr: ${e.message}`);
        return EXIT_CODES.refused;
    }
    if (a.command === "cleanup") return cleanup(out, a);
    const refused = refusals(out, a);
    if (refused.length > 0) {
        for (const r of refused) console.error(`dr: refused: ${r}`);
        return EXIT_CODES.refused;
    }
    console.log(drillPlan(out, a).join("\n"));
    if (a.plan) return 0;
    return runAndReport(out, a, env);
}

async function runAndReport(out: DrDrillOutput, a: CliArgs, env: NodeJS.ProcessEnv): Promise<number> {
    // The SDK clients and pg load only here, for the commands that call AWS.
    const [{ drillClients, REAL_CLOCK }, { rdsCaBundle }, { runDrill, runChaos, withChaos }, { markdownReport, writeReport }] = await Promise.all([
        import("./aws"), import("./db"), import("./drill"), import("./report"),
    ]);
    const dr = enabledDr(out);
    const deps = { clients: drillClients(out), clock: REAL_CLOCK, rdsCa: () => rdsCaBundle(dr.region, a.rdsCa), log: (line: string) => console.log(line) };
    const deadlineAt = REAL_CLOCK.now() + a.deadlineMinutes * 60_000;
    let report = await runDrill(out, a, a.runId, deps);
    if (a.chaos && report.verdict !== "aborted") {
        const chaos = await runChaos(out, a.chaos, a.runId, deadlineAt, deps).catch((e: Error) => ({ key: a.chaos!, templateId: "", ok: false, detail: `could not run: ${e.message}` }));
        report = withChaos(report, chaos);
    }
    const files = writeReport(report, a.out);
    // The identifiers the runbook's commands need, kept with the report (readable when the primary region, and the state, are not).
    fs.writeFileSync(path.join(a.out, "outputs.json"), `${JSON.stringify(out, null, 2)}\n`);
    if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, markdownReport(report));
    console.log(`dr drill ${out.stack}: ${report.verdict}; report ${files.markdown} and ${files.json}`);
    return EXIT_CODES[report.verdict];
}

async function cleanup(out: DrDrillOutput, a: CliArgs): Promise<number> {
    if (!out.dr.enabled) {
        console.log(`dr cleanup ${out.stack}: no DR region, nothing to clean up`);
        return 0;
    }
    const [{ drillClients, describeInstance, deleteDrillInstance }] = await Promise.all([import("./aws")]);
    const rds = drillClients(out).drRds;
    const id = drillInstanceId(out);
    const found = await describeInstance(rds, id);
    if (!found) {
        console.log(`dr cleanup ${out.stack}: no ${id} in ${out.dr.region}`);
        return 0;
    }
    if (found.DBInstanceStatus === "deleting") {
        console.log(`dr cleanup ${out.stack}: ${id} is being deleted`);
        return 0;
    }
    try {
        await deleteDrillInstance(rds, found, out);
    } catch (e) {
        console.error(`dr cleanup: ${(e as Error).message}`);
        return EXIT_CODES.refused;
    }
    console.log(`dr cleanup ${out.stack}: deleting ${id} (drill run ${found.TagList?.find((t) => t.Key === DRILL_TAG)?.Value})${isProduction(out, a.stack) ? " in a production stack" : ""}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; }, (e: Error) => {
        console.error(`dr: ${e.stack ?? e.message}`);
        process.exitCode = EXIT_CODES.failed;
    });
}
