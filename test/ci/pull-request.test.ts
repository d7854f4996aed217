/**
 * The pull-request workflow on a GitHub-hosted runner (issue 21, finding 7): `actions/checkout`
 * places every checkout under $GITHUB_WORKSPACE, so the base branch lands in `base/` inside the
 * repository `.ci/run` tests. The workflow moves it out before the tests, and the lint, the
 * type-check and mocha take no file of a second checkout even when one sits in `base/`: the tools'
 * own file discovery is asked, in a clone of this repository with an older commit checked out in
 * `base/` beside its files.
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as ts from "typescript";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lintTargets } = require("../../scripts/check.cjs");

const tmp = tempDirs("pr-base-");
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
/** The configuration files of `npm test` (uncommitted edits included): what decides which files each tool takes. */
const TOOL_CONFIGS = ["tsconfig.json", "eslint.config.mjs", ".mocharc.cjs", "package.json", "scripts/check.cjs"];

/** Every file under `dir` (relative to `root`), .git and node_modules excluded. */
function filesUnder(root: string, dir: string): string[] {
    return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.name === ".git" || e.name === "node_modules") return [];
        return e.isDirectory() ? filesUnder(root, rel) : [rel];
    });
}

describe("pull-request workflow: the base branch's checkout", () => {
    let repo: string;
    let baseFiles: string[];
    before(function () {
        this.timeout(120000);
        // A clone of this repository at HEAD with this worktree's tool configs, and another commit checked out in base/.
        repo = path.join(tmp(), "repo");
        git(REPO_ROOT, "clone", "--quiet", "--shared", REPO_ROOT, repo);
        for (const f of TOOL_CONFIGS) fs.copyFileSync(path.join(REPO_ROOT, f), path.join(repo, f));
        fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
        git(REPO_ROOT, "clone", "--quiet", "--shared", REPO_ROOT, path.join(repo, "base"));
        const other = (() => { try { return git(repo, "rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"); } catch { return "HEAD"; } })();
        git(path.join(repo, "base"), "checkout", "--quiet", "--detach", other);
        baseFiles = filesUnder(repo, "base").filter((f) => /\.(ts|cjs|js|mjs)$/.test(f));
        assert.ok(baseFiles.length > 50, `${baseFiles.length} source files in base/`);
    });

    it("the lint takes no file of base/, and still lints the repository's own", async () => {
        // What `npm run lint` (scripts/check.cjs) hands ESLint. Not "." : base/ has an eslint.config.mjs of its own, which
        // ESLint would use for the files under it (each one then a parse error: not in that copy's program).
        const targets = (lintTargets(repo) as string[]).map((f) => path.relative(repo, f));
        assert.deepEqual(targets.filter((f) => f.split(path.sep)[0] === "base"), []);
        for (const own of ["stacks/index.ts", "test/ci/docs.test.ts", "scripts/plan.cjs", ".mocharc.cjs", "policies/index.ts"]) assert.ok(targets.includes(own), `${own} is linted`);
        // ESLint itself would read base/ with base/'s own config, whatever the repository's config ignores.
        const eslint = new ESLint({ cwd: repo });
        assert.equal(await eslint.isPathIgnored(path.join(repo, "base", "stacks", "index.ts")), false);
    });

    it("the type-check's program and mocha's spec hold no file of base/", () => {
        const parsed = ts.getParsedCommandLineOfConfigFile(path.join(repo, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) })!;
        const inBase = (f: string) => path.relative(repo, f).split(path.sep)[0] === "base";
        assert.ok(parsed.fileNames.length > 100, `${parsed.fileNames.length} files in the program`);
        assert.deepEqual(parsed.fileNames.filter(inBase), []);
        // mocha reads .mocharc.cjs in a process of its own (the config looks at argv).
        const spec = JSON.parse(execFileSync(process.execPath, ["-e", "process.stdout.write(JSON.stringify(require('./.mocharc.cjs').spec))"], { cwd: repo, encoding: "utf8" })) as string[];
        assert.ok(spec.length > 30, `${spec.length} test files`);
        assert.deepEqual(spec.filter(inBase), []);
    });

    it("the workflow moves the base checkout out of the workspace before the tests, and plans it there", () => {
        const pr = yaml.load(fs.readFileSync(path.join(REPO_ROOT, ".github", "workflows", "pull-request.yml"), "utf8")) as any;
        const steps: any[] = pr.jobs["test-and-plan"].steps;
        const checkout = steps.findIndex((s) => String(s.uses).startsWith("actions/checkout@") && s.with?.path === "base");
        const move = steps.findIndex((s) => /^mv base "\$RUNNER_TEMP\/base"$/.test(String(s.run).trim()));
        const tests = steps.findIndex((s) => String(s.run).trim() === "bash .ci/run");
        assert.ok(checkout >= 0 && move > checkout && tests > move, `checkout ${checkout}, move ${move}, tests ${tests}`);
        const diff = steps.find((s) => /plan -- "\$stack" --quiet --diff/.test(String(s.run)));
        assert.match(diff.run, /cd "\$RUNNER_TEMP\/base" && npm ci/);
        assert.doesNotMatch(diff.run, /\(cd base\b/, "nothing runs in base/ inside the workspace");
        // The moved checkout is outside the workspace and the plan run there writes back into it.
        const script = `set -eu\nmkdir -p base && touch base/marker\n${steps[move].run}\ntest ! -e base && test -f "$RUNNER_TEMP/base/marker"`;
        const ws = tmp();
        execFileSync("bash", ["-c", script], { cwd: ws, env: { ...process.env, GITHUB_WORKSPACE: ws, RUNNER_TEMP: tmp() } });
    });
});
