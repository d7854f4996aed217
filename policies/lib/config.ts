/**
 * Policy pack configuration the way the Pulumi engine handles `--policy-pack-config FILE` (and the
 * config of a published pack): one entry per policy name holding that policy's own properties and,
 * optionally, its `enforcementLevel`; a bare string is a level; `"all"` sets the level of every
 * policy. The engine starts from each policy's schema defaults, applies "all", then each entry,
 * validates every policy's result against its configSchema (JSON Schema) and sends the result to
 * the pack (Configure). The offline evaluator, `npm run policy -- check` and the pack itself all go
 * through this module, so a file means the same everywhere.
 *
 * Where the engine is lax, this module is strict and says why (the pack refuses the same at run time):
 * a property a policy does not read (the engine does not pass `additionalProperties` on), an entry
 * for a policy the pack does not have, and properties under "all" (the engine ignores them).
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import { CONFIG_PROPERTIES, ConfigKey, PackConfig } from "./types";

/** Levels the engine accepts in a config file. */
export const ENGINE_LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type EngineLevel = (typeof ENGINE_LEVELS)[number];

/** Invalid policy pack config; the message lists every problem, naming the policy and property. */
export class PolicyConfigError extends Error {}

/** What the engine learns about a policy from GetAnalyzerInfo. */
export interface PolicyInfo {
    name: string;
    enforcementLevel: EngineLevel;
    configSchema?: { properties: Record<string, any>; required?: string[] };
}

/** One policy's effective configuration, as the engine sends it in Configure. */
export interface PolicySettings {
    enforcementLevel: EngineLevel;
    properties: Record<string, unknown>;
}

/** Effective configuration of every policy of the pack, by policy name. */
export type PolicyConfigs = Record<string, PolicySettings>;

/** An entry of a config file after parsing (the engine's AnalyzerPolicyConfig). */
interface Entry {
    enforcementLevel?: EngineLevel;
    properties?: Record<string, unknown>;
}

/** The configSchema of a policy reading `keys`: exactly those properties. */
export function configSchemaOf(keys: readonly ConfigKey[]): { properties: Record<string, any> } {
    return { properties: Object.fromEntries(keys.map((k) => [k, CONFIG_PROPERTIES[k]])) };
}

const isLevel = (v: unknown): v is EngineLevel => typeof v === "string" && (ENGINE_LEVELS as readonly string[]).includes(v);
const levelError = (key: string, v: unknown) =>
    `"${key}": enforcementLevel ${JSON.stringify(v)} is not one of ${ENGINE_LEVELS.join(", ")}`;

/**
 * Values no config may hold, found anywhere in a document: a number that is not finite (JSON's
 * `1e999` parses to Infinity here; the Pulumi CLI refuses it, since it does not fit a float64) and
 * the key `__proto__` (it would set an object's prototype instead of a property).
 */
export function unsafeConfigValues(v: unknown, at = "(root)"): string[] {
    if (typeof v === "number") return Number.isFinite(v) ? [] : [`${at}: ${v} is not a finite number (the Pulumi CLI refuses numbers beyond float64, such as 1e999)`];
    if (Array.isArray(v)) return v.flatMap((x, i) => unsafeConfigValues(x, `${at}[${i}]`));
    if (!v || typeof v !== "object") return [];
    const out: string[] = [];
    for (const k of Object.keys(v)) {
        const path = at === "(root)" ? JSON.stringify(k) : `${at}.${k}`;
        if (k === "__proto__") out.push(`${path}: the key "__proto__" is not allowed (it is not a policy or property name)`);
        else out.push(...unsafeConfigValues((v as Record<string, unknown>)[k], path));
    }
    return out;
}

/** Parses a config document (already JSON-decoded) into entries, as the CLI does; problems are collected. */
function parseEntries(doc: unknown, problems: string[]): Record<string, Entry> {
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc)) {
        problems.push("(root): must be an object whose keys are policy names (or \"all\")");
        return {};
    }
    const unsafe = unsafeConfigValues(doc);
    if (unsafe.length) {
        problems.push(...unsafe);
        return {};
    }
    const out: Record<string, Entry> = Object.create(null);
    for (const [key, value] of Object.entries(doc)) {
        if (typeof value === "string") {
            if (isLevel(value)) out[key] = { enforcementLevel: value };
            else problems.push(levelError(key, value));
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) problems.push(levelError(key, enforcementLevel));
            out[key] = { enforcementLevel: isLevel(enforcementLevel) ? enforcementLevel : undefined, properties };
        } else {
            problems.push(`"${key}": ${JSON.stringify(value)} is not valid; must be an enforcement level or an object of the policy's properties`);
        }
    }
    return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();

