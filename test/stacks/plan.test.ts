/**
 * The offline plan as users run it: `npm run plan -- <stack>` in a child process, checking exit
 * codes, output and the files it writes.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";
import { changedPaths, diffSnapshots, Snapshot } from "../../scripts/lib/snapshot";
import { main as planMain } from "../../scripts/lib/plan-main";

function plan(args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "scripts", "plan.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8" });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("offline plan (npm run plan)", function () {
    this.timeout(60000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));

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

    it("--diff lists changed input paths against an older snapshot", () => {
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
        assert.match(r.out, /~ aws:rds\/instance:Instance::database-instance: backupRetentionPeriod/);
        assert.doesNotMatch(r.out, /DR report|├─/, "--quiet prints neither the tree nor the DR report");
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

describe("snapshot diff (pure)", () => {
    it("reports nested changed paths", () => {
        assert.deepEqual(changedPaths({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3] }, c: 1 }), ["a.b[1]"]);
    });
    it("reports option changes such as protect", () => {
        const base = { stack: "s", environment: "prod", resources: [{ key: "t::n", type: "t", name: "n", custom: true, protect: true, dependsOn: [], inputs: {} }] };
        const after = structuredClone(base);
        after.resources[0].protect = false;
        assert.deepEqual(diffSnapshots(base, after).changed, [{ key: "t::n", paths: ["(options) protect"] }]);
    });
});
