/**
 * Mocha root hooks for `npm run mutation` only (stryker.config.mjs `mochaOptions.require`; `npm test`
 * does not load this file). Stryker's mocha runner keeps one process for the initial run and every
 * mutant after it, so a module-level cache filled by an earlier run answers with results computed by
 * other code: policies/lib/quantity.ts memoizes parsing per string, and a test parsing "100m" after
 * the unmutated initial run would never reach a mutant in the parser. Emptying the cache before each
 * test makes every test parse what it reads, with the active mutant, and makes the initial run's
 * per-test coverage name every test that reaches the parser.
 */
import { clearQuantityCaches } from "../../policies/lib/quantity";

export const mochaHooks = {
    beforeEach(): void {
        clearQuantityCaches();
    },
};
