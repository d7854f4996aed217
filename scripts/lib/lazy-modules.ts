/**
 * Startup time of the offline plan: @pulumi/pulumi loads the TypeScript compiler (9 MB, for
 * closure serialization of dynamic providers) and npm's Arborist (for packaging function code)
 * when it is imported, though a mock run never uses either. This defers both until first use:
 * the SDK gets a proxy that loads the real module on first property access. Only the offline plan
 * and the bench install it; `pulumi up` and the tests load the SDK unchanged.
 */
// The CommonJS loader object itself (a namespace import would be a copy), so its _load can be wrapped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("node:module");

const DEFERRED = new Set(["typescript", "@npmcli/arborist"]);
type Load = (request: string, parent: NodeJS.Module | undefined, isMain: boolean) => any;

export function deferHeavySdkModules(): void {
    const mod = Module as unknown as { _load: Load };
    const original = mod._load;
    mod._load = function (request, parent, isMain) {
        if (!DEFERRED.has(request) || !parent?.filename.includes(`${"@pulumi"}/pulumi`)) return original.call(this, request, parent, isMain);
        let real: any;
        const load = () => (real ??= original.call(this, request, parent, isMain));
        // `__esModule: true` keeps `__importStar` from copying (and so loading) the module at import time.
        return new Proxy({}, {
            get: (_, key) => (key === "__esModule" ? true : key === "default" && !load().__esModule ? load() : load()[key]),
            has: (_, key) => key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            // Loaders look at every module's exports (tsx reads the `module.exports` key); answer those without loading.
            getOwnPropertyDescriptor: (_, key) =>
                key === "__esModule" ? { value: true, configurable: true, enumerable: false, writable: false } : key === "module.exports" ? undefined : Object.getOwnPropertyDescriptor(load(), key),
        });
    };
}
