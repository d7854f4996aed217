/**
 * Builds the offline plan (scripts/plan.ts and everything it imports, the Pulumi SDK included)
 * into one CommonJS file with esbuild, so a plan run neither transpiles TypeScript nor resolves
 * hundreds of modules. scripts/plan.cjs (`npm run plan`) calls this when its cached bundle is
 * missing or stale; `pulumi up` never uses it (Pulumi.yaml's main loads stacks/index.ts).
 *
 * What the bundle changes, and only in the bundle:
 * - the provider SDKs (@pulumi/aws, @pulumi/kubernetes, @pulumi/random) load every service module
 *   at import and register thousands of resource types; in the bundle a service or resource module
 *   loads on first use, and only those whose names occur in this repository's sources are bundled.
 *   Any other one still loads on first use, from node_modules, sharing the bundled SDK;
 * - TypeScript and npm's Arborist, which the SDK imports but a mock run never calls, load on first use;
 * - `__dirname` in the repository's own sources is the source file's directory, as when run from sources.
 */
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFERRED_SDK_MODULES } from "./lazy-modules";

/** Provider SDKs whose index modules are made lazy. */
const PROVIDER_INDEX = /[\\/]node_modules[\\/]@pulumi[\\/](aws|kubernetes|random)[\\/](.*[\\/])?index\.js$/;
/** The SDK's top-level index: its sub-modules (automation, dynamic providers, provider server...) load on first use. */
const SDK_INDEX = /[\\/]node_modules[\\/]@pulumi[\\/]pulumi[\\/]index\.js$/;
/** Directories of the repository's own sources (scanned for the provider members they name). */
const SOURCE_DIRS = ["components", "stacks", "lib", "policies", "scripts"];
const EXTERNAL = "platform-external:";

export interface BundleResult {
    /** The repository's own files that went into the bundle, relative to the root, with the sha256 of what was bundled. */
    files: Record<string, string>;
    /** Provider modules bundled / left to load from node_modules on first use. */
    bundledModules: number;
    deferredModules: number;
}

/** Every identifier in the repository's own TypeScript sources. */
function namesInSources(root: string): Set<string> {
    const names = new Set<string>();
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            if (e.name === "node_modules" || e.name.startsWith(".")) continue;
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.name.endsWith(".ts")) for (const m of fs.readFileSync(p, "utf8").matchAll(/[A-Za-z_$][\w$]*/g)) names.add(m[0]);
        }
    };
    for (const d of SOURCE_DIRS) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
    return names;
}

/**
 * Rewrites a provider index module: sub-modules (`const ec2 = __importStar(require("./ec2")); exports.ec2 = ec2;`)
 * become getters that load on first access, and each lazily loaded member whose names the sources
 * never mention is loaded from node_modules instead of being bundled.
 */
export function trimProviderIndex(source: string, dir: string, used: { has(name: string): boolean }, counts: { bundled: number; deferred: number }): string {
    const load = (rel: string, keep: boolean) => {
        if (keep) counts.bundled++;
        else counts.deferred++;
        return `require(${JSON.stringify(keep ? rel : EXTERNAL + path.join(dir, rel))})`;
    };
    return source
        .replace(/const (\w+) = __importStar\(require\("(\.\/[\w.-]+)"\)\);\r?\nexports\.\1 = \1;/g, (_, name: string, rel: string) =>
            `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, configurable: true, get: () => __importStar(${load(rel, used.has(name))}) });`)
        .replace(/utilities\.lazyLoad\(exports, (\[[^\]]*\]), \(\) => require\("(\.\/[\w.-]+)"\)\);/g, (_, list: string, rel: string) =>
            `utilities.lazyLoad(exports, ${list}, () => ${load(rel, (JSON.parse(list) as string[]).some((n) => used.has(n)))});`);
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

function planPlugin(root: string, counts: { bundled: number; deferred: number }, read: Map<string, string>): esbuild.Plugin {
    const used = namesInSources(root);
    const lazyModules = path.join(root, "scripts", "lib", "lazy-modules.ts");
    const deferred = new RegExp(`^(${DEFERRED_SDK_MODULES.map((m) => m.replace(/[/.]/g, "\\$&")).join("|")})$`);
    return {
        name: "platform-plan",
        setup(build) {
            build.onResolve({ filter: deferred }, (args) =>
                args.namespace === "lazy-module" || !/[\\/]@pulumi[\\/]pulumi[\\/]/.test(args.importer) ? { path: args.path, external: true } : { path: args.path, namespace: "lazy-module" });
            build.onLoad({ filter: /.*/, namespace: "lazy-module" }, (args) => ({
                contents: `module.exports = require(${JSON.stringify(lazyModules)}).lazyModule(() => require(${JSON.stringify(args.path)}));`,
                resolveDir: root,
                loader: "js",
            }));
            build.onResolve({ filter: new RegExp(`^${EXTERNAL}`) }, (args) => ({ path: args.path.slice(EXTERNAL.length), external: true }));
            build.onLoad({ filter: SDK_INDEX }, async (args) => ({
                contents: trimProviderIndex(await fs.promises.readFile(args.path, "utf8"), path.dirname(args.path), { has: () => true }, { bundled: 0, deferred: 0 }),
                loader: "js",
            }));
            build.onLoad({ filter: PROVIDER_INDEX }, async (args) => ({
                contents: trimProviderIndex(await fs.promises.readFile(args.path, "utf8"), path.dirname(args.path), used, counts),
                loader: "js",
            }));
            // The repository's own sources: `__dirname`/`__filename` keep their meaning from the source tree.
            build.onLoad({ filter: /\.ts$/ }, async (args) => {
                if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
                const text = await fs.promises.readFile(args.path, "utf8");
                read.set(args.path, sha256(text));
                return {
                    contents: text.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))).replace(/\b__filename\b/g, JSON.stringify(args.path)),
                    loader: "ts",
                };
            });
        },
    };
}

/** Bundles scripts/plan.ts into `outfile`; returns the own inputs with their hashes (the cache key) and module counts. */
export async function buildPlanBundle(root: string, outfile: string): Promise<BundleResult> {
    const counts = { bundled: 0, deferred: 0 };
    const read = new Map<string, string>();
    const lazyModules = path.join(root, "scripts", "lib", "lazy-modules.ts");
    // The SDK requests a module loaded from node_modules may make, answered with the bundled SDK.
    const entry = [
        `require(${JSON.stringify(lazyModules)}).shareBundledModules({`,
        `  "@pulumi/pulumi": () => require("@pulumi/pulumi"),`,
        `  "@pulumi/pulumi/runtime": () => require("@pulumi/pulumi/runtime"),`,
        `});`,
        `require("./scripts/plan.ts");`,
    ].join("\n");
    const result = await esbuild.build({
        stdin: { contents: entry, resolveDir: root, sourcefile: "<plan-bundle-entry>", loader: "js" },
        bundle: true,
        platform: "node",
        format: "cjs",
        target: `node${process.versions.node.split(".")[0]}`,
        outfile,
        absWorkingDir: root,
        metafile: true,
        logLevel: "silent",
        legalComments: "none",
        plugins: [planPlugin(root, counts, read)],
    });
    const files: Record<string, string> = {};
    for (const f of Object.keys(result.metafile.inputs).sort()) {
        if (f.includes("node_modules/") || f.startsWith("<") || f.includes(":")) continue;
        const abs = path.resolve(root, f);
        files[path.relative(root, abs)] = read.get(abs) ?? sha256(fs.readFileSync(abs));
    }
    return { files, bundledModules: counts.bundled, deferredModules: counts.deferred };
}
