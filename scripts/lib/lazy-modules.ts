/**
 * Startup time of the offline plan: @pulumi/pulumi loads the TypeScript compiler (9 MB, for
 * closure serialization of dynamic providers) and npm's Arborist (for packaging function code)
 * when it is imported, though a mock run never uses either. These helpers defer such modules until
 * first use: the SDK gets a proxy that loads the real module on first property access. Only the
 * offline plan and the bench use them; `pulumi up` and the tests load the SDK unchanged.
 */
// The CommonJS loader object itself (a namespace import would be a copy), so its _load can be wrapped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("node:module");

/** Modules the SDK imports at load time that a mock run never calls (closure serialization, function packaging). */
export const DEFERRED_SDK_MODULES = ["typescript", "@npmcli/arborist", "normalize-package-data"] as const;

type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => any;

/** A stand-in for a module that loads it (once) on first property access. */
export function lazyModule(load: () => any): any {
    let real: any;
    const get = () => (real ??= load());
    // `__esModule: true` keeps `__importStar` from copying (and so loading) the module at import time.
    return new Proxy({}, {
        get: (_, key) => (key === "__esModule" ? true : key === "default" && !get().__esModule ? get() : get()[key]),
        has: (_, key) => key in get(),
        ownKeys: () => Reflect.ownKeys(get()),
        // Loaders look at every module's exports (tsx reads the `module.exports` key); answer those without loading.
        getOwnPropertyDescriptor: (_, key) =>
            key === "__esModule" ? { value: true, configurable: true, enumerable: false, writable: false } : key === "module.exports" ? undefined : Object.getOwnPropertyDescriptor(get(), key),
    });
}

/** Defers DEFERRED_SDK_MODULES when the SDK is loaded from node_modules (the plan run from sources). */
export function deferHeavySdkModules(): void {
    const mod = Module as unknown as { _load: Load };
    const original = mod._load;
    const deferred = new Set<string>(DEFERRED_SDK_MODULES);
    mod._load = function (request, parent, isMain) {
        if (!deferred.has(request) || !parent?.filename.includes(`${"@pulumi"}/pulumi`)) return original.call(this, request, parent, isMain);
        return lazyModule(() => original.call(this, request, parent, isMain));
    };
}

/**
 * The bundled plan carries its own copy of the SDK; a provider module it loads from node_modules
 * (one the bundle left out) must get that copy too, or its resources would register with an SDK
 * whose mocks were never set. `modules` maps each shared request to the bundled module.
 */
export function shareBundledModules(modules: Record<string, () => unknown>): void {
    const mod = Module as unknown as { _load: Load };
    const original = mod._load;
    mod._load = function (request, parent, isMain) {
        const shared = modules[request];
        return shared ? shared() : original.call(this, request, parent, isMain);
    };
}
