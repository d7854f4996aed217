/**
 * Parses and validates the platform config. Every problem is collected and reported at once, each
 * naming the key path (`platform:eks.nodeGroups[0].minSize`), the bad value and what is allowed,
 * before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { cidrsOverlap, planSubnets, SubnetPlan } from "../components/network/subnets";
import { partitionOf } from "../components/shared/naming";
import { awsRegion, CONNECTION_ARN, platformSchema, PlatformSettings, regionProblem, SUPPORTED_POSTGRES_MAJORS } from "./config-schema";
import { closest } from "./suggest";
import { parseAllowedAccountIds, signingChecks } from "./supply-chain-checks";
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
    const parsed = platformSchema.safeParse(raw);
    if (!parsed.success) {
        problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)));
        throw new ConfigError(source, problems);
    }
    const cfg = parsed.data;
    const subnets = crossFieldChecks(cfg, String(region), problems);
    const allowedAccountIds = parseAllowedAccountIds(decodeConfigValue(input.values["aws:allowedAccountIds"]), cfg.supplyChain.signing.enabled, problems);
    // issue 22: pinned zones, the DR runner and break-glass role, and what a failover needs.
    if (awsRegion.safeParse(region).success) problems.push(...drProblems(cfg, String(region), input.values, allowedAccountIds));
    const secrets: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.values)) {
        if (key.startsWith(`${SECRETS_NAMESPACE}:`) && typeof value === "string") secrets[key.slice(SECRETS_NAMESPACE.length + 1)] = value;
    }
    cfg.alerting.receivers.forEach((r, i) => {
        if (!secrets[r.urlSecret]) {
            problems.push(`platform:alerting.receivers[${i}].urlSecret: secret ${SECRETS_NAMESPACE}:${r.urlSecret} is not set; set it with: pulumi config set --secret ${SECRETS_NAMESPACE}:${r.urlSecret} <value>`);
        }
    });
    if (problems.length > 0) throw new ConfigError(source, problems);
    const drSubnets = cfg.dr.enabled ? planSubnets(cfg.dr.vpcCidr, cfg.network.azCount, cfg.network.subnetPrefixes) : undefined;
    return { ...cfg, project: input.project, stack: input.stack, region: String(region), subnets: subnets!, drSubnets, secrets, allowedAccountIds, awsProvider: awsProviderSettings(input.values) };
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

function crossFieldChecks(cfg: PlatformSettings, region: string, problems: string[]): SubnetPlan | undefined {
    const { network, eks, database, dr, backup, supplyChain, alerting } = cfg;
    let subnets: SubnetPlan | undefined;
    // issue 14: one access entry per principal; the CI roles get theirs from platform:ci.
    for (const [i, arn] of eks.adminRoleArns.entries()) {
        const name = arn.split("/").pop();
        if (name === cfg.ci.deployRoleName || name === cfg.ci.previewRoleName || eks.adminRoleArns.indexOf(arn) !== i) {
            problems.push(`platform:eks.adminRoleArns[${i}]: ${show(arn)} already has an access entry (listed twice, or it is platform:ci.deployRoleName/previewRoleName); EKS allows one entry per principal`);
        }
    }
    // review finding 5: CodeBuild uses a connection of its own region only.
    const conn = CONNECTION_ARN.exec(cfg.ci.connectionArn);
    if (conn && conn[3] !== region) problems.push(`platform:ci.connectionArn: the connection is in ${conn[3]} but the stack deploys to ${region}; create the GitHub connection in ${region} (docs/deploy.md)`);
    try {
        subnets = planSubnets(network.cidr, network.azCount, network.subnetPrefixes);
    } catch (e) {
        problems.push(`platform:network.subnetPrefixes: ${(e as Error).message}; use a larger network.cidr or longer prefixes`);
    }
    const names = new Set<string>();
    eks.nodeGroups.forEach((g, i) => {
        const at = `platform:eks.nodeGroups[${i}]`;
        if (g.minSize > g.maxSize) problems.push(`${at}.minSize: ${g.minSize} is greater than maxSize ${g.maxSize}; need minSize <= desiredSize <= maxSize`);
        else if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) problems.push(`${at}.desiredSize: ${g.desiredSize} is outside [minSize, maxSize] = [${g.minSize}, ${g.maxSize}]`);
        if (names.has(g.name)) problems.push(`${at}.name: ${show(g.name)} is used by another node group; names must be unique`);
        names.add(g.name);
    });
    const major = Number(database.engineVersion.split(".")[0]);
    if (!(SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(major)) {
        problems.push(`platform:database.engineVersion: ${show(database.engineVersion)} is not a supported PostgreSQL major; allowed majors: ${SUPPORTED_POSTGRES_MAJORS.join(", ")}`);
    }
    if (database.maxAllocatedStorageGiB < database.allocatedStorageGiB) {
        problems.push(`platform:database.maxAllocatedStorageGiB: ${database.maxAllocatedStorageGiB} is below allocatedStorageGiB ${database.allocatedStorageGiB}`);
    }
    if (dr.enabled) {
        if (!dr.region) problems.push(`platform:dr.region: required when dr.enabled is true; set an AWS region other than ${region}`);
        else if (dr.region === region) problems.push(`platform:dr.region: ${show(dr.region)} equals the primary aws:region; the DR region must be a different region`);
        else if (partitionOf(dr.region) !== partitionOf(region)) problems.push(`platform:dr.region: ${show(dr.region)} is in partition ${partitionOf(dr.region)}, aws:region ${region} in ${partitionOf(region)}; replication and backup copies stay within one partition`);
        if (cidrsOverlap(dr.vpcCidr, network.cidr)) problems.push(`platform:dr.vpcCidr: ${show(dr.vpcCidr)} overlaps network.cidr ${network.cidr}; the DR VPC needs its own range`);
        try {
            planSubnets(dr.vpcCidr, network.azCount, network.subnetPrefixes);
        } catch (e) {
            problems.push(`platform:dr.vpcCidr: ${(e as Error).message}; use a larger dr.vpcCidr`);
        }
    } else if (dr.failover) {
        problems.push(`platform:dr.failover: true needs dr.enabled: true (there is no DR region to fail over to)`);
    }
    if (backup.vaultLock.enabled) {
        const { minRetentionDays: min, maxRetentionDays: max } = backup.vaultLock;
        if (min > max) problems.push(`platform:backup.vaultLock.minRetentionDays: ${min} is greater than maxRetentionDays ${max}`);
        const rules: [string, number][] = [["dailyRetentionDays", backup.dailyRetentionDays], ["weeklyRetentionDays", backup.weeklyRetentionDays], ["monthlyRetentionDays", backup.monthlyRetentionDays]];
        for (const [key, days] of rules) {
            if (days !== 0 && (days < min || days > max)) problems.push(`platform:backup.${key}: ${days} is outside the vault lock range [${min}, ${max}] days; the locked vault would refuse these recovery points`);
        }
    }
    if ((supplyChain.verificationMode === "registry" || supplyChain.signedRegistries.length > 0) && supplyChain.cosignPublicKeys.length === 0 && !supplyChain.signing.enabled) {
        problems.push(`platform:supplyChain.cosignPublicKeys: registry verification and signedRegistries need at least one cosign public key, or supplyChain.signing.enabled: true (the stack's KMS signing key)`);
    }
    problems.push(...signingChecks(supplyChain.signing));
    const receivers = new Set<string>();
    alerting.receivers.forEach((r, i) => {
        if (receivers.has(r.name)) problems.push(`platform:alerting.receivers[${i}].name: ${show(r.name)} is used twice; receiver names must be unique`);
        receivers.add(r.name);
    });
    return subnets;
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

/** A number where a string (a version) is expected: YAML read an unquoted 1.30 as the number 1.3. */
function quoteHint(value: unknown, wantsString: boolean, allowed: string[] = []): string {
    if (typeof value !== "number" || !wantsString) return "";
    const meant = allowed.find((v) => Number(v) === value) ?? String(value);
    return `; ${value} is a number because YAML reads an unquoted version as a number (1.30 becomes 1.3): quote it, e.g. "${meant}"`;
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
