/**
 * image-signature-and-sbom: in `registry` mode, every image from a signed registry must carry a
 * cosign signature and an SBOM attestation (CycloneDX or SPDX) verified with the configured keys,
 * fetched from its registry (./registry.ts). In `offline` mode it does nothing (the digest and
 * registry rules still apply, and admission-sbom-rule requires the in-cluster check).
 */
import type { PackConfig, PolicyResource, ResourcePolicy } from "../lib/types";
import { carriesPodSpec, extractWorkloads } from "../lib/workloads";
import { loadKeys } from "./cosign";
import { matchesRegistry, parseImage } from "./images";
import { ImageVerifier, RegistryClient, registryOptionsOf } from "./registry";
import { fetchKmsPublicKey } from "./kms";

const verifiers = new Map<string, ImageVerifier>();

/**
 * A KMS reference that names the key itself (its ARN or id), not an alias: whoever may UpdateAlias
 * could otherwise point the alias at a key they sign with, while admission still pins the original.
 */
const PINNED_KMS_KEY = /^awskms:\/\/[^/]*\/(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The configured KMS references that do not pin a key (aliases, malformed). */
export function unpinnedKmsKeys(refs: string[]): string[] {
    return refs.filter((r) => !PINNED_KMS_KEY.test(r));
}
const kmsVerifiers = new Map<string, Promise<ImageVerifier>>();

/** With KMS keys: their public keys fetched once per process, added to the PEM keys. Rejects (fail closed) when a key cannot be read. */
export function kmsVerifierFor(cfg: PackConfig, pems = cfg.cosignPublicKeys, kmsRefs = cfg.cosignKmsKeys): Promise<ImageVerifier> {
    const id = JSON.stringify([pems, kmsRefs, registryOptionsOf(cfg)]);
    let v = kmsVerifiers.get(id);
    if (!v) {
        v = Promise.all(kmsRefs.map((ref) => fetchKmsPublicKey(ref, { timeoutMs: cfg.registryTimeoutSeconds * 1000 })))
            .then((kmsKeys) => new ImageVerifier(new RegistryClient(registryOptionsOf(cfg)), [...loadKeys(pems), ...kmsKeys]));
        kmsVerifiers.set(id, v);
    }
    return v;
}

/** One verifier (and so one cache of verdicts) per key set and registry options, for the process. */
export function verifierFor(cfg: PackConfig, pems = cfg.cosignPublicKeys): ImageVerifier {
    const id = JSON.stringify([pems, registryOptionsOf(cfg)]);
    let v = verifiers.get(id);
    if (!v) {
        v = new ImageVerifier(new RegistryClient(registryOptionsOf(cfg)), loadKeys(pems));
        verifiers.set(id, v);
    }
    return v;
}

/** The verifier for a key set: PEM keys alone, or with KMS keys fetched once. */
const verifierOf = (cfg: PackConfig, pems: string[], kmsRefs: string[]) => (kmsRefs.length > 0 ? kmsVerifierFor(cfg, pems, kmsRefs) : Promise.resolve(verifierFor(cfg, pems)));

export const imageSignatures: ResourcePolicy = {
    name: "image-signature-and-sbom",
    description: "In registry mode, checks that every image from a signed registry has a cosign signature (carrying the annotations signerAnnotations requires for its repository) and a signed SBOM attestation (CycloneDX or SPDX) verified with the configured public keys (PEM or AWS KMS key ARNs), from its OCI registry (legacy .sig/.att tags and Sigstore bundle referrers); an unreachable registry fails closed.",
    enforcementLevel: "mandatory",
    config: ["verificationMode", "signedRegistries", "cosignPublicKeys", "cosignKmsKeys", "signerAnnotations", "insecureRegistries", "registryTimeoutSeconds", "registryImageBudgetSeconds", "registryRunBudgetSeconds", "registryMaxManifestMiB", "registryMaxBlobMiB", "registryMaxReferrers"],
    resourceTypes: [],
    appliesTo: carriesPodSpec,
    /** Synchronous (no lookup) unless registry mode finds an image from a signed registry. */
    validate(r: PolicyResource, cfg: PackConfig): string[] | Promise<string[]> {
        if (cfg.verificationMode !== "registry" || cfg.signedRegistries.length === 0) return [];
        const signed = extractWorkloads(r.props, r.type).flatMap((w) => w.containers.map((c) => ({ w, c, ref: typeof c.container.image === "string" ? parseImage(c.container.image) : undefined })))
            .filter((x) => x.ref && matchesRegistry(x.ref, cfg.signedRegistries));
        if (signed.length === 0) return [];
        const first = signed[0].w;
        if (cfg.cosignPublicKeys.length === 0 && cfg.cosignKmsKeys.length === 0) return [`${first.kind} ${first.name}: registry verification needs cosignPublicKeys or cosignKmsKeys in the policy config.`];
        const aliases = unpinnedKmsKeys([...cfg.cosignKmsKeys, ...cfg.signerAnnotations.flatMap((b) => b.cosignKmsKeys ?? [])]);
        if (aliases.length > 0) return [`${first.kind} ${first.name}: cosignKmsKeys must name each key by its ARN (awskms:///arn:aws:kms:<region>:<account>:key/<id>), never an alias, which can be repointed at another key: ${aliases.join(", ")}.`];
        return Promise.all(signed.map(async ({ w, c, ref }) => {
            const who = `${w.kind} ${w.name}: ${c.kind} ${c.container.name ?? c.path} image ${c.container.image}`;
            if (!ref!.digest) return [`${who} cannot be verified without a digest.`];
            // A bound repository: its signer's annotations, and (when the binding names them) its own keys only.
            const binding = cfg.signerAnnotations.find((b) => b.repository.replace(/\/+$/, "") === `${ref!.registry}/${ref!.repository}`);
            const [pems, kms] = binding?.cosignKmsKeys ? [[], binding.cosignKmsKeys] : [cfg.cosignPublicKeys, cfg.cosignKmsKeys];
            // Without a binding the configured keys are used, and the check above makes sure there are some: a binding is here.
            if (pems.length === 0 && kms.length === 0) return [`${who} cannot be verified: no signing key is recorded for ${binding!.repository} (set platform:supplyChain.signing.keyArn to the stack output cosignKeyRef's ARN and regenerate the policy config).`];
            let verifier: ImageVerifier;
            try {
                verifier = await verifierOf(cfg, pems, kms);
            } catch (e) {
                return [`${who}: the signing keys could not be read: ${(e as Error).message}.`];
            }
            const verdict = await verifier.verify(ref!.registry, ref!.repository, ref!.digest, binding?.annotations ?? {});
            return [
                ...(verdict.signature.ok ? [] : [`${who} is not signed by a configured key: ${verdict.signature.reason}.`]),
                ...(verdict.sbom.ok ? [] : [`${who} has no verified SBOM attestation: ${verdict.sbom.reason}.`]),
            ];
        })).then((lists) => lists.flat());
    },
};
