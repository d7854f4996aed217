/**
 * The bench's plan sections (scripts/bench.ts): the offline plan of every stack as users run it
 * (`npm run plan -- <stack> --quiet`, a fresh process each time) against loading @pulumi/pulumi
 * alone, and a synthetic fleet of CanaryApps showing how plan time grows with resources.
 * Each figure is the median of `runs` runs; the plan and the yardstick run in turn (A B A B ...)
 * so both see the same machine.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
export const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export interface Timed { ms: number; out: string; code: number | null }

/** Runs a command to completion and returns its wall time. */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, out: `${r.stdout ?? ""}${r.stderr ?? ""}`, code: r.status };
}

export function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Loading the SDK alone, the yardstick: a fresh Node process that requires @pulumi/pulumi and exits. */
export const loadSdk = (): Timed => timed(process.execPath, ["-e", "require('@pulumi/pulumi')"]);

/** Plan of each stack vs loading the SDK alone: medians, their ratio, resources per second. */
export function planSection(stacks: string[], runs: number): void {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
    console.log(`offline plan, \`npm run plan -- <stack> --quiet\` (fresh process, median of ${runs}; yardstick: node -e "require('@pulumi/pulumi')" run in turn):`);
    // One untimed run builds the plan bundle if the cache is cold (the first run after a change).
    timed(NPM, ["run", "-s", "plan", "--", stacks[0], "--quiet", "--out", out]);
    for (const stack of stacks) {
        const plans: Timed[] = [];
        const loads: Timed[] = [];
        for (let i = 0; i < runs; i++) {
            plans.push(timed(NPM, ["run", "-s", "plan", "--", stack, "--quiet", "--out", out]));
            loads.push(loadSdk());
        }
        const failed = plans.find((p) => p.code !== 0);
        if (failed) throw new Error(`npm run plan -- ${stack} failed (exit ${failed.code}):\n${failed.out}`);
        const resources = Number(plans[0].out.match(/Resources: (\d+)/)?.[1] ?? NaN);
        const plan = median(plans.map((p) => p.ms));
        const load = median(loads.map((l) => l.ms));
        const pairRatio = median(plans.map((p, i) => p.ms / loads[i].ms));
        console.log(`  ${stack.padEnd(8)} plan ${seconds(plan)}  load @pulumi/pulumi ${seconds(load)}  ratio ${(plan / load).toFixed(2)} (pairwise median ${pairRatio.toFixed(2)})  ${resources} resources  ${Math.round(resources / (plan / 1000))} resources/s`);
    }
    fs.rmSync(out, { recursive: true, force: true });
}

/**
 * The dev stack plus k x `unit` CanaryApps (scripts/lib/bench-fleet.ts, a fresh process per run):
 * the plan's work after startup per size, per resource, and per resource added over the bare stack.
 * Plan time grows linearly with resources when the per-added-resource column stays flat.
 */
export function fleetSection(unit: number, factors: number[], runs: number): void {
    console.log(`synthetic fleet: dev + k x ${unit} CanaryApps, the plan's work after startup (build, snapshot, policy pack, files), median of ${runs};`);
    console.log("  CPU time (user + system) per resource is the linearity figure: unlike wall time it does not move with other load on the machine");
    const rows: { copies: number; resources: number; ms: number; cpuMs: number }[] = [];
    for (const k of [0, ...factors]) {
        const copies = k * unit;
        const samples: { resources: number; ms: number; cpuMs: number }[] = [];
        for (let i = 0; i < runs; i++) {
            const r = timed(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "lib", "bench-fleet.ts"), String(copies)]);
            if (r.code !== 0) throw new Error(`fleet of ${copies} failed (exit ${r.code}):\n${r.out}`);
            samples.push(JSON.parse(r.out.trim().split("\n").pop()!) as { resources: number; ms: number; cpuMs: number });
        }
        const row = { copies, resources: samples[0].resources, ms: median(samples.map((s) => s.ms)), cpuMs: median(samples.map((s) => s.cpuMs)) };
        rows.push(row);
        const base = rows[0];
        const marginal = copies === 0 ? "" : `  ${((row.cpuMs - base.cpuMs) / (row.resources - base.resources)).toFixed(2)} ms CPU per added resource`;
        console.log(`  ${(copies === 0 ? "bare" : `${k}x`).padEnd(5)} ${String(copies).padStart(4)} apps  ${String(row.resources).padStart(5)} resources  wall ${seconds(row.ms)}  CPU ${seconds(row.cpuMs)}  ${(row.cpuMs / row.resources).toFixed(2)} ms CPU/resource${marginal}`);
    }
}
