/**
 * The project's derived reference data (test/data/, made by `npm run derive`, see test/data/README.md):
 * each pinned chart's values index and values schema, CRD schemas, and checks against them (unknown
 * Helm values keys; custom resources against their CRD's schema). Missing data is an error naming
 * the command that makes it, never a skipped check.
 */
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS } from "../../components/shared/helm";
import { REPO_ROOT } from "../../lib/offline/stack";
import type { ChartIndex, ChartSchema, Shape } from "../../scripts/derive/charts";
import type { CrdSchema } from "../../scripts/derive/crds";

export const DATA = path.join(REPO_ROOT, "test", "data");
const REGENERATE = "npm run derive -- all --reference <dir with helm-charts/ and crds/> (or charts --chart <dir>); see test/data/README.md";

function readData<T>(rel: string): T {
    const file = path.join(DATA, rel);
    if (!fs.existsSync(file)) throw new Error(`derived data ${path.relative(REPO_ROOT, file)} is missing: ${REGENERATE}`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

const indexes = new Map<string, ChartIndex>();

/**
 * The version of `chart` the platform installs: its pin in components/shared/helm.ts, or, for a
 * subchart, the version a pinned chart depends on.
 */
export function pinnedVersion(chart: string): string {
    const pin = Object.values(CHARTS).find((c) => c.chart === chart);
    if (pin) return pin.version;
    for (const parent of Object.values(CHARTS)) {
        const dep = chartIndex(parent.chart).chart.dependencies.find((d) => d.name === chart);
        if (dep) return dep.version;
    }
    throw new Error(`${chart} is neither pinned in components/shared/helm.ts nor a dependency of a pinned chart`);
}

/** The values index of a chart at a version (default: the pinned one). */
export function chartIndex(chart: string, version = pinnedVersion(chart)): ChartIndex {
    const key = `${chart}-${version}`;
    if (!indexes.has(key)) indexes.set(key, readData<ChartIndex>(`charts/${key}.values.json`));
    return indexes.get(key)!;
}

/** The chart's values.schema.json (without prose) at the pinned version. */
export function chartSchema(chart: string): ChartSchema {
    return readData<ChartSchema>(`charts/${chart}-${pinnedVersion(chart)}.schema.json`);
}

/**
 * A validator of our values against the chart's values.schema.json. Helm validates the values merged
 * over the chart defaults, so a `required` key is always there from the defaults; checked alone, our
 * values are validated without `required` (everything else applies: types, enums, patterns, and
 * `additionalProperties: false` where the schema sets it).
 */
export function chartValuesValidator(chart: string): ValidateFunction {
    const withoutRequired = (s: unknown): unknown =>
        Array.isArray(s) ? s.map(withoutRequired) : isObject(s) ? Object.fromEntries(Object.entries(s).filter(([k, v]) => !(k === "required" && Array.isArray(v))).map(([k, v]) => [k, withoutRequired(v)])) : s;
    return new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(withoutRequired(chartSchema(chart).schema) as object);
}

export interface ValuesRules {
    /** Subcharts: key in the parent values -> chart whose values also apply below it. */
    subcharts?: Record<string, string>;
    /** Paths whose contents are free-form application config passed through (e.g. Loki's limits_config). */
    freeForm?: string[];
    /** Paths documented only as a commented-out key in values.yaml (checked to be in the index's `commented`). */
    commented?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const hasType = (s: Shape, t: string) => (Array.isArray(s.type) ? s.type.includes(t) : s.type === t);

/** The shape at a dotted path of the chart's default values (subchart keys resolve in the subchart), or undefined. */
export function valuesShapeAt(chart: string, dotted: string): Shape | undefined {
    const [head, ...rest] = dotted.split(".");
    const sub = chartIndex(chart).chart.dependencies.find((d) => (d.alias ?? d.name) === head);
    const [root, keys] = sub ? [chartIndex(sub.name, sub.version).values, rest] : [chartIndex(chart).values, [head, ...rest]];
    return keys.reduce<Shape | undefined>((s, k) => s?.properties?.[k], root);
}

/** The image block at a dotted path of the chart's values (subchart paths resolve in the subchart): its keys and default names. */
export function imageBlock(chart: string, dotted: string): { keys: string[]; defaults: Record<string, string> } | undefined {
    // In the chart's own values first (Kyverno keeps its crds subchart's values there), then in a subchart's.
    const [head, ...rest] = dotted.split(".");
    const sub = chartIndex(chart).chart.dependencies.find((d) => (d.alias ?? d.name) === head);
    const block = chartIndex(chart).images.find((i) => i.path === dotted && i.form === "object")
        ?? (sub ? chartIndex(sub.name, sub.version).images.find((i) => i.path === rest.join(".") && i.form === "object") : undefined);
    return block ? { keys: block.keys ?? [], defaults: block.defaults ?? {} } : undefined;
}

/** Every key path in `values` that the chart's default values do not have. */
export function unknownValueKeys(chart: string, values: Record<string, unknown>, rules: ValuesRules = {}): string[] {
    const unknown: string[] = [];
    const walk = (ours: Record<string, unknown>, defaults: Shape[], at: string) => {
        for (const [key, value] of Object.entries(ours)) {
            const p = at ? `${at}.${key}` : key;
            if (rules.freeForm?.includes(p) || rules.commented?.includes(p)) continue;
            const sub = at === "" ? rules.subcharts?.[key] : undefined;
            const present = defaults.flatMap((d) => (d.properties && key in d.properties ? [d.properties[key]] : []));
            if (sub) present.push(chartIndex(sub, pinnedVersion(sub)).values);
            if (present.length === 0) {
                unknown.push(p);
                continue;
            }
            // Recurse only where the defaults define a structure; {} / null / lists are open maps or lists,
            // and a `resources` block is a Kubernetes ResourceRequirements whatever the default shows.
            if (key === "resources") continue;
            const objects = present.filter((d) => hasType(d, "object"));
            const structured = objects.filter((d) => d.properties);
            if (isObject(value) && structured.length > 0 && structured.length === objects.length && present.every((d) => hasType(d, "null") || hasType(d, "object"))) {
                walk(value, structured, p);
            }
        }
    };
    walk(values, [chartIndex(chart).values], "");
    return unknown;
}

/** The paths that are not commented-out keys of the chart's values.yaml. */
export function missingCommentedKeys(chart: string, paths: string[]): string[] {
    const commented = new Set(chartIndex(chart).commented);
    return paths.filter((p) => !commented.has(p));
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
const schemas = new Map<string, object>();

/**
 * A copy of a schema without the `pattern`s JavaScript cannot compile (Go RE2 inline flags such as
 * `(?i)`); those few fields are checked for type only. Everything else is kept.
 */
function jsCompatible(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(jsCompatible);
    if (!isObject(schema)) return schema;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
        if (k === "pattern" && typeof v === "string") {
            try {
                new RegExp(v, "u");
            } catch {
                continue;
            }
        }
        out[k] = jsCompatible(v);
    }
    return out;
}

/** Every derived CRD, keyed `<group>/<version>/<Kind>` (schemas compiled on first use). */
function loadCrds(): void {
    if (schemas.size > 0) return;
    const dir = path.join(DATA, "crds");
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    if (files.length === 0) throw new Error(`derived data test/data/crds/ is missing: ${REGENERATE}`);
    for (const f of files) {
        const crd = readData<CrdSchema>(`crds/${f}`);
        for (const v of crd.versions) schemas.set(`${crd.group}/${v.name}/${crd.kind}`, v.schema as object);
    }
}

/** Validates a custom resource against its CRD schema; returns the errors (empty when valid). Throws when no CRD is known. */
export function validateCustomResource(obj: { apiVersion: string; kind: string; [field: string]: unknown }): string[] {
    loadCrds();
    const key = `${obj.apiVersion}/${obj.kind}`;
    const schema = schemas.get(key);
    if (!schema) throw new Error(`no CRD schema for ${key} in test/data/crds: ${REGENERATE}`);
    if (!validators.has(key)) validators.set(key, ajv.compile(jsCompatible(schema) as object));
    const validate = validators.get(key)!;
    const errors = validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
    // CRD schemas do not forbid unknown fields (the API server prunes them silently), so list those too.
    return [...errors, ...undeclaredFields(obj, schema).map((f) => `${f} is not in the CRD schema`)];
}

/** Keys not declared by a schema object that does not allow extra properties (CRD schemas reject these on the server with pruning). */
export function undeclaredFields(obj: unknown, schema: any, at = ""): string[] {
    if (!isObject(obj) || !isObject(schema)) {
        if (Array.isArray(obj) && isObject(schema) && schema.items) return obj.flatMap((o, i) => undeclaredFields(o, schema.items, `${at}[${i}]`));
        return [];
    }
    const props = schema.properties as Record<string, unknown> | undefined;
    if (!props) return [];
    return Object.entries(obj).flatMap(([k, v]) => {
        if (k in props) return undeclaredFields(v, props[k], `${at}.${k}`);
        if (schema.additionalProperties || schema["x-kubernetes-preserve-unknown-fields"]) return [];
        return [`${at}.${k}`];
    });
}
