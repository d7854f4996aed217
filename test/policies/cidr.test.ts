/**
 * Property-based tests (fast-check) of the CIDR arithmetic the security group and EKS rules rest
 * on (policies/lib/cidr.ts): ranges against ip-num (an independent implementation), unions against
 * ip-num's pool aggregation and against partitions of the whole space built here, and the IPv6
 * text forms (compressed, embedded IPv4) against the full form.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { IPv4CidrRange, IPv4Prefix, IPv6CidrRange, IPv6Prefix } from "ip-num";
import { coveredFamilies, Family, parseCidr, Range } from "../../policies/lib/cidr";

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };
const v4Text = (n: bigint) => [24n, 16n, 8n, 0n].map((s) => ((n >> s) & 255n).toString()).join(".");
const v6Groups = (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
const v6Text = (n: bigint) => v6Groups(n).join(":");
const text = (family: Family, n: bigint) => (family === "ipv4" ? v4Text(n) : v6Text(n));

/** A CIDR block of a family with its host bits cleared: [address, prefix]. */
const block = (family: Family, maxPrefix = BITS[family]) => fc.tuple(fc.bigInt({ min: 0n, max: (1n << BigInt(BITS[family])) - 1n }), fc.integer({ min: 0, max: maxPrefix }))
    .map(([a, p]) => {
        const host = BigInt(BITS[family] - p);
        return { family, address: (a >> host) << host, prefix: p, cidr: `${text(family, (a >> host) << host)}/${p}` };
    });

const SLICES_V4 = IPv4CidrRange.fromCidr("0.0.0.0/0").splitInto(new IPv4Prefix(3n));
const SLICES_V6 = IPv6CidrRange.fromCidr("::/0").splitInto(new IPv6Prefix(3n));

/**
 * Whether blocks of prefix 3 or less cover the family, counted independently: each of the eight /3
 * slices of the space must lie inside some block (ip-num's slices, ip-num's containment test).
 */
function slicesCovered(family: Family, cidrs: string[]): boolean {
    if (family === "ipv4") {
        const blocks = cidrs.map((c) => IPv4CidrRange.fromCidr(c));
        return SLICES_V4.every((slice) => blocks.some((b) => b.contains(slice)));
    }
    const blocks = cidrs.map((c) => IPv6CidrRange.fromCidr(c));
    return SLICES_V6.every((slice) => blocks.some((b) => b.contains(slice)));
}

/** A random partition of the whole family into CIDR blocks: split a block in two, `splits` times. */
const partition = (family: Family) => fc.array(fc.nat(), { minLength: 0, maxLength: 24 }).map((choices) => {
    let blocks: { address: bigint; prefix: number }[] = [{ address: 0n, prefix: 0 }];
    for (const c of choices) {
        const splittable = blocks.filter((b) => b.prefix < BITS[family]);
        if (splittable.length === 0) break;
        const b = splittable[c % splittable.length];
        const half = 1n << BigInt(BITS[family] - b.prefix - 1);
        blocks = [...blocks.filter((x) => x !== b), { address: b.address, prefix: b.prefix + 1 }, { address: b.address + half, prefix: b.prefix + 1 }];
    }
    return blocks.map((b) => `${text(family, b.address)}/${b.prefix}`);
});

describe("properties: CIDR ranges and unions", () => {
    for (const family of ["ipv4", "ipv6"] as Family[]) {
        it(`${family}: a block's range is ip-num's`, () => {
            fc.assert(fc.property(block(family), ({ cidr }) => {
                const r = parseCidr(cidr)!;
                const expected = family === "ipv4" ? IPv4CidrRange.fromCidr(cidr) : IPv6CidrRange.fromCidr(cidr);
                assert.deepEqual([r.family, r.first, r.last], [family, expected.getFirst().value, expected.getLast().value], cidr);
            }));
        });

        it(`${family}: blocks of /3 or wider cover the family exactly when they contain its eight /3 slices`, () => {
            fc.assert(fc.property(fc.array(block(family, 3), { maxLength: 10 }), (blocks) => {
                const cidrs = blocks.map((b) => b.cidr);
                const ranges = cidrs.map(parseCidr) as Range[];
                assert.equal(coveredFamilies(ranges).includes(family), slicesCovered(family, cidrs), cidrs.join(" "));
            }), { numRuns: 50 });
        });

        it(`${family}: any partition of the whole space covers it, in any order; without one block it does not`, () => {
            fc.assert(fc.property(partition(family), fc.nat(), fc.nat(), (cidrs, drop, seed) => {
                const shuffled = [...cidrs].sort((a, b) => ((a.length * 31 + seed) % 7) - ((b.length * 17 + seed) % 7));
                assert.ok(coveredFamilies(shuffled.map(parseCidr) as Range[]).includes(family), cidrs.join(" "));
                const without = cidrs.filter((_, i) => i !== drop % cidrs.length);
                assert.ok(!coveredFamilies(without.map(parseCidr) as Range[]).includes(family), without.join(" "));
            }));
        });
    }

    it("host bits below the prefix are masked (1.2.3.4/0 is all of IPv4)", () => {
        fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }), (a, p) => {
            const r = parseCidr(`${v4Text(a)}/${p}`)!;
            const host = BigInt(32 - p);
            assert.deepEqual([r.first, r.last], [(a >> host) << host, ((a >> host) << host) + (1n << host) - 1n]);
        }));
    });

    it("IPv6 text forms: every `::` compression and an embedded IPv4 tail read as the full form", () => {
        fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 128 }), (a, i, j, p) => {
            const groups = v6Groups(a);
            const full = parseCidr(`${groups.join(":")}/${p}`)!;
            // Compress groups [s, e) (any run, zero or not: only zero runs are valid compressions).
            const s = i % 8;
            const e = s + 1 + (j % (8 - s));
            const zeroRun = groups.slice(s, e).every((g) => g === "0");
            const compressed = `${groups.slice(0, s).join(":")}::${groups.slice(e).join(":")}`;
            const c = parseCidr(`${compressed}/${p}`);
            if (zeroRun && e - s >= 1) assert.deepEqual(c, full, compressed);
            const tail = `${groups.slice(0, 6).join(":")}:${v4Text(a & 0xffffffffn)}`;
            assert.deepEqual(parseCidr(`${tail}/${p}`), full, tail);
        }));
    });

    it("refuses what is not a CIDR block (the rules then fail closed)", () => {
        for (const bad of ["0.0.0.0", "0.0.0.0/33", "256.0.0.0/8", "010.0.0.0/8", "1.2.3/8", "::/129", ":::/0", "1::2::3/64", "g::/0", "0.0.0.0/00", " 0.0.0.0/0", "0.0.0.0/-1", "1:2:3:4:5:6:7:8:9/64", "1.2.3.4::/64"]) assert.equal(parseCidr(bad), undefined, bad);
        for (const v of [undefined, null, 0, {}, ["0.0.0.0/0"]]) assert.equal(parseCidr(v), undefined);
    });
});
