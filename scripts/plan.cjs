#!/usr/bin/env node
/**
 * `npm run plan -- <stack> [options]`: runs the offline plan (scripts/plan.ts) from one bundle
 * built with esbuild (scripts/lib/plan-bundle.ts) and cached in node_modules/.cache/platform-plan/,
 * instead of transpiling and resolving hundreds of modules on every run.
 *
 * The cache is valid while every file that went into the bundle (listed with its hash in the
 * manifest), package.json, package-lock.json and Node's version are unchanged; otherwise the first
 * run rebuilds it (a few seconds) and later runs reuse it. When the bundle cannot be built, the plan
 * runs from sources with tsx and says so. PLATFORM_PLAN_BUNDLE=0 always runs from sources, and so
 * does `--project` (the plan of another project, whose program is loaded when it runs).
 * Plain JavaScript on purpose: it runs before anything could transpile TypeScript.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const Module = require("node:module");
const vm = require("node:vm");

// A plan runs for about a second: TurboFan's optimizing compiles cost more CPU than they save in
// that time (measured: about a fifth of the run). Set before the bundle compiles, so the V8 code
// cache below is always made and read under the same flags.
require("node:v8").setFlagsFromString("--no-opt");

const ROOT = path.resolve(__dirname, "..");
/** PLATFORM_PLAN_CACHE_DIR moves the cache (the tests use a fresh one). */
const CACHE = path.resolve(process.env.PLATFORM_PLAN_CACHE_DIR || path.join(ROOT, "node_modules", ".cache", "platform-plan"));
/** Files that shape the bundle without being in it: dependencies, the builder, this launcher. */
const BUILD_INPUTS = ["package.json", "package-lock.json", "scripts/lib/plan-bundle.ts", "scripts/lib/lazy-modules.ts", "scripts/plan.cjs"];
const FORMAT = 1;

function digest(rel) {
    try {
        return crypto.createHash("sha256").update(fs.readFileSync(path.join(ROOT, rel))).digest("hex");
    } catch {
        return "missing";
    }
}

function environment() {
    return { format: FORMAT, node: process.version, root: ROOT };
}

/** The cached bundle's path when the manifest in `cache` still matches every input, else undefined. */
function cachedBundle(cache = CACHE) {
    let manifest;
    try {
        manifest = JSON.parse(fs.readFileSync(path.join(cache, "manifest.json"), "utf8"));
    } catch {
        return undefined;
    }
    const env = environment();
    if (Object.keys(env).some((k) => manifest.environment?.[k] !== env[k])) return undefined;
    for (const [rel, hash] of Object.entries(manifest.files ?? {})) if (digest(rel) !== hash) return undefined;
    const file = path.join(cache, String(manifest.bundle));
    return fs.existsSync(file) ? file : undefined;
}

function writeAtomically(file, text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

/** Builds the bundle (the builder is TypeScript, loaded through tsx only now) and records its inputs. */
async function build() {
    const started = Date.now();
    const files = Object.fromEntries(BUILD_INPUTS.map((rel) => [rel, digest(rel)]));
    // Registered for the whole process, not scoped: a scoped tsx require gives esbuild a module path it cannot find its binary from.
    const unregister = require("tsx/cjs/api").register();
    let buildPlanBundle;
    try {
        ({ buildPlanBundle } = require("./lib/plan-bundle.ts"));
    } finally {
        unregister();
    }
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = path.join(CACHE, `build-${process.pid}.js`);
    let result;
    try {
        result = await buildPlanBundle(ROOT, tmp);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
    Object.assign(files, result.files);
    const key = crypto.createHash("sha256").update(JSON.stringify([environment(), files])).digest("hex").slice(0, 16);
    const bundle = `plan-${key}.js`;
    fs.renameSync(tmp, path.join(CACHE, bundle));
    writeAtomically(path.join(CACHE, "manifest.json"), JSON.stringify({ bundle, environment: environment(), files, bundledModules: result.bundledModules, deferredModules: result.deferredModules }, null, 2) + "\n");
    // Older bundles go once no run can still be loading them.
    for (const f of fs.readdirSync(CACHE)) {
        const p = path.join(CACHE, f);
        if (/^(plan-.*\.(js|v8-cache)|build-\d+\.js)$/.test(f) && !f.startsWith(`plan-${key}.`) && Date.now() - fs.statSync(p).mtimeMs > 60_000) fs.rmSync(p, { force: true });
    }
    if (process.env.PLATFORM_PLAN_VERBOSE) console.error(`plan: bundle built in ${Date.now() - started} ms (${path.relative(ROOT, path.join(CACHE, bundle))})`);
    return path.join(CACHE, bundle);
}

/** The plan from sources, as before the bundle: the fallback, and what PLATFORM_PLAN_BUNDLE=0 asks for. */
function runFromSources() {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "plan.ts"), ...process.argv.slice(2)], { stdio: "inherit" });
    process.exit(r.status ?? 2);
}

async function main() {
    // Another project (--project) loads its own program at run time, with its own imports of the SDK: from sources, so both share one SDK.
    if (process.env.PLATFORM_PLAN_BUNDLE === "0" || process.argv.slice(2).includes("--project")) return runFromSources();
    let bundle = cachedBundle();
    if (!bundle) {
        try {
            bundle = await build();
        } catch (e) {
            console.error(`plan: could not build the plan bundle (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); running from sources (slower).`);
            return runFromSources();
        }
    }
    runBundle(bundle);
}

/**
 * Loads the bundle as CommonJS, with V8's code cache: the first run saves the compiled code (all
 * functions the plan ran, not only the top level) next to the bundle, later runs skip compiling.
 * The bundle runs the plan (scripts/plan.ts) and exits with its code.
 */
function runBundle(file) {
    const cacheFile = file.replace(/\.js$/, ".v8-cache");
    let cachedData;
    try {
        cachedData = fs.readFileSync(cacheFile);
    } catch {
        cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
    if (!cachedData || script.cachedDataRejected) {
        process.once("exit", () => {
            try {
                writeAtomically(cacheFile, script.createCachedData());
            } catch {
                // A missing code cache only costs the next run its compile time.
            }
        });
    }
    const mod = new Module(file, module);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    mod.loaded = true;
    script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}

if (require.main === module) main();
module.exports = { cachedBundle };
