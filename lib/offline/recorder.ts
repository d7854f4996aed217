/**
 * Records every resource the program registers under the mocks: type, name, parent, options
 * (protect, dependsOn, provider, ignoreChanges) from the SDK's own registration call, and the
 * resolved inputs the mock monitor receives, with secret values masked.
 */
import * as pulumi from "@pulumi/pulumi";
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
    /** Resolved inputs as the engine would receive them; secrets replaced by SECRET_MASK. */
    inputs: Record<string, any>;
    /** Input property paths that hold secrets. */
    secretPaths: string[];
    /** AWS region of an `aws:` resource (its explicit provider's region, else the stack's); set by the stack loader. */
    region?: string;
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
                    ignoreChanges: opts?.ignoreChanges ?? [], inputs: {}, secretPaths: [], resource: res,
                },
            });
        }
        return originalRegister.call(this, res, parent, t, name, custom, remote, newDependency, props, opts, ...rest);
    };
}

/** Resolves an input value: Outputs are awaited; secrets become SECRET_MASK and their path is noted. */
async function resolve(value: unknown, path: string, secrets: string[]): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as pulumi.Output<unknown>;
        const [inner, isSecret] = await Promise.all([(o as any).promise() as Promise<unknown>, (o as any).isSecret as Promise<boolean>]);
        if (isSecret) {
            secrets.push(path);
            return SECRET_MASK;
        }
        return resolve(inner, path, secrets);
    }
    if (value instanceof Promise) return resolve(await value, path, secrets);
    if (pulumi.Resource.isInstance(value)) return keyOf(value);
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => resolve(v, `${path}[${i}]`, secrets)));
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            const r = await resolve(v, path ? `${path}.${k}` : k, secrets);
            if (r !== undefined) out[k] = r;
        }
        return out;
    }
    return value;
}

/**
 * Runs `program` and returns every resource it registered, once all are resolved.
 * Not re-entrant: stacks are built one after another.
 */
export async function record<T>(program: () => T): Promise<{ result: T; resources: RecordedResource[] }> {
    install();
    if (current) throw new Error("record() is already running; build stacks one at a time");
    const pending: Pending[] = [];
    current = pending;
    try {
        const result = program();
        // Resources may be created inside applies; wait until the set stops growing.
        let done = 0;
        while (done < pending.length) {
            const batch = pending.slice(done);
            done = pending.length;
            await Promise.all(batch.map(async (p) => {
                await (p.record.resource.urn as any).promise();
                p.record.inputs = (await resolve(p.props, "", p.record.secretPaths)) as Record<string, any>;
            }));
        }
        const resources = pending.map((p) => p.record);
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
