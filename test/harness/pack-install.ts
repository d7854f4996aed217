/**
 * The policy pack as the engine would load it: policies/ with the dependencies `npm ci` installs
 * from its own lockfile, never the repository's node_modules.
 *
 * - In place, when `npm ci` in policies/ has installed policies/node_modules (the set-up the
 *   README and the workflows use for `--policy-pack policies`) and that install is exactly the
 *   lockfile's: the directory `pulumi preview --policy-pack policies` loads.
 * - Otherwise a copy of policies/ (no node_modules) linked to an `npm ci` of its lockfile in the OS
 *   temp directory, kept between runs and keyed by package.json and the lockfile.
 * - Only when neither exists and the npm registry cannot be reached: policies/ resolving the
 *   repository's dependencies, with `standalone` saying why the pack's own could not be had.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../lib/offline/stack";

export const PACK_SOURCE = path.join(REPO_ROOT, "policies");

export interface PackUnderTest {
    /** The directory run-policy-pack starts in. */
    dir: string;
    /** Where its dependencies come from, for messages. */
    how: string;
    /** The pack's own node_modules; absent when it had to fall back to the repository's (see `standalone`). */
    ownDependencies?: string;
    /** Why the pack runs on the repository's dependencies, when it does. */
    standalone?: string;
}

/** The pack's sources: every file but node_modules/ and bin/. */
export function packSources(dir = PACK_SOURCE): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.name === "node_modules" || e.name === "bin") return [];
        const p = path.join(dir, e.name);
        return e.isDirectory() ? packSources(p) : [p];
    });
}

type LockPackages = Record<string, { version?: string; integrity?: string; optional?: boolean }>;

/** What differs between the packages `npm ci` recorded in node_modules/.package-lock.json and the lockfile's; empty when the install is the lockfile's. */
export function installDrift(lockfile: string, hiddenLockfile: string): string[] {
    const wanted = (JSON.parse(fs.readFileSync(lockfile, "utf8")).packages ?? {}) as LockPackages;
    const have = (JSON.parse(fs.readFileSync(hiddenLockfile, "utf8")).packages ?? {}) as LockPackages;
    const drift: string[] = [];
    for (const [p, w] of Object.entries(wanted)) {
        if (p === "") continue;
        const h = have[p];
        if (!h) {
            if (!w.optional) drift.push(`${p} missing`); // an optional package for another platform is not installed
        }
        else if (h.version !== w.version) drift.push(`${p} is ${h.version}, the lockfile has ${w.version}`);
        else if (h.integrity !== w.integrity) drift.push(`${p} ${h.version} has another integrity than the lockfile's`);
    }
    for (const p of Object.keys(have)) if (p !== "" && !(p in wanted)) drift.push(`${p} is not in the lockfile`);
    return drift;
}

/** node_modules installed by `npm ci` from the pack's lockfile in the OS temp directory, reused while package.json and the lockfile are unchanged. */
function cachedInstall(): { dir?: string; unreachable?: string } {
    const manifest = ["package.json", "package-lock.json"].map((f) => fs.readFileSync(path.join(PACK_SOURCE, f)));
    const key = createHash("sha256").update(manifest[0]).update(manifest[1]).digest("hex").slice(0, 16);
    // Per user: a directory another user made (mkdtemp, mode 0700) cannot be read, and must not be taken for ours.
    const cache = path.join(os.tmpdir(), `platform-policy-pack-deps-${key}-${os.userInfo().uid}`);
    if (fs.existsSync(path.join(cache, "node_modules", ".package-lock.json"))) return { dir: path.join(cache, "node_modules") };
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-install-"));
    fs.writeFileSync(path.join(staging, "package.json"), manifest[0]);
    fs.writeFileSync(path.join(staging, "package-lock.json"), manifest[1]);
    const npm = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts"], { cwd: staging, encoding: "utf8", timeout: 240000 });
    if (npm.status !== 0) {
        const out = `${npm.stdout}\n${npm.stderr}`;
        fs.rmSync(staging, { recursive: true, force: true });
        if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(out)) {
            return { unreachable: `npm ci of policies/package-lock.json needs the npm registry or a warm npm cache, and neither is reachable:\n${out.split("\n").filter((l) => /ERR/.test(l)).slice(0, 5).join("\n")}` };
        }
        throw new Error(`npm ci of policies/package-lock.json failed (status ${npm.status}):\n${out}`);
    }
    try {
        fs.renameSync(staging, cache);
    } catch {
        fs.rmSync(staging, { recursive: true, force: true }); // another run installed it first
    }
    return { dir: path.join(cache, "node_modules") };
}

/** Chooses (and when needed installs) the pack the engine tests start; see the file comment. */
export function packUnderTest(): PackUnderTest {
    const inPlace = path.join(PACK_SOURCE, "node_modules");
    const hidden = path.join(inPlace, ".package-lock.json");
    let stale = "";
    if (fs.existsSync(hidden)) {
        const drift = installDrift(path.join(PACK_SOURCE, "package-lock.json"), hidden);
        if (drift.length === 0) return { dir: PACK_SOURCE, how: "policies/ with its own npm ci install (policies/node_modules)", ownDependencies: inPlace };
        stale = ` (policies/node_modules is not the lockfile's install: ${drift.slice(0, 3).join("; ")}; run \`cd policies && npm ci\`)`;
    }
    const deps = cachedInstall();
    if (!deps.dir) return { dir: PACK_SOURCE, how: "policies/ on the repository's dependencies", standalone: deps.unreachable };
    // A fixed place per checkout, refreshed each run.
    const copy = path.join(os.tmpdir(), `platform-policy-pack-copy-${createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}-${os.userInfo().uid}`);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.mkdirSync(copy);
    for (const f of packSources()) {
        const to = path.join(copy, path.relative(PACK_SOURCE, f));
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.copyFileSync(f, to);
    }
    fs.symlinkSync(deps.dir, path.join(copy, "node_modules"), "dir");
    return { dir: copy, how: `a copy of policies/ on its own npm ci install in ${path.dirname(deps.dir)}${stale}`, ownDependencies: deps.dir };
}
