/**
 * CI credentials last as long as the job that uses them (issue 21, finding 5): every job assuming
 * an AWS role asks for a session at least as long as its timeout, the role allows that session
 * (MaxSessionDuration, as bootstrap/ and the stacks build them), a job on the in-VPC runner ends
 * before CodeBuild's build timeout, and no step chains roles (a chained session lasts one hour at most).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { PlatformMocks } from "../../lib/offline/mocks";
import { record, RecordedResource } from "../../lib/offline/recorder";
import { builtStack, REPO_ROOT, STACKS } from "../../lib/offline/stack";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
/** configure-aws-credentials' session length when `role-duration-seconds` is not given (its action.yml: 3600). */
const DEFAULT_SESSION = 3600;

interface AssumingJob { where: string; job: any; step: any }

function assumingJobs(): AssumingJob[] {
    return fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml")).flatMap((file) => {
        const wf = yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as any;
        return Object.entries<any>(wf.jobs).flatMap(([name, job]) => (job.steps ?? [])
            .filter((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"))
            .map((step: any) => ({ where: `${file} ${name}`, job, step })));
    });
}

/** Problems of one job: its session vs its timeout, the role's ceiling, the runner's build timeout. */
function sessionProblems(j: AssumingJob, roleMaxSession: number | undefined, runnerBuildMinutes: number): string[] {
    const out: string[] = [];
    const timeout = Number(j.job["timeout-minutes"]);
    const session = Number(j.step.with?.["role-duration-seconds"] ?? DEFAULT_SESSION);
    if (!Number.isFinite(timeout)) out.push(`${j.where}: no timeout-minutes (GitHub's default is 6 hours, past any session)`);
    else if (session < timeout * 60) out.push(`${j.where}: session ${session} s is shorter than the job's timeout ${timeout * 60} s`);
    if (roleMaxSession === undefined) out.push(`${j.where}: assumes ${j.step.with?.["role-to-assume"]}, which no stack or bootstrap role matches`);
    else if (session > roleMaxSession) out.push(`${j.where}: asks for ${session} s but the role allows ${roleMaxSession} s (AssumeRoleWithWebIdentity fails)`);
    if (String(j.job["runs-on"]).includes("codebuild-") && timeout > runnerBuildMinutes) out.push(`${j.where}: timeout ${timeout} min outlives the in-VPC runner's build timeout ${runnerBuildMinutes} min`);
    if (j.step.with?.["role-chaining"] !== undefined) out.push(`${j.where}: role chaining caps the session at one hour`);
    return out;
}

describe("CI credentials outlive the jobs using them", () => {
    let roles: Record<string, number | undefined>;
    let runnerBuildMinutes: number;
    before(async () => {
        const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const boot = (await record(() => bootstrapIdentity(cfg))).resources;
        const maxOf = (r: RecordedResource | undefined) => (r ? Number(r.inputs.maxSessionDuration ?? 3600) : undefined);
        const named = (n: string) => boot.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === n);
        const staging = await builtStack("staging");
        roles = {
            "${{ vars.AWS_DEPLOY_ROLE_ARN }}": maxOf(named(staging.config.ci.deployRoleName)),
            "${{ vars.AWS_PREVIEW_ROLE_ARN }}": maxOf(named(staging.config.ci.previewRoleName)),
            // build-sign.yml is called with the stack's CI signing role (docs/supply-chain.md).
            "${{ inputs.role-to-assume }}": maxOf(staging.ofType("aws:iam/role:Role").find((r) => r.name === "ci-signing-role")),
        };
        runnerBuildMinutes = Number(staging.get("aws:codebuild/project:Project", "ci-runner-project").inputs.buildTimeout);
    });

    it("every job assuming a role: session >= timeout, role ceiling >= session, runner build >= timeout, no chaining", () => {
        const jobs = assumingJobs();
        assert.ok(jobs.length >= 3, `${jobs.length} jobs assume roles`);
        const problems = jobs.flatMap((j) => sessionProblems(j, roles[j.step.with?.["role-to-assume"]], runnerBuildMinutes));
        assert.deepEqual(problems, []);
        const up = jobs.find((j) => j.where === "up.yml up")!;
        assert.ok(Number(up.step.with["role-duration-seconds"]) >= 2 * 3600, "a first prod deploy runs past one hour");
    });

    it("the rule finds a default one-hour session under a 90-minute deploy, a session over the role's ceiling, and a job outliving its runner", () => {
        const job = (timeout: number, withArgs: Record<string, unknown>, runsOn = "ubuntu-latest"): AssumingJob => ({ where: "x.yml up", job: { "timeout-minutes": timeout, "runs-on": runsOn }, step: { with: withArgs } });
        assert.match(sessionProblems(job(90, {}), 7200, 120).join(), /session 3600 s is shorter than the job's timeout 5400 s/);
        assert.match(sessionProblems(job(60, { "role-duration-seconds": 10800 }), 7200, 120).join(), /allows 7200 s/);
        assert.match(sessionProblems(job(170, { "role-duration-seconds": 10800 }, "codebuild-platform-prod-gha-runner-1-1"), 10800, 120).join(), /outlives the in-VPC runner's build timeout 120 min/);
        assert.match(sessionProblems({ ...job(30, { "role-chaining": true }), job: { "runs-on": "x" } }, 3600, 120).join(), /no timeout-minutes.*role chaining/);
        assert.deepEqual(sessionProblems(job(170, { "role-duration-seconds": 10800 }, "codebuild-x"), 10800, 180), []);
    });

    it("nothing chains roles: no stack's AWS provider assumes a role, no step calls sts assume-role", async () => {
        for (const stack of STACKS) {
            for (const p of (await builtStack(stack)).resources.filter((r) => r.type === "pulumi:providers:aws")) {
                assert.equal(p.inputs.assumeRole ?? p.inputs.assumeRoles, undefined, `${stack} ${p.name}`);
            }
        }
        for (const f of fs.readdirSync(WORKFLOWS)) assert.doesNotMatch(fs.readFileSync(path.join(WORKFLOWS, f), "utf8"), /sts assume-role|role-chaining/, f);
    });
});
