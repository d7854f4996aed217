/**
 * ImageVerification: admission control in the cluster, for what bypasses Pulumi (kubectl, other
 * pipelines). Kyverno (chosen over Sigstore policy-controller: one engine also runs the platform's
 * other admission rules and reports, it verifies cosign signatures and in-toto attestations with
 * static keys offline from Rekor, and rewrites tags to the verified digest) installed from its
 * pinned chart, HA in prod, with a ClusterPolicy requiring, for images from the signed registries,
 * a cosign signature by the configured key and an SBOM attestation (CycloneDX or SPDX) by the same
 * key; system namespaces excluded by an explicit list; fail closed when enforcing (tags rewritten
 * to the verified digest), audit otherwise (reports only: Kyverno refuses mutateDigest in audit).
 * Plus a native ValidatingAdmissionPolicy requiring requests/limits in application namespaces.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, helmRelease, resources } from "../shared/helm";
import { GuardedNamespace } from "./namespace";
import { KYVERNO_VERIFY_TYPE, SIGNER_REPOSITORY_ANNOTATION } from "../supply-chain/cosign";

export const KYVERNO_NAMESPACE = "kyverno";
/** The admission controller's service account (set explicitly: Pod Identity grants it registry access for signatures in private ECR). */
export const KYVERNO_ADMISSION_SA = "kyverno-admission-controller";
/** Namespaces the image rule never applies to. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", KYVERNO_NAMESPACE];
/** Label that marks application namespaces for the requests/limits admission policy. */
export const APP_NAMESPACE_LABEL = { key: "platform.io/tier", value: "applications" } as const;
/** In-toto predicate type of each SBOM format. */
export const SBOM_PREDICATE_TYPES = { cyclonedx: "https://cyclonedx.org/bom", spdx: "https://spdx.dev/Document" } as const;

export interface ImageVerificationArgs {
    /** Registry or registry/repository prefixes whose images must be signed and attested (the stack's ECR prefix is an Output). */
    signedRegistries: pulumi.Input<string>[];
    /** Cosign ECDSA P-256 public keys (PEM); the stack's KMS signing key arrives as an Output. */
    cosignPublicKeys: pulumi.Input<string>[];
    /** `enforce`: deny (fail closed); `audit`: admit and report. */
    mode: "enforce" | "audit";
    /**
     * SBOM format the attestation must have. Kyverno requires every listed attestation, so "CycloneDX
     * or SPDX" cannot be one rule; the platform picks one format for its builds. Defaults to cyclonedx.
     */
    sbomFormat?: keyof typeof SBOM_PREDICATE_TYPES;
    /** Kyverno admission controller replicas (3 for HA). Defaults to 3. */
    replicas?: number;
    /**
     * Upstream publishers whose images must carry their keyless cosign signature (issuer and
     * subject from the publisher's documentation). Defaults to [].
     */
    publishers?: readonly PublisherIdentity[];
    /** The Prometheus release, for Kyverno's ServiceMonitors. */
    monitoringCrds?: pulumi.Resource;
    /**
     * Repositories whose signatures must also name the GitHub repository that built them (the
     * `platform.io/github-repository` annotation build-sign.yml writes). Defaults to [].
     */
    signerBindings?: SignerBinding[];
}

/** An image repository (`<registry>/<path>`, no tag), the GitHub repository (owner/name) whose build-sign.yml runs alone may sign it, and the only key that signs it. */
export interface SignerBinding {
    repository: pulumi.Input<string>;
    signer: string;
    /** The PEM public key signatures and SBOM attestations of this repository must verify with (the stack's KMS key). */
    publicKey: pulumi.Input<string>;
}

const wildcard = (prefix: string) => `${prefix.replace(/\/+$/, "")}/*`;

export interface PublisherIdentity {
    name: string;
    /** Kyverno image reference patterns (`*` wildcards). */
    imageReferences: readonly string[];
    /** OIDC issuer of the signing certificate. */
    issuer: string;
    /** Exact certificate subject, or a regular expression over it. */
    subject?: string;
    subjectRegExp?: string;
}

