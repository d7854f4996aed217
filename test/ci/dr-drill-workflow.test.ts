/**
 * The dr-drill workflow against the stacks and the drill: it runs monthly and by hand on a
 * non-production stack with DR, on the runner in that stack's DR VPC, with the deploy role for no
 * longer than the role allows and long enough for the drill's deadline, cleans up and uploads the
 * report whatever happens. Its `run:` steps are executed here as the runner would run them (bash,
 * the job's env, the checkout as working directory), except the one that needs the Pulumi CLI.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { runnerLabel } from "../../components/ci/runner";
import { CHAOS_EXPERIMENTS } from "../../components/resilience/keys";
import { PlatformMocks } from "../../lib/offline/mocks";
import { record } from "../../lib/offline/recorder";
import { builtStack, idOf, promiseOf, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { stackConfig } from "../../scripts/ci-preflight";
import { main } from "../../scripts/dr/main";
import { tempDirs } from "../harness/tmp";

const wf = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "dr-drill.yml"), "utf8")) as any;
const job = wf.jobs.drill;
const named = (name: string) => job.steps.find((s: any) => s.name === name);
const uses = (prefix: string) => job.steps.filter((s: any) => String(s.uses).startsWith(prefix));
const tmp = tempDirs("dr-drill-workflow-");

/** The `${{ x || 'staging' }}` and `format(...)` expressions of this workflow, for a dispatch (inputs given) or the schedule (none). */
function evaluate(text: string, ctx: Record<string, string | undefined>): string {
    return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, inner: string) => expression(inner, ctx));
}
function expression(inner: string, ctx: Record<string, string | undefined>): string {
    const value = (term: string): string => {
        const t = term.trim();
        const lit = /^'([^']*)'$/.exec(t);
        if (lit) return lit[1];
        const or = t.split("||").map((x) => x.trim());
        if (or.length > 1) return or.map(value).find((v) => v !== "") ?? "";
        return ctx[t] ?? "";
    };
    const format = /^format\('([^']+)',\s*(.+)\)$/.exec(inner);
    if (format) {
        const args = format[2].split(/,\s*(?![^()]*\))/).map(value);
        return format[1].replace(/\{(\d)\}/g, (_, i) => args[Number(i)]);
    }
    return value(inner);
}

/** Runs one step's `run:` script as the runner does: bash -e, the job's and the step's env, in the checkout. */
function runStep(step: any, cwd: string, env: Record<string, string>) {
    return spawnSync("bash", ["-e", "-c", step.run], { cwd, encoding: "utf8", timeout: 120_000, env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? "/tmp", AWS_EC2_METADATA_DISABLED: "true", ...env } });
}

/** A checkout the run steps can use: the repository's files linked into a fresh directory (its own out/). */
function checkout(): string {
    const dir = tmp();
    for (const entry of fs.readdirSync(REPO_ROOT)) if (entry !== "out" && entry !== ".git") fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
    return dir;
}

