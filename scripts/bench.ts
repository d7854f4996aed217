/**
 * `npm run bench`: prints, for each stack, the offline plan's wall time (median of 3 runs, each a
 * fresh process as in CI) and resource count, then the policy evaluator's throughput (./bench/policy.ts) and the
 * test suite's time. A script that prints figures, not a timed test.
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

console.log("offline plan (fresh process, median of 3):");
for (const stack of ["dev", "staging", "prod"]) {
    const runs = [0, 1, 2].map(() => timed(process.execPath, ["--import", "tsx", "scripts/plan.ts", stack, "--quiet"]));
    const resources = runs[0].out.match(/Resources: (\d+)/)?.[1] ?? "?";
    console.log(`  ${stack.padEnd(8)} ${(median(runs.map((r) => r.ms)) / 1000).toFixed(2)} s  ${resources} resources  exit ${runs[0].code}`);
}

benchPolicy();

if (!process.argv.includes("--no-tests")) {
    const t = timed("npx", ["mocha"]);
    console.log(`test suite (mocha): ${(t.ms / 1000).toFixed(1)} s, ${t.out.match(/(\d+) passing/)?.[1] ?? "?"} passing, exit ${t.code}`);
}
