/**
 * The policy model shared by CrossGuard (index.ts) and the offline evaluator (evaluate.ts):
 * each policy is a pure function over resources, so the same code judges `pulumi preview`,
 * the offline plan and `npm run policy -- check`.
 */
import { z } from "zod";

/** A resource as policies see it: type token, logical name and resolved input properties. */
export interface PolicyResource {
    /** Stable id for messages: the URN under CrossGuard, `type::name` offline. */
    urn: string;
    type: string;
    name: string;
    props: Record<string, any>;
    /** Pulumi `protect` option, where known. */
    protect?: boolean;
}

export type EnforcementLevel = "mandatory" | "advisory" | "disabled";

export const packConfigSchema = z.strictObject({
    /** dev, staging or prod: prod-only rules (deletion protection, Multi-AZ, vault lock) apply in prod. */
    environment: z.enum(["dev", "staging", "prod"]).default("prod"),
    /** Minimum RDS backup retention in days. Defaults to 7. */
    minBackupRetentionDays: z.number().int().min(1).max(35).default(7),
    /** Kubernetes minor versions in EKS standard support. */
    supportedEksVersions: z.array(z.string().regex(/^1\.\d+$/)).default(["1.34", "1.35", "1.36"]),
    /** Registry or registry/repository prefixes images may come from (whole path segments). */
    allowedRegistries: z.array(z.string().min(1)).default(["public.ecr.aws", "registry.k8s.io", "quay.io", "ghcr.io", "docker.io"]),
    /** Largest CPU limit per container, in cores. Defaults to 8. */
    maxCpuCores: z.number().positive().default(8),
    /** Largest memory limit per container, in GiB. Defaults to 32. */
    maxMemoryGiB: z.number().positive().default(32),
    /** Recovery targets per data store (minutes) that the dr-targets policy enforces; absent means no DR requirement. */
    drTargets: z
        .strictObject({
            database: z.strictObject({ rpoMinutes: z.number().min(0), rtoMinutes: z.number().min(0) }).optional(),
            clusterState: z.strictObject({ rpoMinutes: z.number().min(0), rtoMinutes: z.number().min(0) }).optional(),
            objectStorage: z.strictObject({ rpoMinutes: z.number().min(0), rtoMinutes: z.number().min(0) }).optional(),
        })
        .optional(),
    /** Registry prefixes whose images must be signed and SBOM-attested (admission-sbom-rule). */
    signedRegistries: z.array(z.string().min(1)).default([]),
    /** `registry`: verify cosign signatures and SBOM attestations in the images' registries; `offline`: digest and registry rules only. */
    verificationMode: z.enum(["offline", "registry"]).default("offline"),
    /** Cosign ECDSA P-256 public keys (PEM) signatures and attestations must verify with. */
    cosignPublicKeys: z.array(z.string().includes("BEGIN PUBLIC KEY")).default([]),
    /** Cosign keys in AWS KMS (`awskms:///<key or alias ARN>`) whose public keys (KMS GetPublicKey, with the environment's AWS credentials) also verify signatures and attestations. */
    cosignKmsKeys: z.array(z.string().regex(/^awskms:\/\/[^/]*\/.+$/, "must be a cosign AWS KMS reference such as awskms:///arn:aws:kms:<region>:<account>:alias/<name>")).default([]),
    /** Registry hosts reached over plain HTTP (a local registry in tests); every other one over HTTPS. */
    insecureRegistries: z.array(z.string().min(1)).default([]),
    /** Timeout of each registry request. Defaults to 10 s. */
    registryTimeoutSeconds: z.number().positive().max(120).default(10),
    /** In-cluster admission mode the stack must install. */
    admission: z.enum(["enforce", "audit"]).default("enforce"),
    /** Namespaces where node agents may use host namespaces and hostPath (workload-hygiene). */
    systemNamespaces: z.array(z.string().min(1)).default(["kube-system", "observability-agents"]),
    /** Per-policy enforcement overrides, e.g. { "workload-hygiene": "mandatory" }. */
    enforcement: z.record(z.string(), z.enum(["mandatory", "advisory", "disabled"])).default({}),
});
export type PackConfig = z.infer<typeof packConfigSchema>;

export interface Violation {
    resource: string;
    type: string;
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
}

export interface ResourcePolicy {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Type tokens this policy looks at; every message returned is a violation. */
    resourceTypes: string[];
    /** May be async (registry lookups); the offline evaluator's async variant awaits it. */
    validate(r: PolicyResource, cfg: PackConfig): string[] | Promise<string[]>;
}

export interface StackPolicy {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    validateStack(resources: PolicyResource[], cfg: PackConfig): { resource?: PolicyResource; message: string }[];
}

export type Policy = ResourcePolicy | StackPolicy;

export function isStackPolicy(p: Policy): p is StackPolicy {
    return "validateStack" in p;
}