describe("dr-drill workflow", () => {
    const drillStacks = STACKS.filter((s) => { const c = stackConfig(s); return c.environment !== "prod" && c.dr.enabled; });

    it("runs monthly and by hand, only on non-production stacks with DR, with the stack's experiments to choose from", () => {
        const cron = wf.on.schedule[0].cron.split(" ");
        assert.equal(wf.on.schedule.length, 1);
        assert.match(cron[2], /^([1-9]|1\d|2[0-8])$/, "one fixed day of the month that every month has");
        assert.deepEqual([cron[3], cron[4]], ["*", "*"]);
        const inputs = wf.on.workflow_dispatch.inputs;
        assert.deepEqual(inputs.stack.options, drillStacks);
        assert.ok(!inputs.stack.options.includes("prod"));
        assert.deepEqual(inputs.chaos.options, ["none", ...CHAOS_EXPERIMENTS]);
        assert.equal(inputs.chaos.default, "none");
        // A scheduled run has no inputs: it drills the default stack, without chaos.
        assert.equal(evaluate(job.env.STACK, {}), "staging");
        assert.equal(evaluate(job.env.CHAOS, {}), "none");
        assert.ok((drillStacks as string[]).includes(evaluate(job.env.STACK, {})));
        assert.equal(evaluate(job.env.STACK, { "inputs.stack": "staging" }), "staging");
        assert.deepEqual(wf.permissions, { contents: "read", "id-token": "write" });
        assert.equal(evaluate(wf.concurrency.group, {}), "dr-drill-staging");
        assert.equal(wf.concurrency["cancel-in-progress"], false);
    });

    it("runs on the CodeBuild runner of the stack's DR VPC, in the stack's GitHub environment", async () => {
        for (const stack of drillStacks) {
            const s = await builtStack(stack);
            const label = evaluate(job["runs-on"], { "inputs.stack": stack, "github.run_id": "42", "github.run_attempt": "1" });
            // The DR context's prefix is <prefix>-dr (DisasterRecovery) and a runner project is <prefix>-gha-runner (CiRunner).
            const project = `${s.config.project}-${stack}-dr-gha-runner`;
            assert.equal(label, `${runnerLabel(project)}42-1`);
            assert.equal(evaluate(job.environment, { "inputs.stack": stack }), stack);
        }
        assert.equal(evaluate(job["runs-on"], { "github.run_id": "7", "github.run_attempt": "2" }), "codebuild-platform-staging-dr-gha-runner-7-2");
    });

    it("a CodeBuild runner project of that label exists in each drill stack's DR region, in the DR VPC, and takes this workflow's jobs", async () => {
        for (const stack of drillStacks) {
            const s = await builtStack(stack);
            const project = `${s.config.project}-${stack}-dr-gha-runner`;
            const drRunner = s.ofType("aws:codebuild/project:Project").find((p) => p.inputs.name === project);
            assert.ok(drRunner, `${stack}: no CodeBuild project ${project}`);
            assert.equal(drRunner.region, s.config.dr.region, "created in the DR region, standing by");
            const drVpc = s.ofType("aws:ec2/vpc:Vpc").find((v) => v.region === s.config.dr.region)!;
            assert.equal(drRunner.inputs.vpcConfig.vpcId, await idOf(drVpc), "inside the DR VPC (the promoted database is private)");
            const hook = s.ofType("aws:codebuild/webhook:Webhook").find((w) => w.inputs.projectName === project)!;
            const names = new RegExp(hook.inputs.filterGroups[0].filters.find((f: any) => f.type === "WORKFLOW_NAME").pattern);
            assert.ok(names.test(wf.name), `the DR runner's webhook takes jobs of the ${wf.name} workflow`);
            assert.ok(!names.test("pull-request"), "pull requests never run in the DR VPC");
        }
    });

    it("checks the GitHub side before any credential, then takes the deploy role in the DR region for as long as the role allows and the drill needs", async () => {
        const creds = uses("aws-actions/configure-aws-credentials@");
        assert.equal(creds.length, 2, "one session for the drill, a fresh one for the cleanup");
        const pre = named("Preflight");
        assert.ok(job.steps.indexOf(pre) < job.steps.indexOf(creds[0]));
        assert.deepEqual(pre.env, { AWS_REGION: "${{ vars.AWS_REGION }}", AWS_DR_REGION: "${{ vars.AWS_DR_REGION }}", ROLE_ARN: "${{ vars.AWS_DEPLOY_ROLE_ARN }}" });
        for (const c of creds) assert.deepEqual([c.with["role-to-assume"], c.with["aws-region"]], ["${{ vars.AWS_DEPLOY_ROLE_ARN }}", "${{ vars.AWS_DR_REGION }}"]);
        // The role's maximum session (bootstrap/) bounds the drill's session; the drill's deadline fits inside it and inside the job.
        const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const { resources } = await record(() => bootstrapIdentity(cfg));
        const deployRole = resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "platform-deploy")!;
        const session = Number(creds[0].with["role-duration-seconds"]);
        assert.ok(session <= deployRole.inputs.maxSessionDuration, `${session} s > the role's ${deployRole.inputs.maxSessionDuration} s`);
        const deadline = Number(/--deadline-minutes (\d+)/.exec(named("Drill").run)![1]);
        assert.ok(deadline * 60 + 10 * 60 <= session, "the drill ends well inside its credentials");
        assert.ok(job["timeout-minutes"] >= deadline + 20);
        // The deploy role trusts this job: its environment is one the bootstrap lists.
        const subs = JSON.parse(deployRole.inputs.assumeRolePolicy).Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"];
        for (const stack of drillStacks) assert.ok(subs.includes(`repo:example-org/platform:environment:${stack}`));
    });

    it("reads the stack outputs from the state bucket's region (aws:region, as up.yml logs in), not the session's DR region", () => {
        const up = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "up.yml"), "utf8")) as any;
        const upRegions = Object.values<any>(up.jobs).flatMap((j) => j.steps).filter((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@")).map((s: any) => s.with["aws-region"]);
        assert.deepEqual([...new Set(upRegions)], ["${{ vars.AWS_REGION }}"]);
        const outputs = job.steps.find((s: any) => s.id === "outputs");
        assert.deepEqual([outputs.env.AWS_REGION, outputs.env.AWS_DEFAULT_REGION], ["${{ vars.AWS_REGION }}", "${{ vars.AWS_REGION }}"]);
        assert.equal(uses("aws-actions/configure-aws-credentials@")[0].with["aws-region"], "${{ vars.AWS_DR_REGION }}", "the drill's own calls stay in the DR region");
    });

    it("cleans up with fresh credentials and uploads the report whatever the drill did", () => {
        const [, cleanupCreds] = uses("aws-actions/configure-aws-credentials@");
        const cleanup = named("Cleanup");
        const outputs = job.steps.find((s: any) => s.id === "outputs");
        assert.match(outputs.run, /pulumi stack output --stack "\$\{PULUMI_ORG:\+\$PULUMI_ORG\/\}\$STACK" drDrill --json > out\/dr\/outputs\.json/);
        for (const s of [cleanupCreds, cleanup]) assert.equal(s.if, "${{ always() && steps.outputs.outcome == 'success' }}");
        assert.ok(job.steps.indexOf(cleanupCreds) < job.steps.indexOf(cleanup) && job.steps.indexOf(named("Drill")) < job.steps.indexOf(cleanupCreds));
        const upload = uses("actions/upload-artifact@")[0];
        assert.equal(upload.if, "${{ always() }}");
        assert.equal(upload.with.path, `${/--out (\S+)/.exec(named("Drill").run)![1]}/`);
        const pulumiCli = uses("pulumi/actions@")[0];
        assert.equal(pulumiCli.with.command, undefined, "install only");
    });

    it("its run steps work as the runner runs them: preflight, the drill's plan, and the refusal of production", async function () {
        this.timeout(300_000);
        const dir = checkout();
        const env = { STACK: "staging", CHAOS: "none", GITHUB_REPOSITORY: "example-org/platform", AWS_REGION: "eu-west-1", AWS_DR_REGION: "eu-central-1", ROLE_ARN: "arn:aws:iam::123456789012:role/platform-deploy" };
        let r = runStep(named("Preflight"), dir, env);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /dr preflight staging: repository, regions and role match the stack/);
        const errors: string[] = [];
        const error = console.error;
        console.error = (line: string) => errors.push(line);
        try {
            assert.equal(await main(["preflight", "staging"], { ...env, AWS_DR_REGION: "eu-west-1" }), 2);
        } finally {
            console.error = error;
        }
        assert.match(errors.join("\n"), /::error::GitHub environment staging: variable AWS_DR_REGION is "eu-west-1" but Pulumi\.staging\.yaml has platform:dr\.region eu-central-1/);

        // What `pulumi stack output drDrill --json` writes (the offline build's output; the CLI is not installed here).
        fs.mkdirSync(path.join(dir, "out", "dr"), { recursive: true });
        const staging = await promiseOf((await builtStack("staging")).platform.outputs.drDrill as pulumi.Input<unknown>);
        fs.writeFileSync(path.join(dir, "out", "dr", "outputs.json"), JSON.stringify(staging));
        r = runStep(named("Drill plan"), dir, { ...env, CHAOS: "node-zone" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^DR drill of staging \(staging\)/);
        assert.match(r.stdout, /8\. chaos: start experiment node-zone in eu-west-1/);

        // The real drill step, given production outputs: refused before any AWS call (there are no credentials here).
        const prod = await promiseOf((await builtStack("prod")).platform.outputs.drDrill as pulumi.Input<unknown>);
        fs.writeFileSync(path.join(dir, "out", "dr", "outputs.json"), JSON.stringify(prod));
        r = runStep(named("Drill"), dir, { ...env, STACK: "prod" });
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /dr: refused: stack prod is production/);
        assert.ok(!fs.existsSync(path.join(dir, "out", "dr", "report")), "nothing ran");
    });
});
