/**
 * Records every resource the program registers under the mocks: type, name, parent, options
 * (protect, dependsOn, provider, ignoreChanges) from the SDK's own registration call, the
 * resolved inputs the mock monitor receives, with secret values masked, and which resources each
 * input property came from (the engine's propertyDependencies). In a preview build (mocks with
 * preview on) a value the engine would not know yet is recorded as the policies' UNKNOWN.
 */
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../policies/lib/unknown";
// The SDK calls this module's registerResource through its exports object, so wrapping it sees every registration.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeResource = require("@pulumi/pulumi/runtime/resource");

export const SECRET_MASK = "[secret]";

export interface RecordedResource {
    /** Unique key `type::name`. */
    key: string;
    type: string;
    name: string;
    custom: boolean;
    /** `type::name` of the parent, or undefined at the top. */
    parent?: string;
    protect: boolean;
    /** `type::name` of explicit dependsOn resources. */
    dependsOn: string[];
    /** `type::name` of the explicit provider, if any. */
    provider?: string;
    ignoreChanges: string[];
    /** The engine leaves the cloud resource in place when it drops this one (no delete call). */
    retainOnDelete?: boolean;
    /** A replacement deletes the old resource before creating the new one (the engine's default is create first). */
    deleteBeforeReplace?: boolean;
    /** Resolved inputs as the engine would receive them; secrets replaced by SECRET_MASK. */
    inputs: Record<string, any>;
    /** Input property paths that hold secrets. */
    secretPaths: string[];
    /** AWS region of an `aws:` resource (its explicit provider's region, else the stack's); set by the stack loader. */
    region?: string;
    /**
     * Per top-level input property, the keys of the custom resources its value came from (Outputs
     * and resources in it; a component stands for its custom descendants), as the SDK sends them.
     */
    propertyDependencies?: Record<string, string[]>;
    resource: pulumi.Resource;
}

interface Pending {
    record: RecordedResource;
    props: Record<string, unknown>;
}

let current: Pending[] | undefined;
let installed = false;
const originalRegister = runtimeResource.registerResource;

function keyOf(res: any): string | undefined {
    return res ? `${res.__pulumiType}::${res.__name}` : undefined;
}

/** Installs the recording hook once per process. */
function install(): void {
    if (installed) return;
    installed = true;
    runtimeResource.registerResource = function (res: any, parent: any, t: string, name: string, custom: boolean, remote: boolean, newDependency: unknown, props: any, opts: any, ...rest: unknown[]) {
        if (current) {
            const dependsOn = ([] as any[]).concat(opts?.dependsOn ?? []).filter((d) => d && typeof d === "object" && d.__pulumiType).map((d) => keyOf(d)!);
            current.push({
                props: props ?? {},
                record: {
                    key: `${t}::${name}`, type: t, name, custom,
                    parent: keyOf(parent), protect: !!opts?.protect, dependsOn,
                    provider: custom ? keyOf(opts?.provider) : undefined,
                    ignoreChanges: opts?.ignoreChanges ?? [], retainOnDelete: !!opts?.retainOnDelete, deleteBeforeReplace: !!opts?.deleteBeforeReplace, inputs: {}, secretPaths: [], propertyDependencies: {}, resource: res,
                },
            });
        }
        return originalRegister.call(this, res, parent, t, name, custom, remote, newDependency, props, opts, ...rest);
    };
}

/**
 * Resolves an input value: Outputs are awaited (an unknown one, or an unknown inside one, becomes
 * UNKNOWN); secrets become SECRET_MASK and their path is noted; the resources values came from are
 * added to `deps`.
 */
async function resolve(value: unknown, path: string, secrets: string[], deps: Set<pulumi.Resource>): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as any;
        const [inner, isSecret, isKnown, resources] = await Promise.all([o.promise(true) as Promise<unknown>, o.isSecret as Promise<boolean>, o.isKnown as Promise<boolean>, o.allResources() as Promise<Set<pulumi.Resource>>]);
        for (const r of resources) deps.add(r);
        if (isSecret) {
            secrets.push(path);
            return SECRET_MASK;
        }
        if (!isKnown && (inner === undefined || pulumi.isUnknown(inner))) return UNKNOWN;
        return resolve(inner, path, secrets, deps);
    }
    if (pulumi.isUnknown(value)) return UNKNOWN;
    if (value instanceof Promise) return resolve(await value, path, secrets, deps);
    if (pulumi.Resource.isInstance(value)) {
        deps.add(value);
        return keyOf(value);
    }
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolve(v, `${path}[${i}]`, secrets, deps)));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = await resolve(v, path ? `${path}.${k}` : k, secrets, deps);
            if (r !== undefined) out[k] = r;
        }
        return out;
    }
    return value;
}

