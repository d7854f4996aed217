/**
 * The test files that exercise the policy pack: every test/**\/*.test.ts that imports a module
 * under policies/ (not `import type`) itself, or through a module under test/ or scripts/ (the test
 * harnesses, the `npm run policy` CLI, the plan that runs the pack). Imports reaching policies/ only
 * through components/, stacks/ or lib/ (a component reusing `parseQuantity`, say) do not count: those
 * tests assert on the components. stryker.config.mjs gives this list (minus MUTATION_EXCLUDED) to
 * mocha, so a new policy test is part of `npm run mutation` without editing the config;
 * `node scripts/lib/policy-test-files.cjs` prints the mutation run's list, `--all` every policy test.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
/** Static imports and re-exports (group 1 marks `import type`/`export type`), and import()/require() of a literal. */
const IMPORT = /(?:^|[^.\w$])(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']|(?:^|[^.\w$])(?:import|require)\(\s*["']([^"']+)["']\s*\)/gm;
/** Modules followed on the way to policies/. */
const FOLLOWED = /^(test|scripts)\//;

function resolveRelative(from, spec) {
    if (!spec.startsWith(".")) return undefined;
    const base = path.resolve(path.dirname(from), spec);
    for (const candidate of [base, `${base}.ts`, `${base}.cjs`, `${base}.js`, path.join(base, "index.ts")]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
}

function testFiles(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? testFiles(p) : e.name.endsWith(".test.ts") ? [p] : [];
    });
}

/** Whether `file` imports policies/ at run time, directly or through followed modules. */
function reachesPolicies(root, file, memo, visiting) {
    if (memo.has(file)) return memo.get(file);
    if (visiting.has(file)) return false;
    visiting.add(file);
    let reaches = false;
    for (const m of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
        if (m[1]) continue;
        const target = resolveRelative(file, m[2] ?? m[3]);
        if (!target) continue;
        const rel = path.relative(root, target).split(path.sep).join("/");
        if (rel.startsWith("policies/") || (FOLLOWED.test(rel) && reachesPolicies(root, target, memo, visiting))) {
            reaches = true;
            break;
        }
    }
    visiting.delete(file);
    memo.set(file, reaches);
    return reaches;
}

/** Repository-relative paths (forward slashes, sorted) of the test files that exercise policies/. */
function policyTestFiles(root = ROOT) {
    const memo = new Map();
    return testFiles(path.join(root, "test"))
        .filter((f) => reachesPolicies(root, f, memo, new Set()))
        .map((f) => path.relative(root, f).split(path.sep).join("/"))
        .sort();
}

/**
 * Policy test files that `npm run mutation` leaves out, and why. Stryker re-runs every test that
 * covers a mutant for each mutant (before hooks included), so a test that takes seconds multiplies
 * by thousands; and a test whose policy code runs in a child process (the pack over gRPC, the CLI
 * or the plan spawned) never sees the mutant that is active in the test runner's process. The rules
 * these files exercise on whole stacks are asserted one by one by the unit-level policy tests.
 * (Measured 2026-12-06 with `mocha --reporter json`, loaded machine: test time without hooks.)
 */
const MUTATION_EXCLUDED = {
    "test/policies/engine.test.ts": "the pack in a child process over the analyzer's gRPC protocol; 65 s for 20 tests, plus a stack build per environment",
    "test/stacks/plan.test.ts": "the whole offline plan of each stack, in process and spawned; 61 s for 13 tests",
    "test/ci/render-charts.test.ts": "helm template in a child process; 17 s for 7 tests",
    "test/stacks/upgrade.test.ts": "builds every stack at every release's config; 7.5 s for 10 tests plus the builds in hooks",
    "test/stacks/service.test.ts": "the service stack's plan spawned; 4.6 s for 13 tests",
};

/** Seconds-long files that stay in the run go last, so a mutant is mostly killed (bail) by a fast unit test first. */
const MUTATION_LAST = ["test/policies/inputs.test.ts", "test/policies/inputs-large.test.ts", "test/policies/decoder-generated.test.ts", "test/policies/inputs-robustness.test.ts", "test/charts/containers.test.ts", "test/ci/boundary.test.ts", "test/resilience/chaos.test.ts", "test/observability/charts.test.ts"];

/** The spec list of `npm run mutation`: the policy test files minus MUTATION_EXCLUDED, MUTATION_LAST at the end. */
function mutationTestFiles(root = ROOT) {
    const files = policyTestFiles(root).filter((f) => !(f in MUTATION_EXCLUDED));
    return [...files.filter((f) => !MUTATION_LAST.includes(f)), ...MUTATION_LAST.filter((f) => files.includes(f))];
}

module.exports = { policyTestFiles, mutationTestFiles, MUTATION_EXCLUDED, MUTATION_LAST };

if (require.main === module) process.stdout.write(`${(process.argv[2] === "--all" ? policyTestFiles() : mutationTestFiles()).join("\n")}\n`);