/** The schema the CLI validates a policy's config with: an object of its properties plus enforcementLevel. */
function validatorFor(info: PolicyInfo): ValidateFunction {
    const schema = {
        type: "object",
        properties: { ...(info.configSchema?.properties ?? {}), enforcementLevel: { type: "string", enum: [...ENGINE_LEVELS] } },
        ...(info.configSchema?.required?.length ? { required: info.configSchema.required } : {}),
    };
    const id = JSON.stringify(schema);
    let v = validators.get(id);
    if (!v) {
        v = ajv.compile(schema);
        validators.set(id, v);
    }
    return v;
}

function describe(policy: string, e: ErrorObject): string {
    const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "(config)";
    const allowed = e.keyword === "enum" ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}` : "";
    const extra = e.keyword === "additionalProperties" ? ` (${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)})` : "";
    return `"${policy}".${at}: ${e.message}${extra}${allowed}`;
}

/**
 * Checks one policy's effective properties: JSON Schema (as the CLI checks them) and no property
 * the policy does not read. Returns the problems.
 */
export function policyConfigProblems(info: PolicyInfo, properties: Record<string, unknown>): string[] {
    const unsafe = unsafeConfigValues(properties, `"${info.name}"`);
    if (unsafe.length) return unsafe;
    const known = Object.keys(info.configSchema?.properties ?? {});
    const problems = Object.keys(properties)
        .filter((k) => !known.includes(k))
        .map((k) => `"${info.name}".${k}: not a property of this policy; ${known.length ? `it reads ${known.join(", ")}` : "it takes no properties, only enforcementLevel"}`);
    const validate = validatorFor(info);
    // Ajv sets `errors` whenever validation fails.
    if (!validate(properties)) problems.push(...validate.errors!.map((e) => describe(info.name, e)));
    return problems;
}

/**
 * Reconciles a config document with the pack's policies exactly as the engine does (schema defaults,
 * then "all" for the level, then each policy's entry) and validates the result.
 */
export function reconcileConfig(doc: unknown, policies: PolicyInfo[]): PolicyConfigs {
    const problems: string[] = [];
    const entries = parseEntries(doc, problems);
    const names = policies.map((p) => p.name);
    const result: PolicyConfigs = {};
    for (const p of policies) {
        const defaults = Object.entries(p.configSchema?.properties ?? {}).filter(([, s]) => s && "default" in s).map(([k, s]) => [k, structuredClone(s.default)]);
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: Object.fromEntries(defaults) };
    }
    const all = Object.hasOwn(entries, "all") ? entries.all : undefined;
    if (all) {
        if (all.enforcementLevel) for (const s of Object.values(result)) s.enforcementLevel = all.enforcementLevel;
        for (const k of Object.keys(all.properties ?? {})) {
            const readers = policies.filter((p) => p.configSchema?.properties && k in p.configSchema.properties).map((p) => p.name);
            problems.push(`"all".${k}: "all" takes only enforcementLevel; give ${k} to the policies that read it${readers.length ? ` (${readers.join(", ")})` : " (no policy of this pack reads it)"}`);
        }
    }
    for (const [key, entry] of Object.entries(entries)) {
        if (key === "all") continue;
        const target = Object.hasOwn(result, key) ? result[key] : undefined;
        if (!target) {
            problems.push(`"${key}": no policy of that name in this pack; policies: ${names.join(", ")}`);
            continue;
        }
        if (entry.enforcementLevel) target.enforcementLevel = entry.enforcementLevel;
        Object.assign(target.properties, entry.properties ?? {});
    }
    for (const p of policies) problems.push(...policyConfigProblems(p, result[p.name].properties));
    if (problems.length) throw new PolicyConfigError(`Invalid policy pack config:\n${problems.map((l) => `  - ${l}`).join("\n")}`);
    return result;
}

/**
 * The config object a policy reads: its own properties only. Reading a property the policy did not
 * declare (so its configSchema lacks it) throws, so "lists exactly what it reads" cannot drift.
 */
export function policyConfigView(policy: string, keys: readonly ConfigKey[], properties: Record<string, unknown>): PackConfig {
    return new Proxy(properties, {
        get(target, prop, receiver) {
            if (typeof prop === "string" && prop in CONFIG_PROPERTIES && !keys.includes(prop as ConfigKey)) {
                throw new Error(`policy ${policy} reads config property ${prop} but does not declare it in its config list`);
            }
            return Reflect.get(target, prop, receiver);
        },
    }) as unknown as PackConfig;
}
