/**
 * Upstream reference data in ../shared/reference: Helm chart default values and CRD schemas, and
 * checks against them (unknown Helm values keys; custom resources against their CRD's schema).
 */
import Ajv, { ValidateFunction } from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REPO_ROOT } from "../../lib/offline/stack";

/** ../shared/reference next to the repository; PLATFORM_REFERENCE overrides it (the mutation sandbox lives elsewhere). */
export const REFERENCE = process.env.PLATFORM_REFERENCE ?? path.resolve(REPO_ROOT, "..", "shared", "reference");

export function chartVersion(chart: string): string {
    return (yaml.load(fs.readFileSync(path.join(REFERENCE, "helm-charts", chart, "Chart.yaml"), "utf8")) as { version: string }).version;
}

export function chartDefaults(chart: string): Record<string, unknown> {
    return yaml.load(fs.readFileSync(path.join(REFERENCE, "helm-charts", chart, "values.yaml"), "utf8")) as Record<string, unknown>;
}

export interface ValuesRules {
    /** Subcharts: key in the parent values -> chart directory whose defaults also apply below it. */
    subcharts?: Record<string, string>;
    /** Paths whose contents are free-form application config passed through (e.g. Loki's limits_config). */
    freeForm?: string[];
    /** Paths documented only as a commented-out key in values.yaml (checked to appear there as `# key:`). */
    commented?: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Every key path in `values` that the chart's defaults do not have. */
export function unknownValueKeys(chart: string, values: Record<string, unknown>, rules: ValuesRules = {}): string[] {
    const unknown: string[] = [];
    const walk = (ours: Record<string, unknown>, defaults: Record<string, unknown>[], at: string) => {
        for (const [key, value] of Object.entries(ours)) {
            const p = at ? `${at}.${key}` : key;
            if (rules.freeForm?.includes(p) || rules.commented?.includes(p)) continue;
            const sub = at === "" ? rules.subcharts?.[key] : undefined;
            const present = defaults.filter((d) => key in d).map((d) => d[key]);
            if (sub) present.push(chartDefaults(sub));
            if (present.length === 0) {
                unknown.push(p);
                continue;
            }
            // Recurse only where the defaults define a structure; {} / null / lists are open maps or lists,
            // and a `resources` block is a Kubernetes ResourceRequirements whatever the default shows.
            if (key === "resources") continue;
            const structured = present.filter((d): d is Record<string, unknown> => isObject(d) && Object.keys(d).length > 0);
            if (isObject(value) && structured.length > 0 && structured.length === present.filter(isObject).length && present.every((d) => d === null || isObject(d))) {
                walk(value, structured, p);
            }
        }
    };
    walk(values, [chartDefaults(chart)], "");
    return unknown;
}

/** The commented keys that do not appear as `# <key>:` in the chart's values.yaml. */
export function missingCommentedKeys(chart: string, paths: string[]): string[] {
    const text = fs.readFileSync(path.join(REFERENCE, "helm-charts", chart, "values.yaml"), "utf8");
    return paths.filter((p) => !new RegExp(`^\\s*#\\s*${p.split(".").pop()!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`, "m").test(text));
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
const schemas = new Map<string, object>();

interface Crd { spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: object } }[] } }

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

/** Loads every CRD under reference/crds, keyed `<group>/<version>/<Kind>` (compiled on first use: compiling all takes seconds). */
function loadCrds(): void {
    if (schemas.size > 0) return;
    const root = path.join(REFERENCE, "crds");
    for (const dir of fs.readdirSync(root)) {
        for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
            for (const doc of yaml.loadAll(fs.readFileSync(path.join(root, dir, file), "utf8")) as Crd[]) {
                if (!doc?.spec?.versions) continue;
                for (const v of doc.spec.versions) {
                    const key = `${doc.spec.group}/${v.name}/${doc.spec.names.kind}`;
                    schemas.set(key, v.schema.openAPIV3Schema);
                }
            }
        }
    }
}

/** Validates a custom resource against its CRD schema; returns the errors (empty when valid). Throws when no CRD is known. */
export function validateCustomResource(obj: { apiVersion: string; kind: string; [field: string]: unknown }): string[] {
    loadCrds();
    const key = `${obj.apiVersion}/${obj.kind}`;
    if (!validators.has(key) && schemas.has(key)) validators.set(key, ajv.compile(jsCompatible(schemas.get(key)) as object));
    const validate = validators.get(key);
    if (!validate) throw new Error(`no CRD schema for ${key} in ${path.join(REFERENCE, "crds")}`);
    const errors = validate(obj) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
    // CRD schemas do not forbid unknown fields (the API server prunes them silently), so list those too.
    return [...errors, ...undeclaredFields(obj, schemas.get(key)).map((f) => `${f} is not in the CRD schema`)];
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
