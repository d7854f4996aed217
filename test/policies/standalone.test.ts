/**
 * policies/ on its own, as `pulumi policy publish` ships it and as a user's CI installs it: a copy
 * of the directory (no node_modules) with the dependencies `npm ci` installs from its committed
 * lockfile starts through run-policy-pack and serves the analyzer protocol, and no source of the
 * pack imports anything outside the directory or undeclared in its package.json.
 *
 * The install is kept between runs in the OS temp directory, keyed by the pack's package.json and
 * lockfile, so only a changed lockfile pays for `npm ci` (which needs the npm registry or cache).
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { evaluatePack } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import { reconcileConfig } from "../../policies/lib/config";
import { toPolicyResource } from "../../policies/lib/resources";
import { builtStack, PROJECT, REPO_ROOT } from "../../lib/offline/stack";
import { AnalyzerSession, engineResources, resolveFrom } from "../harness/analyzer";

const PACK = path.join(REPO_ROOT, "policies");

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.name === "node_modules" || e.name === "bin") return [];
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sources(p) : [p];
    });
}

/** node_modules installed by `npm ci` from the pack's lockfile, reused while package.json and the lockfile are unchanged. */
function installedDependencies(): { dir?: string; skip?: string } {
    const manifest = ["package.json", "package-lock.json"].map((f) => fs.readFileSync(path.join(PACK, f)));
    const key = createHash("sha256").update(manifest[0]).update(manifest[1]).digest("hex").slice(0, 16);
    const cache = path.join(os.tmpdir(), `platform-policy-pack-deps-${key}`);
    if (fs.existsSync(path.join(cache, "node_modules", ".package-lock.json"))) return { dir: path.join(cache, "node_modules") };
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-install-"));
    fs.writeFileSync(path.join(staging, "package.json"), manifest[0]);
    fs.writeFileSync(path.join(staging, "package-lock.json"), manifest[1]);
    const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], { cwd: staging, encoding: "utf8", timeout: 240000 });
    if (npm.status !== 0) {
        const out = `${npm.stdout}\n${npm.stderr}`;
        fs.rmSync(staging, { recursive: true, force: true });
        if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(out)) return { skip: `npm ci of policies/package-lock.json needs the npm registry or a warm npm cache, and neither is reachable:\n${out.split("\n").filter((l) => /ERR/.test(l)).slice(0, 5).join("\n")}` };
        throw new Error(`npm ci of policies/package-lock.json failed (status ${npm.status}):\n${out}`);
    }
    try {
        fs.renameSync(staging, cache);
    } catch {
        fs.rmSync(staging, { recursive: true, force: true }); // another run installed it first
    }
    return { dir: path.join(cache, "node_modules") };
}

describe("policies/ alone (what `pulumi policy publish` ships)", function () {
    this.timeout(300000);

    it("imports nothing outside the directory, and only packages its package.json declares", () => {
        const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")).dependencies);
        const problems: string[] = [];
        for (const file of sources(PACK).filter((f) => f.endsWith(".ts"))) {
            const text = fs.readFileSync(file, "utf8");
            for (const m of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)"([^"]+)"/g)) {
                const spec = m[1];
                const where = `${path.relative(PACK, file)}: ${spec}`;
                if (spec.startsWith(".")) {
                    if (path.relative(PACK, path.resolve(path.dirname(file), spec)).startsWith("..")) problems.push(`${where} leaves policies/`);
                    continue;
                }
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!spec.startsWith("node:") && !builtinModules.includes(name) && !declared.includes(name)) problems.push(`${where} is not a dependency in policies/package.json`);
            }
        }
        assert.deepEqual(problems, []);
    });

    it("a copy with its own `npm ci` dependencies starts through run-policy-pack, with its own TypeScript, and judges like the repository", async function () {
        const deps = installedDependencies();
        if (deps.skip) {
            console.warn(`      skipped: ${deps.skip}`);
            this.skip();
        }
        // A fixed place per checkout, refreshed each run: ts-node's compile cache then serves unchanged sources, as on a user's machine.
        const copy = path.join(os.tmpdir(), `platform-policy-pack-copy-${createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}`);
        fs.rmSync(copy, { recursive: true, force: true });
        fs.mkdirSync(copy);
        for (const f of sources(PACK)) {
            const to = path.join(copy, path.relative(PACK, f));
            fs.mkdirSync(path.dirname(to), { recursive: true });
            fs.copyFileSync(f, to);
        }
        fs.symlinkSync(deps.dir!, path.join(copy, "node_modules"), "dir");
        const runner = resolveFrom(copy, "@pulumi/pulumi/cmd/run-policy-pack");
        assert.ok(runner.startsWith(fs.realpathSync(deps.dir!)), `run-policy-pack from the copy's own dependencies: ${runner}`);
        const ts = resolveFrom(path.dirname(runner), "typescript");
        assert.ok(ts.startsWith(fs.realpathSync(deps.dir!)), `the runner compiles with the pack's TypeScript, not its vendored 3.8: ${ts}`);

        const session = await AnalyzerSession.start(copy, { stack: "prod", project: PROJECT, dryRun: true, timeoutMs: 120000 });
        try {
            const info = await session.analyzerInfo();
            assert.equal(info.policies.length, ALL_POLICIES.length);
            const config = reconcileConfig(JSON.parse(fs.readFileSync(path.join(copy, "config", "prod.json"), "utf8")), info.policies);
            await session.configure(config);
            const prod = await builtStack("prod");
            const db = prod.resources.find((r) => r.type === "aws:rds/instance:Instance" && !r.inputs.replicateSourceDb)!;
            const broken = prod.resources.map((r) => (r === db ? { ...r, inputs: { ...r.inputs, iamDatabaseAuthenticationEnabled: false } } : r));
            const { resources, urnOf } = engineResources("prod", PROJECT, broken);
            const diagnostics = [...(await session.analyzeAll(resources)), ...(await session.analyzeStack(resources))];
            const offline = evaluatePack(broken.map(toPolicyResource), config);
            assert.deepEqual(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn, d.message]), offline.map((v) => [v.policy, v.enforcementLevel, urnOf.get(v.resource), v.message]));
            assert.deepEqual(diagnostics.map((d) => d.policyName), ["rds-baseline"]);
            console.log(`      standalone pack: started in ${session.startupMs} ms, ${resources.length} resources analyzed`);
        } finally {
            session.close();
        }
    });
});
