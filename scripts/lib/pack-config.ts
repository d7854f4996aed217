/**
 * The policy pack config of a stack, in the engine's format (`--policy-pack-config`): one entry per
 * policy that reads something from the stack's platform config, holding exactly the properties that
 * policy reads. `npm run policy -- config <stack>` writes it to policies/config/<stack>.json; the
 * offline plan, `npm run policy -- check --config` and the CLI read that file the same way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../stacks/config";
import { SUPPORTED_EKS_VERSIONS } from "../../stacks/config-schema";
import { REGISTRY_LIMIT_KEYS } from "../../stacks/supply-chain-schema";
import { loadPackConfig, PolicyConfigError, PolicyConfigs } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import type { PackConfig } from "../../policies/lib/types";
import { supplyChainPackEntries } from "./supply-chain-pack";
import { PRE_BOUNDARY_CLUSTER_ROLE } from "../../lib/aws/migrations";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** The pack properties a stack's platform config determines; the others keep their schema defaults. */
function stackValues(cfg: PlatformConfig): Partial<PackConfig> {
    return {
        environment: cfg.environment,
        minBackupRetentionDays: 7,
        supportedEksVersions: [...SUPPORTED_EKS_VERSIONS],
        permissionsBoundaryName: cfg.ci.permissionsBoundaryName,
        rolePath: cfg.ci.rolePath,
        ...(cfg.eks.preBoundaryCluster ? { preBoundaryRoles: [PRE_BOUNDARY_CLUSTER_ROLE] } : {}),
        allowedRegistries: cfg.supplyChain.allowedRegistries,
        ...(cfg.dr.enabled ? { drTargets: cfg.dr.targets } : {}),
        // Only while failing over: dr-targets does not judge the failover (the committed files of a standing-by stack leave it out).
        ...(cfg.dr.failover ? { drFailover: true } : {}),
        // signedRegistries (with the stack's ECR prefix) and cosignKmsKeys (the stack's signing key) when signing is on.
        ...supplyChainPackEntries(cfg),
        verificationMode: cfg.supplyChain.verificationMode,
        cosignPublicKeys: cfg.supplyChain.cosignPublicKeys,
        admission: cfg.supplyChain.admission,
        // Registry budgets the stack sets (unset ones keep the schema defaults and stay out of the file).
        ...Object.fromEntries(Object.entries(REGISTRY_LIMIT_KEYS).flatMap(([k, prop]) => {
            const v = cfg.supplyChain.registryLimits[k as keyof typeof REGISTRY_LIMIT_KEYS];
            return v === undefined ? [] : [[prop, v]];
        })),
    };
}

/** The engine-format config document of a stack: `{ "<policy>": { <the properties it reads> } }`. */
export function packConfigDocument(cfg: PlatformConfig): Record<string, Record<string, unknown>> {
    const values = stackValues(cfg) as Record<string, unknown>;
    const doc: Record<string, Record<string, unknown>> = {};
    for (const p of ALL_POLICIES) {
        const own = Object.fromEntries(p.config.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]));
        if (Object.keys(own).length > 0) doc[p.name] = own;
    }
    return doc;
}

/** The text of policies/config/<stack>.json. */
export function packConfigText(cfg: PlatformConfig): string {
    return JSON.stringify(packConfigDocument(cfg), null, 2) + "\n";
}

/** Every policy's effective config for a stack (what the engine gives each policy). */
export function packConfigFromPlatform(cfg: PlatformConfig): PolicyConfigs {
    return loadPackConfig(packConfigDocument(cfg));
}

export const packConfigFile = (stack: string, root = REPO_ROOT) => path.join(root, "policies", "config", `${stack}.json`);

/**
 * Policies that judge the platform stack's own design, not what a service stack deploys on it:
 * `dr-targets` (the stack's recovery design meets platform:dr.targets) and `admission-sbom-rule`
 * (the stack's admission controller verifies every signed registry). A service stack on the platform
 * (examples/service) holds neither; its pack config is the platform stack's with these two disabled.
 */
export const PLATFORM_STACK_POLICIES = ["dr-targets", "admission-sbom-rule"] as const;

/** `--policy-pack-config` of a service stack on platform stack `stack`: policies/config/service/<stack>.json. */
export const servicePackConfigFile = (stack: string, root = REPO_ROOT) => path.join(root, "policies", "config", "service", `${stack}.json`);

/** The text of policies/config/service/<stack>.json: the platform stack's config, its own-design policies disabled. */
export function servicePackConfigText(cfg: PlatformConfig): string {
    const doc: Record<string, Record<string, unknown>> = packConfigDocument(cfg);
    for (const p of PLATFORM_STACK_POLICIES) doc[p] = { enforcementLevel: "disabled" };
    return JSON.stringify(doc, null, 2) + "\n";
}

/** Reads a `--policy-pack-config` file; a missing file, bad JSON or invalid config is a PolicyConfigError naming the file. */
export function readPackConfigFile(file: string): PolicyConfigs {
    let doc: unknown;
    try {
        const text = fs.readFileSync(file, "utf8");
        doc = JSON.parse(text);
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new PolicyConfigError(`${file}: cannot read the policy config: ${err.code === "ENOENT" ? "no such file" : err.message.split("\n")[0]}`);
    }
    // As the engine reads it: an empty file or `null` is a mistake, not a request for the defaults (`{}` is).
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new PolicyConfigError(`${file}: the policy config must be a JSON object of policy names (\`{}\` for every default), not ${doc === null ? "null" : Array.isArray(doc) ? "a list" : typeof doc}`);
    try {
        return loadPackConfig(doc);
    } catch (e) {
        if (e instanceof PolicyConfigError) throw new PolicyConfigError(`${file}: ${e.message}`);
        throw e;
    }
}
