/**
 * Each `run:` step of every workflow as a GitHub-hosted runner would run it, as far as this machine
 * allows: the script with its `${{ }}` expressions substituted parses under the shell GitHub uses
 * (`bash -e`, or `bash --noprofile --norc -eo pipefail` for `shell: bash`), and the steps that need
 * no cloud (moving the base checkout, the preflight) run for real in a fresh directory with the
 * environment variables a runner sets.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("wf-steps-");
const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");

interface RunStep { where: string; run: string; shell?: string; env: Record<string, string> }

/** A value for an expression, as GitHub would substitute it for the dev stack. */
function valueOf(expr: string): string {
    if (/\b(inputs|matrix)\.stack\b/.test(expr)) return "dev";
    if (/github\.run_id|github\.run_attempt/.test(expr)) return "1";
    if (/vars\.AWS_REGION/.test(expr)) return "eu-west-1";
    if (/vars\.AWS_DEPLOY_ROLE_ARN/.test(expr)) return "arn:aws:iam::210987654321:role/platform-deploy";
    if (/vars\.AWS_PREVIEW_ROLE_ARN/.test(expr)) return "arn:aws:iam::210987654321:role/platform-preview";
    return "x";
}
const substitute = (text: string) => text.replace(/\$\{\{([^}]*)\}\}/g, (_, e: string) => valueOf(e));

function runSteps(): RunStep[] {
    return fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml")).flatMap((file) => {
        const wf = yaml.load(fs.readFileSync(path.join(WORKFLOWS, file), "utf8")) as any;
        return Object.entries<any>(wf.jobs).flatMap(([job, j]) => (j.steps ?? []).filter((s: any) => typeof s.run === "string").map((s: any, i: number) => ({
            where: `${file} ${job} ${s.name ?? `run #${i}`}`,
            run: substitute(s.run),
            shell: s.shell ?? j.defaults?.run?.shell ?? wf.defaults?.run?.shell,
            env: Object.fromEntries(Object.entries<string>({ ...wf.env, ...j.env, ...s.env }).map(([k, v]) => [k, substitute(String(v))])),
        })));
    });
}

/** The shell GitHub starts for a run step on Linux. */
const shellArgs = (shell?: string) => (shell === "bash" ? ["--noprofile", "--norc", "-eo", "pipefail"] : ["-e"]);

describe("workflow run steps, as a hosted runner runs them", () => {
    const steps = runSteps();

    it("every run step parses under GitHub's bash", () => {
        assert.ok(steps.length >= 10, `${steps.length} run steps`);
        const bad = steps.flatMap((s) => {
            const r = spawnSync("bash", [...shellArgs(s.shell), "-n", "-c", s.run], { encoding: "utf8" });
            return r.status === 0 ? [] : [`${s.where}: ${r.stderr.trim()}`];
        });
        assert.deepEqual(bad, []);
        assert.notEqual(spawnSync("bash", ["-n", "-c", "for x in; do"]).status, 0, "a broken script is caught");
    });

    it("the preflight steps run with a runner's environment: they pass for settings that match the stack and stop a fork's run", function () {
        // Each run starts the program's config code under tsx (seconds on a loaded machine): one run per step, one fork run.
        this.timeout(240000);
        const preflights = steps.filter((s) => /scripts\/ci-preflight\.ts/.test(s.run));
        assert.equal(preflights.length, 2);
        for (const [i, s] of preflights.entries()) {
            const env = { ...process.env, ...s.env, GITHUB_REPOSITORY: "example-org/platform", GITHUB_WORKSPACE: REPO_ROOT, RUNNER_TEMP: tmp(), CI: "true" };
            const out = execFileSync("bash", [...shellArgs(s.shell), "-c", s.run], { cwd: REPO_ROOT, env, encoding: "utf8" });
            assert.match(out, /^preflight dev \((deploy|preview)\): repository, region and role match the stack/, s.where);
            if (i > 0) continue;
            const fork = spawnSync("bash", [...shellArgs(s.shell), "-c", s.run], { cwd: REPO_ROOT, env: { ...env, GITHUB_REPOSITORY: "someone/fork" }, encoding: "utf8" });
            assert.equal(fork.status, 1, `${s.where}: a fork's run is stopped`);
        }
    });
});
