/**
 * Mocha root hooks for `npm run mutation` only (stryker.config.mjs `mochaOptions.require`; `npm test`
 * does not load this file). Stryker's mocha runner keeps one process for the initial run and every
 * mutant after it, so a module-level cache filled by an earlier run answers with results computed by
 * other code: policies/lib/quantity.ts memoizes parsing per string, and a test parsing "100m" after
 * the unmutated initial run would never reach a mutant in the parser. Emptying the cache before each
 * test makes every test parse what it reads, with the active mutant, and makes the initial run's
 * per-test coverage name every test that reaches the parser. The same holds for the image reference
 * cache (policies/supply-chain/images.ts) and the Kubernetes type token cache (policies/lib/workloads.ts).
 */
import { clearQuantityCaches } from "../../policies/lib/quantity";
import { clearKubeTypeCache } from "../../policies/lib/workloads";
import { clearImageCache } from "../../policies/supply-chain/images";

export const mochaHooks = {
    beforeEach(): void {
        clearQuantityCaches();
        clearImageCache();
        clearKubeTypeCache();
    },
};
