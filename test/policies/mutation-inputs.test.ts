/**
 * The YAML scalars of policy check's manifest reader (policies/lib/yaml-scalars.ts through
 * kube-yaml.ts) on the cases mutation testing (`npm run mutation`) found no test for: `!!binary`
 * bytes that are not UTF-8, map keys of every scalar kind, escapes and folding in flow scalars and
 * block scalars broken by U+2028/U+2029. Every expected value is what kubectl v1.32 read from the
 * same text (`kubectl label --local -f <file> -o json`, the reader of test/harness/kubectl-read.ts),
 * run once by hand when these tests were written; the tests themselves run in process.
 */
import * as assert from "node:assert/strict";
import { parseDocuments, PolicyInputError } from "../../policies/lib/inputs";

const LS = "\u2028", PS = "\u2029";
/** The `x` field of a one-document manifest, as policy check reads it. */
const x = (body: string): unknown => (parseDocuments(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: t }\n${body}`, "t.yaml")[0] as { x: unknown }).x;
const refusal = (body: string): string => {
    try {
        parseDocuments(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: t }\n${body}`, "t.yaml");
    } catch (e) {
        assert.ok(e instanceof PolicyInputError, String(e));
        return e.message;
    }
    assert.fail(`read: ${body}`);
};
const base64 = (bytes: number[]) => Buffer.from(bytes).toString("base64");

