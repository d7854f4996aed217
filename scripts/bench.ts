/**
 * `npm run bench [-- --runs N] [--no-plan] [--no-fleet] [--no-policy] [--no-policy-command] [--no-tests]`:
 * prints, in one run, the offline plan of every stack against loading @pulumi/pulumi alone
 * (medians, ratio, resources per second), a synthetic fleet showing plan time per resource as
 * resources grow, the policy evaluator's throughput (./bench/policy.ts), the whole
 * `npm run policy -- check` on 10k-200k generated resources against parsing alone
 * (./bench/policy-command.ts; exit 1 when it grows more than 4.5x from 50k to 200k) and the whole
 * `npm test` from cold caches and warm (./lib/bench-suite.ts; it removes the project's own caches
 * under node_modules/.cache first).
 * A script that prints figures, not a timed test; each section is a function so sections can be
 * added or run alone.
 */
import { benchPolicy } from "./bench/policy";
import { policyCommandSection } from "./bench/policy-command";
import { fleetSection, planSection } from "./lib/bench-plan";
import { suiteSection } from "./lib/bench-suite";

const argv = process.argv.slice(2);
const runsArg = argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Math.max(5, Number(argv[runsArg + 1]) || 5) : 5;

if (!argv.includes("--no-plan")) planSection(["dev", "staging", "prod"], RUNS);
if (!argv.includes("--no-fleet")) fleetSection(16, [1, 2, 4], RUNS);
if (!argv.includes("--no-policy")) benchPolicy();
if (!argv.includes("--no-policy-command") && !policyCommandSection()) process.exitCode = 1;

if (!argv.includes("--no-tests") && !suiteSection()) process.exitCode = 1;
