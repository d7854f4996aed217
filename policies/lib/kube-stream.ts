/**
 * A manifest file as kubectl (`kubectl apply -f`, v1.32) turns it into documents, before any YAML
 * or JSON meaning (kube-yaml.ts, json-strict.ts):
 *
 * - Bytes: a UTF-8 BOM is dropped; a UTF-16 BOM (either byte order) decodes the file as UTF-16;
 *   otherwise UTF-8, each invalid sequence (its longest valid start) read as one U+FFFD, as
 *   golang.org/x/text's decoder and the WHATWG decoder both read it (after a UTF-8 BOM: see
 *   decodeManifestBytes).
 * - JSON or YAML: the stream is JSON when its first character that is not white space (Unicode's
 *   White_Space, within the first 4,096 bytes) is `{`. A JSON stream is a sequence of JSON values,
 *   one after the other (`{...}{...}` or one per line); anything else in it is an error.
 * - YAML is split into pieces at lines (ended by `\n` only) that start with `---`; what follows the
 *   `---` may only be white space or a `#` comment. Each piece holds one document.
 */
import { decodeUtf8LikeGo } from "./yaml-scalars";

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
const FATAL_UTF8 = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });

/**
 * Decodes a file's bytes as kubectl's reader does (golang.org/x/text's BOM override, then UTF-8).
 * Without a BOM, invalid UTF-8 is replaced as x/text's decoder replaces it. After a UTF-8 BOM the
 * bytes go on as they are: go-yaml refuses invalid UTF-8 (so do we), and Go's JSON decoder reads
 * each invalid byte inside a string as U+FFFD.
 */
export function decodeManifestBytes(bytes: Uint8Array): string {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
        const rest = bytes.subarray(3);
        try {
            return FATAL_UTF8.decode(rest);
        } catch {
            const text = decodeUtf8LikeGo(rest);
            if (isJsonStream(text)) return text;
            throw new StreamError("invalid UTF-8 after a UTF-8 BOM (kubectl passes such bytes on unchanged, and its YAML decoder refuses them)");
        }
    }
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le", { ignoreBOM: true }).decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) {
        const swapped = Buffer.from(bytes.subarray(2));
        swapBytes(swapped);
        return new TextDecoder("utf-16le", { ignoreBOM: true }).decode(swapped);
    }
    return UTF8.decode(bytes);
}

function swapBytes(b: Buffer): void {
    // Stryker disable next-line EqualityOperator: an odd last byte decodes to U+FFFD whatever its value
    for (let i = 0; i + 1 < b.length; i += 2) {
        const t = b[i];
        b[i] = b[i + 1];
        b[i + 1] = t;
    }
}

/** Go's unicode.IsSpace: the characters strings.TrimSpace and kubectl's JSON sniffing skip. */
export const GO_SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${GO_SPACE}]*`);

/** Is the text a JSON stream, as kubectl guesses from its first 4,096 bytes? */
export function isJsonStream(text: string): boolean {
    // Stryker disable next-line MethodExpression: a bound on the work; past 4,096 characters of space the bytes decide anyway
    const skip = LEADING_SPACE.exec(text.slice(0, 4096))![0];
    return text.charCodeAt(skip.length) === 123 /* { */ && Buffer.byteLength(skip) < 4096;
}

export class StreamError extends Error {}

/** The JSON values of a JSON stream, as text slices; throws when something between them is not JSON. */
export function splitJsonStream(text: string): string[] {
    const out: string[] = [];
    let i = skipJsonSpace(text, 0);
    while (i < text.length) {
        const end = jsonValueEnd(text, i);
        out.push(text.slice(i, end));
        i = skipJsonSpace(text, end);
    }
    return out;
}

function skipJsonSpace(text: string, i: number): number {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
    return i;
}

const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** Where the JSON value starting at `i` ends (its syntax is checked later by JSON.parse). */
function jsonValueEnd(text: string, i: number): number {
    const c = text.charCodeAt(i);
    if (c === 34) return stringEnd(text, i) + 1;
    if (c !== 123 && c !== 91) {
        JSON_SCALAR.lastIndex = i;
        if (!JSON_SCALAR.test(text)) throw new StreamError(`invalid character ${JSON.stringify(text[i])} looking for the beginning of a JSON value (offset ${i})`);
        return JSON_SCALAR.lastIndex;
    }
    let depth = 0;
    // Stryker disable next-line EqualityOperator: past the end charCodeAt gives NaN, which closes nothing
    for (let j = i; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 34) j = stringEnd(text, j);
        else if (d === 123 || d === 91) depth++;
        else if (d === 125 || d === 93) {
            if (--depth === 0) return j + 1;
        }
    }
    throw new StreamError("unexpected end of JSON input (an object or list is not closed)");
}

/** The index of the quote that closes the string opening at `i`. */
function stringEnd(text: string, i: number): number {
    let end = text.indexOf('"', i + 1);
    for (;;) {
        // Stryker disable next-line EqualityOperator: indexOf from i + 1 is never 0
        if (end < 0) throw new StreamError("unexpected end of JSON input (a string is not closed)");
        let b = end - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((end - 1 - b) % 2 === 0) return end;
        end = text.indexOf('"', end + 1);
    }
}

const COMMENT_OR_SPACE = new RegExp(`^[${GO_SPACE}]*(?:#|$)`);

/** kubectl's YAML pieces: the text between `---` lines (a line is ended by `\n`; CRLF reads as LF). */
export function splitYamlStream(text: string): string[] {
    const pieces: string[] = [];
    let pieceStart = 0;
    const next = (from: number) => {
        const at = text.indexOf("\n---", from);
        return at < 0 ? -1 : at + 1;
    };
    for (let lineStart = text.startsWith("---") ? 0 : next(0); lineStart !== -1; ) {
        const nl = text.indexOf("\n", lineStart);
        const rest = text.slice(lineStart + 3, nl < 0 ? text.length : nl);
        if (!COMMENT_OR_SPACE.test(rest)) throw new StreamError(`invalid YAML document separator: ${JSON.stringify(rest.trim().slice(0, 40))} (only a comment may follow ---)`);
        if (lineStart > pieceStart) pieces.push(text.slice(pieceStart, lineStart));
        // Stryker disable next-line EqualityOperator: nl follows the "---", so it is never 0
        pieceStart = nl < 0 ? text.length : nl + 1;
        // Stryker disable next-line EqualityOperator: as above
        lineStart = nl < 0 ? -1 : next(nl);
    }
    if (pieceStart < text.length) pieces.push(text.slice(pieceStart));
    return pieces.map((p) => p.replace(/\r\n/g, "\n"));
}
