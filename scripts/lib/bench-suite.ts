/**
 * The bench's test-suite section: the whole `npm test` (mocha, type-check and lint) as CI runs it,
 * first from cold caches (the project's caches under node_modules/.cache removed and a new, empty
 * temporary directory, as in a fresh clone), then again with the caches it left (a developer's
 * next run). Prints wall time, CPU time of the whole process tree (Linux), the test counts and the
 * time of each part; returns false when a run fails or runs no test, since its figure is then no result.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NPM, timed } from "./bench-plan";

const ROOT = path.resolve(__dirname, "..", "..");
/** The caches `npm test` keeps (scripts/check.cjs, the plan bundle); nothing else is removed. */
const CACHES = ["tsc", "eslint", "platform-plan"].map((d) => path.join(ROOT, "node_modules", ".cache", d));

/** CPU seconds of this process's waited-for children (user + system), or undefined where /proc is absent. */
function childrenCpu(): number | undefined {
    try {
        const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
        return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime in clock ticks (USER_HZ 100)
    } catch {
        return undefined;
    }
}

function run(label: string, env: NodeJS.ProcessEnv): boolean {
    const before = childrenCpu();
    const t = timed(NPM, ["test"], env);
    const after = childrenCpu();
    const passing = t.out.match(/^\s*(\d+) passing/m)?.[1];
    const failing = t.out.match(/^\s*(\d+) failing/m)?.[1] ?? "0";
    const parts = [...t.out.matchAll(/^== (mocha|typecheck|lint): (?:ok|FAILED[^ ]*) in ([\d.]+) s/gm)].map((m) => `${m[1]} ${m[2]} s`);
    const cpu = before !== undefined && after !== undefined ? `, ${(after - before).toFixed(1)} s CPU` : "";
    console.log(`  ${label}: ${(t.ms / 1000).toFixed(1)} s wall${cpu}; ${passing ?? 0} passing, ${failing} failing (${parts.join(", ")})`);
    if (t.code !== 0 || !passing) {
        console.error(`bench: npm test exited ${t.code}${passing ? "" : " before running any test"}: ${t.out.trim().split("\n").slice(-5).join(" / ")}`);
        return false;
    }
    return true;
}

export function suiteSection(): boolean {
    console.log(`test suite, \`npm test\` (mocha in 2 workers, with the type-check and lint at the same time; ${os.cpus().length} cores):`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-suite-"));
    try {
        for (const c of CACHES) fs.rmSync(c, { recursive: true, force: true });
        const env = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
        return run("cold caches (as in a fresh clone)", env) && run("warm caches (the next run)", env);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
