/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1G`, `1e3`) with the API server's grammar
 * and exact arithmetic: a quantity becomes a BigInt count of nano-units, as
 * k8s.io/apimachinery/pkg/api/resource.ParseQuantity stores it (non-zero values rounded up to 1n,
 * magnitudes capped at 2^63-1 units). No floating point anywhere, so `9m` equals `0.009`.
 *
 *   quantity ::= signedNumber suffix;  suffix ::= binarySI | decimalExponent | decimalSI
 *   binarySI ::= Ki | Mi | Gi | Ti | Pi | Ei;  decimalSI ::= n | u | m | "" | k | M | G | T | P | E
 *   decimalExponent ::= (e | E) signedInteger;  number ::= digits | digits. | digits.digits | .digits
 */

/** Nano-units per unit. */
export const NANO = 1_000_000_000n;
/** The largest magnitude the API server keeps (2^63-1 units); larger values are capped to it. */
export const MAX_QUANTITY = ((1n << 63n) - 1n) * NANO;

const GRAMMAR = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE])([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

export type QuantityResult = { ok: true; nanos: bigint } | { ok: false; reason: string };

/** The text Kubernetes would parse: strings as they are, JSON/YAML numbers as their shortest decimal. */
function textOf(q: unknown): string | undefined {
    if (typeof q === "string") return q;
    if (typeof q === "number" && Number.isFinite(q)) return String(q);
    if (typeof q === "bigint") return q.toString();
    return undefined;
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * `fn` with its results for strings reused (at most 4,096 kept): stacks repeat the same few
 * spellings ("100m", "128Mi") endlessly. Other values are not kept.
 */
function memoizedForStrings<T>(fn: (q: unknown) => T): (q: unknown) => T {
    const memo = new Map<string, T>();
    return (q) => {
        if (typeof q !== "string") return fn(q);
        let r = memo.get(q);
        if (r === undefined) {
            if (memo.size >= 4096) memo.clear();
            memo.set(q, (r = fn(q)));
        }
        return r;
    };
}

/** Parses a quantity exactly; on failure says why. */
export const parseQuantityExact: (q: unknown) => QuantityResult = memoizedForStrings((q) => parse(q));

function parse(q: unknown): QuantityResult {
    const text = textOf(q);
    if (text === undefined) return { ok: false, reason: `${JSON.stringify(q) ?? String(q)} is not a quantity (a string such as "500m" or "1Gi", or a number)` };
    if (text.length > 64) return { ok: false, reason: `${JSON.stringify(text.slice(0, 24))}... (${text.length} characters) is too long for a quantity` };
    const m = GRAMMAR.exec(text);
    if (!m || (m[2] === "" && (m[3] ?? "") === "")) return { ok: false, reason: `${JSON.stringify(text)} is not a Kubernetes quantity (number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ... or e<exponent>)` };
    const [, sign, whole, frac = "", , exp, suffix = ""] = m;
    let digits = BigInt(`${whole}${frac}` || "0");
    // value = digits * 10^pow10 * 2^pow2
    let pow10 = -frac.length;
    let pow2 = 0n;
    if (exp !== undefined) {
        const e = Number(exp);
        if (!Number.isSafeInteger(e) || Math.abs(e) > 2 ** 31 - 1) return { ok: false, reason: `${JSON.stringify(text)} has an exponent out of range` };
        pow10 += e;
    } else if (suffix in BINARY) pow2 = BINARY[suffix];
    else pow10 += DECIMAL[suffix];
    pow10 += 9; // to nano-units
    const negative = sign === "-" && digits !== 0n;
    let nanos: bigint;
    if (digits === 0n) nanos = 0n;
    else if (pow10 >= 0) {
        // Beyond ~10^40 every non-zero value exceeds the cap: do not build huge powers.
        nanos = pow10 > 60 ? MAX_QUANTITY + 1n : digits * 10n ** BigInt(pow10);
        nanos <<= pow2;
    } else {
        digits <<= pow2;
        // Non-zero values round up (away from zero) to whole nano-units, as the API server does.
        nanos = -pow10 > 60 + digits.toString().length ? 1n : ceilDiv(digits, 10n ** BigInt(-pow10));
    }
    if (nanos > MAX_QUANTITY) nanos = MAX_QUANTITY;
    return { ok: true, nanos: negative ? -nanos : nanos };
}

/** Parses a quantity to nano-units; undefined when it is not a valid Kubernetes quantity. */
export function parseQuantity(q: unknown): bigint | undefined {
    const r = parseQuantityExact(q);
    return r.ok ? r.nanos : undefined;
}

export type ResourceQuantity = { nanos: bigint; problem?: undefined } | { nanos?: undefined; problem: string };
const UNSET: ResourceQuantity = { problem: "is not set" };
const judged = memoizedForStrings((q) => judge(q));

/** A container request or limit: its value, or why it cannot be one (unset, malformed, zero, negative). Results are shared: do not change them. */
export function resourceQuantity(q: unknown): ResourceQuantity {
    return q === undefined || q === null ? UNSET : judged(q);
}

function judge(q: unknown): ResourceQuantity {
    const r = parseQuantityExact(q);
    if (!r.ok) return { problem: r.reason };
    if (r.nanos === 0n) return { problem: `is ${JSON.stringify(q)}: zero means no limit to the kubelet and no reservation to the scheduler` };
    if (r.nanos < 0n) return { problem: `is ${JSON.stringify(q)}: negative quantities are invalid` };
    return { nanos: r.nanos };
}

/** Why a quantity cannot be a container request or limit (malformed, zero, negative), or undefined. */
export function resourceQuantityProblem(q: unknown): string | undefined {
    return resourceQuantity(q).problem;
}

/** A plain decimal rendering of nano-units, for messages (`1500000000n` -> `1.5`). */
export function formatNanos(nanos: bigint): string {
    const neg = nanos < 0n;
    const a = neg ? -nanos : nanos;
    const frac = (a % NANO).toString().padStart(9, "0").replace(/0+$/, "");
    return `${neg ? "-" : ""}${a / NANO}${frac ? `.${frac}` : ""}`;
}
