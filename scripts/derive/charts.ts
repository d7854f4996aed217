/**
 * A Helm chart's values index: every key of its default values.yaml with its type (no values, no
 * comments, no templates), the keys that appear only commented out, the image and resources blocks
 * (where each workload's container image and requests/limits are set), and, when the chart ships a
 * values.schema.json, that schema without its prose.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { readSourcesTable, Source, sourceOf } from "./provenance";
import { stripProse } from "./schema";

/** The type of one key, in JSON Schema terms (an index, not a validator: no value is kept). */
export interface Shape {
    type: string | string[];
    /** Keys of a non-empty map. An object without `properties` is an open map (`{}` in the defaults). */
    properties?: Record<string, Shape>;
    /** Union of the element shapes of a non-empty list. */
    items?: Shape;
}

export interface ImageBlock {
    /** Dotted path; `[]` marks a list element. */
    path: string;
    /** `object` with the keys it has (registry, repository, tag, digest...), or `string` for `image: repo:tag`. */
    form: "object" | "string";
    keys?: string[];
    /** The default registry/repository/tag names of the block (facts: image names), where they are strings. */
    defaults?: Record<string, string>;
}

export interface ChartIndex {
    source: { values: Source; chart: Source; schema?: Source };
    chart: { name: string; version: string; appVersion?: string; dependencies: { name: string; version: string; alias?: string; condition?: string }[] };
    /** Shape of the default values. */
    values: Shape;
    /** Keys present only as a commented-out `# key:` line, by path (e.g. `persistence.storageClassName`). */
    commented: string[];
    /** Every image block (for listing each chart's containers). */
    images: ImageBlock[];
    /** Every `resources` key (requests/limits of a workload), defined or commented out. */
    resources: string[];
}

export interface ChartSchema {
    source: Source;
    /** values.schema.json with description/title/examples removed. */
    schema: unknown;
}

const typeOf = (v: unknown): string =>
    v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v;

export function shapeOf(v: unknown): Shape {
    const type = typeOf(v);
    if (type === "object" && Object.keys(v as object).length > 0) {
        return { type, properties: Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shapeOf(x)])) };
    }
    if (type === "array" && (v as unknown[]).length > 0) return { type, items: (v as unknown[]).map(shapeOf).reduce(mergeShapes) };
    return { type };
}

function mergeShapes(a: Shape, b: Shape): Shape {
    const types = [...new Set([a.type, b.type].flat())].sort();
    const out: Shape = { type: types.length === 1 ? types[0] : types };
    if (a.properties || b.properties) {
        const keys = [...new Set([...Object.keys(a.properties ?? {}), ...Object.keys(b.properties ?? {})])];
        out.properties = Object.fromEntries(keys.map((k) => [k, a.properties?.[k] && b.properties?.[k] ? mergeShapes(a.properties[k], b.properties[k]) : (a.properties?.[k] ?? b.properties![k])]));
    }
    if (a.items || b.items) out.items = a.items && b.items ? mergeShapes(a.items, b.items) : (a.items ?? b.items);
    return out;
}

const IMAGE_KEYS = ["registry", "defaultRegistry", "repository", "image", "tag", "digest", "sha", "pullPolicy"];
const NAME_KEYS = ["registry", "defaultRegistry", "repository", "tag"];

function blocks(shape: Shape, at: string, images: ImageBlock[], resources: string[]): void {
    const visit = (s: Shape, p: string) => blocks(s, p, images, resources);
    if (shape.items) visit(shape.items, `${at}[]`);
    for (const [key, child] of Object.entries(shape.properties ?? {})) {
        const p = at ? `${at}.${key}` : key;
        if (key === "resources" || /Resources$/.test(key)) resources.push(p);
        const props = Object.keys(child.properties ?? {});
        if (/image$/i.test(key) && props.includes("repository")) images.push({ path: p, form: "object", keys: props.filter((k) => IMAGE_KEYS.includes(k)) });
        else if (/image$/i.test(key) && child.type === "string") images.push({ path: p, form: "string" });
        visit(child, p);
    }
}

/**
 * Keys that appear only as `# key:` lines, with the path their indentation puts them under: the
 * real keys left of the `#`, and the commented keys that the spaces after the `#` nest it in. Block scalars (`key: |`) are skipped, so config
 * text inside them is not mistaken for keys.
 */
