/**
 * The policy model shared by CrossGuard (index.ts) and the offline evaluator (evaluate.ts):
 * each policy is a pure function over resources, so the same code judges `pulumi preview`,
 * the offline plan and `npm run policy -- check`.
 */
/** A resource as policies see it: type token, logical name and resolved input properties. */
export interface PolicyResource {
    /** Stable id for messages: the URN under CrossGuard, `type::name` offline. */
    urn: string;
    type: string;
    name: string;
    props: Record<string, any>;
    /** Pulumi `protect` option, where known. */
    protect?: boolean;
    /** True when the resource comes from a whole stack (engine, plan snapshot, stack export), not a loose manifest. */
    fromStack?: boolean;
    /** AWS region of the resource's provider, where known (the engine's provider inputs; the offline plan's providers). */
    region?: string;
    /**
     * Which whole-stack input it belongs to (`<file>` of a stack export or plan snapshot): stack
     * policies judge each such stack on its own. Unset for the engine and the offline plan (one stack).
     */
    stack?: string;
    /** The provider's id of the resource, where the input records it (a stack export). */
    id?: string;
    /** URN (key offline) of the parent resource, where known. */
    parent?: string;
    /** URNs of the resources it depends on (explicit and through its properties), where known. */
    dependencies?: string[];
    /**
     * Per top-level property, the URNs of the resources its value came from (the engine's
     * propertyDependencies): what ties a bucket setting to its bucket while the bucket's id is unknown.
     */
    propertyDependencies?: Record<string, string[]>;
    /**
     * A stack export holds a resource's inputs and its live outputs; both are judged, as two
     * PolicyResources with the same URN. Unset: the only view (inputs).
     */
    view?: "inputs" | "outputs";
}

/**
 * A finding of a stack policy. `undecided` lists unknown values it depends on (reported advisory
 * during preview); a finding with an empty message and `undecided` means "cannot decide".
 */
/**
 * What a check found: a message, or a message with the unknown values it depends on that the check
 * handled itself (`undecided`); an empty message with `undecided` means the check could not decide.
 */
export type Verdict = string | { message: string; undecided: string[] };

export interface StackFinding {
    resource?: PolicyResource;
    message: string;
    undecided?: string[];
}

export type EnforcementLevel = "mandatory" | "advisory" | "disabled";

const RECOVERY_TARGET = {
    type: "object",
    properties: { rpoMinutes: { type: "number", minimum: 0 }, rtoMinutes: { type: "number", minimum: 0 } },
    required: ["rpoMinutes", "rtoMinutes"],
    additionalProperties: false,
} as const;

/**
 * Every configuration property a policy of the pack can read, as JSON Schema (the form the Pulumi
 * CLI validates `--policy-pack-config` with). Each policy lists the ones it reads (`config`), and
 * its `configSchema` carries exactly those; a property with a `default` is filled in by the engine
 * (and by the offline evaluator) when the policy's entry leaves it out.
 */
