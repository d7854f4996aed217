/**
 * Best-effort parse of a config that failed its schema, so the cross-field rules can still run on
 * everything that is valid and every problem is reported at once. Each object field and list item is
 * parsed on its own; a rule that reads a field that did not parse stops (`Unparsed`) instead of
 * reporting a problem that follows from one already reported (no cascades).
 */
import { z } from "zod";

/** Thrown when a rule reads a config value that failed its schema: the rule is skipped. */
export class Unparsed extends Error {}

type Def = { type: string; innerType?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };

/** An object or list whose failed fields throw Unparsed when read. */
function guarded<T extends object>(data: T, failed: Set<string>): T {
    if (failed.size === 0) return data;
    return new Proxy(data, {
        get(target, key, receiver) {
            if (typeof key === "string" && failed.has(key)) throw new Unparsed(key);
            return Reflect.get(target, key, receiver);
        },
    });
}

/** Parses `value` with `schema` as far as it is valid: `{ ok: false }` only when nothing at this level is usable. */
export function partialParse(schema: z.core.$ZodType, value: unknown): { ok: true; data: unknown } | { ok: false } {
    const whole = z.safeParse(schema, value);
    if (whole.success) return { ok: true, data: whole.data };
    const def = schema._zod.def as unknown as Def;
    if ((def.type === "default" || def.type === "prefault" || def.type === "optional") && def.innerType) {
        // A missing block is validated as {} (prefault); a present one as itself.
        return partialParse(def.innerType, value === undefined && def.type === "prefault" ? {} : value);
    }
    if (def.type === "object" && def.shape && value !== null && typeof value === "object" && !Array.isArray(value)) {
        const data: Record<string, unknown> = {};
        const failed = new Set<string>();
        for (const [key, field] of Object.entries(def.shape)) {
            const r = partialParse(field, (value as Record<string, unknown>)[key]);
            if (r.ok) {
                if (r.data !== undefined) data[key] = r.data;
            } else failed.add(key);
        }
        return { ok: true, data: guarded(data, failed) };
    }
    if (def.type === "array" && def.element && Array.isArray(value)) {
        const failed = new Set<string>();
        const data = value.map((item, i) => {
            const r = partialParse(def.element!, item);
            if (!r.ok) failed.add(String(i));
            return r.ok ? r.data : undefined;
        });
        return { ok: true, data: guarded(data, failed) };
    }
    return { ok: false };
}

/** Runs each rule; in a partial config a rule that reads an unparsed value is skipped. */
export function runRules<C>(rules: ((cfg: C) => void)[], cfg: C): void {
    for (const rule of rules) {
        try {
            rule(cfg);
        } catch (e) {
            if (!(e instanceof Unparsed)) throw e;
        }
    }
}
