/**
 * CIDR blocks as exact address ranges (BigInt), and whether a set of them covers every address of
 * IPv4 (2^32) or IPv6 (2^128). `0.0.0.0/1` with `128.0.0.0/1` is all of IPv4 as surely as
 * `0.0.0.0/0`; `::/0` is all of IPv6. Host bits set below the prefix (`1.2.3.4/0`) are ignored, as a
 * mask applies them.
 */

export type Family = "ipv4" | "ipv6";

export interface Range {
    family: Family;
    first: bigint;
    last: bigint;
}

const BITS: Record<Family, number> = { ipv4: 32, ipv6: 128 };

function parseIpv4(s: string): bigint | undefined {
    const parts = s.split(".");
    if (parts.length !== 4) return undefined;
    let v = 0n;
    for (const p of parts) {
        // Decimal octets only, no leading zeros (AWS refuses `010.0.0.0/8`).
        if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
        v = (v << 8n) | BigInt(p);
    }
    return v;
}

function parseIpv6(s: string): bigint | undefined {
    let text = s;
    let tail: bigint[] = [];
    // An embedded IPv4 address ends the text after a colon (`::ffff:192.0.2.1`): two groups. (Text
    // without a colon never gets here: parseCidr reads it as IPv4.)
    const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const n = parseIpv4(v4[1]);
        if (n === undefined) return undefined;
        tail = [n >> 16n, n & 0xffffn];
        // What is left ends with the colon before the address: dropped, unless it is part of `::`.
        text = text.slice(0, text.length - v4[1].length);
        if (!text.endsWith("::")) text = text.slice(0, -1);
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groups = (h: string) => (h === "" ? [] : h.split(":"));
    const head = groups(halves[0]);
    const rest = halves.length === 2 ? groups(halves[1]) : [];
    if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    const explicit = head.length + rest.length + tail.length;
    if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
    const all = [...head.map((g) => BigInt(`0x${g}`)), ...Array(8 - explicit).fill(0n), ...rest.map((g) => BigInt(`0x${g}`)), ...tail];
    return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** The range of a CIDR block (`10.0.0.0/8`, `::/0`); undefined when it is not one. */
export function parseCidr(cidr: unknown): Range | undefined {
    if (typeof cidr !== "string") return undefined;
    const m = /^([^/\s]+)\/(0|[1-9]\d{0,2})$/.exec(cidr);
    if (!m) return undefined;
    const family: Family = m[1].includes(":") ? "ipv6" : "ipv4";
    const address = family === "ipv4" ? parseIpv4(m[1]) : parseIpv6(m[1]);
    const prefix = Number(m[2]);
    const bits = BITS[family];
    if (address === undefined || prefix > bits) return undefined;
    const hostBits = BigInt(bits - prefix);
    const first = (address >> hostBits) << hostBits;
    return { family, first, last: first + (1n << hostBits) - 1n };
}

/** The families whose every address the ranges cover together. */
export function coveredFamilies(ranges: Range[]): Family[] {
    const out: Family[] = [];
    for (const family of ["ipv4", "ipv6"] as Family[]) {
        // By first address (the sign of the difference; Number keeps it for any 128-bit value).
        const sorted = ranges.filter((r) => r.family === family).sort((a, b) => Number(a.first - b.first));
        let next = 0n; // the first address not yet covered
        for (const r of sorted) {
            if (r.first > next) break;
            if (r.last >= next) next = r.last + 1n;
        }
        if (next === 1n << BigInt(BITS[family])) out.push(family);
    }
    return out;
}

/** `all of IPv4 (0.0.0.0/0)`-style text for messages. */
export const familyText = (f: Family) => (f === "ipv4" ? "all of IPv4 (0.0.0.0/0)" : "all of IPv6 (::/0)");
