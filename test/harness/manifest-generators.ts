/**
 * fast-check generators of manifest files for the differential tests against kubectl
 * (test/policies/decoder-generated.test.ts), one per class of input a reader can get wrong. Each
 * generated file renders with a prefix (`f12`) that starts every object's metadata.name, so
 * kubectl's output maps back to files.
 */
import fc from "fast-check";

export interface Generated {
    ext: "yaml" | "json";
    render(prefix: string): string | Uint8Array;
}

const BOM = "\ufeff";

// --- merge keys --------------------------------------------------------------------------------

const mKey = fc.constantFrom("a", "b", "c", "d");
const mVal = fc.integer({ min: 0, max: 9 });
const inlineMap = fc.array(fc.tuple(mKey, mVal), { minLength: 1, maxLength: 3 }).map((kv) => `{${[...new Map(kv)].map(([k, v]) => `${k}: ${v}`).join(", ")}}`);
const mergeSource = fc.oneof(inlineMap, fc.integer({ min: 0, max: 2 }).map((i) => `*a${i}`));
const mergeValue = fc.oneof(mergeSource, fc.array(mergeSource, { minLength: 1, maxLength: 3 }).map((l) => `[${l.join(", ")}]`));
type Entry = { merge: string } | { key: string; value: number };
const entries = fc.array(fc.oneof(mergeValue.map((merge): Entry => ({ merge })), fc.tuple(mKey, mVal).map(([key, value]): Entry => ({ key, value }))), { minLength: 1, maxLength: 6 })
    // explicit keys once each (a repeated key is refused, which is tested on its own)
    .map((es) => es.filter((e, i) => "merge" in e || es.findIndex((f) => "key" in f && f.key === e.key) === i));

const render = (es: Entry[], flow: boolean, indent: string) => {
    const items = es.map((e) => ("merge" in e ? `<<: ${e.merge}` : `${e.key}: ${e.value}`));
    return flow ? ` {${items.join(", ")}}` : items.map((l) => `\n${indent}${l}`).join("");
};

/** Base maps (&a0..&a2, the later ones merging the earlier), then a map of explicit keys and merges in any order. */
export const mergeManifest: fc.Arbitrary<Generated> = fc.record({ bases: fc.tuple(inlineMap, entries, entries), data: entries, flow: fc.boolean(), nested: fc.boolean() }).map(({ bases, data, flow, nested }) => ({
    ext: "yaml",
    render: (p) => `apiVersion: v1
kind: ConfigMap
metadata: { name: ${p}-merge }
bases:
  b0: &a0 ${bases[0]}
  b1: &a1${render(bases[1].filter((e) => !("merge" in e) || !/\*a[12]/.test(e.merge)), true, "")}
  b2: &a2${render(bases[2].filter((e) => !("merge" in e) || !/\*a2/.test(e.merge)), false, "    ")}
data:${nested ? `\n  inner:${render(data, flow, "    ")}` : render(data, flow, "  ")}
`,
}));

// --- Unicode line breaks -----------------------------------------------------------------------

const BREAKS = ["\n", "\u2028", "\u2029", "\u0085", "\r"];
const brk = fc.constantFrom(...BREAKS);
const header = fc.constantFrom("|", ">", "|-", "|+", ">-", ">+");
const word = fc.constantFrom("one", "two", "x y", "hidden", "a:b", "#x");

