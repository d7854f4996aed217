/**
 * One YAML document as kubectl reads it (sigs.k8s.io/yaml over its fork of go-yaml v2): js-yaml's
 * parser gives the events, this module gives them go-yaml's meaning.
 *
 * - Line breaks: NEL (U+0085), U+2028 and U+2029 end a line (a comment, a block scalar line, a
 *   plain scalar) as `\n` does. NEL reads as `\n`; U+2028/U+2029 are kept inside scalar values.
 * - Only the first document of the text counts (kubectl splits on `---` lines first and reads one
 *   document from each piece; what follows a `...` or a `---` found only by go-yaml is ignored).
 * - A BOM at the start of the text is skipped (go-yaml skips it at the start of each piece).
 * - Merge keys (`<<`) apply in order: a later `<<` overrides the keys before it, a later key
 *   overrides a merge; in a merged list, earlier maps win.
 * - Scalars, tags and keys: yaml-scalars.ts.
 * Duplicate keys are refused, as the API server's strict field validation refuses them.
 */
import { EVENT_ID, parseEvents, getScalarValue, SCALAR_STYLE, CHOMPING_MODE, type Event, type ScalarEvent, type DocumentEvent } from "js-yaml";
import { blockScalarValue, flowScalarValue, jsonValue, keyString, resolveScalar, YAML_TAG, type Resolved } from "./yaml-scalars";

export class KubeYamlError extends Error {}

export interface YamlLimits {
    maxDepth: number;
    /** Keys copied by merges in one read; shared across the documents of a file through `budget`. */
    maxMergeKeys: number;
}

/** What one document read: its value (undefined when the piece holds no document) and whether it used aliases. */
export interface YamlDocument {
    value: unknown;
    aliases: boolean;
}

const NEL = /\u0085/g;
const LINE_SEPARATORS = /[\u2028\u2029]/g;
/** A `---` or `...` marker at a line start (after any break go-yaml knows). */
const MARKER = /(?:^|[\n\r])(?:---|\.\.\.)(?=[ \t\n\r]|$)/g;

