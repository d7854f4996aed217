#!/usr/bin/env node
/**
 * `npm test`: the mocha suite (parallel, two workers) and `npm run check` (the type-check and the
 * lint over one TypeScript program, scripts/check.cjs) run at the same time. Mocha's output
 * streams as it comes (its "N passing" / "N failing" summary is what .ci/run reads); the check's
 * follows it, with each verdict and time. Exit status is non-zero when either fails. Each part
 * alone: `npm run typecheck`, `npm run lint`, `npm run mocha`. The type-check and the lint keep
 * incremental caches in node_modules/.cache (never committed).
 */
"use strict";
const { spawn } = require("node:child_process");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(script, streamed) {
    const started = Date.now();
    return new Promise((resolve) => {
        const child = spawn(npm, ["run", "-s", script], { cwd: ROOT, stdio: streamed ? "inherit" : ["ignore", "pipe", "pipe"] });
        let output = "";
        if (!streamed) {
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
        }
        child.on("error", (e) => resolve({ script, code: 127, output: `${output}${e.message}\n`, seconds: 0 }));
        child.on("close", (code, signal) => resolve({ script, code: code ?? (signal ? 128 : 1), output, seconds: (Date.now() - started) / 1000 }));
    });
}

function report(r) {
    const verdict = r.code === 0 ? "ok" : `FAILED (exit ${r.code})`;
    process.stdout.write(`${r.output}${r.output && !r.output.endsWith("\n") ? "\n" : ""}== ${r.script}: ${verdict} in ${r.seconds.toFixed(1)} s\n`);
}

Promise.all([run("mocha", true), run("check", false)]).then((results) => {
    results.forEach(report);
    const failed = results.filter((r) => r.code !== 0).map((r) => r.script);
    if (failed.length > 0) console.error(`npm test: ${failed.join(", ")} failed`);
    process.exit(failed.length > 0 ? 1 : 0);
});
