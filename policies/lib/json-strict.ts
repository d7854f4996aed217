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
    return checkDuplicateKeys(text, JSON.parse(text));
}

/** An object's keys (a list while small, a set past 16) or, for a list, undefined. */
interface Frame { keys: string[] | Set<string> | undefined; index: number; key: string | undefined; expectKey: boolean; node: any }

const has = (keys: string[] | Set<string>, k: string) => (Array.isArray(keys) ? keys.includes(k) : keys.has(k));
/** Where the scan stops: a string, a bracket, a comma, a minus sign (for `-0`). */
const STOP = /["{}[\],-]/g;

const QUOTE = 34, BACKSLASH = 92, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93, COMMA = 44, MINUS = 45, ZERO = 48;

/**
 * Throws DuplicateKeyError at the first repeated key. `text` must be valid JSON. With `parsed`
 * (JSON.parse of the same text), walks it in step with the text and writes each integer `-0`
 * token's value as 0 in place; returns the (possibly replaced) top-level value. No memory beyond
 * the nesting depth, however many `-0` there are.
 */
export function checkDuplicateKeys(text: string, parsed?: unknown): unknown {
    let root = parsed;
    const stack: Frame[] = [];
    const at = (f: Frame) => (f.keys ? f.node?.[f.key as string] : f.node?.[f.index]);
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
        if (ch === LBRACE || ch === LBRACKET) {
            const node = stack.length ? at(stack[stack.length - 1]) : root;
            stack.push({ keys: ch === LBRACE ? [] : undefined, index: 0, key: undefined, expectKey: ch === LBRACE, node });
        }
        else if (ch === RBRACE || ch === RBRACKET) stack.pop();
        else if (ch === COMMA) {
            const top = stack[stack.length - 1];
            if (top.keys) top.expectKey = true;
            else top.index++;
        } else if (ch === MINUS && text.charCodeAt(i + 1) === ZERO && !continuesNumber(text.charCodeAt(i + 2)) && parsed !== undefined) {
            const top = stack[stack.length - 1];
            if (!top) root = 0;
            else if (top.keys) top.node[top.key as string] = 0;
            else top.node[top.index] = 0;
        }
        i++;
    }
    return root;
}

/** A digit, `.`, `e` or `E`: the `-0` goes on (`-0.5`, `-0e1`), so it is not an integer zero. */
const continuesNumber = (c: number) => (c >= ZERO && c <= ZERO + 9) || c === 46 || c === 101 || c === 69;

/** `items[0].metadata`: where the object holding the duplicate sits. */
function pathOf(stack: Frame[]): string {
    let out = "";
    // Every object frame below the top one holds the key of the value it is in (a nested object or list is a value).
    for (let d = 0; d < stack.length - 1; d++) {
        const f = stack[d];
        if (f.keys) out += /^[A-Za-z_$][\w$-]*$/.test(f.key as string) ? `${out ? "." : ""}${f.key}` : `[${JSON.stringify(f.key)}]`;
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
