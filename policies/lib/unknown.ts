/**
 * Values a policy cannot judge, and how their reads are tracked.
 *
 * - **Unknown** (`UNKNOWN`): a value the engine marks unknown during `pulumi preview` (an id or ARN of
 *   a resource not created yet). Only two places make one: the pack's adapter (index.ts) when the
 *   engine runs it for a preview (PULUMI_DRY_RUN=true) and a property holds the protocol's unknown
 *   sentinel, and the offline recorder when an Output of a first-preview build is unknown. A value
 *   read from a file, a stack export or a plan snapshot is never unknown, whatever its text: the
 *   sentinel strings are ordinary strings there. A finding that depends on an unknown is reported
 *   advisory ("undecided during preview") and decided at `pulumi up`.
 * - **Opaque** (`OpaqueValue`): a value the input hides from the check, such as a secret encrypted in
 *   a stack export or masked as "[secret]" in a plan snapshot. It cannot be verified, so a policy
 *   that reads one fails closed: a mandatory finding that says which value and why.
 *
 * Both are objects with an identity (never strings), so no input text can forge one. Policies run
 * unchanged on props wrapped by `trackReads`, which records every read of such a value; stack
 * policies can scope reads to one subject (`withReads`) and read indexes without recording
 * (`quietly`), so one unknown id does not make every stack finding advisory.
 */

/** The engine's unknown sentinels (the protocol's string forms), used only where the engine speaks. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (the one the engine marshals every unknown as)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
]);

/** The string the engine sends for an unknown value. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

class UnknownValue {
    toString(): string {
        return "(unknown until the update)";
    }
    toJSON(): string {
        return "[unknown]";
    }
}

/** The one value that stands for "unknown until the update". */
export const UNKNOWN: unknown = Object.freeze(new UnknownValue());

/** A value hidden from the check (a secret it cannot read); `why` says how, for the message. */
export class OpaqueValue {
    constructor(readonly why: string) {
        Object.freeze(this);
    }
    toString(): string {
        return "(secret)";
    }
    toJSON(): string {
        return "[secret]";
    }
}

export const isUnknown = (v: unknown): boolean => v === UNKNOWN;
export const isOpaque = (v: unknown): v is OpaqueValue => v instanceof OpaqueValue;
/** Unknown or opaque: a value no policy can judge as it is. */
export const isUnjudgeable = (v: unknown): boolean => v === UNKNOWN || v instanceof OpaqueValue;

/** True when any value inside `v` is unknown or opaque (both are objects: a string or number never is). */
export function containsUnjudgeable(v: unknown): boolean {
    if (!v || typeof v !== "object") return false;
    if (v === UNKNOWN || v instanceof OpaqueValue) return true;
    if (Array.isArray(v)) {
        for (const x of v) if (containsUnjudgeable(x)) return true;
        return false;
    }
    for (const k in v) if (containsUnjudgeable((v as Record<string, unknown>)[k])) return true;
    return false;
}

/** A deep copy of plain data (objects and lists) that keeps UNKNOWN and opaque values as they are (structuredClone would turn them into `{}`). */
export function cloneData<T>(v: T): T {
    if (!v || typeof v !== "object" || isUnjudgeable(v)) return v;
    if (Array.isArray(v)) return v.map(cloneData) as T;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cloneData(x)])) as T;
}

const NO_PATHS: ReadonlySet<string> = new Set();
const NO_OPAQUE: ReadonlyMap<string, string> = new Map();

/** What a check read that it could not judge: unknown paths, and opaque paths with the reason (collections made on the first read). */
export class Reads {
    private u?: Set<string>;
    private o?: Map<string, string>;
    addUnknown(path: string): void {
        (this.u ??= new Set()).add(path);
    }
    addOpaque(path: string, why: string): void {
        (this.o ??= new Map()).set(path, why);
    }
    get unknown(): ReadonlySet<string> {
        return this.u ?? NO_PATHS;
    }
    get opaque(): ReadonlyMap<string, string> {
        return this.o ?? NO_OPAQUE;
    }
}

export const newReads = (): Reads => new Reads();
export const isEmpty = (r: Reads): boolean => r.unknown.size === 0 && r.opaque.size === 0;

/** The scope reads go to while a stack policy judges one subject (see withReads); undefined outside. */
let scope: Reads | undefined;
let quiet = 0;

/** Runs `fn` recording nothing: for labels in messages and for indexes that handle unknowns themselves. */
export function quietly<T>(fn: () => T): T {
    quiet++;
    try {
        return fn();
    } finally {
        quiet--;
    }
}

/** Runs `fn` (synchronous) and returns what it read that could not be judged, apart from the enclosing reads. */
export function withReads<T>(fn: () => T): { value: T; reads: Reads } {
    const outer = scope;
    const reads = newReads();
    scope = reads;
    try {
        return { value: fn(), reads };
    } finally {
        scope = outer;
    }
}

/**
 * Wraps plain data so that every read of an unknown or opaque value is recorded (as `label.path`,
 * into the current `withReads` scope, else into `base`) and returned as is: a policy runs unchanged,
 * and afterwards we know whether its verdict depended on something it could not judge.
 */
export function trackReads<T>(value: T, label: string, base: Reads): T {
    const cache = new WeakMap<object, unknown>();
    const wrap = (v: unknown, path: string): unknown => {
        if (!v || typeof v !== "object" || isUnjudgeable(v)) return v;
        const hit = cache.get(v);
        if (hit) return hit;
        const proxy = new Proxy(v, {
            get(target, prop, receiver) {
                const got = Reflect.get(target, prop, receiver);
                if (typeof prop === "symbol") return got;
                const at = Array.isArray(target) ? `${path}[${prop}]` : path ? `${path}.${prop}` : prop;
                if (isUnjudgeable(got)) {
                    if (quiet === 0) {
                        const sink = scope ?? base;
                        const where = `${label}${label && at ? "." : ""}${at}`;
                        if (got === UNKNOWN) sink.addUnknown(where);
                        else sink.addOpaque(where, (got as OpaqueValue).why);
                    }
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
 * unknown value: reading through property descriptors gets the raw values. With `preview` (the
 * engine runs a preview), the protocol's unknown sentinels become UNKNOWN; otherwise they are the
 * strings they are (during an update nothing is unknown).
 */
export function plainCopy(v: unknown, preview = false): any {
    if (typeof v === "string") return preview && UNKNOWN_SENTINELS.has(v) ? UNKNOWN : v;
    if (!v || typeof v !== "object") return v;
    const keys = Object.keys(v);
    // Object.keys lists only keys it found an own enumerable descriptor for.
    const read = (k: string) => plainCopy(Object.getOwnPropertyDescriptor(v, k)!.value, preview);
    if (Array.isArray(v)) return keys.filter((k) => /^\d+$/.test(k)).map(read);
    return Object.fromEntries(keys.map((k) => [k, read(k)]));
}

/** The sentence for values that cannot be verified: `a.b (encrypted in the stack export), c (...)`. */
export function opaqueSentence(opaque: ReadonlyMap<string, string>): string {
    // Paths are distinct, so the default order (UTF-16 code units, as `<` compares strings) is total.
    return `cannot be verified: ${[...opaque.keys()].sort().map((p) => `${p} is ${opaque.get(p)}`).join("; ")}; the check fails closed.`;
}