describe("mutation-found cases: YAML scalars as kubectl reads them", () => {
    it("!!binary bytes that are not UTF-8 become one U+FFFD per byte of a bad sequence, as Go's JSON encoder writes them", () => {
        // Three-byte sequences: E0 needs a second byte from A0, ED one below A0 (no surrogates).
        assert.equal(x(`x: !!binary ${base64([0xff, 0xe0, 0xa0, 0x80, 0xe0, 0x80, 0x80, 0xed, 0x9f, 0xbf, 0xed, 0xa0, 0x80, 0x41])}\n`), "\ufffd\u0800\ufffd\ufffd\ufffd\ud7ff\ufffd\ufffd\ufffdA");
        // Four-byte sequences: F0 needs a second byte from 90, F4 one below 90 (up to U+10FFFF).
        assert.equal(x(`x: !!binary ${base64([0xff, 0xf0, 0x90, 0x80, 0x80, 0xf0, 0x8f, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf, 0xf4, 0x90, 0x80, 0x80, 0x42])}\n`), "\ufffd\u{10000}\ufffd\ufffd\ufffd\ufffd\u{10ffff}\ufffd\ufffd\ufffd\ufffdB");
        // A lone continuation byte, cut sequences, bytes that never start one (F5, C0).
        assert.equal(x(`x: !!binary ${base64([0x80, 0xe0, 0xa0, 0x41, 0xc2, 0xf5, 0xc0, 0xaf, 0xe1, 0x80, 0xf1, 0x80, 0x80])}\n`), "\ufffd\ufffd\ufffdA\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd");
    });

    it("float map keys are written as Go's FormatFloat(f, 'g', -1, 32), with sigs.k8s.io/yaml's names for infinities and NaN", () => {
        const keys = x("x: { 1e6: a, 0.00001: b, 1.5e7: c, 1234567.0: d, 100000.0: e, 0.0001: f, 3.4e38: g, .nan: i, -.inf: j, 1e-40: m, 0.1: n1, 16777217.0: o, 123.456: p, -1.5e-7: q, .inf: r, 1e21: s, 1e20: t, 0.000123: u, 12345.5: v, 1.0: w }\n");
        assert.deepStrictEqual(keys, {
            "1e+06": "a", "1e-05": "b", "1.5e+07": "c", "1.234567e+06": "d", "100000": "e", "0.0001": "f", "3.4e+38": "g", ".nan": "i", "-.inf": "j",
            "1e-40": "m", "0.1": "n1", "1.6777216e+07": "o", "123.456": "p", "-1.5e-07": "q", ".inf": "r", "1e+21": "s", "1e+20": "t", "0.000123": "u", "12345.5": "v", "1": "w",
        });
        assert.deepStrictEqual(x("x: { 0.0: a }\n"), { "0": "a" });
        assert.deepStrictEqual(x("x: { -0.0: a }\n"), { "-0": "a" });
    });

    it("boolean and integer keys are written as true/false and decimal; unsigned 64-bit and null keys are refused", () => {
        assert.deepStrictEqual(x("x: { no: a, yes: b, 9223372036854775807: c, -9223372036854775808: d, 0x10: e }\n"), { false: "a", true: "b", "9223372036854775807": "c", "-9223372036854775808": "d", "16": "e" });
        assert.equal(refusal("x: { 18446744073709551615: a }\n"), "t.yaml: not valid YAML: the map key 18446744073709551615 is an unsigned 64-bit integer, which kubectl cannot turn into a JSON key");
        assert.equal(refusal("x: { ~: a }\n"), "t.yaml: not valid YAML: a null map key cannot be a JSON key (kubectl refuses it)");
    });

    it("keys are go-yaml's Go values: 0.0 and -0.0 are one key (the later one's text stays), 1 and \"1\" two that kubectl keeps one of at random", () => {
        // Merges set entries as go-yaml does: the later equal key replaces the entry and its text.
        assert.deepStrictEqual(x("x: { <<: [{0.0: a}, {-0.0: b}] }\n"), { "0": "a" });
        assert.deepStrictEqual(x("x: { <<: [{-0.0: a}, {0.0: b}], c: 1 }\n"), { "-0": "a", c: 1 });
        assert.deepStrictEqual(x("x: { <<: {0.0: a}, -0.0: b }\n"), { "-0": "b" });
        assert.deepStrictEqual(x("x: { <<: {1.5: a, 0x1: c}, 1.5: b, 1: d }\n"), { "1.5": "b", "1": "d" });
        // Explicit equal keys are refused as duplicates, like any other.
        assert.equal(refusal("x: { 0.0: a, -0.0: b }\n"), 't.yaml: not valid YAML: duplicated mapping key "-0" (line 4)');
        const random = (types: string, key: string) => `t.yaml: not valid YAML: two different map keys (${types}) are both the JSON key ${JSON.stringify(key)}: kubectl keeps one of them at random; refused`;
        assert.equal(refusal('x: { <<: {1: a}, "1": b }\n'), random("int and string", "1"));
        assert.equal(refusal('x: { <<: [{1: a}, {"1": b}] }\n'), random("string and int", "1"));
        assert.equal(refusal("x: { <<: {1.0: a}, 1: b }\n"), random("float and int", "1"));
        assert.deepStrictEqual(x("x: { <<: {yes: a}, true: b }\n"), { true: "b" });
        assert.equal(refusal('x: { <<: {yes: a}, "true": b }\n'), random("bool and string", "true"));
        assert.equal(refusal("x: { <<: {.nan: a}, .NaN: b }\n"), random("float and float", ".nan"));
    });

    it("an alias of a `<<` key is the key \"<<\", not a merge (go-yaml merges only at the `<<` node itself)", () => {
        assert.deepStrictEqual(x("x: { &m <<: {a: 1}, *m : {b: 2} }\n"), { a: 1, "<<": { b: 2 } });
    });

    it("a quoted flow scalar broken by U+2028 keeps its escapes: '' in single quotes, every escape of go-yaml in double quotes", () => {
        assert.equal(x(`x: 'it''s${LS} ok'\n`), `it's${LS}ok`);
        assert.equal(x(`x: "\\x41\\u00e9\\U0001F600\\t\\n\\\\\\"\\0\\a\\b\\v\\f\\r\\e\\ \\N\\_\\L\\P\\\tq${LS} z"\n`), `Aé😀\t\n\\"\0\x07\b\v\f\r\x1b \x85\xa0${LS}${PS}\tq${LS}z`);
    });

    it("an escaped line break in a double-quoted scalar joins the lines; the breaks of empty lines after it stay", () => {
        assert.equal(x(`x: "a\\${LS}  b${LS} c"\n`), `ab${LS}c`);
        assert.equal(x(`x: "a\\\n\n  b${LS} c"\n`), `a\nb${LS}c`);
        assert.equal(x(`x: "a\\\r\n  b${LS} c"\n`), `ab${LS}c`);
        assert.equal(x(`x: "a\\${LS}${PS}\n  b${LS} c"\n`), `a${PS}\nb${LS}c`);
    });

    it("in a flow scalar a U+2028 break is kept and the breaks of the empty lines after a first break are kept as they are", () => {
        assert.equal(x(`x: "a${LS} ${LS} b"\n`), `a${LS}${LS}b`);
        assert.equal(x(`x: "a\n\n${LS}  b ${PS} c"\n`), `a\n${LS}b${PS}c`);
        assert.equal(x(`x: 'a${LS}\n\n  b'\n`), `a${LS}\n\nb`);
        assert.equal(x(`x: a${LS}  b\n\n   c\n`), `a${LS}b\nc`);
    });

    it("a block scalar broken by U+2028 keeps the breaks of its empty lines, folds only lone line feeds, and chomps as go-yaml does", () => {
        assert.equal(x(`x: |\n  a${LS}\n\n  b\n\n`), `a${LS}\n\nb\n`);
        assert.equal(x(`x: >\n  a\n  b${LS}\n\n  c\n   d\n  e\n`), `a b${LS}\n\nc\n d\ne\n`);
        assert.equal(x(`x: >\n\n  a${LS}  b\n  c\n\n  d\n`), `\na${LS}b c\nd\n`);
        assert.equal(x(`x: >\n  a\n\n\n  b${LS}  c\n`), `a\n\nb${LS}c\n`);
        assert.equal(x(`x: >-\n  a${LS}\n\n  b\n`), `a${LS}\n\nb`);
        assert.equal(x(`x: |2-\n   a${LS}\n  b\n`), ` a${LS}\nb`);
        assert.equal(x(`x: |+\n  a${LS}\n\n\nk: 1\n`), `a${LS}\n\n\n`);
        // Only empty lines, kept.
        assert.equal(x(`x: |+\n\n\n${LS}\nk: 1\n`), `\n\n${LS}\n`);
    });

    it("a block scalar broken by U+2028 on the last line of a file without a final line break ends with one, as kubectl's line reader adds it", () => {
        assert.equal(x(`x: |\n  a${LS}  b`), `a${LS}b\n`);
        assert.equal(x(`x: |+\n  a${LS}  b`), `a${LS}b\n`);
        assert.equal(x(`x: |-\n  a${LS}  b`), `a${LS}b`);
        // The same without U+2028 (js-yaml's own reading).
        assert.equal(x("x: |\n  ab"), "ab\n");
    });

    it("the escape \\/ (YAML 1.2 only) is refused in a double-quoted scalar, as go-yaml v2 refuses it; an escaped backslash before / is not one", () => {
        const message = "t.yaml: not valid YAML: found unknown escape character \\/ in a double-quoted scalar (go-yaml v2 has no such escape; kubectl refuses it)";
        assert.equal(refusal('x: "a\\/b"\n'), message);
        assert.equal(refusal(`x: "a\\\\\\/b${LS} c"\n`), message);
        assert.equal(x('x: "a\\\\/b"\n'), "a\\/b");
        assert.equal(x("x: 'a\\/b'\n"), "a\\/b");
        assert.equal(x("x: a\\/b\n"), "a\\/b");
    });
});
