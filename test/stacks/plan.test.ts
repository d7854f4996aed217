/**
 * The offline plan as users run it: `npm run plan -- <stack>` (scripts/plan.cjs, which runs the
 * cached bundle) in a child process, checking exit codes, output and the files it writes; and the
 * bundle cache itself: built on first use, reused, rebuilt when an input changes, and a plan from
 * sources when it cannot be built, with the same result.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { changedPaths, diffSnapshots, Snapshot } from "../../scripts/lib/snapshot";
import { renderDiff } from "../../scripts/lib/render";
import { main as planMain } from "../../scripts/lib/plan-main";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("plan-");

function plan(args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "plan.cjs"), ...args], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, ...env } });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("offline plan (npm run plan)", function () {
    this.timeout(60000);
    let out: string;
    before(() => (out = tmp()));

    it("plans prod: tree, counts, policies, snapshot and manifests; exit 0", () => {
        const r = plan(["prod", "--out", out]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /├─ platform:network:Vpc network \(\d+ resources\)/);
        assert.match(r.out, /aws:rds\/instance:Instance database-instance \[protected\]/);
        assert.match(r.out, /Policies: no violations/);
        const snap = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as Snapshot;
        assert.equal(snap.stack, "prod");
        const provider = snap.resources.find((x) => x.type === "pulumi:providers:kubernetes")!;
        assert.equal(provider.inputs.kubeconfig, "[secret]");
        assert.match(fs.readFileSync(path.join(out, "manifests.yaml"), "utf8"), /kind: StorageClass/);
    });

    it("--diff lists changed inputs with old and new values against an older snapshot", () => {
        const old = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as Snapshot;
        const db = old.resources.find((x) => x.type === "aws:rds/instance:Instance")!;
        db.inputs.backupRetentionPeriod = 14;
        old.resources = old.resources.filter((x) => !(x.type === "aws:ec2/flowLog:FlowLog" && x.name === "network-flowlog"));
        const oldFile = path.join(out, "old.json");
        fs.writeFileSync(oldFile, JSON.stringify(old));
        const r = plan(["prod", "--out", out, "--diff", oldFile, "--quiet"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /diff: 1 to add, 0 to remove, 1 to change/);
        assert.match(r.out, /\+ aws:ec2\/flowLog:FlowLog::network-flowlog/);
        assert.match(r.out, /~ aws:rds\/instance:Instance::database-instance: backupRetentionPeriod\n\s+backupRetentionPeriod: 14 => 35\n/);
        assert.doesNotMatch(r.out, /DR report|├─/, "--quiet prints neither the tree nor the DR report");
    });

    it("--diff never overwrites its baseline: against <out>/plan.json the new plan goes to plan.new.json, and a second run shows the same diff", () => {
        const dir = tmp();
        const old = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8")) as Snapshot;
        old.resources.find((x) => x.type === "aws:rds/instance:Instance")!.inputs.backupRetentionPeriod = 14;
        const baseline = path.join(dir, "plan.json");
        fs.writeFileSync(baseline, JSON.stringify(old));
        const before = fs.readFileSync(baseline, "utf8");
        for (const run of [1, 2]) {
            const r = plan(["prod", "--out", dir, "--diff", baseline, "--quiet"]);
            assert.equal(r.code, 0, r.err);
            assert.match(r.out, /backupRetentionPeriod: 14 => 35/, `run ${run}`);
            assert.match(r.out, /plan\.new\.json \(kept .*plan\.json, the --diff baseline\)/);
            assert.equal(fs.readFileSync(baseline, "utf8"), before, `run ${run} left the baseline alone`);
        }
        assert.equal((JSON.parse(fs.readFileSync(path.join(dir, "plan.new.json"), "utf8")) as Snapshot).stack, "prod");
    });

    it("an unknown stack exits 2 naming the known stacks", () => {
        const r = plan(["qa"]);
        assert.equal(r.code, 2);
        assert.match(r.err, /unknown stack "qa": no Pulumi\.qa\.yaml; known stacks: dev, prod, staging/);
        assert.doesNotMatch(r.err, /at .*\.ts:\d+/);
    });

    it("--help prints the usage with every option and exits 0", () => {
        const r = plan(["--help"]);
        assert.equal(r.code, 0, r.err);
        for (const opt of ["<stack>", "--diff <file>", "--out <dir>", "--quiet", "--help, -h", "exit codes:"]) assert.ok(r.out.includes(opt), opt);
    });

    it("a bad argument exits 2 with one line", () => {
        const r = plan(["prod", "--frobnicate"]);
        assert.equal(r.code, 2);
        assert.match(r.err, /^unknown option --frobnicate; usage: npm run plan -- <stack> .*\n$/);
        assert.equal(r.out, "");
    });

    it("every bad argument, and a --diff file that is not a plan, is refused with one line before building", async () => {
        const notPlan = path.join(out, "not-a-plan.json");
        fs.writeFileSync(notPlan, JSON.stringify({ hello: "world" }));
        const broken = path.join(out, "broken.json");
        fs.writeFileSync(broken, "{ nope");
        const cases: [string[], RegExp][] = [
            [[], /^no stack given; usage: /],
            [["prod", "staging"], /^unexpected argument staging; usage: /],
            [["prod", "--diff"], /^--diff needs a value; usage: /],
            [["prod", "--out", "--quiet"], /^--out needs a value; usage: /],
            [["prod", "--diff", notPlan], /^--diff .*not-a-plan\.json: not a plan snapshot \(expected the plan\.json/],
            [["prod", "--diff", broken], /^--diff .*broken\.json: not valid JSON/],
            [["prod", "--diff", path.join(out, "missing.json")], /^--diff .*missing\.json: cannot read: ENOENT$/],
        ];
        for (const [args, message] of cases) {
            await assert.rejects(planMain(args), (e: Error) => {
                assert.match(e.message, message, args.join(" "));
                assert.equal(e.message.split("\n").length, 1, e.message);
                return true;
            });
        }
    });
});

describe("offline plan bundle cache (scripts/plan.cjs)", function () {
    this.timeout(120000);
    let cache: string, out: string, env: Record<string, string>, manifestFile: string;
    before(() => {
        [cache, out] = [tmp(), tmp()];
        env = { PLATFORM_PLAN_CACHE_DIR: cache, PLATFORM_PLAN_VERBOSE: "1" };
        manifestFile = path.join(cache, "manifest.json");
    });
    const manifest = () => JSON.parse(fs.readFileSync(manifestFile, "utf8")) as { bundle: string; files: Record<string, string> };

    it("the first run builds the bundle and records every source it contains; the next run reuses it", () => {
        const first = plan(["dev", "--quiet", "--out", path.join(out, "bundle")], env);
        assert.equal(first.code, 0, first.err);
        assert.match(first.err, /plan: bundle built in \d+ ms/);
        const m = manifest();
        for (const f of ["package-lock.json", "scripts/plan.ts", "scripts/lib/plan-main.ts", "stacks/platform.ts", "policies/evaluate.ts", "lib/offline/mocks.ts"]) assert.ok(m.files[f], `${f} is a cache input`);
        assert.ok(!Object.keys(m.files).some((f) => f.startsWith("test/") || f.includes("node_modules")), "only the plan's own sources and the lockfile key the cache");
        assert.ok(fs.existsSync(path.join(cache, m.bundle)));
        const second = plan(["dev", "--quiet", "--out", path.join(out, "bundle")], env);
        assert.equal(second.code, 0, second.err);
        assert.doesNotMatch(second.err, /bundle built/);
        assert.ok(fs.existsSync(path.join(cache, m.bundle.replace(/\.js$/, ".v8-cache"))), "the first reuse saves V8's code cache");
    });

    it("a changed input, a missing bundle or another Node version invalidates the cache", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { cachedBundle } = require("../../scripts/plan.cjs") as { cachedBundle: (dir: string) => string | undefined };
        const original = fs.readFileSync(manifestFile, "utf8");
        assert.equal(cachedBundle(cache), path.join(cache, manifest().bundle));
        const tamper = (edit: (m: any) => void) => {
            const m = JSON.parse(original);
            edit(m);
            fs.writeFileSync(manifestFile, JSON.stringify(m));
            return cachedBundle(cache);
        };
        assert.equal(tamper((m) => (m.files["stacks/platform.ts"] = "0".repeat(64))), undefined, "a source changed since the build");
        assert.equal(tamper((m) => (m.files["package-lock.json"] = "0".repeat(64))), undefined, "dependencies changed");
        assert.equal(tamper((m) => (m.environment.node = "v0.0.0")), undefined, "another Node");
        assert.equal(tamper((m) => (m.bundle = "plan-gone.js")), undefined, "the bundle file is gone");
        fs.writeFileSync(manifestFile, original);
    });

    it("when the bundle cannot be built, the plan runs from sources, says so, and writes the same plan as the bundle", () => {
        const r = plan(["dev", "--quiet", "--out", path.join(out, "sources")], { PLATFORM_PLAN_CACHE_DIR: "/dev/null/plan-cache" });
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /plan: could not build the plan bundle \(.*\); running from sources \(slower\)\./);
        assert.match(r.out, /Policies: no violations/);
        const read = (dir: string) => fs.readFileSync(path.join(out, dir, "plan.json"), "utf8");
        assert.equal(read("bundle"), read("sources"), "bundled and source plans are identical");
        assert.equal(fs.readFileSync(path.join(out, "bundle", "manifests.yaml"), "utf8"), fs.readFileSync(path.join(out, "sources", "manifests.yaml"), "utf8"));
    });
});

describe("snapshot diff (pure)", () => {
    it("reports nested changed paths", () => {
        assert.deepEqual(changedPaths({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3] }, c: 1 }), ["a.b[1]"]);
    });
    it("reports option changes such as protect", () => {
        const base = { stack: "s", environment: "prod", resources: [{ key: "t::n", type: "t", name: "n", custom: true, protect: true, dependsOn: [], inputs: {} }] };
        const after = structuredClone(base);
        after.resources[0].protect = false;
        assert.deepEqual(diffSnapshots(base, after).changed, [{ key: "t::n", type: "t", paths: ["(options) protect"], changes: [{ path: "(options) protect", before: true, after: false }] }]);
    });
    it("prints old and new values: secrets masked, long strings cut around the first difference", () => {
        const long = (tail: string) => `{"Version":"2012-10-17","Statement":[${"x".repeat(200)}${tail}]}`;
        const lines = renderDiff({ added: [], removed: [], refused: [], changed: [{ key: "t::n", type: "t", paths: ["policy", "password", "token", "port"], changes: [
            { path: "policy", before: long("a"), after: long("b") },
            { path: "password", before: "[secret]", after: "[secret]" },
            { path: "values.grafana.adminPassword", before: "hunter2", after: "hunter3" },
            { path: "port", before: undefined, after: 5432 },
        ] }] });
        const text = lines.join("\n");
        assert.match(text, /policy: …x+a\]}" \(248 chars\) => …x+b\]}" \(248 chars\)/);
        assert.doesNotMatch(text, /hunter/);
        assert.match(text, /password: \[secret\] => \[secret\]/);
        assert.match(text, /values\.grafana\.adminPassword: \[secret\] => \[secret\]/);
        assert.match(text, /\+ port: 5432/);
        for (const l of lines) assert.ok(l.length < 200, l);
    });
});
