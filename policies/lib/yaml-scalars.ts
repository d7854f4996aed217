/**
 * Scalars as kubectl reads them: go-yaml v2's resolution (under sigs.k8s.io/yaml), its explicit
 * tags, the conversion of map keys to JSON object keys, and scalar text when a Unicode line
 * separator (U+2028, U+2029) breaks the scalar: go-yaml ends the line there, like at `\n`, but keeps
 * the separator itself in the value where `\n` would fold to a space.
 *
 * Facts taken from kubectl v1.32's behaviour (test/policies/decoder*.test.ts compare with it):
 * plain scalars resolve to YAML 1.1 null/bool, Go integers (base prefixes, `_` dropped, int64 then
 * uint64) and Go floats; a float out of float64 range stays a string; timestamps stay strings.
 * Quoted and block scalars are strings. Tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`,
 * `!!timestamp` convert the text or fail; `!!binary` is base64; `!!merge` marks a merge key; any
 * other tag (`!foo`, `!!foo`, `!`) leaves the text a string. Keys become strings: integers in decimal,
 * floats as Go's `FormatFloat(f, 'g', -1, 32)`, booleans as true/false; null, uint64, list and map
 * keys are refused.
 */

export class ScalarError extends Error {}

export const YAML_TAG = "tag:yaml.org,2002:";

const GO_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const NULLS = new Set(["", "~", "null", "Null", "NULL"]);
const TRUES = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]);
const FALSES = new Set(["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"]);
const SPECIAL: Record<string, number> = Object.fromEntries([
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Infinity]),
    ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, -Infinity]),
    ...[".nan", ".NaN", ".NAN"].map((s) => [s, NaN]),
]);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A resolved scalar: its kind as go-yaml resolves it, the JSON value, and for integers the exact value. */
export type Resolved =
    | { kind: "null"; value: null }
    | { kind: "bool"; value: boolean }
    | { kind: "int"; value: number; exact: bigint; unsigned: boolean }
    | { kind: "float"; value: number }
    | { kind: "str"; value: string }
    | { kind: "merge"; value: "<<" };

const str = (value: string): Resolved => ({ kind: "str", value });

/** A Go integer literal (after `_` removal) as int64, else uint64; undefined when it is neither. */
function goInt(plain: string): { exact: bigint; unsigned: boolean } | undefined {
    const m = GO_INT.exec(plain);
    if (!m) return undefined;
    const [, sign, hex, oct, bin, zeroOct, dec] = m;
    const magnitude = hex ? BigInt(`0x${hex}`) : oct ? BigInt(`0o${oct}`) : bin ? BigInt(`0b${bin}`) : zeroOct ? BigInt(`0o${zeroOct}`) : BigInt(dec);
    const v = sign === "-" ? -magnitude : magnitude;
    if (v >= INT64_MIN && v <= INT64_MAX) return { exact: v, unsigned: false };
    if (v > 0n && v <= UINT64_MAX) return { exact: v, unsigned: true };
    return undefined;
}

/** How go-yaml v2 resolves a plain scalar without a tag (a `<<` is a string here; resolveScalar knows merge keys). */
export function resolvePlain(text: string): Resolved {
    if (text.length <= 5) {
        if (NULLS.has(text)) return { kind: "null", value: null };
        if (TRUES.has(text)) return { kind: "bool", value: true };
        if (FALSES.has(text)) return { kind: "bool", value: false };
        if (text in SPECIAL) return { kind: "float", value: SPECIAL[text] };
    }
    const c = text.charCodeAt(0);
    // Numbers start with a digit, a sign or a dot.
    if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46)) return str(text);
    const plain = text.replace(/_/g, "");
    // Short decimal integers: the common case, without BigInt (goInt reads them the same).
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: a fast path; goInt below gives the same result
    if (plain.length < 16 && /^[+-]?(?:0|[1-9][0-9]*)$/.test(plain)) {
        const n = Number(plain);
        return { kind: "int", value: n === 0 ? 0 : n, exact: BigInt(n), unsigned: false };
    }
    const int = goInt(plain);
    if (int) return { kind: "int", value: Number(int.exact), ...int };
    if (GO_FLOAT.test(plain)) {
        const f = Number(plain);
        // Go's ParseFloat fails on a value out of range: the scalar stays a string. (A float -0 stays
        // -0 here, for keys: `-0.0: x` is the key "-0"; as a value see jsonValue.)
        if (Number.isFinite(f)) return { kind: "float", value: f };
    }
    return str(text);
}

