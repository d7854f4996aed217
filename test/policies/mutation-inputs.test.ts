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
import { readYamlDocument } from "../../policies/lib/kube-yaml";

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
        // The same bounds after bytes on either side of them, and the bounds of the first byte (C2-DF, E0-EF, F0-F4).
        const bytes = [0x41, 0xe0, 0xa0, 0x80, 0xff, 0xe0, 0x80, 0x80, 0xff, 0xed, 0x9f, 0xbf, 0x41, 0xed, 0xa0, 0x80, 0x41, 0xf0, 0x90, 0x80, 0x80, 0xff, 0xf0, 0x8f, 0x80, 0x80, 0xff, 0xf4, 0x8f, 0xbf, 0xbf, 0x41, 0xf4, 0x90, 0x80, 0x80, 0xc2, 0x80, 0xdf, 0xbf, 0xef, 0xbf, 0xbf, 0xc1, 0x80, 0xf5, 0x80, 0x80, 0x80, 0xe1, 0x80];
        const bad = (k: number) => "\ufffd".repeat(k);
        assert.equal(x(`x: !!binary ${base64(bytes)}\n`), `A\u0800${bad(4)}${bad(1)}\ud7ffA${bad(3)}A\u{10000}${bad(1)}${bad(4)}${bad(1)}\u{10ffff}A${bad(4)}\u0080\u07ff\uffff${bad(2)}${bad(4)}${bad(2)}`);
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
        // A lone line feed folds to a space; spaces between words stay; a lone CR is a break; blanks after a break go.
        assert.equal(x(`x: "a\n  b${LS} c"\n`), `a b${LS}c`);
        assert.equal(x(`x: "a b${LS} c"\n`), `a b${LS}c`);
        assert.equal(x(`x: "a\r b${LS} c"\n`), `a b${LS}c`);
        assert.equal(x(`x: "a${LS} \t b"\n`), `a${LS}b`);
        // A quote or backslash means nothing special where the style does not make it an escape.
        assert.equal(x(`x: "it's${LS} ok"\n`), `it's${LS}ok`);
        assert.equal(x(`x: a\\b${LS}  c\n`), `a\\b${LS}c`);
        assert.equal(x(`x: 'a\\b${LS} c'\n`), `a\\b${LS}c`);
    });

    it("a CRLF is one line break, also after an escaping backslash (read directly: kubectl's line reader turns CRLF into LF first)", () => {
        const read = (text: string) => (readYamlDocument(text, { maxDepth: 256, maxMergeKeys: 1000 }, { mergeKeys: 0 }).value as { x: unknown }).x;
        assert.equal(read(`x: "a\\\r\n  b${LS} c"\n`), `ab${LS}c`);
        assert.equal(read(`x: "a\r\n  b${LS} c"\n`), `a b${LS}c`);
        assert.equal(read(`x: "a\r\n\r\n  b${LS} c"\n`), `a\nb${LS}c`);
    });

    it("a block scalar broken by U+2028 keeps the breaks of its empty lines, folds only lone line feeds, and chomps as go-yaml does", () => {
        assert.equal(x(`x: |\n  a${LS}\n\n  b\n\n`), `a${LS}\n\nb\n`);
        assert.equal(x(`x: >\n  a\n  b${LS}\n\n  c\n   d\n  e\n`), `a b${LS}\n\nc\n d\ne\n`);
        assert.equal(x(`x: >\n\n  a${LS}  b\n  c\n\n  d\n`), `\na${LS}b c\nd\n`);
        assert.equal(x(`x: >\n  a\n\n\n  b${LS}  c\n`), `a\n\nb${LS}c\n`);
        assert.equal(x(`x: >-\n  a${LS}\n\n  b\n`), `a${LS}\n\nb`);
        assert.equal(x(`x: |2-\n   a${LS}\n  b\n`), ` a${LS}\nb`);
        assert.equal(x(`x: |+\n  a${LS}\n\n\nk: 1\n`), `a${LS}\n\n\n`);
        // Only empty lines (one of spaces alone), kept or clipped to nothing.
        assert.equal(x(`x: |+\n\n\n${LS}\nk: 1\n`), `\n\n${LS}\n`);
        assert.equal(x(`x: |+\n   \n\n${LS}\nk: 1\n`), `\n\n${LS}\n`);
        assert.equal(x(`x: |\n\n\n${LS}\nk: 1\n`), "");
        // A line of spaces beyond the indentation is content; up to it, an empty line.
        assert.equal(x(`x: |\n  a${LS}\n   \n  b\n`), `a${LS}\n \nb\n`);
        assert.equal(x(`x: |\n  a${LS}\n  \n  b\n`), `a${LS}\n\nb\n`);
        // A line that starts with a tab is not folded.
        assert.equal(x(`x: >\n  a${LS}\n  \tb\n  c\n`), `a${LS}\n\tb\nc\n`);
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

describe("mutation-found cases: plain scalars and tags resolved as go-yaml v2 resolves them", () => {
    it("plain scalars: Go integers in every base (octal with a leading 0), int64 then uint64 then float, strings for what Go cannot parse", () => {
        assert.deepStrictEqual(
            x("x: [_1, 9, +1, .5, -1, 0, -0, 012, 0o17, 0b101, 0x1F, -0x10, 1_000, 1__0, 0777777777777777777, 9223372036854775807, -9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775809, 0xffffffffffffffffffff, 0b11111111111111111111111111111111111111111111111111111111111111111, 1e400, -0.0, 1.5, 1e3, 1.]\n"),
            ["_1", 9, 1, 0.5, -1, 0, 0, 10, 15, 5, 31, -16, 1000, 10, 18014398509481983, 9223372036854775807, -9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775809, "0xffffffffffffffffffff", "0b11111111111111111111111111111111111111111111111111111111111111111", "1e400", 0, 1.5, 1000, 1],
        );
        // Names of JavaScript's object prototype are plain strings.
        assert.deepStrictEqual(x("x: [toString, valueOf, constructor, __proto__]\n"), ["toString", "valueOf", "constructor", "__proto__"]);
    });

    it("the kind of a number shows in its key: int64, float beyond it, float32 text", () => {
        assert.deepStrictEqual(x("x: { 5: a, -9223372036854775809: b, 18446744073709551616: c, 10.0016165: d, 1.05: e, !!float 16777217: f }\n"), {
            "5": "a", "-9.223372e+18": "b", "1.8446744e+19": "c", "10.0016165": "d", "1.05": "e", "1.6777216e+07": "f",
        });
    });

    it("standard tags convert the text; local, unknown and collection tags on a scalar leave it a string", () => {
        assert.deepStrictEqual(
            x('x: [!!null ~, !!null "", !!bool yes, !!int "12", !!int 0x1F, !!float 1, !!float "1.5", !!str 12, !!timestamp 2001-12-14, !!timestamp "2001-12-14t21:59:43.10-05:00", !!map 12, !!foo 12, !bar 12, ! 12, !<tag:yaml.org,2003:int> "12", !<tag:yaml.org,2002:int> "12", !!seq a, !!float -0]\n'),
            [null, null, true, 12, 31, 1, 1.5, "12", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "12", "12", "12", "12", "12", 12, "a", 0],
        );
        assert.equal(x("x: !!binary |\n  QUJD\n  REVG\n"), "ABCDEF");
    });

    it("a `<<` merges plain and untagged, with the non-specific tag ! or !!merge; quoted or !!str it is the key \"<<\"; as a value it is the string", () => {
        const doc = parseDocuments(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: t }\nm: { "<<": {a: 1} }\nnn: { ! "<<": {a: 1} }\no: { !!merge "<<": {a: 1} }\np: { !!str <<: {a: 1} }\nq: { <<: {a: 1} }\nr: <<\ns: !!merge <<\n`, "t.yaml")[0] as Record<string, unknown>;
        assert.deepStrictEqual([doc.m, doc.nn, doc.o, doc.p, doc.q, doc.r, doc.s], [{ "<<": { a: 1 } }, { a: 1 }, { a: 1 }, { "<<": { a: 1 } }, { a: 1 }, "<<", "<<"]);
    });

    it("a tag that cannot convert its text is refused with go-yaml's reason; .inf and .nan have no JSON form", () => {
        const cannot = (tag: string, text: string, as: string) => `t.yaml: not valid YAML: cannot decode ${tag} ${JSON.stringify(text)} as a ${as}`;
        assert.equal(refusal("x: !!int 1.5\n"), cannot("!!float", "1.5", "!!int"));
        assert.equal(refusal("x: !!int 1.\n"), cannot("!!float", "1.", "!!int"));
        assert.equal(refusal("x: !!float 18446744073709551615\n"), cannot("!!int", "18446744073709551615", "!!float"));
        assert.equal(refusal("x: !!int <<\n"), cannot("!!str", "<<", "!!int"));
        assert.equal(refusal("x: !!null a\n"), cannot("!!str", "a", "!!null"));
        assert.equal(refusal("x: !!bool 1\n"), cannot("!!int", "1", "!!bool"));
        assert.equal(refusal("x: !!timestamp 2001-13-01\n"), 't.yaml: not valid YAML: cannot decode "2001-13-01" as a !!timestamp');
        for (const b64 of ["QUJ", "QUJDx", "Q==="]) assert.equal(refusal(`x: !!binary ${b64}\n`), "t.yaml: not valid YAML: !!binary value contains invalid base64 data", b64);
        assert.equal(refusal("x: .inf\n"), "t.yaml: the number Infinity (YAML .inf/.nan) has no JSON form; the API server refuses it; refused");
        assert.equal(refusal("x: !!float .nan\n"), "t.yaml: the number NaN (YAML .inf/.nan) has no JSON form; the API server refuses it; refused");
    });

    it("!!timestamp checks dates and times as Go's time.Parse does (a zone offset up to 24:60)", () => {
        const valid = ["2001-12-14", "2001-2-28", "2000-02-29", "2001-01-31", "2001-12-31", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T23:59:59Z", "2001-12-14T1:2:3Z",
            "2001-12-14T00:00:00+23:59", "2001-12-14T00:00:00+24:00", "2001-12-14T00:00:00+00:60", "2001-12-14T00:00:00-24:60"];
        for (const t of valid) assert.equal(x(`x: !!timestamp ${t}\n`), t);
        const invalid = ["2001-13-01", "2001-00-10", "2001-02-29", "2001-12-00", "2001-12-32", "2001-04-31", "2001-12-14T24:00:00Z", "2001-12-14T23:60:00Z", "2001-12-14T23:59:60Z",
            "2001-12-14 24:00:00", "2001-12-14 23:60:00", "2001-12-14 23:59:60", "2001-12-14T00:00:00+25:00", "2001-12-14T00:00:00+00:61"];
        for (const t of invalid) assert.equal(refusal(`x: !!timestamp ${t}\n`), `t.yaml: not valid YAML: cannot decode ${JSON.stringify(t)} as a !!timestamp`);
    });
});
