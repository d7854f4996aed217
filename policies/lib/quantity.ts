/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1G`, `1e3`) with the API server's grammar
 * and exact arithmetic: a quantity becomes a BigInt count of nano-units, as
 * k8s.io/apimachinery/pkg/api/resource.ParseQuantity stores it (non-zero values rounded up to 1n,
 * magnitudes capped at 2^63-1 units). No floating point anywhere, so `9m` equals `0.009`.
 *
 *   quantity ::= signedNumber suffix;  suffix ::= binarySI | decimalExponent | decimalSI
 *   binarySI ::= Ki | Mi | Gi | Ti | Pi | Ei;  decimalSI ::= n | u | m | "" | k | M | G | T | P | E
 *   decimalExponent ::= (e | E) signedInteger;  number ::= [digits] [. [digits]]
 * A number without digits (".", "+", "m") is 0, as the API server reads it (except with Pi, Ei or an
 * exponent below -9, which it refuses); spaces around the
 * quantity are trimmed as the API server trims them (see TRIMMED); any length is read (numbers stay
 * bounded: beyond the cap only whether more non-zero digits follow matters); an exponent keeps
 * the low 32 bits of its int64 value, as Go's parser does.
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

const memos: Map<string, unknown>[] = [];

/**
 * Empties the per-string caches below. The program never needs it (parsing is pure); it is for a
 * test runner that keeps one process while the code under test changes: Stryker's mocha runner
 * (test/harness/mutation-hooks.ts) calls it before each test, so that a string parsed earlier with
 * other code is parsed again with the active mutant.
 */
// Stryker disable next-line BlockStatement: emptying a cache of a pure function changes no result, only which code computes it.
export function clearQuantityCaches(): void {
    for (const memo of memos) memo.clear();
}

/**
 * `fn` with its results for strings reused (at most 4,096 kept): stacks repeat the same few
 * spellings ("100m", "128Mi") endlessly. Other values are not kept.
 */
function memoizedForStrings<T>(fn: (q: unknown) => T): (q: unknown) => T {
    const memo = new Map<string, T>();
    memos.push(memo);
    return (q) => {
        if (typeof q !== "string") return fn(q);
        let r = memo.get(q);
        // Stryker disable next-line ConditionalExpression: recomputing a pure function gives the same result.
        if (r === undefined) {
            // Stryker disable next-line ConditionalExpression,EqualityOperator: when the cache is emptied bounds memory, not results.
            if (memo.size >= 4096) memo.clear();
            memo.set(q, (r = fn(q)));
        }
        return r;
    };
}

/** Parses a quantity exactly; on failure says why. */
export const parseQuantityExact: (q: unknown) => QuantityResult = memoizedForStrings((q) => parse(q));

/**
 * What the API server trims around a quantity string: Go's strings.TrimSpace over the JSON text
 * kubectl (or any Go client) sends, where tabs, line breaks and U+2028/U+2029 arrive escaped
 * (`\t`, `\u2028`) and so are not trimmed: space, NEL, NBSP and the other Unicode spaces are.
 */
const TRIMMED = /^[ \u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[ \u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g;
const INT64_MAX = (1n << 63n) - 1n;

function parse(q: unknown): QuantityResult {
    const raw = textOf(q);
    if (raw === undefined) return { ok: false, reason: `${JSON.stringify(q) ?? String(q)} is not a quantity (a string such as "500m" or "1Gi", or a number)` };
    const text = raw.replace(TRIMMED, "");
    const m = GRAMMAR.exec(text);
    const shown = text.length > 40 ? `${JSON.stringify(text.slice(0, 24))}... (${text.length} characters)` : JSON.stringify(text);
    // The API server reads a quantity without digits ("m", ".", "+") as 0; only an empty one is refused.
    if (!m || text === "") return { ok: false, reason: `${shown} is not a Kubernetes quantity (number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ... or e<exponent>)` };
    const [, sign, whole, frac = "", , exp, suffix = ""] = m;
    // value = 0.digits... : significant digits D, times 10^pow10 nano-units, times 2^pow2.
    const fracDigits = frac.replace(/0+$/, "");
    const digits = (whole + fracDigits).replace(/^0+/, "");
    let pow10 = 9 - fracDigits.length;
    let pow2 = 0n;
    if (exp !== undefined) {
        // Go parses the exponent as an int64 and keeps its low 32 bits (int32).
        const e = BigInt(exp);
        if (e > INT64_MAX || e < -INT64_MAX - 1n) return { ok: false, reason: `${shown} has an exponent out of range` };
        pow10 += Number(BigInt.asIntN(32, e));
    } else if (suffix in BINARY) pow2 = BINARY[suffix];
    else pow10 += DECIMAL[suffix];
    if (whole === "" && frac === "") {
        // No digits: 0 where the API server's integer fast path applies, else its decimal parser
        // fails on the empty number (Pi, Ei, and exponents below -9).
        const fast = exp !== undefined ? pow10 >= 0 : suffix !== "Pi" && suffix !== "Ei";
        return fast ? { ok: true, nanos: 0n } : { ok: false, reason: `${shown} has no digits (the API server reads that as 0 only with a suffix up to Ti or an exponent of at least -9)` };
    }
    if (digits === "") return { ok: true, nanos: 0n };
    const nanos = magnitude(digits, pow10, pow2);
    return { ok: true, nanos: sign === "-" ? -nanos : nanos };
}

/**
 * digits x 10^pow10 x 2^pow2, rounded up to a whole nano-unit and capped at MAX_QUANTITY, with
 * numbers of bounded size however long the spelling: beyond the cap's 28 digits only whether more
 * non-zero digits follow matters.
 */
function magnitude(digits: string, pow10: number, pow2: bigint): bigint {
    const L = digits.length;
    if (L + pow10 > 41) return MAX_QUANTITY;
    if (pow10 >= 0) {
        const n = (BigInt(digits) * 10n ** BigInt(pow10)) << pow2;
        return n > MAX_QUANTITY ? MAX_QUANTITY : n;
    }
    // A whole part H and a fraction 0.R of nano-units (R may be very long, or start with many zeros).
    const k = -pow10;
    // Stryker disable next-line EqualityOperator: at L = k both branches give 0n (the whole part of "" is 0).
    const whole = L > k ? BigInt(digits.slice(0, L - k)) << pow2 : 0n;
    // Stryker disable next-line EqualityOperator: at L = k both branches give all the digits.
    const rDigits = L > k ? digits.slice(L - k) : digits;
    // Stryker disable next-line EqualityOperator: at L = k both branches give 0.
    const zeros = L > k ? 0 : k - L;
    let up = 0n;
    // Stryker disable next-line ConditionalExpression: an all-zero fraction gives up = 0 on the full path too (N = 0, nothing sticky).
    if (/[1-9]/.test(rDigits)) {
        // Stryker disable next-line EqualityOperator: at 20 zeros 0.R x 2^pow2 < 10^-20 x 2^60 < 1 too, so the short-cut gives what the full path would.
        if (zeros > 20) up = 1n; // 0 < 0.R x 2^pow2 < 1 (2^pow2 <= 2^60 < 10^19)
        else {
            const P = 60;
            // Stryker disable next-line MethodExpression: the inner slice only bounds the string built; the outer one gives the same head.
            const head = ("0".repeat(zeros) + rDigits.slice(0, P)).slice(0, P).padEnd(P, "0");
            const sticky = /[1-9]/.test(rDigits.slice(P - zeros));
            const N = BigInt(head) << pow2;
            const scale = 10n ** BigInt(P);
            const rest = N % scale;
            // Exact: N and scale (10^60) are multiples of 2^pow2 (pow2 <= 60), so rest <= scale - 2^pow2,
            // and the dropped digits (worth less than 2^pow2) cannot carry N past the next unit.
            up = N / scale + (rest !== 0n || sticky ? 1n : 0n);
        }
    }
    const n = whole + up;
    // Stryker disable next-line EqualityOperator: at n = MAX_QUANTITY both branches give MAX_QUANTITY.
    return n > MAX_QUANTITY ? MAX_QUANTITY : n;
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
    // Stryker disable next-line EqualityOperator: zero was refused on the line above.
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
