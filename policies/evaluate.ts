/**
 * The offline evaluator: runs the pack's policies over resources without the Pulumi engine.
 * Used by the offline plan, `npm run policy -- check` and the tests; index.ts runs the very
 * same policies under CrossGuard.
 */
import { ALL_POLICIES } from "./policies";
import { withWorkloadCache } from "./lib/workloads";
import { EnforcementLevel, isStackPolicy, PackConfig, packConfigSchema, Policy, PolicyResource, ResourcePolicy, Violation } from "./lib/types";

export class PolicyConfigError extends Error {}

/** Validates pack config (as given to --policy-pack-config); unknown keys and bad values are errors. */
export function parsePackConfig(raw: unknown): PackConfig {
    const parsed = packConfigSchema.safeParse(raw ?? {});
    if (parsed.success) {
        const unknownPolicies = Object.keys(parsed.data.enforcement).filter((n) => !ALL_POLICIES.some((p) => p.name === n));
        if (unknownPolicies.length === 0) return parsed.data;
        throw new PolicyConfigError(`Invalid policy pack config:\n  - enforcement: unknown policy ${unknownPolicies.map((n) => JSON.stringify(n)).join(", ")}; known policies: ${ALL_POLICIES.map((p) => p.name).join(", ")}`);
    }
    const lines = parsed.error.issues.map((i) => {
        const at = i.path.join(".") || "(root)";
        if (i.code === "unrecognized_keys") return `${[...i.path, ...i.keys].join(".")}: unknown key; allowed keys: ${Object.keys(packConfigSchema.shape).join(", ")}`;
        return `${at}: ${i.message}`;
    });
    throw new PolicyConfigError(`Invalid policy pack config:\n${lines.map((l) => `  - ${l}`).join("\n")}`);
}

function levelOf(p: Policy, cfg: PackConfig) {
    return cfg.enforcement[p.name] ?? p.enforcementLevel;
}

/** Runs every policy; results of async policies (registry lookups) are awaited per resource, in parallel. */
export async function evaluatePackAsync(resources: PolicyResource[], config: PackConfig, policies: Policy[] = ALL_POLICIES): Promise<Violation[]> {
    const batches = walk(resources, config, policies, (p, r, level, result) => Promise.resolve(result).then((messages) => messages.map((message) => violation(p, r, level, message))));
    return (await Promise.all(batches)).flat();
}

/**
 * The synchronous evaluator (the tests, and stacks without registry lookups). A policy that needs
 * the network (registry mode) is refused here with a pointer to evaluatePackAsync.
 */
export function evaluatePack(resources: PolicyResource[], config: PackConfig, policies: Policy[] = ALL_POLICIES): Violation[] {
    return walk(resources, config, policies, (p, r, level, result) => {
        if (result instanceof Promise) throw new Error(`policy ${p.name} is asynchronous here (registry lookups); use evaluatePackAsync`);
        return result.map((message) => violation(p, r, level, message));
    }).flat();
}

function violation(p: Policy, r: PolicyResource | undefined, level: EnforcementLevel, message: string): Violation {
    return { resource: r?.urn ?? "(stack)", type: r?.type ?? "pulumi:pulumi:Stack", policy: p.name, enforcementLevel: level, message };
}

/** The resources a policy judges: its appliesTo filter (computed once per filter), or its exact type tokens. */
const filtered = new WeakMap<PolicyResource[], Map<(type: string, props: Record<string, any>) => boolean, PolicyResource[]>>();
function targetsOf(p: ResourcePolicy, resources: PolicyResource[], byType: Map<string, PolicyResource[]>): PolicyResource[] {
    if (!p.appliesTo) return p.resourceTypes.flatMap((t) => byType.get(t) ?? []);
    let cache = filtered.get(resources);
    if (!cache) filtered.set(resources, (cache = new Map()));
    let list = cache.get(p.appliesTo);
    if (!list) cache.set(p.appliesTo, (list = resources.filter((r) => p.appliesTo!(r.type, r.props))));
    return list;
}

function walk<T>(resources: PolicyResource[], config: PackConfig, policies: Policy[], each: (p: Policy, r: PolicyResource, level: EnforcementLevel, result: string[] | Promise<string[]>) => T): (T | Violation[])[] {
    return withWorkloadCache(() => walkPolicies(resources, config, policies, each));
}

function walkPolicies<T>(resources: PolicyResource[], config: PackConfig, policies: Policy[], each: (p: Policy, r: PolicyResource, level: EnforcementLevel, result: string[] | Promise<string[]>) => T): (T | Violation[])[] {
    const out: (T | Violation[])[] = [];
    const byType = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        const list = byType.get(r.type);
        if (list) list.push(r);
        else byType.set(r.type, [r]);
    }
    for (const p of policies) {
        const level = levelOf(p, config);
        if (level === "disabled") continue;
        if (isStackPolicy(p)) {
            out.push(p.validateStack(resources, config).map((v) => violation(p, v.resource, level, v.message)));
            continue;
        }
        for (const r of targetsOf(p, resources, byType)) out.push(each(p, r, level, p.validate(r, config)));
    }
    return out;
}
