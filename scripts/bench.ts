/**
 * `npm run bench [-- --runs N] [--no-plan] [--no-fleet] [--no-tests]`: prints, in one run, the offline plan of
 * every stack against loading @pulumi/pulumi alone (medians, ratio, resources per second), a
 * synthetic fleet showing plan time per resource as resources grow, the policy evaluator's
 * throughput and the test suite's time. A script that prints figures, not a timed test; each
 * section is a function so sections can be added or run alone.
 */
import { evaluatePack, parsePackConfig } from "../policies/evaluate";
import type { PolicyResource } from "../policies/lib/types";
import { fleetSection, planSection, timed } from "./lib/bench-plan";

const argv = process.argv.slice(2);
const runsArg = argv.indexOf("--runs");
const RUNS = runsArg >= 0 ? Math.max(5, Number(argv[runsArg + 1]) || 5) : 5;

function syntheticWorkloads(n: number): PolicyResource[] {
    const digest = "sha256:" + "b".repeat(64);
    return Array.from({ length: n }, (_, i) => ({
        urn: `kubernetes:apps/v1:Deployment::w${i}`, type: "kubernetes:apps/v1:Deployment", name: `w${i}`,
        props: { metadata: { name: `w${i}`, namespace: "apps" }, spec: { template: { spec: {
            initContainers: [{ name: "init", image: `ghcr.io/org/init@${digest}`, resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } } }],
            containers: [{ name: "app", image: i % 10 === 0 ? "ghcr.io/org/app:1.0" : `ghcr.io/org/app@${digest}`, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } } }],
        } } } },
    }));
}

if (!argv.includes("--no-plan")) planSection(["dev", "staging", "prod"], RUNS);
if (!argv.includes("--no-fleet")) fleetSection(16, [1, 2, 4], RUNS);

console.log("policy evaluator, offline mode (all policies):");
const cfg = parsePackConfig({ environment: "prod" });
for (const n of [1000, 10000, 50000]) {
    const resources = syntheticWorkloads(n);
    const t = process.hrtime.bigint();
    const violations = evaluatePack(resources, cfg);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    console.log(`  ${String(n).padStart(6)} workloads  ${s.toFixed(3)} s  ${Math.round(n / s)} resources/s  (${violations.length} violations)`);
}

if (!argv.includes("--no-tests")) {
    const t = timed("npx", ["mocha"]);
    console.log(`test suite (mocha): ${(t.ms / 1000).toFixed(1)} s, ${t.out.match(/(\d+) passing/)?.[1] ?? "?"} passing, exit ${t.code}`);
}