/** The ClusterPolicy spec verifying upstream images with their publishers' keyless identities (Rekor-checked). */
export function publisherPolicySpec(publishers: readonly PublisherIdentity[], mode: "enforce" | "audit"): Record<string, unknown> {
    const enforce = mode === "enforce";
    return {
        background: false,
        failurePolicy: enforce ? "Fail" : "Ignore",
        webhookTimeoutSeconds: 30,
        rules: [{
            name: "upstream-publisher-signatures",
            match: { any: [{ resources: { kinds: ["Pod"] } }] },
            exclude: { any: [{ resources: { namespaces: SYSTEM_NAMESPACES } }] },
            verifyImages: publishers.map((p) => ({
                imageReferences: [...p.imageReferences],
                failureAction: enforce ? "Enforce" : "Audit",
                // Platform images are pinned from images.lock.json; the rule verifies, it does not rewrite.
                mutateDigest: false,
                verifyDigest: false,
                required: true,
                attestors: [{ count: 1, entries: [{ keyless: { issuer: p.issuer, ...(p.subject ? { subject: p.subject } : { subjectRegExp: p.subjectRegExp }), rekor: { url: "https://rekor.sigstore.dev" } } }] }],
            })),
        }],
    };
}

/** The Kyverno ClusterPolicy spec (exported for tests and the policy pack's expectations). */
export function imagePolicySpec(args: Pick<ImageVerificationArgs, "signedRegistries" | "cosignPublicKeys" | "mode" | "sbomFormat" | "signerBindings">): Record<string, unknown> {
    const enforce = args.mode === "enforce";
    // Static keys, verified offline: no Rekor transparency log or CT log lookup at admission time.
    const entry = (publicKeys: pulumi.Input<string>, annotations?: Record<string, string>) => ({ keys: { publicKeys, signatureAlgorithm: "sha256", rekor: { ignoreTlog: true }, ctlog: { ignoreSCT: true } }, ...(annotations ? { annotations } : {}) });
    const attestors = [{ count: 1, entries: args.cosignPublicKeys.map((k) => entry(k)) }];
    const common = {
        // The layout build-sign.yml writes (components/supply-chain/cosign.ts): legacy .sig/.att tags.
        type: KYVERNO_VERIFY_TYPE,
        failureAction: enforce ? "Enforce" : "Audit",
        // Kyverno refuses mutateDigest with an Audit failure action (and defaults it to true): audit only reports.
        mutateDigest: enforce,
        verifyDigest: true,
        required: true,
    };
    // Each bound repository, checked besides the rule above: its own key only (not every configured key), and a
    // signature carrying the annotation that names its GitHub repository.
    const bound = (args.signerBindings ?? []).map((b) => ({
        ...common,
        imageReferences: [":*", "@*"].map((suffix) => pulumi.output(b.repository).apply((r) => `${r.replace(/\/+$/, "")}${suffix}`)),
        attestors: [{ count: 1, entries: [entry(b.publicKey, { [SIGNER_REPOSITORY_ANNOTATION]: b.signer })] }],
        attestations: [{ predicateType: SBOM_PREDICATE_TYPES[args.sbomFormat ?? "cyclonedx"], attestors: [{ count: 1, entries: [entry(b.publicKey)] }] }],
    }));
    return {
        background: false,
        failurePolicy: enforce ? "Fail" : "Ignore",
        webhookTimeoutSeconds: 30,
        rules: [{
            name: "signed-and-sbom-attested",
            match: { any: [{ resources: { kinds: ["Pod"] } }] },
            exclude: { any: [{ resources: { namespaces: SYSTEM_NAMESPACES } }] },
            verifyImages: [{
                ...common,
                imageReferences: args.signedRegistries.map((r) => (typeof r === "string" ? wildcard(r) : pulumi.output(r).apply(wildcard))),
                attestors,
                attestations: [{ predicateType: SBOM_PREDICATE_TYPES[args.sbomFormat ?? "cyclonedx"], attestors }],
            }, ...bound],
        }],
    };
}

