/**
 * Plan snapshots of released commits, kept in test/data/releases/<commit>/<stack>.plan.json.gz for
 * the upgrade test (test/stacks/upgrade.test.ts): what each stack looked like in that release, as
 * its own code and its own Pulumi.<stack>.yaml planned it.
 *
 *   node --import tsx scripts/release-snapshots.ts <commit>...
 *
 * Each commit is cloned into a temporary directory (git clone --shared, nothing is written to this
 * repository's .git) and planned there with its own scripts/plan.ts. The clone borrows this
 * repository's node_modules when the commit's lockfile pins the same Pulumi packages, and runs
 * `npm ci` in the clone otherwise. Releases are listed in lib/aws/migrations.ts.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { REPO_ROOT } from "../lib/offline/stack";

export const RELEASES_DIR = path.join(REPO_ROOT, "test", "data", "releases");

/** The snapshot file of a release and stack. */
export const releaseSnapshotFile = (commit: string, stack: string) => path.join(RELEASES_DIR, commit, `${stack}.plan.json.gz`);

/** A release's snapshot of a stack, as the plan wrote it. */
export function readReleaseSnapshot(commit: string, stack: string): unknown {
    return JSON.parse(zlib.gunzipSync(fs.readFileSync(releaseSnapshotFile(commit, stack))).toString("utf8"));
}

const PINNED = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/random"];
const pinned = (lock: string) => {
    const packages = (JSON.parse(lock) as { packages: Record<string, { version?: string }> }).packages;
    return PINNED.map((p) => `${p}@${packages[`node_modules/${p}`]?.version}`).join(" ");
};

function snapshot(commit: string): string[] {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "release-"));
    try {
        const clone = path.join(tmp, "repo");
        const git = (...args: string[]) => execFileSync("git", args, { cwd: clone, encoding: "utf8" }).trim();
        execFileSync("git", ["clone", "--quiet", "--shared", "--no-checkout", REPO_ROOT, clone]);
        git("checkout", "--quiet", "--detach", commit);
        const full = git("rev-parse", "HEAD");
        const same = pinned(fs.readFileSync(path.join(clone, "package-lock.json"), "utf8")) === pinned(fs.readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8"));
        if (same) {
            fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"), "dir");
            if (fs.existsSync(path.join(clone, "policies", "package.json"))) fs.symlinkSync(path.join(REPO_ROOT, "policies", "node_modules"), path.join(clone, "policies", "node_modules"), "dir");
        } else {
            execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: clone, stdio: "inherit" });
            if (fs.existsSync(path.join(clone, "policies", "package-lock.json"))) execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: path.join(clone, "policies"), stdio: "inherit" });
        }
        const stacks = fs.readdirSync(clone).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
        const written: string[] = [];
        for (const stack of stacks) {
            const out = path.join(tmp, `out-${stack}`);
            execFileSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", stack, "--quiet", "--out", out], { cwd: clone, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, PLATFORM_PLAN_BUNDLE: "0" } });
            const file = releaseSnapshotFile(full, stack);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(path.join(out, "plan.json")), { level: 9 }));
            written.push(path.relative(REPO_ROOT, file));
        }
        return written;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

if (require.main === module) {
    const commits = process.argv.slice(2);
    if (commits.length === 0) {
        console.error("usage: node --import tsx scripts/release-snapshots.ts <commit>...");
        process.exit(2);
    }
    for (const c of commits) for (const f of snapshot(c)) console.log(`wrote ${f}`);
}
