/**
 * admission-sbom-rule: whatever the verification mode, the stack must install the cluster-side rule
 * that demands signatures and SBOM attestations at admission (defence in depth for what bypasses
 * Pulumi): a Kyverno ClusterPolicy whose verifyImages cover every signed registry with key
 * attestors, an SBOM attestation (CycloneDX or SPDX), and Enforce when admission is enforced.
 */
import type { PolicyResource, StackPolicy } from "../lib/types";
import { isSbomPredicate } from "./cosign";

const hasKeyAttestor = (attestors: any[] | undefined) =>
    (attestors ?? []).some((a) => (a?.entries ?? []).some((e: any) => typeof e?.keys?.publicKeys === "string" && e.keys.publicKeys.includes("BEGIN PUBLIC KEY")));

export const admissionSbomRule: StackPolicy = {
    name: "admission-sbom-rule",
    description: "Checks that the stack installs an admission rule (Kyverno ClusterPolicy verifyImages) requiring, for every signed registry, a cosign signature by a configured key and an SBOM attestation (CycloneDX or SPDX), enforced when admission is enforce.",
    enforcementLevel: "mandatory",
    config: ["signedRegistries", "admission"],
    validateStack(resources, cfg) {
        if (cfg.signedRegistries.length === 0) return [];
        const rules = resources
            .filter((r) => r.type === "kubernetes:kyverno.io/v1:ClusterPolicy")
            .flatMap((p: PolicyResource) => (p.props.spec?.rules ?? []).flatMap((rule: any) => (rule.verifyImages ?? []).map((vi: any) => ({ vi, failurePolicy: p.props.spec?.failurePolicy }))));
        const out: { message: string }[] = [];
        for (const registry of cfg.signedRegistries) {
            const prefix = `${registry.replace(/\/+$/, "")}/*`;
            const covering = rules.filter(({ vi }) => (vi.imageReferences ?? []).some((ref: string) => ref === prefix || (ref.endsWith("/*") && prefix.startsWith(ref.slice(0, -1)))));
            if (covering.length === 0) {
                out.push({ message: `No admission rule verifies images from ${registry}: add a Kyverno ClusterPolicy verifyImages with imageReferences ${prefix} (components/security/image-verification.ts).` });
                continue;
            }
            const ok = covering.some(({ vi, failurePolicy }) =>
                hasKeyAttestor(vi.attestors) &&
                (vi.attestations ?? []).some((a: any) => isSbomPredicate(a?.predicateType ?? a?.type) && hasKeyAttestor(a.attestors)) &&
                (cfg.admission !== "enforce" || (vi.failureAction === "Enforce" && failurePolicy !== "Ignore")));
            if (!ok) out.push({ message: `The admission rule for ${registry} must require a signature by a configured key and a signed SBOM attestation (CycloneDX or SPDX)${cfg.admission === "enforce" ? ", with failureAction Enforce and failurePolicy Fail" : ""}.` });
        }
        return out;
    },
};
