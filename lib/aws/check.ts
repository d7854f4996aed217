/**
 * Checks resource inputs against the AWS facts: enum membership (and deprecation), numeric ranges,
 * string lengths and the model's patterns.
 */
import type { Constraint } from "./facts";

/** Values at an input path (`a.b[].c`; `[]` walks a list). Absent values are skipped. */
export function valuesAt(obj: unknown, inputPath: string): unknown[] {
    let current: unknown[] = [obj];
    for (const part of inputPath.split(".")) {
        const list = part.endsWith("[]");
        const key = list ? part.slice(0, -2) : part;
        current = current.flatMap((o) => {
            const v = o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined;
            if (v === undefined || v === null) return [];
            return list ? (Array.isArray(v) ? v : [v]) : [v];
        });
    }
    return current;
}

/** Models' patterns are Java-style; most compile as Unicode JS regexes, the rest without the flag. */
function compile(pattern: string): RegExp {
    try {
        return new RegExp(pattern, "u");
    } catch {
        return new RegExp(pattern);
    }
}

/** Why `value` breaks `c`, or undefined when it fits. */
export function violation(c: Constraint, value: unknown): string | undefined {
    if (c.deprecated?.includes(String(value))) return `${JSON.stringify(value)} is deprecated by AWS (${c.source})`;
    if (c.enum && !c.enum.map(String).includes(String(value))) return `${JSON.stringify(value)} is not one of ${c.enum.join(", ")}`;
    if (typeof value === "number") {
        if (c.min !== undefined && value < c.min) return `${value} is below the minimum ${c.min}`;
        if (c.max !== undefined && value > c.max) return `${value} is above the maximum ${c.max}`;
        return undefined;
    }
    if (typeof value === "string") {
        const length = [...value].length;
        if (c.min !== undefined && length < c.min) return `${JSON.stringify(value)} is shorter than ${c.min}`;
        if (c.max !== undefined && length > c.max) return `${JSON.stringify(value)} is longer than ${c.max}`;
        if (c.pattern && !compile(c.pattern).test(value)) return `${JSON.stringify(value)} does not match ${c.pattern}`;
    }
    return undefined;
}