/** Blank and comment lines, then a `...` marker: the end of a document that never started (js-yaml skips it). */
const LEADING_END = /^(?:[ \t]*(?:#[^\n\r]*)?(?:\r\n?|\n))*\.\.\.(?=[ \t\n\r]|$)/;

/** Reads the first document of `text`; `budget.mergeKeys` counts merged keys across calls. */
export function readYamlDocument(text: string, limits: YamlLimits, budget: { mergeKeys: number }): YamlDocument {
    let src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    src = src.replace(NEL, "\n");
    // Same length, so event offsets are valid in both texts.
    // Stryker disable next-line Regex: an optimization (without a separator, the scalars' own texts are tested again below)
    const separators = /[\u2028\u2029]/.test(src);
    const structure = separators ? src.replace(LINE_SEPARATORS, "\n") : src;
    if (LEADING_END.test(structure)) throw new KubeYamlError("did not find expected node content (a document end marker ... before any document; go-yaml refuses it)");
    const events = firstDocumentEvents(structure, limits);
    if (!events) return { value: undefined, aliases: false };
    return new Composer(src, structure, separators, events.events, events.directives, limits, budget).document();
}

/**
 * The events of the first document. js-yaml reads the whole text; when it fails on what follows
 * the first document (which go-yaml never reads), the text is cut before each later marker in turn.
 */
function firstDocumentEvents(text: string, limits: YamlLimits): { events: Event[]; directives: DocumentEvent["directives"] } | undefined {
    let events: Event[];
    try {
        events = parseEvents(text, { maxDepth: limits.maxDepth });
    } catch (e) {
        let recovered: Event[] | undefined;
        for (const m of text.matchAll(MARKER)) {
            try {
                const cut = parseEvents(text.slice(0, m.index), { maxDepth: limits.maxDepth });
                // A document, even an empty one, gives events (an empty one a null scalar); comments alone give none.
                if (cut.length > 0) {
                    recovered = cut;
                    break;
                }
            } catch {
                // not yet a whole first document: try the next marker
            }
        }
        if (!recovered) throw e;
        events = recovered;
    }
    // The events start with the first document's, if there is one.
    if (events.length === 0) return undefined;
    return { events: events.slice(1), directives: (events[0] as DocumentEvent).directives };
}

type Anchor = { value: unknown; node: Resolved | undefined; open: boolean };

class Composer {
    private i = 0;
    private readonly anchors = new Map<string, Anchor>();
    private aliases = false;
    private readonly handles: Record<string, string> = { "!": "!", "!!": YAML_TAG };
    /** Per map, the go-yaml key (goKey) of each key that is not a string; kept once such a key appears. */
    private readonly goKeys = new WeakMap<object, Map<string, string>>();
    // Stryker disable next-line BooleanLiteral: a fast path; put() reads string keys the same with it set
    private typedKeys = false;

    constructor(
        private readonly src: string,
        private readonly structure: string,
        private readonly separators: boolean,
        private readonly events: Event[],
        directives: DocumentEvent["directives"],
        private readonly limits: YamlLimits,
        private readonly budget: { mergeKeys: number },
    ) {
        for (const d of directives) if (d.kind === "tag") this.handles[d.handle] = d.prefix;
    }

    document(): YamlDocument {
        const { value } = this.node();
        return { value, aliases: this.aliases };
    }

    private tagOf(start: number, end: number): string {
        if (start < 0) return "";
        const t = this.structure.slice(start, end);
        if (t.startsWith("!<")) return t.slice(2, -1);
        // Stryker disable next-line Regex: a tag starts with ! and holds no line break, so the anchors change nothing
        const m = /^(![\w-]*!|!)(.*)$/.exec(t)!;
        // js-yaml's parser has refused a handle no %TAG directive declares.
        return this.handles[m[1]] + decodeURIComponentSafe(m[2]);
    }

    private scalarText(ev: ScalarEvent): string {
        const { valueStart: s, valueEnd: e } = ev;
        if (ev.style === SCALAR_STYLE.DOUBLE_QUOTED && slashEscape(this.src, s, e)) throw new KubeYamlError("found unknown escape character \\/ in a double-quoted scalar (go-yaml v2 has no such escape; kubectl refuses it)");
        if (this.separators && s >= 0 && /[\u2028\u2029]/.test(this.src.slice(s, e + 1))) {
            switch (ev.style) {
                case SCALAR_STYLE.LITERAL_BLOCK:
                case SCALAR_STYLE.FOLDED_BLOCK:
                    return blockScalarValue(this.src, s, e, ev.indent, ev.chomping === CHOMPING_MODE.KEEP ? "keep" : ev.chomping === CHOMPING_MODE.STRIP ? "strip" : "clip", ev.style === SCALAR_STYLE.FOLDED_BLOCK);
                default:
                    return flowScalarValue(this.src, s, e, ev.style === SCALAR_STYLE.SINGLE_QUOTED ? "'" : ev.style === SCALAR_STYLE.DOUBLE_QUOTED ? '"' : "");
            }
        }
        return getScalarValue(this.structure, ev);
    }

    /** The next node: its value, and for a scalar its resolution (keys need it). */
    private node(): { value: unknown; scalar?: Resolved } {
        const ev = this.events[this.i++];
        switch (ev.type) {
            case EVENT_ID.SCALAR: {
                const text = this.scalarText(ev);
                let r: Resolved;
                try {
                    r = resolveScalar(text, this.tagOf(ev.tagStart, ev.tagEnd), ev.style === SCALAR_STYLE.PLAIN);
                } catch (e) {
                    throw new KubeYamlError((e as Error).message);
                }
                const value = jsonValue(r);
                this.anchor(ev.anchorStart, ev.anchorEnd, { value, node: r, open: false });
                return { value, scalar: r };
            }
            case EVENT_ID.ALIAS: {
                const name = this.structure.slice(ev.anchorStart, ev.anchorEnd);
                const a = this.anchors.get(name);
                if (!a) throw new KubeYamlError(`unknown anchor '${name}' referenced`);
                if (a.open) throw new KubeYamlError("a recursive alias makes the document infinite");
                this.aliases = true;
                return { value: a.value, scalar: a.node };
            }
            case EVENT_ID.SEQUENCE: {
                const out: unknown[] = [];
                const a = this.anchor(ev.anchorStart, ev.anchorEnd, { value: out, node: undefined, open: true });
                while (this.events[this.i].type !== EVENT_ID.POP) out.push(this.node().value);
                this.i++;
                if (a) a.open = false;
                return { value: out };
            }
            case EVENT_ID.MAPPING: {
                const out: Record<string, unknown> = {};
                const a = this.anchor(ev.anchorStart, ev.anchorEnd, { value: out, node: undefined, open: true });
                const explicit = new Set<string>();
                while (this.events[this.i].type !== EVENT_ID.POP) {
                    const keyEvent = this.events[this.i];
                    const k = this.node();
                    // An alias of a `<<` is a key like any other ("<<"): go-yaml merges only at a `<<` node itself.
                    if (k.scalar?.kind === "merge" && keyEvent.type === EVENT_ID.SCALAR) {
                        this.merge(out, this.events[this.i], this.node().value);
                        continue;
                    }
                    if (!k.scalar) throw new KubeYamlError(`invalid map key: a ${Array.isArray(k.value) ? "list" : "map"} (kubectl refuses it)`);
                    let key: string;
                    try {
                        key = keyString(k.scalar);
                    } catch (e) {
                        throw new KubeYamlError((e as Error).message);
                    }
                    const go = goKey(k.scalar);
                    if (explicit.has(key) || explicit.has(go!)) throw new KubeYamlError(`duplicated mapping key ${JSON.stringify(key)}${keyEvent.type === EVENT_ID.SCALAR ? ` (${this.where(keyEvent.valueStart)})` : ""}`);
                    explicit.add(key);
                    if (go !== undefined) explicit.add(go);
                    this.put(out, key, go, this.node().value);
                }
                this.i++;
                if (a) a.open = false;
                return { value: out };
            }
            // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable (js-yaml's events are balanced: a node position never holds a DOCUMENT or POP event); kept for TypeScript
            default:
                // Stryker disable next-line StringLiteral: unreachable, as above
                throw new KubeYamlError("unexpected end of document");
        }
    }

    private anchor(start: number, end: number, a: Anchor): Anchor | undefined {
        // Stryker disable next-line ConditionalExpression: without an anchor the name would be "", which no alias has
        if (start < 0) return undefined;
        this.anchors.set(this.structure.slice(start, end), a);
        return a;
    }

    /** `<<: map`, `<<: *alias` or `<<: [maps...]` (earlier maps win) into `out`, overriding what is there. */
    private merge(out: Record<string, unknown>, valueEvent: Event, value: unknown): void {
        const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
        let sources: Record<string, unknown>[];
        if (isMap(value)) sources = [value];
        else if (Array.isArray(value) && valueEvent.type === EVENT_ID.SEQUENCE && value.every(isMap)) sources = [...value].reverse();
        else throw new KubeYamlError("map merge requires a map or a list of maps as the value");
        for (const s of sources) {
            const keys = Object.keys(s);
            this.budget.mergeKeys += keys.length + 1;
            if (this.budget.mergeKeys > this.limits.maxMergeKeys) throw new KubeYamlError(`merges copy more than ${this.limits.maxMergeKeys} keys; refused`);
            const goKeys = this.goKeys.get(s);
            for (const k of keys) this.put(out, k, goKeys?.get(k), s[k]);
        }
    }

    /**
     * Sets `key` in `out` as go-yaml sets an entry of its map, whose keys are Go values (`go`: see
     * goKey; undefined for a string): an equal Go key replaces the entry, and its JSON text (floats 0
     * and -0 are one key); a different Go key with the same JSON text is refused, as sigs.k8s.io/yaml
     * keeps one of the two at random. Until a key that is not a string appears, keys are their text.
     */
    private put(out: Record<string, unknown>, key: string, go: string | undefined, value: unknown): void {
        // Stryker disable next-line ConditionalExpression: a fast path; the rest reads string keys the same
        if (go === undefined && !this.typedKeys) return set(out, key, value);
        this.typedKeys = true;
        let goKeys = this.goKeys.get(out);
        if (go === FLOAT_ZERO) {
            const twin = key === "0" ? "-0" : "0";
            if (goKeys?.get(twin) === FLOAT_ZERO) {
                delete out[twin];
                goKeys.delete(twin);
            }
        }
        const before = goKeys?.get(key);
        if (Object.hasOwn(out, key) && before !== go) throw new KubeYamlError(`two different map keys (${goType(before)} and ${goType(go)}) are both the JSON key ${JSON.stringify(key)}: kubectl keeps one of them at random; refused`);
        set(out, key, value);
        if (go === undefined) return;
        if (!goKeys) this.goKeys.set(out, (goKeys = new Map()));
        goKeys.set(key, go);
    }

    private where(offset: number): string {
        let line = 1;
        for (let j = this.structure.indexOf("\n"); j !== -1 && j < offset; j = this.structure.indexOf("\n", j + 1)) line++;
        return `line ${line}`;
    }
}

/** Does the double-quoted scalar hold the escape `\/`? YAML 1.2 (js-yaml) reads it as `/`; go-yaml v2 refuses it. */
function slashEscape(src: string, start: number, end: number): boolean {
    for (let j = src.indexOf("\\/", start); j !== -1 && j < end; j = src.indexOf("\\/", j + 2)) {
        let b = j;
        while (src.charCodeAt(b - 1) === 92) b--;
        if ((j - b) % 2 === 0) return true; // an even run of backslashes before this one: it escapes the slash
    }
    return false;
}

const FLOAT_ZERO = "float 0";
let nanKeys = 0;

/**
 * go-yaml's map key for a scalar key that is not a string, as text: keys of different Go types with
 * the same JSON text (1 and "1") are two entries, floats 0 and -0 are one, a NaN key is never equal to another.
 */
function goKey(r: Resolved): string | undefined {
    switch (r.kind) {
        case "int":
            return `int ${r.exact}`;
        case "float":
            // A NaN equals no other key (each one unique); 0 and -0 are both "float 0" (FLOAT_ZERO).
            // Stryker disable next-line UpdateOperator: any count makes each NaN key unique
            return Number.isNaN(r.value) ? `float NaN ${++nanKeys}` : `float ${r.value}`;
        case "bool":
            return `bool ${r.value}`;
    }
    return undefined; // a string, or an alias of `<<` (the string "<<")
}

const goType = (go: string | undefined) => (go === undefined ? "string" : go.split(" ")[0]);

function set(o: Record<string, unknown>, k: string, v: unknown): void {
    if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    else o[k] = v;
}

function decodeURIComponentSafe(s: string): string {
    try {
        return decodeURIComponent(s);
    } catch {
        return s;
    }
}
