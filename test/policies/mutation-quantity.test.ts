/**
 * policies/lib/quantity.ts on the cases mutation testing (`npm run mutation`) found no test for:
 * quantities without digits (the API server's integer fast path reads them as 0 up to Ti and for
 * exponents of at least -9; its decimal parser fails on Pi, Ei and smaller exponents), exponents
 * outside int64, and the formatting of negative values. The expectations follow the reading the
 * module documents for the API server (not re-run against one here).
 */
import * as assert from "node:assert/strict";
import { formatNanos, parseQuantityExact, resourceQuantityProblem } from "../../policies/lib/quantity";

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
});