/** Resolves a resource's inputs property by property, noting which resources each property came from. */
async function resolveInputs(record: RecordedResource, props: Record<string, unknown>, deps: Map<string, Set<pulumi.Resource>>): Promise<Record<string, any>> {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(props)) {
        const from = new Set<pulumi.Resource>();
        const r = await resolve(v, k, record.secretPaths, from);
        if (r !== undefined) out[k] = r;
        if (from.size) deps.set(k, from);
    }
    return out;
}

/** Keys of the custom resources behind each property's resources (a component stands for its custom descendants, as the SDK sends them). */
function propertyDependencyKeys(resources: RecordedResource[], deps: Map<RecordedResource, Map<string, Set<pulumi.Resource>>>): void {
    const byKey = new Map(resources.map((r) => [r.key, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (!r.parent) continue;
        const list = children.get(r.parent);
        if (list) list.push(r);
        else children.set(r.parent, [r]);
    }
    const expanded = new Map<string, string[]>();
    const customKeys = (key: string): string[] => {
        let keys = expanded.get(key);
        if (keys) return keys;
        expanded.set(key, []); // a cycle cannot occur in a parent tree; this only guards the recursion
        keys = byKey.get(key)?.custom ? [key] : (children.get(key) ?? []).flatMap((c) => customKeys(c.key));
        expanded.set(key, keys);
        return keys;
    };
    for (const [record, byProp] of deps) {
        for (const [k, from] of byProp) {
            const keys = [...new Set([...from].map((res) => keyOf(res)!).flatMap((key) => customKeys(key)))].filter((key) => key !== record.key).sort();
            if (keys.length) (record.propertyDependencies ??= {})[k] = keys;
        }
    }
}

/**
 * Runs `program` (awaited when it is async) and returns every resource it registered, once all are resolved.
 * Not re-entrant: stacks are built one after another.
 */
export async function record<T>(program: () => T | Promise<T>): Promise<{ result: T; resources: RecordedResource[] }> {
    install();
    if (current) throw new Error("record() is already running; build stacks one at a time");
    const pending: Pending[] = [];
    current = pending;
    try {
        // An async program (a Pulumi program may be `export = async () => ...`) registers resources after its awaits.
        const result = await program();
        // Resources may be created inside applies; wait until the set stops growing.
        let done = 0;
        const deps = new Map<RecordedResource, Map<string, Set<pulumi.Resource>>>();
        while (done < pending.length) {
            const batch = pending.slice(done);
            done = pending.length;
            await Promise.all(batch.map(async (p) => {
                await (p.record.resource.urn as any).promise();
                const byProp = new Map<string, Set<pulumi.Resource>>();
                p.record.inputs = await resolveInputs(p.record, p.props, byProp);
                deps.set(p.record, byProp);
            }));
        }
        const resources = pending.map((p) => p.record);
        propertyDependencyKeys(resources, deps);
        const seen = new Set<string>();
        for (const r of resources) {
            if (seen.has(r.key)) throw new Error(`two resources share type and name: ${r.key}`);
            seen.add(r.key);
        }
        return { result, resources };
    } finally {
        current = undefined;
    }
}

/**
 * A stack's outputs as the engine keeps them and a StackReference reads them: resolved, the secret
 * values masked (an output holding a secret anywhere is a secret output), and the secret names.
 */
export async function resolveOutputs(outputs: Record<string, unknown>): Promise<{ outputs: Record<string, unknown>; secretOutputNames: string[] }> {
    const secrets: string[] = [];
    const resolved = (await resolve(outputs, "", secrets, new Set())) as Record<string, unknown>;
    const secretOutputNames = Object.keys(resolved).filter((name) => secrets.some((p) => p === name || p.startsWith(`${name}.`) || p.startsWith(`${name}[`)));
    return { outputs: resolved, secretOutputNames };
}
