/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1G`) to numbers: CPU in cores, memory in bytes.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a quantity; returns undefined when it is not a valid Kubernetes quantity. */
export function parseQuantity(q: unknown): number | undefined {
    if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
    if (typeof q !== "string") return undefined;
    const m = q.trim().match(/^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/);
    if (!m) return undefined;
    const base = Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1);
    const suffix = m[3] ?? "";
    return base * (BINARY[suffix] ?? DECIMAL[suffix]);
}
