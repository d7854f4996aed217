/**
 * image-signature-and-sbom: in `registry` mode, every image from a signed registry must carry a
 * cosign signature and an SBOM attestation (CycloneDX or SPDX) verified with the configured keys,
 * fetched from its registry (./registry.ts). In `offline` mode it does nothing (the digest and
 * registry rules still apply, and admission-sbom-rule requires the in-cluster check).
 */
import type { PackConfig, PolicyResource, ResourcePolicy } from "../lib/types";
import { extractWorkload, WORKLOAD_TYPES } from "../lib/workloads";
import { loadKeys } from "./cosign";
import { matchesRegistry, parseImage } from "./images";
import { ImageVerifier, RegistryClient } from "./registry";

const verifiers = new Map<string, ImageVerifier>();

/** One verifier (and so one cache of verdicts) per key set and registry options, for the process. */
export function verifierFor(cfg: PackConfig): ImageVerifier {
    const id = JSON.stringify([cfg.cosignPublicKeys, cfg.insecureRegistries, cfg.registryTimeoutSeconds]);
    let v = verifiers.get(id);
    if (!v) {
        v = new ImageVerifier(new RegistryClient({ insecureHosts: cfg.insecureRegistries, timeoutMs: cfg.registryTimeoutSeconds * 1000 }), loadKeys(cfg.cosignPublicKeys));
        verifiers.set(id, v);
    }
    return v;
}

export const imageSignatures: ResourcePolicy = {
    name: "image-signature-and-sbom",
    description: "In registry mode, checks that every image from a signed registry has a cosign signature and a signed SBOM attestation (CycloneDX or SPDX) verified with the configured public keys, from its OCI registry (legacy .sig/.att tags and Sigstore bundle referrers); an unreachable registry fails closed.",
    enforcementLevel: "mandatory",
    config: ["verificationMode", "signedRegistries", "cosignPublicKeys", "insecureRegistries", "registryTimeoutSeconds"],
    resourceTypes: WORKLOAD_TYPES,
    /** Synchronous (no lookup) unless registry mode finds an image from a signed registry. */
    validate(r: PolicyResource, cfg: PackConfig): string[] | Promise<string[]> {
        if (cfg.verificationMode !== "registry" || cfg.signedRegistries.length === 0) return [];
        const w = extractWorkload(r.props, r.type);
        const signed = (w?.containers ?? []).map((c) => ({ c, ref: typeof c.container.image === "string" ? parseImage(c.container.image) : undefined })).filter((x) => x.ref && matchesRegistry(x.ref, cfg.signedRegistries));
        if (!w || signed.length === 0) return [];
        if (cfg.cosignPublicKeys.length === 0) return [`${w.kind} ${w.name}: registry verification needs cosignPublicKeys in the policy config.`];
        const verifier = verifierFor(cfg);
        return Promise.all(signed.map(async ({ c, ref }) => {
            const who = `${w.kind} ${w.name}: ${c.kind} ${c.container.name ?? c.path} image ${c.container.image}`;
            if (!ref!.digest) return [`${who} cannot be verified without a digest.`];
            const verdict = await verifier.verify(ref!.registry, ref!.repository, ref!.digest);
            return [
                ...(verdict.signature.ok ? [] : [`${who} is not signed by a configured key: ${verdict.signature.reason}.`]),
                ...(verdict.sbom.ok ? [] : [`${who} has no verified SBOM attestation: ${verdict.sbom.reason}.`]),
            ];
        })).then((lists) => lists.flat());
    },
};
