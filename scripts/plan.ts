/**
 * The offline plan: `npm run plan -- <stack> [--diff old.json] [--out dir] [--quiet]` (scripts/lib/plan-main.ts).
 * This entry only defers the SDK's heavy optional modules before the SDK loads (startup time).
 */
import { deferHeavySdkModules } from "./lib/lazy-modules";

deferHeavySdkModules();
// The SDK takes a stack trace for every resource it registers; mapping each through source maps
// costs more than the rest of the plan. Errors are reported by message, so the plan runs without them.
process.setSourceMapsEnabled(false);
// Loaded after the hook on purpose: a static import would load the SDK first.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("./lib/plan-main") as typeof import("./lib/plan-main")).run(process.argv.slice(2));