/** go-yaml's timestamp forms (Go's time.Parse allows a zone offset up to 24:60): 2006-1-2, with T15:4:5.999999999Z07:00 (t too) or " 15:4:5.999999999"; ranges as Go checks them. */
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[-+](\d{2}):(\d{2})))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/;

function isTimestamp(text: string): boolean {
    const m = TIMESTAMP.exec(text);
    if (!m) return false;
    const [, y, mo, d, h1, mi1, s1, zh, zm, h2, mi2, s2] = m.map((v) => (v === undefined ? undefined : Number(v)));
    const daysIn = new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
    const h = h1 ?? h2 ?? 0, mi = mi1 ?? mi2 ?? 0, sec = s1 ?? s2 ?? 0;
    return mo! >= 1 && mo! <= 12 && d! >= 1 && d! <= daysIn && h < 24 && mi < 60 && sec < 60 && (zh ?? 0) <= 24 && (zm ?? 0) <= 60;
}

/**
 * A resolved scalar as a JSON value: a float -0 goes to JSON as "-0", which kubectl's JSON decoding
 * reads back as the integer 0.
 */
export const jsonValue = (r: Resolved): unknown => (r.kind === "float" && Object.is(r.value, -0) ? 0 : r.value);


/**
 * A scalar with its tag (a full tag URI, "" without one, "!" for the non-specific tag) and style.
 * `plain` is true for an unquoted flow scalar.
 */
export function resolveScalar(text: string, tag: string, plain: boolean): Resolved {
    // A merge key: `<<` plain and untagged, with the non-specific tag `!` (even quoted), or `!!merge`.
    if (text === "<<" && ((tag === "" && plain) || tag === "!" || tag === `${YAML_TAG}merge`)) return { kind: "merge", value: "<<" };
    if (tag === "") return plain ? resolvePlain(text) : str(text);
    if (!tag.startsWith(YAML_TAG)) return str(text); // local, unknown or non-specific tags: the text
    const name = tag.slice(YAML_TAG.length);
    switch (name) {
        case "binary":
            return str(decodeBase64(text));
        case "timestamp":
            if (isTimestamp(text)) return str(text);
            throw new ScalarError(`cannot decode ${JSON.stringify(text)} as a !!timestamp`);
        case "null":
        case "bool":
        case "int":
        case "float": {
            const r = resolvePlain(text);
            if (r.kind === name) return r;
            // An integer converts to !!float when it fits int64 (go-yaml converts int and int64 only).
            if (name === "float" && r.kind === "int" && !r.unsigned) return { kind: "float", value: r.value };
            throw new ScalarError(`cannot decode !!${r.kind} ${JSON.stringify(text)} as a !!${name}`);
        }
        default:
            return str(text); // !!str; !!map, !!seq, !!set, !!omap on a scalar, or an unknown !!name
    }
}