/** One top-level entry (keys k<i>, h<i> are unique) with a break where it matters. */
const segment = (i: number) => fc.oneof(
    fc.tuple(brk, word).map(([b, w]) => `# note ${w}${b}k${i}: v${i}\n`),
    fc.tuple(brk, word).map(([b, w]) => `k${i}: v # trailing ${w}${b}h${i}: [c${i}]\n`),
    fc.tuple(header, brk, brk, fc.boolean()).map(([h, b1, b2, ends]) => `k${i}: ${h}\n  line one${b1}  line two${b2}${ends ? `h${i}: hidden` : "  line three"}\n`),
    fc.tuple(brk, fc.boolean()).map(([b, cont]) => `k${i}: word one${b}${cont ? "  word two" : `h${i}: 2`}\n`),
    fc.tuple(fc.constantFrom('"', "'"), brk, brk).map(([q, b1, b2]) => `k${i}: ${q}a b${b1}  c${b2}  d${q}\n`),
    fc.tuple(brk, brk).map(([b1, b2]) => `k${i}:\n  x: 1 # c${b1}  y: 2${b2}  # z\n`),
);
export const unicodeBreakManifest: fc.Arbitrary<Generated> = fc.integer({ min: 1, max: 4 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => segment(i)))).map((segs) => ({
    ext: "yaml",
    render: (p) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${p}-breaks }\n${segs.join("")}`,
}));

// --- items ---------------------------------------------------------------------------------------

const listKind = fc.constantFrom(["v1", "List"], ["v1", "ConfigMap"], ["apps/v1", "DeploymentList"], ["v1", "PodList"], ["apps/v1", "Deployment"], ["batch/v1", "JobList"]);
const item = fc.oneof(
    fc.constant({}),
    fc.constantFrom({ apiVersion: "v1", kind: "Pod" }, { apiVersion: "apps/v1", kind: "Deployment" }, { apiVersion: "v1", kind: "ConfigMap" }),
).chain((typed) => fc.record({ typed: fc.constant(typed), spec: fc.option(fc.constant({ replicas: 1 }), { nil: undefined }), itemsNull: fc.boolean() }));
export const itemsManifest: fc.Arbitrary<Generated> = fc.record({
    list: listKind,
    items: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: fc.array(item, { maxLength: 4 }) }),
    extra: fc.boolean(),
    json: fc.boolean(),
}).map(({ list, items, extra, json }) => ({
    ext: json ? "json" : "yaml",
    render: (p) => {
        const doc = {
            apiVersion: list[0], kind: list[1], metadata: { name: `${p}-list` }, ...(extra ? { spec: { note: "ignored for a list" } } : {}),
            items: items === null ? null : items.map((it, i) => ({ ...it.typed, metadata: { name: `${p}-item${i}` }, ...(it.spec ? { spec: it.spec } : {}), ...(it.itemsNull ? { items: null } : {}) })),
        };
        return json ? JSON.stringify(doc) : toFlowYaml(doc);
    },
}));

/** A YAML document of flow mappings (JSON keys unquoted). */
function toFlowYaml(doc: Record<string, unknown>): string {
    return Object.entries(doc).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n") + "\n";
}

// --- streams: BOMs, JSON streams, UTF-16, CRLF, separators ---------------------------------------

const simple = (p: string, i: number) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${p}-doc${i}` }, data: { k: `v${i}@G@` } });
/** Invalid UTF-8 put into a value: truncated sequences, a surrogate, an overlong form, a stray byte. */
const INVALID_UTF8 = [[], [], [0xe2, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0x80, 0x80]];
export const streamFile: fc.Arbitrary<Generated> = fc.record({
    json: fc.boolean(),
    count: fc.integer({ min: 1, max: 4 }),
    leadingBoms: fc.integer({ min: 0, max: 2 }),
    docBoms: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
    separator: fc.constantFrom("---\n", "--- # next\n", "---   \n", "---\t# c\n"),
    jsonGap: fc.constantFrom("", " ", "\n", "\r\n", "\n\t \n"),
    pretty: fc.boolean(),
    crlf: fc.boolean(),
    encoding: fc.constantFrom("utf8", "utf8", "utf16le", "utf16be"),
    leadingSpace: fc.constantFrom("", "\n", "  \n"),
    garbage: fc.constantFrom(...INVALID_UTF8),
}).map((g) => ({
    ext: g.json ? "json" : "yaml",
    render: (p) => {
        const docs = Array.from({ length: g.count }, (_, i) => simple(p, i));
        let text = g.json
            ? docs.map((d) => JSON.stringify(d, null, g.pretty ? 2 : undefined)).join(g.jsonGap)
            : docs.map((d, i) => `${i > 0 && g.docBoms[i] ? BOM : ""}${toFlowYaml(d)}`).join(g.separator);
        text = g.leadingSpace + text;
        if (g.crlf) text = text.replace(/\n/g, "\r\n");
        // A file-level BOM: the first one selects the encoding (and is dropped); a second one is text.
        const body = BOM.repeat(Math.max(g.leadingBoms - 1, 0)) + text;
        if (g.encoding === "utf8") {
            const parts = ((g.leadingBoms > 0 ? BOM : "") + body).split("@G@").map((t) => Buffer.from(t, "utf8"));
            return Buffer.concat(parts.flatMap((b, i) => (i ? [Buffer.from(g.garbage), b] : [b])));
        }
        const le = Buffer.from(BOM + body.replace(/@G@/g, ""), "utf16le");
        if (g.encoding === "utf16le") return le;
        const be = Buffer.from(le);
        for (let i = 0; i + 1 < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
        return be;
    },
}));

// --- tags and keys -------------------------------------------------------------------------------

const TAGS = ["", "!!str", "!!int", "!!float", "!!bool", "!!null", "!!binary", "!!timestamp", "!foo", "!!foo", "!", "!<tag:yaml.org,2002:int>", "!<tag:yaml.org,2002:float>", "!!map", "!!seq"];
const TEXTS = ["1", "1.5", "-0", "0x1F", "0o17", "1_000", "1e3", "1e400", ".5", "yes", "off", "~", "", "abc", "2001-12-14", "2001-12-14 21:59:43.10 -5", "2001-12-14t21:59:43.10-05:00", "aGVsbG8=", "4oB5", "7aCAeQ==", "<<", ".inf", "12345678901234567890", "3.0", "-0.0"];
const scalar = fc.record({ tag: fc.constantFrom(...TAGS), text: fc.constantFrom(...TEXTS), quote: fc.constantFrom("", "'", '"') })
    .map(({ tag, text, quote }) => `${tag}${tag ? " " : ""}${quote}${text}${quote}`.trim() || '""');
const collection = fc.record({ tag: fc.constantFrom("", "!!map", "!!seq", "!foo", "!!str"), seq: fc.boolean() }).map(({ tag, seq }) => `${tag}${tag ? " " : ""}${seq ? "[1, x]" : "{a: 1}"}`);
export const tagManifest: fc.Arbitrary<Generated> = fc.record({
    values: fc.array(fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: collection }), { minLength: 1, maxLength: 3 }),
    keys: fc.array(scalar, { maxLength: 3 }),
}).map(({ values, keys }) => ({
    ext: "yaml",
    render: (p) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${p}-tags }\nvalues:\n${values.map((v, i) => `  v${i}: ${v}\n`).join("")}keys: {${keys.map((k, i) => `${k}: ${i}`).join(", ")}}\n`,
}));

// --- quantities ----------------------------------------------------------------------------------

/** Spaces the API server trims (most draws), and a few it does not (they reach it escaped: `\t`, `\u2028`). */
const space = fc.oneof({ weight: 14, arbitrary: fc.constantFrom("", "", "", " ", "  ", "\u00a0", "\u3000", "\u0085", "\u2009") }, { weight: 1, arbitrary: fc.constantFrom("\t", "\n", "\u2028") });
const SUFFIXES = ["", "", "m", "k", "M", "G", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "e3", "E-2", "e+5", "e-9", "e-10", "e-30", "e30", "E0"];
/** Quantity spellings: signs, leading zeros, long digit strings and fractions, suffixes and exponents, surrounding white space. */
export const quantitySpelling: fc.Arbitrary<string> = fc.record({
    before: space,
    after: space,
    sign: fc.constantFrom("", "", "+", "-"),
    zeros: fc.nat({ max: 80 }),
    whole: fc.oneof({ weight: 12, arbitrary: fc.stringMatching(/^[0-9]{1,40}$/) }, { weight: 1, arbitrary: fc.constant("") }),
    frac: fc.option(fc.stringMatching(/^[0-9]{0,70}$/), { nil: undefined }),
    suffix: fc.constantFrom(...SUFFIXES),
}).map((q) => `${q.before}${q.sign}${"0".repeat(q.zeros % 3 === 0 ? q.zeros : 0)}${q.whole}${q.frac === undefined ? "" : `.${q.frac}`}${q.suffix}${q.after}`);