export const CONFIG_PROPERTIES = {
    /** dev, staging or prod: prod-only rules (deletion protection, Multi-AZ, vault lock, protect) apply in prod. */
    environment: { type: "string", enum: ["dev", "staging", "prod"], default: "prod", description: "Environment the stack serves; prod-only rules apply in prod." },
    /** Minimum RDS backup retention in days. */
    minBackupRetentionDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Minimum RDS automated backup retention in days." },
    /** The managed policy every IAM role must carry as its permissions boundary (platform:ci.permissionsBoundaryName); "" = not checked. */
    permissionsBoundaryName: { type: "string", pattern: "^[\\w+=,.@-]{0,128}$", default: "", description: "Name of the managed policy every IAM role must carry as its permissions boundary (platform:ci.permissionsBoundaryName); empty: not checked." },
    /** The IAM path every IAM role must be under (platform:ci.rolePath), checked with the boundary. */
    rolePath: { type: "string", pattern: "^/(?:[\\w+=,.@-]+/)*$", default: "/", description: "IAM path every IAM role must be under (platform:ci.rolePath); checked only with permissionsBoundaryName." },
    /** Roles kept from before the permissions boundary (platform:eks.preBoundaryCluster): logical names exempt from the boundary and path rule. */
    preBoundaryRoles: { type: "array", items: { type: "string", pattern: "^[\\w.-]+$" }, default: [], description: "Logical names of IAM roles an earlier release created without the permissions boundary and that are kept as they are, because replacing them replaces the EKS cluster (platform:eks.preBoundaryCluster); exempt from the boundary and path rule." },
    /** Kubernetes minor versions in EKS standard support. */
    supportedEksVersions: { type: "array", items: { type: "string", pattern: "^1\\.\\d+$" }, default: ["1.34", "1.35", "1.36"], description: "Kubernetes minor versions in EKS standard support." },
    /**
     * Registry or registry/repository prefixes images may come from (whole path segments); reg.kyverno.io
     * is where the Kyverno chart pulls its images. The default of platform:supplyChain.allowedRegistries too.
     */
    allowedRegistries: { type: "array", items: { type: "string", minLength: 1 }, default: ["public.ecr.aws", "registry.k8s.io", "quay.io", "ghcr.io", "docker.io", "reg.kyverno.io"], description: "Registry (or registry/repository) prefixes images may come from." },
    /** Largest CPU limit per container, in cores. */
    maxCpuCores: { type: "number", exclusiveMinimum: 0, default: 8, description: "Largest CPU limit per container, in cores." },
    /** Largest memory limit per container, in GiB. */
    maxMemoryGiB: { type: "number", exclusiveMinimum: 0, default: 32, description: "Largest memory limit per container, in GiB." },
    /** Recovery targets per data store (minutes); absent means no DR requirement. */
    drTargets: {
        type: "object",
        properties: { database: RECOVERY_TARGET, clusterState: RECOVERY_TARGET, objectStorage: RECOVERY_TARGET },
        additionalProperties: false,
        description: "RPO/RTO targets in minutes per data store after a region outage; absent means no DR requirement.",
    },
    /** The stack is failing over (platform:dr.failover): the DR targets are not judged while the DR region serves. */
    drFailover: { type: "boolean", default: false, description: "True while the stack fails over to its DR region (platform:dr.failover); dr-targets does not judge a failover." },
    /** Registry prefixes whose images must be signed and SBOM-attested. */
    signedRegistries: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "Registry prefixes whose images must carry a cosign signature and an SBOM attestation." },
    /** `registry`: verify signatures and attestations in the images' registries; `offline`: digest and registry rules only. */
    verificationMode: { type: "string", enum: ["offline", "registry"], default: "offline", description: "registry: verify signatures and SBOM attestations in the registries; offline: no registry lookups." },
    /** Cosign ECDSA P-256 public keys (PEM). */
    cosignPublicKeys: { type: "array", items: { type: "string", pattern: "BEGIN PUBLIC KEY" }, default: [], description: "Cosign public keys (PEM) signatures and attestations must verify with." },
    /** Cosign keys in AWS KMS (`awskms:///<key or alias ARN>`); their public keys come from KMS GetPublicKey with the environment's AWS credentials. */
    cosignKmsKeys: { type: "array", items: { type: "string", pattern: "^awskms://[^/]*/.+$" }, default: [], description: "Cosign keys in AWS KMS (awskms:///<key ARN or key id>; aliases are refused) signatures and attestations must verify with; read with KMS GetPublicKey and the environment's AWS credentials." },
    /** Per image repository, the annotations its cosign signature must carry (the signer repository build-sign.yml writes). */
    signerAnnotations: {
        type: "array",
        items: {
            type: "object",
            properties: {
                repository: { type: "string", minLength: 1 },
                annotations: { type: "object", additionalProperties: { type: "string" } },
                cosignKmsKeys: { type: "array", items: { type: "string", pattern: "^awskms://[^/]*/.+$" } },
            },
            required: ["repository", "annotations"],
            additionalProperties: false,
        },
        default: [],
        description: "Per image repository (<registry>/<path>, exact), the annotations its cosign signature must carry (e.g. the GitHub repository that built it) and, when cosignKmsKeys is given, the only keys (KMS key ARNs) it may be signed with.",
    },
    /** Registry hosts reached over plain HTTP (a local registry in tests). */
    insecureRegistries: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "Registry hosts reached over plain HTTP (local test registries only)." },
    /** Timeout of each registry request, in seconds. */
    registryTimeoutSeconds: { type: "number", exclusiveMinimum: 0, maximum: 120, default: 10, description: "Timeout of each registry request, in seconds." },
    /** Total time to verify one image (every request for it); past it the image fails closed. */
    registryImageBudgetSeconds: { type: "number", exclusiveMinimum: 0, maximum: 600, default: 60, description: "Total time to verify one image in its registry, in seconds; past it the image fails closed." },
    /** Total time of every registry lookup of one run (process); past it every image not verified yet fails closed. */
    registryRunBudgetSeconds: { type: "number", exclusiveMinimum: 0, maximum: 3600, default: 300, description: "Total time of all registry lookups of one run, in seconds; past it every image not verified yet fails closed." },
    /** Largest manifest or referrers page read; registries themselves refuse manifests over 4 MiB. */
    registryMaxManifestMiB: { type: "integer", minimum: 1, maximum: 4, default: 4, description: "Largest manifest or referrers page read, in MiB (registries accept at most 4)." },
    /** Largest signature, attestation or bundle blob read. */
    registryMaxBlobMiB: { type: "integer", minimum: 1, maximum: 256, default: 32, description: "Largest signature, attestation or bundle blob read, in MiB." },
    /** Most Sigstore bundle referrers (and referrers pages) read per image. */
    registryMaxReferrers: { type: "integer", minimum: 1, maximum: 256, default: 32, description: "Most Sigstore bundle referrers, and referrers API pages, read per image." },
    /** In-cluster admission mode the stack must install. */
    admission: { type: "string", enum: ["enforce", "audit"], default: "enforce", description: "Admission mode the stack's in-cluster rule must use." },
    /** Namespaces where node agents may use host namespaces and hostPath. */
    systemNamespaces: { type: "array", items: { type: "string", minLength: 1 }, default: ["kube-system", "observability-agents"], description: "Namespaces whose node agents may use host namespaces and hostPath." },
} as const;