export class ImageVerification extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ImageVerificationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:security:ImageVerification", name, {}, opts);
        const replicas = args.replicas ?? 3;
        const ns = new GuardedNamespace(`${name}-ns`, {
            name: KYVERNO_NAMESPACE,
            // Room for a rolling update of every controller plus the chart's hook jobs (LimitRange defaults apply to those).
            quota: { requestsCpu: "4", requestsMemory: "6Gi", limitsCpu: "12", limitsMemory: "12Gi", persistentVolumeClaims: 0, requestsStorage: "0" },
            maxContainer: { cpu: "2", memory: "2Gi" },
        }, { parent: this }).ref;
        const small = resources("50m", "64Mi", "500m", "256Mi");
        const monitored = args.monitoringCrds !== undefined;
        const values = {
            crds: { install: true },
            admissionController: {
                replicas,
                rbac: { serviceAccount: { name: KYVERNO_ADMISSION_SA } },
                podDisruptionBudget: { enabled: replicas > 1 },
                container: { resources: resources("100m", "256Mi", "1", "768Mi") },
                initContainer: { resources: resources("10m", "64Mi", "100m", "256Mi") },
                serviceMonitor: { enabled: monitored },
            },
            backgroundController: { replicas: Math.min(replicas, 2), resources: small, serviceMonitor: { enabled: monitored } },
            cleanupController: { replicas: Math.min(replicas, 2), resources: small, serviceMonitor: { enabled: monitored } },
            reportsController: { replicas: Math.min(replicas, 2), resources: small, serviceMonitor: { enabled: monitored } },
            webhooksCleanup: { resources: resources("10m", "64Mi", "100m", "256Mi") },
        };
        this.release = helmRelease("kyverno", CHARTS.kyverno, ns.ready, values, { parent: this, dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] });
        if (args.signedRegistries.length > 0) {
            new k8s.apiextensions.CustomResource(`${name}-image-policy`, {
                apiVersion: "kyverno.io/v1",
                kind: "ClusterPolicy",
                metadata: { name: "require-signed-images-with-sbom", annotations: { "policies.kyverno.io/category": "Software Supply Chain Security" } },
                spec: imagePolicySpec(args),
            }, { parent: this, dependsOn: [this.release] });
        }
        if ((args.publishers ?? []).length > 0) {
            new k8s.apiextensions.CustomResource(`${name}-publisher-policy`, {
                apiVersion: "kyverno.io/v1",
                kind: "ClusterPolicy",
                metadata: { name: "verify-upstream-publisher-signatures", annotations: { "policies.kyverno.io/category": "Software Supply Chain Security" } },
                spec: publisherPolicySpec(args.publishers!, args.mode),
            }, { parent: this, dependsOn: [this.release] });
        }
        const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-requests-limits`, {
            metadata: { name: "require-requests-and-limits" },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }],
                    namespaceSelector: { matchLabels: { [APP_NAMESPACE_LABEL.key]: APP_NAMESPACE_LABEL.value } },
                },
                variables: [{
                    name: "complete",
                    expression: "object.spec.containers + (has(object.spec.initContainers) ? object.spec.initContainers : [])",
                }],
                validations: [{
                    expression: "variables.complete.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits))",
                    message: "every container and init container must set cpu and memory requests and limits",
                    reason: "Invalid",
                }],
            },
        }, { parent: this });
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-requests-limits-binding`, {
            metadata: { name: "require-requests-and-limits" },
            spec: { policyName: "require-requests-and-limits", validationActions: args.mode === "enforce" ? ["Deny"] : ["Warn", "Audit"] },
        }, { parent: this, dependsOn: [vap] });
        this.registerOutputs({});
    }
}
