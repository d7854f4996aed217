/**
 * JSON with duplicate object keys refused, as the Kubernetes API server refuses them under strict
 * field validation (sigs.k8s.io/json `UnmarshalStrict` reports "duplicate field"; `kubectl` sends
 * `fieldValidation=Strict` by default). `JSON.parse` alone keeps the last value silently, which is
 * what kubectl's offline decoding and the server under `Warn` do: a policy check must not judge a
 * value the cluster may never see.
 *
 * Keys are compared after unescaping (`"na\u006de"` is `name`) and case-sensitively (as
 * sigs.k8s.io/json matches). The text is parsed by `JSON.parse` first (syntax, values); a second,
 * linear pass over the same text only tracks the keys of the objects it is in.
 */

export class DuplicateKeyError extends Error {
    constructor(readonly key: string, readonly path: string, readonly line: number, readonly column: number) {
        super(`duplicate key ${JSON.stringify(key)} in the object at ${path || "the top level"} (line ${line}, column ${column}); the API server refuses duplicate fields`);
    }
}

/**
 * JSON.parse, then refuse duplicate keys. An integer `-0` is read as 0, as Go reads it (int64);
 * `-0.0` stays negative zero (float64), as in Go. Syntax errors are JSON.parse's.
 */
export function parseStrictJson(text: string): unknown {
    const value: unknown = JSON.parse(text);
    const zeros = checkDuplicateKeys(text);
    if (zeros.length === 0) return value;
    // Rare: integer -0 tokens. Read again with each written as " 0" (same length, so no offset moves).
    let k = 0;
    return JSON.parse(text.replace(/-0/g, (m, at: number) => (zeros[k] === at ? (k++, " 0") : m)));
}

/** An object's keys (a list while small, a set past 16) or, for a list, undefined. */
interface Frame { keys: string[] | Set<string> | undefined; index: number; key: string | undefined; expectKey: boolean }

const has = (keys: string[] | Set<string>, k: string) => (Array.isArray(keys) ? keys.includes(k) : keys.has(k));
/** Where the scan stops: a string, a bracket, a comma, a minus sign (for `-0`). */
const STOP = /["{}[\],-]/g;

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, MINUS = 45, ZERO = 48;

/**
 * Throws DuplicateKeyError at the first repeated key. `text` must be valid JSON. Returns the
 * offsets of integer `-0` tokens, in order (rare: usually none; a number each, however deep).
 */
export function checkDuplicateKeys(text: string): number[] {
    const negativeZeros: number[] = [];
    const stack: Frame[] = [];
    let i = 0;
    const n = text.length;
    while (i < n) {
        STOP.lastIndex = i;
        if (!STOP.exec(text)) break;
        i = STOP.lastIndex - 1;
        const ch = text.charCodeAt(i);
        if (ch === QUOTE) {
            const start = i;
            let end = text.indexOf('"', i + 1);
            for (;;) {
                let b = end - 1;
                while (text.charCodeAt(b) === BACKSLASH) b--;
                if ((end - 1 - b) % 2 === 0) break; // an even run of backslashes: the quote closes
                end = text.indexOf('"', end + 1);
            }
            const top = stack[stack.length - 1];
            if (top?.keys && top.expectKey) {
                let escaped = false;
                for (let j = start + 1; j < end && !escaped; j++) escaped = text.charCodeAt(j) === BACKSLASH;
                const key = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : text.slice(start + 1, end);
                if (has(top.keys, key)) throw new DuplicateKeyError(key, pathOf(stack), ...lineColumn(text, start));
                if (!Array.isArray(top.keys)) top.keys.add(key);
                else if (top.keys.length < 16) top.keys.push(key);
                else top.keys = new Set([...top.keys, key]);
                top.key = key;
                top.expectKey = false;
            }
            i = end + 1;
            continue;
        }
        if (ch === LBRACE || ch === LBRACKET) stack.push({ keys: ch === LBRACE ? [] : undefined, index: 0, key: undefined, expectKey: ch === LBRACE });
        else if (ch === RBRACE || ch === RBRACKET) stack.pop();
        else if (ch === COMMA) {
            const top = stack[stack.length - 1];
            if (top.keys) top.expectKey = true;
            else top.index++;
        } else if (ch === MINUS && text.charCodeAt(i + 1) === ZERO && !/[\d.eE]/.test(text.charAt(i + 2))) {
            negativeZeros.push(i);
        }
        i++;
    }
    return negativeZeros;
}

/** `items[0].metadata`: where the object holding the duplicate sits. */
function pathOf(stack: Frame[]): string {
    let out = "";
    for (let d = 0; d < stack.length - 1; d++) {
        const f = stack[d];
        if (f.keys) out += /^[A-Za-z_$][\w$-]*$/.test(f.key ?? "") ? `${out ? "." : ""}${f.key}` : `[${JSON.stringify(f.key)}]`;
        else out += `[${f.index}]`;
    }
    return out;
}

function lineColumn(text: string, at: number): [number, number] {
    let line = 1, lineStart = 0;
    for (let j = text.indexOf("\n"); j !== -1 && j < at; j = text.indexOf("\n", j + 1)) {
        line++;
        lineStart = j + 1;
    }
    return [line, at - lineStart + 1];
}
