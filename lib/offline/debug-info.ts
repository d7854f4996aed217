/**
 * Under the mocks nothing reads the debugging data the SDK gathers for the engine: every resource's
 * source position and call stack (the SDK walks the whole stack for each registration) and one
 * formatted stack trace per internal promise (read only by the SDK's report of leaked promises).
 * Formatting those traces cost more than building the stack itself. This skips the first (the mock
 * monitor ignores it; `pulumi up` never runs this code) and the second (a leak report, if the SDK
 * ever prints one offline, names each promise's context without its stack).
 */
import * as pulumi from "@pulumi/pulumi";
// The SDK calls debuggablePromise through this module's exports object, so replacing it there reaches every caller.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable = require("@pulumi/pulumi/runtime/debuggable");

let installed = false;

/** Installs both changes once per process; only the offline engine (mocks) calls this. */
export function skipEngineDebugInfo(): void {
    if (installed) return;
    installed = true;
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
    const original = debuggable.debuggablePromise as (p: Promise<unknown>, ctx: unknown) => Promise<unknown>;
    debuggable.debuggablePromise = function (this: unknown, p: Promise<unknown>, ctx: unknown) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original.call(this, p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
}
