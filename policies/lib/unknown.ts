/**
 * Values unknown until the update. During `pulumi preview` the engine sends every property it
 * cannot know yet (an ARN or id of a resource still to be created) as the protocol's unknown
 * sentinel string; @pulumi/policy keeps it as a string. A policy that reads one cannot decide:
 * its findings on that input are reported as advisory "undecided in preview" and the engine asks
 * again with the real values at `pulumi up` (Analyze before each resource is created, AnalyzeStack
 * on the outputs after the update).
 */

/** The unknown sentinels of the Pulumi property protocol (the engine sends the string one for every unknown). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the one the engine marshals every unknown as)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
]);

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const isUnknown = (v: unknown): boolean => typeof v === "string" && UNKNOWN_SENTINELS.has(v);

/** True when any value inside `v` is unknown. */
export function containsUnknown(v: unknown): boolean {
    if (isUnknown(v)) return true;
    if (Array.isArray(v)) return v.some(containsUnknown);
    if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
    return false;
}

/**
 * Wraps plain data so that every read of an unknown value is recorded (as `label.path`) and the
 * value is returned as is: a policy runs unchanged, and afterwards we know whether its verdict
 * depended on something unknown.
 */
export function trackUnknownReads<T>(value: T, label: string, reads: Set<string>): T {
    const cache = new WeakMap<object, unknown>();
    const wrap = (v: unknown, path: string): unknown => {
        if (!v || typeof v !== "object") return v;
        const hit = cache.get(v);
        if (hit) return hit;
        const proxy = new Proxy(v, {
            get(target, prop, receiver) {
                const got = Reflect.get(target, prop, receiver);
                if (typeof prop === "symbol") return got;
                const at = Array.isArray(target) ? `${path}[${prop}]` : path ? `${path}.${prop}` : prop;
                if (isUnknown(got)) {
                    reads.add(`${label}${label && at ? "." : ""}${at}`);
                    return got;
                }
                const desc = Object.getOwnPropertyDescriptor(target, prop);
                if (desc && desc.configurable === false && desc.writable === false) return got;
                return wrap(got, at);
            },
        });
        cache.set(v, proxy);
        return proxy;
    };
    return wrap(value, "") as T;
}

/**
 * A deep plain copy of properties handed over by @pulumi/policy, whose proxy throws on reading an
 * unknown value: reading through property descriptors gets the raw values (unknowns as sentinels).
 */
export function plainCopy(v: unknown): any {
    if (!v || typeof v !== "object") return v;
    const keys = Object.keys(v);
    const read = (k: string) => plainCopy(Object.getOwnPropertyDescriptor(v, k)?.value);
    if (Array.isArray(v)) return keys.filter((k) => /^\d+$/.test(k)).map(read);
    return Object.fromEntries(keys.map((k) => [k, read(k)]));
}
