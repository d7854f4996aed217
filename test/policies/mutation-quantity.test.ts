/**
 * policies/lib/quantity.ts on the cases mutation testing (`npm run mutation`) found no test for:
 * quantities without digits (the API server's integer fast path reads them as 0 up to Ti and for
 * exponents of at least -9; its decimal parser fails on Pi, Ei and smaller exponents), exponents
 * outside int64, and the formatting of negative values. The expectations follow the reading the
 * module documents for the API server (not re-run against one here).
 */
import * as assert from "node:assert/strict";
import { MAX_QUANTITY, formatNanos, parseQuantityExact, resourceQuantityProblem } from "../../policies/lib/quantity";

const noDigits = (q: string) => `${JSON.stringify(q)} has no digits (the API server reads that as 0 only with a suffix up to Ti or an exponent of at least -9)`;

describe("mutation-found cases: quantities", () => {
    it("a quantity without digits is 0 with a suffix up to Ti or an exponent of at least -9, refused otherwise", () => {
        for (const q of ["Ki", "Ti", "m", "k", "e-9", "e5", "E0", ".", "+", "-.", ".Ki"]) assert.deepEqual(parseQuantityExact(q), { ok: true, nanos: 0n }, q);
        for (const q of ["Pi", "Ei", ".Pi", "+Ei", "e-10", "-.e-12"]) assert.deepEqual(parseQuantityExact(q), { ok: false, reason: noDigits(q) }, q);
        // With a digit, even zero, the suffix does not matter.
        assert.deepEqual(parseQuantityExact("0Pi"), { ok: true, nanos: 0n });
        assert.deepEqual(parseQuantityExact("0e-12"), { ok: true, nanos: 0n });
    });
    it("an exponent outside int64 is refused; inside it, Go's int32 truncation applies", () => {
        for (const q of ["1e9223372036854775808", "1e-9223372036854775809"]) assert.deepEqual(parseQuantityExact(q), { ok: false, reason: `${JSON.stringify(q)} has an exponent out of range` }, q);
        // 9223372036854775807 keeps its low 32 bits: -1.
        assert.deepEqual(parseQuantityExact("1e9223372036854775807"), { ok: true, nanos: 100_000_000n });
    });
    it("negative values are formatted with their sign; resourceQuantityProblem says why a request is unusable", () => {
        assert.equal(formatNanos(-1_500_000_000n), "-1.5");
        assert.equal(formatNanos(-2_000_000_000n), "-2");
        assert.equal(formatNanos(1_500_000_000n), "1.5");
        assert.equal(resourceQuantityProblem("250m"), undefined);
        assert.match(resourceQuantityProblem("0") ?? "", /zero/);
        assert.match(resourceQuantityProblem("-1") ?? "", /negative/);
        assert.match(resourceQuantityProblem("abc") ?? "", /not a Kubernetes quantity/);
    });
    it("fractions with binary suffixes or negative exponents round up exactly, as an exact rational ceiling computes them", () => {
        // The reference: the quantity as the fraction num/den of nano-units, rounded up, capped.
        const exact = (mantissa: string, pow2: bigint, exp: bigint): bigint => {
            const [w, f = ""] = mantissa.split(".");
            let num = BigInt(w + f || "0") * 1_000_000_000n << pow2;
            let den = 10n ** BigInt(f.length);
            if (exp >= 0n) num *= 10n ** exp;
            else den *= 10n ** -exp;
            const n = (num + den - 1n) / den;
            return n > MAX_QUANTITY ? MAX_QUANTITY : n;
        };
        const z = (n: number) => "0".repeat(n);
        const mantissas = [
            "0.0000000005", // 512 nano-units with Ki exactly: no rounding
            `0.0000000005${z(59)}3`, // 512 plus a digit beyond the 60 kept: 513
            `0.00000000005${z(58)}3`,
            `0.${z(10)}9765625${z(52)}3`, // 100 nano-units with Ki (0.09765625 x 1024) plus a digit past the kept head: 101
            "0.00000000001", // 0.01024 nano-units with Ki: 1
            "0.1234567891",
            `0.${z(30)}1`,
            `0.${z(12)}9765625`,
            `1.${"3".repeat(70)}`,
            `0.${"9".repeat(80)}`,
            "9000000000000000000.0000000001", // beyond the cap once multiplied
            "7.5",
        ];
        const suffixes: [string, bigint][] = [["Ki", 10n], ["Mi", 20n], ["Gi", 30n], ["Ti", 40n], ["Pi", 50n], ["Ei", 60n]];
        for (const m of mantissas) {
            for (const [s, p] of suffixes) assert.deepEqual(parseQuantityExact(m + s), { ok: true, nanos: exact(m, p, 0n) }, m + s);
            assert.deepEqual(parseQuantityExact(`-${m}Ki`), { ok: true, nanos: -exact(m, 10n, 0n) }, `-${m}Ki`);
        }
        for (const [m, e] of [["1000", -74n], ["1000", -30n], ["5", -10n], ["123456789", -25n], ["1.5", -12n], ["25", -11n]] as const) {
            assert.deepEqual(parseQuantityExact(`${m}e${e}`), { ok: true, nanos: exact(m, 0n, e) }, `${m}e${e}`);
        }
    });
    it("a fraction without a whole part, the smallest int64 exponent, null, zero and long malformed input", () => {
        assert.deepEqual(parseQuantityExact(".5"), { ok: true, nanos: 500_000_000n });
        assert.deepEqual(parseQuantityExact("-.25Ki"), { ok: true, nanos: -256_000_000_000n });
        // -2^63 and -2^63+1 are int64s, kept as their low 32 bits (0 and 1); -2^63-1 is refused (test above).
        assert.deepEqual(parseQuantityExact("3e-9223372036854775808"), { ok: true, nanos: 3_000_000_000n });
        assert.deepEqual(parseQuantityExact("3e-9223372036854775807"), { ok: true, nanos: 30_000_000_000n });
        assert.equal(resourceQuantityProblem(null), "is not set");
        assert.equal(resourceQuantityProblem(undefined), "is not set");
        assert.equal(formatNanos(0n), "0");
        const long = `${"x".repeat(30)}yz${"w".repeat(18)}`;
        assert.deepEqual(parseQuantityExact(long), {
            ok: false,
            reason: `"${"x".repeat(24)}"... (50 characters) is not a Kubernetes quantity (number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ... or e<exponent>)`,
        });
    });
});
