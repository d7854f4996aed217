/**
 * `npm run bench`: prints, for each stack, the offline plan's wall time (median of 3 runs, each a
 * fresh process as in CI) and resource count, then the policy evaluator's throughput and the
 * test suite's time. A script that prints figures, not a timed test; it exits 1 when a measured
 * run failed (a plan or the suite exiting non-zero), so a broken figure never passes for a result.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { benchPolicy } from "./bench/policy";

const ROOT = path.resolve(__dirname, "..");

function timed(cmd: string, args: string[]): { ms: number; out: string; code: number | null } {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8" });
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: r.stdout + r.stderr, code: r.status };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

const failures: string[] = [];

console.log("offline plan (fresh process, median of 3):");
for (const stack of ["dev", "staging", "prod"]) {
    const runs = [0, 1, 2].map(() => timed(process.execPath, ["--import", "tsx", "scripts/plan.ts", stack, "--quiet"]));
    const failed = runs.find((r) => r.code !== 0);
    const resources = runs[0].out.match(/Resources: (\d+)/)?.[1];
    if (failed) failures.push(`plan ${stack} exited ${failed.code}: ${failed.out.trim().split("\n").slice(-3).join(" / ")}`);
    else if (!resources) failures.push(`plan ${stack} printed no resource count`);
    console.log(`  ${stack.padEnd(8)} ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2)} s  ${resources ?? "?"} resources  exit ${failed?.code ?? 0}`);
}

benchPolicy();

if (!process.argv.includes("--no-tests")) {
    const t = timed(process.execPath, [path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js")]);
    const passing = t.out.match(/(\d+) passing/)?.[1];
    const failing = t.out.match(/(\d+) failing/)?.[1];
    console.log(`test suite (mocha): ${(t.ms / 1000).toFixed(1)} s, ${passing ?? 0} passing, ${failing ?? 0} failing, exit ${t.code}`);
    if (t.code !== 0 || !passing) failures.push(`mocha exited ${t.code}${passing ? "" : " before running any test"}: ${t.out.trim().split("\n").slice(-5).join(" / ")}`);
}

if (failures.length) {
    console.error(`bench: ${failures.length} measured run(s) failed, the figures above are not results:\n  ${failures.join("\n  ")}`);
    process.exitCode = 1;
}
