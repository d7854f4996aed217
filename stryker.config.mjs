// Stryker mutation testing over policies/ (`npm run mutation`; slow, not part of `npm test`).
// Mocha runs every test file that exercises the pack (scripts/lib/policy-test-files.cjs derives the
// list from the imports, so new policy tests are included) except the few it names, with reasons.
// Results are kept in reports/stryker-incremental.json (not in git), so a later run re-tests only
// the mutants whose code or covering tests changed. Runs in pieces, and the score per directory:
// docs/development.md#mutation-testing.
import { createRequire } from "node:module";

const { mutationTestFiles } = createRequire(import.meta.url)("./scripts/lib/policy-test-files.cjs");

export default {
    $schema: "./node_modules/@stryker-mutator/core/schema/stryker-schema.json",
    packageManager: "npm",
    testRunner: "mocha",
    testRunnerNodeArgs: ["--import", "tsx"],
    // The root hooks empty the pack's per-string parse caches before each test (see the file).
    mochaOptions: { spec: mutationTestFiles(), require: ["test/harness/mutation-hooks.ts"] },
    mutate: ["policies/**/*.ts", "!policies/index.ts", "!policies/node_modules/**"],
    coverageAnalysis: "perTest",
    // Static mutants (code run once, when a module loads: constant tables, top-level regexps) are
    // not tested: each would need the whole policy suite reloaded (the dry run measured about half
    // the total time for 9% of the mutants). They are reported as Ignored and left out of the score.
    ignoreStatic: true,
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    concurrency: 2,
    // A mutant times out after 1.5 x its covering tests' time + 5 s (an endless loop, mostly).
    timeoutMS: 5000,
    // The initial run is the whole policy suite in one process with coverage: minutes on a loaded machine.
    dryRunTimeoutMinutes: 30,
    // event-recorder writes each tested mutant to reports/mutation/events/ as it finishes, so the
    // survivors of a long run can be read (scripts/mutation-survivors.cjs) before it ends; two pieces
    // run at once each need their own directory (MUTATION_EVENTS=reports/mutation/events-<piece>).
    reporters: ["clear-text", "progress", "event-recorder"],
    eventReporter: { baseDir: process.env.MUTATION_EVENTS ?? "reports/mutation/events" },
    thresholds: { high: 90, low: 80, break: null },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["out", "reports", ".stryker-tmp*", "stryker.local.mjs", "coverage", "bin"],
};
