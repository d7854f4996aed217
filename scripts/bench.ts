/**
 * `npm run bench [-- --runs N] [--no-plan] [--no-fleet] [--no-policy] [--no-tests]`: prints, in one
 * run, the offline plan of every stack against loading @pulumi/pulumi alone (medians, ratio,
 * resources per second), a synthetic fleet showing plan time per resource as resources grow, the
 * policy evaluator's throughput (./bench/policy.ts) and the test suite's time. A script that prints
 * figures, not a timed test; each section is a function so sections can be added or run alone.
 */
import { benchPolicy } from "./bench/policy";
import { fleetSection, planSection, timed } from "./lib/bench-plan";

const argv = process.argv.slice(2);
const runsArg = argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Math.max(5, Number(argv[runsArg + 1]) || 5) : 5;

if (!argv.includes("--no-plan")) planSection(["dev", "staging", "prod"], RUNS);
if (!argv.includes("--no-fleet")) fleetSection(16, [1, 2, 4], RUNS);
if (!argv.includes("--no-policy")) benchPolicy();

if (!argv.includes("--no-tests")) {
    // The suite as `npm run mocha` runs it; a failing or empty run makes the bench exit 1 (its figure is no result).
    const t = timed(process.execPath, [require.resolve("mocha/bin/mocha.js")]);
    const passing = t.out.match(/(\d+) passing/)?.[1];
    const failing = t.out.match(/(\d+) failing/)?.[1];
    console.log(`test suite (mocha): ${(t.ms / 1000).toFixed(1)} s, ${passing ?? 0} passing, ${failing ?? 0} failing, exit ${t.code}`);
    if (t.code !== 0 || !passing) {
        console.error(`bench: mocha exited ${t.code}${passing ? "" : " before running any test"}: ${t.out.trim().split("\n").slice(-5).join(" / ")}`);
        process.exitCode = 1;
    }
}
