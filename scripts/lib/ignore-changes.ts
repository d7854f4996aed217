/**
 * A resource's `ignoreChanges` applied as the Pulumi engine applies it before diffing an update
 * (pkg/resource/deploy/step_generator.go, processIgnoreChanges): each listed property path of the
 * new inputs takes the old value (or is dropped when the old inputs lack it), so the provider sees
 * no change there. Paths are the engine's property paths: `a.b`, `a[0]`, `a["b.c"]`, `a[*]`/`a.*`.
 * A path whose parent is missing from the new inputs makes the engine refuse the update; a path
 * that does not parse is skipped, as the engine skips it.
 */

/** A property name, an array index, or `"*"` (any key or index, as the engine reads it). */
type Segment = string | number;

/** The segments of a property path, or undefined when it does not parse. */
export function parsePropertyPath(path: string): Segment[] | undefined {
    const out: Segment[] = [];
    let i = 0;
    while (i < path.length) {
        if (path[i] === "[") {
            const close = path[i + 1] === '"' ? path.indexOf('"]', i + 2) + 1 : path.indexOf("]", i);
            if (close <= i) return undefined;
            const inner = path.slice(i + 1, close);
            if (inner === "*") out.push("*");
            else if (/^\d+$/.test(inner)) out.push(Number(inner));
            else if (/^".*"$/.test(inner)) out.push(inner.slice(1, -1));
            else return undefined;
            i = close + 1;
            if (path[i] === ".") i++;
            continue;
        }
        let end = i;
        while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
        const name = path.slice(i, end);
        if (!name) return undefined;
        out.push(name);
        i = path[end] === "." ? end + 1 : end;
    }
    return out.length > 0 && typeof out[0] === "string" ? out : undefined;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const own = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Resets `path` in `next` to its value in `old`, in place, as the engine's PropertyPath.Reset
 * does; false is the engine's path error. It neither creates intermediate values nor changes an
 * array's length.
 */
function reset(old: unknown, next: unknown, path: Segment[]): boolean {
    const [key, ...rest] = path;
    const leaf = rest.length === 0;
    if (typeof key === "number") {
        const [a, b] = [Array.isArray(old), Array.isArray(next)];
        if (!a || !b) return !a && !b;
        const [o, n] = [old as unknown[], next as unknown[]];
        if (leaf && key >= o.length && key >= n.length) return true;
        if (key >= o.length || key >= n.length) return false;
        if (!leaf) return reset(o[key], n[key], rest);
        n[key] = structuredClone(o[key]);
        return true;
    }
    if (key === "*") {
        if (leaf) {
            if (isObject(next)) {
                if (!isObject(old)) return true;
                for (const k of Object.keys(next)) if (!own(old, k)) delete next[k];
                for (const k of Object.keys(old)) next[k] = structuredClone(old[k]);
                return true;
            }
            if (Array.isArray(next)) {
                if (!Array.isArray(old)) return true;
                if (old.length !== next.length) return false;
                old.forEach((v, i) => { next[i] = structuredClone(v); });
                return true;
            }
            return false;
        }
        if (isObject(old) && isObject(next)) return Object.keys(old).every((k) => own(next, k) && reset(old[k], next[k], rest));
        if (Array.isArray(old) && Array.isArray(next)) return old.length === next.length && old.every((v, i) => reset(v, next[i], rest));
        return false;
    }
    if (leaf) {
        if (isObject(old) && own(old, key)) {
            if (!isObject(next)) return false;
            next[key] = structuredClone(old[key]);
        } else if (isObject(next)) delete next[key];
        return true;
    }
    if (!isObject(old) || !isObject(next)) return !isObject(old) && !isObject(next);
    const [hasOld, hasNew] = [own(old, key), own(next, key)];
    if (!hasNew) return !hasOld;
    return reset(hasOld ? old[key] : undefined, next[key], rest);
}

/**
 * The new inputs as the engine diffs them: a copy of `inputs` with each ignored path reset to
 * `oldInputs`. `missing` lists the paths the engine refuses ("one or more elements of the path are missing").
 */
export function applyIgnoreChanges(oldInputs: Record<string, unknown>, inputs: Record<string, unknown>, ignoreChanges: readonly string[]): { inputs: Record<string, unknown>; missing: string[] } {
    if (ignoreChanges.length === 0) return { inputs, missing: [] };
    const out = structuredClone(inputs);
    const missing: string[] = [];
    for (const p of ignoreChanges) {
        const path = parsePropertyPath(p);
        if (path && !reset(oldInputs, out, path)) missing.push(p);
    }
    return { inputs: out, missing };
}
