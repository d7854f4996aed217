/**
 * admission-sbom-rule: whatever the verification mode, the stack must install the cluster-side rule
 * that demands signatures and SBOM attestations at admission (defence in depth for what bypasses
 * Pulumi): a Kyverno ClusterPolicy whose verifyImages cover every signed registry with key
 * attestors, an SBOM attestation (CycloneDX or SPDX), and Enforce when admission is enforced.
 */
import type { PolicyResource, StackPolicy } from "../lib/types";
import { isSbomPredicate } from "./cosign";

/**
 * True when a Kyverno wildcard pattern (`*` any run, `?` one character) matches some image whose
 * reference starts with `prefix`: the pattern's characters before its first `*` must fit the
 * prefix one by one (`?` fits any); once a `*` is reached it can take the rest of the prefix, and
 * whatever remains of a pattern matches some suffix. A pattern that ends inside the prefix fits
 * nothing longer.
 */
export function patternReachesPrefix(pattern: string, prefix: string): boolean {
    for (let i = 0; i < prefix.length; i++) {
        if (pattern[i] === "*") return true;
        // Past the pattern's end pattern[i] is undefined, which fits no character.
        if (pattern[i] !== "?" && pattern[i] !== prefix[i]) return false;
    }
    return true;
}

/** A list field of a ClusterPolicy as written; anything else (missing, malformed) is no list. */
// Stryker disable next-line ArrayDeclaration: its callers read properties of each element, and a string element has none, like an empty list.
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

const hasKeyAttestor = (attestors: unknown) =>
    list(attestors).some((a) => list(a?.entries).some((e: any) => typeof e?.keys?.publicKeys === "string" && e.keys.publicKeys.includes("BEGIN PUBLIC KEY")));

export const admissionSbomRule: StackPolicy = {
    name: "admission-sbom-rule",
    description: "Checks that the stack installs an admission rule (Kyverno ClusterPolicy verifyImages) requiring, for every signed registry, a cosign signature by a configured key and an SBOM attestation (CycloneDX or SPDX), enforced when admission is enforce; an entry whose skipImageReferences match any image of the registry does not count.",
    enforcementLevel: "mandatory",
    config: ["signedRegistries", "admission"],
    validateStack(resources, cfg) {
        if (cfg.signedRegistries.length === 0) return [];
        const policies = resources.filter((r) => r.type === "kubernetes:kyverno.io/v1:ClusterPolicy");
        // Unknown rules (a preview) make this throw: the evaluator reports the check as undecided.
        // Stryker disable next-line ArrayDeclaration: a string element has no verifyImages (read as none), like an empty list.
        const rules = policies.flatMap((p: PolicyResource) => (p.props.spec?.rules ?? []).flatMap((rule: any) => (rule.verifyImages ?? []).map((vi: any) => ({ vi, failurePolicy: p.props.spec.failurePolicy }))));
        const out: { message: string }[] = [];
        for (const registry of cfg.signedRegistries) {
            const prefix = `${registry.replace(/\/+$/, "")}/*`;
            const refs = (vi: any, key: string): string[] => list(vi?.[key]).filter((x: unknown) => typeof x === "string");
            const covers = ({ vi }: { vi: any }) => refs(vi, "imageReferences").some((ref: string) => ref.endsWith("/*") && prefix.startsWith(ref.slice(0, -1)));
            // A verifyImages entry that skips any image of the registry does not verify the registry.
            const skipping = rules.filter(covers).flatMap(({ vi }) => refs(vi, "skipImageReferences").filter((skip) => patternReachesPrefix(skip, prefix.slice(0, -1))));
            const covering = rules.filter((x) => covers(x) && !refs(x.vi, "skipImageReferences").some((skip) => patternReachesPrefix(skip, prefix.slice(0, -1))));
            if (covering.length === 0 && skipping.length > 0) {
                out.push({ message: `The admission rule for ${registry} skips images of that registry (skipImageReferences ${skipping.map((x) => JSON.stringify(x)).join(", ")}): they would run unverified; remove them.` });
                continue;
            }
            if (covering.length === 0) {
                out.push({ message: `No admission rule verifies images from ${registry}: add a Kyverno ClusterPolicy verifyImages with imageReferences ${prefix} (components/security/image-verification.ts).` });
                continue;
            }
            const ok = covering.some(({ vi, failurePolicy }) =>
                // A covering entry is an object (its imageReferences were read).
                hasKeyAttestor(vi.attestors) &&
                list(vi.attestations).some((a: any) => isSbomPredicate(a?.predicateType ?? a?.type) && hasKeyAttestor(a.attestors)) &&
                (cfg.admission !== "enforce" || (vi.failureAction === "Enforce" && failurePolicy !== "Ignore")));
            if (!ok) out.push({ message: `The admission rule for ${registry} must require a signature by a configured key and a signed SBOM attestation (CycloneDX or SPDX)${cfg.admission === "enforce" ? ", with failureAction Enforce and failurePolicy Fail" : ""}.` });
        }
        return out;
    },
};