export function commentedKeys(text: string, defaults: Record<string, unknown>): string[] {
    const stack: { indent: number; key: string; commented?: boolean }[] = [];
    const found = new Set<string>();
    let blockIndent = -1;
    const parentAt = (indent: number) => {
        while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
        return stack.map((s) => s.key);
    };
    const has = (keys: string[]) => keys.reduce<any>((o, k) => (o && typeof o === "object" && !Array.isArray(o) && k in o ? o[k] : undefined), defaults) !== undefined;
    for (const line of text.split("\n")) {
        const indent = line.length - line.trimStart().length;
        if (blockIndent >= 0) {
            if (line.trim() === "" || indent > blockIndent) continue;
            blockIndent = -1;
        }
        const comment = /^(\s*)#(\s*)(["']?)([A-Za-z_][\w./-]*)\3:(\s|$)/.exec(line);
        if (comment) {
            // Under the real keys left of the `#`; under commented keys by the spaces after it.
            const col = comment[1].length;
            const at = col + Math.max(0, comment[2].length - 1);
            while (stack.length && stack[stack.length - 1].indent >= (stack[stack.length - 1].commented ? at : col)) stack.pop();
            const keys = [...stack.map((e) => e.key), comment[4]];
            if (!has(keys)) found.add(keys.join("."));
            // Only a commented key without a value on its line (`# key:`) can hold commented keys below it.
            if (/^\s*(#.*)?$/.test(line.slice(comment[0].length))) stack.push({ indent: at, key: comment[4], commented: true });
            continue;
        }
        if (/^\s*(#|$)/.test(line)) continue;
        const real = /^(\s*)(- )?(["']?)([^"'#:\s][^"'#:]*)\3:(\s|$)/.exec(line);
        if (!real) continue;
        const at = real[1].length + (real[2] ? 2 : 0);
        if (real[2]) {
            // A list item: ends deeper blocks and the previous item, keeps a parent key at the same column.
            while (stack.length && (stack[stack.length - 1].indent > real[1].length || (stack[stack.length - 1].indent === real[1].length && stack[stack.length - 1].key === "[]"))) stack.pop();
            stack.push({ indent: real[1].length, key: "[]" });
        } else {
            parentAt(at);
        }
        stack.push({ indent: at, key: real[4] });
        if (/:\s*[|>][-+0-9]*\s*(#.*)?$/.test(line)) blockIndent = at;
    }
    return [...found].sort();
}

export interface ChartYaml { name: string; version: string; appVersion?: string; dependencies?: { name: string; version: string; alias?: string; condition?: string }[] }

/** One chart directory read for derivation: Chart.yaml, values.yaml (text and parsed) and the provenance of any file in it. */
export interface ChartFiles {
    chart: ChartYaml;
    text: string;
    defaults: Record<string, unknown>;
    /** The source of a file of the chart directory (`Chart.yaml`, `values.yaml`...). */
    src(file: string): Source;
}

/** Reads a chart directory (Chart.yaml + values.yaml), with the reference's SOURCES.md table when the directory is in one. */
export function readChart(dir: string, regenerate: string, referenceDir?: string): ChartFiles {
    const table = referenceDir ? readSourcesTable(referenceDir) : new Map();
    const chartFile = path.join(dir, "Chart.yaml");
    const valuesFile = path.join(dir, "values.yaml");
    for (const f of [chartFile, valuesFile]) if (!fs.existsSync(f)) throw new Error(`${dir}: no ${path.basename(f)}; pass a chart directory (helm pull --untar)`);
    const chart = yaml.load(fs.readFileSync(chartFile, "utf8")) as ChartYaml;
    const text = fs.readFileSync(valuesFile, "utf8");
    const defaults = (yaml.load(text) ?? {}) as Record<string, unknown>;
    const src = (file: string) => sourceOf(path.join(dir, file), { project: chart.name, version: chart.version, file: `${chart.name}/${file}` }, regenerate, table, referenceDir);
    return { chart, text, defaults, src };
}

/** Derives the index (and schema) of one chart directory (Chart.yaml + values.yaml [+ values.schema.json]). */
export function deriveChart(dir: string, regenerate: string, referenceDir?: string): { index: ChartIndex; schema?: ChartSchema } {
    const { chart, text, defaults, src } = readChart(dir, regenerate, referenceDir);
    const values = shapeOf(defaults);
    const commented = commentedKeys(text, defaults);
    const images: ImageBlock[] = [];
    const resources: string[] = [];
    blocks(values, "", images, resources);
    for (const img of images) {
        if (img.form !== "object" || img.path.includes("[]")) continue;
        const block = img.path.split(".").reduce<any>((o, k) => o?.[k], defaults);
        const names = Object.fromEntries(NAME_KEYS.filter((k) => typeof block?.[k] === "string").map((k) => [k, block[k] as string]));
        if (Object.keys(names).length > 0) img.defaults = names;
    }
    resources.push(...commented.filter((p) => /^(resources|.*Resources)$/.test(p.split(".").pop()!)));
    const index: ChartIndex = {
        source: { chart: src("Chart.yaml"), values: src("values.yaml") },
        chart: {
            name: chart.name, version: chart.version, appVersion: chart.appVersion,
            dependencies: (chart.dependencies ?? []).map((d) => ({ name: d.name, version: d.version, ...(d.alias ? { alias: d.alias } : {}), ...(d.condition ? { condition: d.condition } : {}) })),
        },
        values, commented, images, resources: [...new Set(resources)].sort(),
    };
    const schemaFile = path.join(dir, "values.schema.json");
    if (!fs.existsSync(schemaFile)) return { index };
    index.source.schema = src("values.schema.json");
    return { index, schema: { source: index.source.schema, schema: stripProse(JSON.parse(fs.readFileSync(schemaFile, "utf8"))) } };
}
