/**
 * Parses and validates the platform config. Every problem is collected and reported at once, each
 * naming the key path (`platform:eks.nodeGroups[0].minSize`), the bad value and what is allowed,
 * before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { planSubnets, SubnetPlan } from "../components/network/subnets";
import { alertingRules } from "./alerting-checks";
import { awsRegion, platformSchema, PlatformSettings, regionProblem } from "./config-schema";
import { partialParse, runRules } from "./config-partial";
import { CROSS_FIELD_RULES, ruleContext } from "./config-rules";
import { closest } from "./suggest";
import { parseAllowedAccountIds } from "./supply-chain-checks";
import { awsProviderSettings, drProblems } from "./dr-checks";

export * from "./config-schema";

/** The validated config plus where it runs. */
export interface PlatformConfig extends PlatformSettings {
    project: string;
    stack: string;
    /** Primary AWS region (`aws:region`). */
    region: string;
    /** The subnet layout computed from `network` (validated to fit the VPC). */
    subnets: SubnetPlan;
    /** The DR VPC's subnet layout (same prefixes and AZ count as the primary), when DR is enabled. */
    drSubnets?: SubnetPlan;
    /** `aws:allowedAccountIds`: the provider refuses any other account; names the signing key and registry in the policy config. */
    allowedAccountIds: string[];
    /** The stack's `aws:` settings other than region and stsRegion, as provider arguments: the DR-region provider carries them. */
    awsProvider: Record<string, unknown>;
    /** Secret config values under the `platform-secrets:` namespace (receiver URLs/keys), wrapped as Pulumi secrets where used. */
    secrets: Record<string, string>;
}

/** Config namespace of the secrets (`pulumi config set --secret platform-secrets:<key> <value>`). */
export const SECRETS_NAMESPACE = "platform-secrets";