export type ConfigKey = keyof typeof CONFIG_PROPERTIES;

interface RecoveryTarget { rpoMinutes: number; rtoMinutes: number }

/** The properties policies read, with their defaults applied (drTargets has none). */
export interface PackConfig {
    environment: "dev" | "staging" | "prod";
    minBackupRetentionDays: number;
    supportedEksVersions: string[];
    permissionsBoundaryName: string;
    rolePath: string;
    preBoundaryRoles: string[];
    allowedRegistries: string[];
    maxCpuCores: number;
    maxMemoryGiB: number;
    drTargets?: { database?: RecoveryTarget; clusterState?: RecoveryTarget; objectStorage?: RecoveryTarget };
    drFailover: boolean;
    signedRegistries: string[];
    verificationMode: "offline" | "registry";
    cosignPublicKeys: string[];
    cosignKmsKeys: string[];
    signerAnnotations: { repository: string; annotations: Record<string, string>; cosignKmsKeys?: string[] }[];
    insecureRegistries: string[];
    registryTimeoutSeconds: number;
    registryImageBudgetSeconds: number;
    registryRunBudgetSeconds: number;
    registryMaxManifestMiB: number;
    registryMaxBlobMiB: number;
    registryMaxReferrers: number;
    admission: "enforce" | "audit";
    systemNamespaces: string[];
}

export interface Violation {
    resource: string;
    type: string;
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** Set when the verdict depends on values unknown until the update (preview): reported advisory, decided at `pulumi up`. */
    undecided?: string[];
    /** Set when the finding is about a stack export's live outputs (and not also about its inputs). */
    view?: "outputs";
}

export interface ResourcePolicy {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** The config properties this policy reads (its configSchema); reading any other is an error. */
    config: ConfigKey[];
    /** Type tokens this policy looks at (when it has no appliesTo); every message returned is a violation. */
    resourceTypes: string[];
    /** The resource filter, when exact tokens cannot express it (every kind carrying a pod spec); index.ts and evaluate.ts both use it. */
    appliesTo?(type: string, props: Record<string, any>): boolean;
    /** May be async (registry lookups); the offline evaluator's async variant awaits it. */
    validate(r: PolicyResource, cfg: PackConfig): Verdict[] | Promise<Verdict[]>;
}

export interface StackPolicy {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** The config properties this policy reads (its configSchema); reading any other is an error. */
    config: ConfigKey[];
    /** True when it judges references within whatever input it gets, so it runs on loose manifests too (not only whole stacks). */
    withinInput?: boolean;
    validateStack(resources: PolicyResource[], cfg: PackConfig): StackFinding[];
}

export type Policy = ResourcePolicy | StackPolicy;

export function isStackPolicy(p: Policy): p is StackPolicy {
    return "validateStack" in p;
}
