/**
 * Whether this process is a worker of `npm run mutation` (Stryker's child-process proxy sets
 * STRYKER_MUTATOR_WORKER in every worker, the initial test run's too). Such a worker re-runs a test
 * for every mutant the test covers, with the mutant active only in this process: the part of a test
 * that runs the code in a child process sees no mutant and cannot kill one, yet costs seconds per
 * mutant. Those parts are left out of the mutation run (never out of `npm test`); see
 * docs/development.md#mutation-testing-and-benchmarks.
 */
export const IN_MUTATION_RUN = process.env.STRYKER_MUTATOR_WORKER !== undefined;