/** Raised for invalid config; `problems` holds one line per problem. */
export class ConfigError extends Error {
    constructor(
        readonly source: string,
        readonly problems: string[],
    ) {
        super(`Invalid platform config (${source}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

export interface ConfigInput {
    project: string;
    stack: string;
    /** Every config key of the stack, namespaced (`platform:network`, `aws:region`), values as Pulumi stores them (strings or parsed). */
    values: Record<string, unknown>;
    /** Where the config came from, for messages. Defaults to Pulumi.<stack>.yaml. */
    source?: string;
}

/** Parses the raw config of one stack into a PlatformConfig, or throws a ConfigError. */
export function parsePlatformConfig(input: ConfigInput): PlatformConfig {
    const source = input.source ?? `Pulumi.${input.stack}.yaml`;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input.values)) {
        if (key.startsWith("platform:")) raw[key.slice("platform:".length)] = decodeConfigValue(value);
    }
    const region = input.values["aws:region"];
    const problems: string[] = [];
    if (region === undefined || region === "") problems.push("aws:region: is required; set it with: pulumi config set aws:region <region>, e.g. eu-west-1");
    else if (!awsRegion.safeParse(region).success) problems.push(`aws:region: ${show(region)} ${regionProblem(region)}`);
    // Rules that need the region are skipped when it is missing or invalid (no "create it in undefined").
    const validRegion = typeof region === "string" && awsRegion.safeParse(region).success ? region : undefined;
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.values)) {
        if (key.startsWith(`${SECRETS_NAMESPACE}:`) && typeof value === "string") secrets[key.slice(SECRETS_NAMESPACE.length + 1)] = value;
    }
    const parsed = platformSchema.safeParse(raw);
    if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)));
    // With schema errors the cross-field rules still run on every part that is valid, so all problems are listed at once.
    const partial = parsed.success ? { ok: true as const, data: parsed.data } : partialParse(platformSchema, raw);
    if (!partial.ok) throw new ConfigError(source, problems);
    const cfg = partial.data as PlatformSettings;
    const ctx = ruleContext(cfg, validRegion, problems);
    let allowedAccountIds: string[] = [];
    runRules([
        ...CROSS_FIELD_RULES,
        () => (allowedAccountIds = parseAllowedAccountIds(decodeConfigValue(input.values["aws:allowedAccountIds"]), cfg.supplyChain.signing.enabled, problems)),
        // issue 22: pinned zones in both regions, the DR runner and break-glass role, the one account, what a failover needs.
        (c) => problems.push(...drProblems(cfg, c.region, input.values, allowedAccountIds)),
        ...alertingRules(cfg, secrets, SECRETS_NAMESPACE, problems),
    ], ctx);
    if (problems.length > 0 || !parsed.success) throw new ConfigError(source, problems);
    const drSubnets = cfg.dr.enabled ? planSubnets(cfg.dr.vpcCidr, cfg.network.azCount, cfg.network.subnetPrefixes) : undefined;
    return { ...cfg, project: input.project, stack: input.stack, region: String(region), subnets: ctx.subnets as SubnetPlan, drSubnets, secrets, allowedAccountIds, awsProvider: awsProviderSettings(input.values) };
}

/** Reads the current stack's config through the Pulumi runtime. */
export function loadPlatformConfig(): PlatformConfig {
    return parsePlatformConfig({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        values: pulumi.runtime.allConfig(),
    });
}

/** Pulumi stores structured config values as JSON strings; scalars stay strings. */
function decodeConfigValue(value: unknown): unknown {
    if (typeof value !== "string") return value;
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string[] {
    const at = keyPath(issue.path);
    const value = valueAt(raw, issue.path);
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((key) => unknownKey([...issue.path, key], key));
        case "invalid_key": {
            const key = String(issue.path[issue.path.length - 1]);
            // A record keyed by an enum lists its keys; a record keyed by a pattern says what a key must be.
            if (allowedKeys(issue.path.slice(0, -1)).length > 0) return [unknownKey(issue.path, key)];
            return [`${keyPath(issue.path.slice(0, -1))}: key ${show(key)} ${issue.issues.map((i) => i.message).join("; ")}`];
        }
        case "invalid_value": {
            const allowed = issue.values.map((v) => show(v)).join(", ");
            const strings = issue.values.filter((v): v is string => typeof v === "string");
            return [`${at}: ${value === undefined ? "is required" : `${show(value)} is not allowed`}; allowed values: ${allowed}${quoteHint(value, strings.length === issue.values.length, strings)}`];
        }
        case "invalid_type":
            return [value === undefined ? `${at}: is required (${issue.expected})` : `${at}: ${show(value)} has the wrong type; expected ${issue.expected}${quoteHint(value, issue.expected === "string")}`];
        case "too_small":
        case "too_big":
            return [`${at}: ${show(value)} is out of range: ${issue.message.replace(/^Too (small|big): /, "")}`];
        default:
            return [`${at}: ${show(value)} ${issue.message}`];
    }
}

/** `<path>: unknown key (did you mean x?); allowed keys: a, b` for a key the schema does not have at that path. */
function unknownKey(path: PropertyKey[], key: string): string {
    const allowed = allowedKeys(path.slice(0, -1));
    const hint = closest(key, allowed);
    return `${keyPath(path)}: unknown key${hint ? ` (did you mean ${hint}?)` : ""}; allowed keys: ${allowed.length > 0 ? allowed.join(", ") : "none (this map takes no keys)"}`;
}

/**
 * A number where a string (a version) is expected: YAML read an unquoted version as a number, and
 * dropped any trailing zero (1.30 became 1.3), so the hint names the allowed value that number came
 * from, or says that the version must be written quoted, never a value that is not allowed either.
 */
function quoteHint(value: unknown, wantsString: boolean, allowed: string[] = []): string {
    if (typeof value !== "number" || !wantsString) return "";
    const why = `${value} is a number because YAML reads an unquoted version as a number and drops trailing zeros (1.30 becomes 1.3)`;
    if (allowed.length === 0) return `; ${why}: quote it, e.g. "${value}"${Number.isInteger(value) ? "" : ` (or "${value}0" if that is what you wrote)`}`;
    const meant = allowed.filter((v) => Number(v) === value);
    if (meant.length > 0) return `; ${why}: quote it, e.g. "${meant[0]}"`;
    return `; ${why}, and no allowed value reads as ${value}: write one of the allowed values, quoted (e.g. "${allowed[allowed.length - 1]}")`;
}

function keyPath(path: PropertyKey[]): string {
    if (path.length === 0) return "platform";
    const [head, ...rest] = path;
    return `platform:${String(head)}${rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
    return path.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), root);
}

/** The keys the schema allows at an object path (array indices skipped). */
function allowedKeys(path: PropertyKey[]): string[] {
    let schema: z.core.$ZodType = platformSchema;
    for (const key of path) {
        schema = unwrap(schema);
        const def = schema._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType; valueType?: z.core.$ZodType };
        if (def.type === "array" && typeof key === "number" && def.element) schema = def.element;
        else if (def.type === "record" && typeof key === "string" && def.valueType) schema = def.valueType;
        else if (def.type === "object" && def.shape && typeof key === "string") schema = def.shape[key];
        else return [];
    }
    const def = unwrap(schema)._zod.def as unknown as { shape?: Record<string, unknown>; keyType?: z.core.$ZodType };
    if (def.shape) return Object.keys(def.shape);
    // A record keyed by an enum (eks.addonVersions): its keys are the enum's values.
    const keys = def.keyType?._zod.def as unknown as { entries?: Record<string, string> } | undefined;
    return Object.values(keys?.entries ?? {});
}

/**
 * Every key path of the schema, as documented (`network.cidr`, `eks.nodeGroups[].minSize`): objects
 * are walked, lists of objects give `<list>[]` and their fields, maps and scalars are leaves.
 */
export function configKeyPaths(schema: z.core.$ZodType = platformSchema, at = ""): string[] {
    const def = unwrap(schema)._zod.def as unknown as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (def.type === "object" && def.shape) return Object.entries(def.shape).flatMap(([k, v]) => configKeyPaths(v, at ? `${at}.${k}` : k));
    if (def.type === "array" && def.element && (unwrap(def.element)._zod.def as { type: string }).type === "object") return [at, ...configKeyPaths(def.element, `${at}[]`)];
    return [at];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
    let current = schema;
    for (;;) {
        const def = current._zod.def as unknown as { type: string; innerType?: z.core.$ZodType };
        if (!["default", "prefault", "optional"].includes(def.type) || !def.innerType) return current;
        current = def.innerType;
    }
}

function show(value: unknown): string {
    return value === undefined ? "(unset)" : JSON.stringify(value);
}
