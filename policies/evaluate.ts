/**
 * The offline evaluator: runs the pack's policies over resources without the Pulumi engine.
 * Used by the offline plan, `npm run policy -- check` and the tests; index.ts runs the very
 * same policies under CrossGuard.
 */
import { ALL_POLICIES } from "./policies";
import { isStackPolicy, PackConfig, packConfigSchema, Policy, PolicyResource, Violation } from "./lib/types";

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

export function evaluatePack(resources: PolicyResource[], config: PackConfig, policies: Policy[] = ALL_POLICIES): Violation[] {
    const violations: Violation[] = [];
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
            for (const v of p.validateStack(resources, config)) {
                violations.push({ resource: v.resource?.urn ?? "(stack)", type: v.resource?.type ?? "pulumi:pulumi:Stack", policy: p.name, enforcementLevel: level, message: v.message });
            }
            continue;
        }
        for (const type of p.resourceTypes) {
            for (const r of byType.get(type) ?? []) {
                for (const message of p.validate(r, config)) violations.push({ resource: r.urn, type: r.type, policy: p.name, enforcementLevel: level, message });
            }
        }
    }
    return violations;
}