/** `!!binary`: standard base64 (padding required; CR and LF ignored), its bytes as Go turns them into a JSON string. */
function decodeBase64(text: string): string {
    const b64 = text.replace(/[\r\n]/g, "");
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) throw new ScalarError("!!binary value contains invalid base64 data");
    return decodeUtf8LikeGo(Buffer.from(b64, "base64"));
}

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bytes as Go's JSON encoder writes a string of them: each byte of an invalid UTF-8 sequence becomes U+FFFD (utf8.DecodeRune). */
export function decodeUtf8LikeGo(bytes: Uint8Array): string {
    // Stryker disable next-line BlockStatement: the fast path for valid UTF-8; the loop below gives the same string
    try {
        return FATAL_UTF8.decode(bytes);
    } catch {
        // Invalid UTF-8 (rare): decode sequence by sequence.
    }
    let out = "";
    let start = 0;
    let i = 0;
    const n = bytes.length;
    while (i < n) {
        const b = bytes[i];
        let len = 0;
        if (b < 0x80) len = 1;
        else if (b >= 0xc2 && b <= 0xdf) len = 2;
        else if (b >= 0xe0 && b <= 0xef) len = 3;
        else if (b >= 0xf0 && b <= 0xf4) len = 4;
        // Past the end, bytes[i + k] is undefined, which is no continuation byte.
        let ok = len > 0;
        for (let k = 1; ok && k < len; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
        // The second byte's range is narrower after E0 and F0 (no overlong forms), ED (no surrogates) and F4 (up to U+10FFFF).
        const second = bytes[i + 1];
        if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second >= 0xa0) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second >= 0x90)) ok = false;
        if (ok) {
            i += len;
            continue;
        }
        out += FATAL_UTF8.decode(bytes.subarray(start, i)) + "\uFFFD";
        i++;
        start = i;
    }
    return out + FATAL_UTF8.decode(bytes.subarray(start, n));
}

/** Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with sigs.k8s.io/yaml's names for infinities and NaN. */
export function formatFloat32(f: number): string {
    const x = Math.fround(f);
    if (Number.isNaN(x)) return ".nan";
    if (x === Infinity) return ".inf";
    if (x === -Infinity) return "-.inf";
    const sign = x < 0 || Object.is(x, -0) ? "-" : "";
    if (x === 0) return `${sign}0`;
    // The shortest decimal that reads back as the same float32 (9 significant digits always do, so
    // the loop ends; the shortest never ends in a 0, which one digit fewer would round to as well).
    const ax = Math.abs(x);
    let s = ax.toExponential(0);
    for (let p = 1; Math.fround(Number(s)) !== ax; p++) s = ax.toExponential(p);
    const [mant, e] = s.split("e"); // e is signed: "+6", "-5"
    const digits = mant.replace(".", "");
    const exp = Number(e);
    // %e below 1e-4 and from 1e6 (Go uses precision 6 for this choice when the precision is the shortest).
    if (exp < -4 || exp >= 6) return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${e[0]}${e.slice(1).padStart(2, "0")}`;
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}

/** The JSON object key sigs.k8s.io/yaml makes of a resolved scalar key; throws for keys it refuses. */
export function keyString(r: Resolved): string {
    switch (r.kind) {
        case "str":
            return r.value;
        case "bool":
            return r.value ? "true" : "false";
        case "int":
            if (r.unsigned) throw new ScalarError(`the map key ${r.exact} is an unsigned 64-bit integer, which kubectl cannot turn into a JSON key`);
            return r.exact.toString();
        case "float":
            return formatFloat32(r.value);
        case "merge":
            return "<<";
        default:
            throw new ScalarError("a null map key cannot be a JSON key (kubectl refuses it)");
    }
}

const LS = 0x2028, PS = 0x2029;
const isBreak = (c: number) => c === 10 || c === 13 || c === LS || c === PS;
const isBlank = (c: number) => c === 32 || c === 9;

/** One line break from `i`: its length and the text go-yaml keeps for it (`\n` for CR, LF, CRLF; U+2028/9 as they are). */
function readBreak(src: string, i: number): [number, string] {
    const c = src.charCodeAt(i);
    if (c === 13) return [src.charCodeAt(i + 1) === 10 ? 2 : 1, "\n"];
    return [1, src[i]];
}

const ESCAPES: Record<string, string> = { "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b", " ": " ", '"': '"', "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029" };
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * The value of a flow scalar (plain, 'single' or "double" quoted) between `start` and `end` (inside
 * the quotes) where line breaks may be U+2028/U+2029: a single `\n` folds to a space, any other
 * first break is kept, and the breaks of empty lines are kept.
 */
export function flowScalarValue(src: string, start: number, end: number, quote: "" | "'" | '"'): string {
    let out = "";
    let i = start;
    while (i < end) {
        const c = src.charCodeAt(i);
        if (quote === "'" && c === 39) {
            out += "'";
            i += 2;
            continue;
        }
        let leading: string | undefined;
        if (quote === '"' && c === 92) {
            const e = src[i + 1];
            if (isBreak(src.charCodeAt(i + 1))) {
                i += 1 + readBreak(src, i + 1)[0];
                leading = ""; // an escaped line break: nothing, then the breaks of empty lines
            } else if (e in HEX_ESCAPES) {
                const n = HEX_ESCAPES[e];
                out += String.fromCodePoint(parseInt(src.slice(i + 2, i + 2 + n), 16));
                i += 2 + n;
                continue;
            } else {
                out += ESCAPES[e]; // the parser has refused any other escape (kube-yaml.ts refuses `\/`)
                i += 2;
                continue;
            }
        }
        if (leading === undefined && !isBlank(c) && !isBreak(c)) {
            out += src[i++];
            continue;
        }
        let spaces = "";
        let trailing = "";
        // Stryker disable next-line EqualityOperator: at end is the closing quote, or after a plain scalar (which ends in no blank) nothing of it
        while (i < end) {
            const d = src.charCodeAt(i);
            if (isBlank(d)) {
                if (leading === undefined) spaces += src[i];
                i++;
            } else if (isBreak(d)) {
                const [len, text] = readBreak(src, i);
                if (leading === undefined) leading = text;
                else trailing += text;
                i += len;
            } else break;
        }
        if (leading === undefined) out += spaces;
        else if (leading === "\n") out += trailing === "" ? " " : trailing;
        else out += leading + trailing;
    }
    return out;
}

/**
 * The value of a literal (`|`) or folded (`>`) block scalar whose lines may end in U+2028/U+2029:
 * each break is kept as it is; folding turns only a lone `\n` between two unindented lines into a space.
 */
export function blockScalarValue(src: string, start: number, end: number, indent: number, chomping: "clip" | "strip" | "keep", folded: boolean): string {
    const textIndent = Math.max(indent, 0);
    let out = "";
    /** The break of the last content line; undefined before the first. */
    let leadingBreak: string | undefined;
    let trailing = "";
    // Stryker disable next-line BooleanLiteral: read only after the first content line has set it
    let previousBlank = false;
    let i = start;
    while (i < end) {
        let lineEnd = i;
        // Stryker disable next-line EqualityOperator: a line ends at a break before end, or at the end of the text
        while (lineEnd < end && !isBreak(src.charCodeAt(lineEnd))) lineEnd++;
        const line = src.slice(i, lineEnd);
        // The last line of a file may lack its break: kubectl's line reader adds a `\n` to every line.
        const [len, brk] = lineEnd < end ? readBreak(src, lineEnd) : [0, "\n"];
        i = lineEnd + len;
        let col = 0;
        while (col < textIndent && line.charCodeAt(col) === 32) col++;
        if (indent < 0 || col >= line.length) {
            // An empty line: its break joins the trailing breaks.
            trailing += brk;
            continue;
        }
        const content = line.slice(textIndent);
        const blank = isBlank(content.charCodeAt(0));
        if (leadingBreak !== undefined) {
            if (folded && leadingBreak === "\n" && !previousBlank && !blank) out += trailing === "" ? " " : "";
            else out += leadingBreak;
        }
        out += trailing + content;
        trailing = "";
        leadingBreak = brk;
        previousBlank = blank;
    }
    if (chomping !== "strip") out += leadingBreak ?? "";
    if (chomping === "keep") out += trailing;
    return out;
}
