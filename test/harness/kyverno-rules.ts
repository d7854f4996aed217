/**
 * The programmatic checks Kyverno 1.19.0's admission webhook runs on a ClusterPolicy's verifyImages
 * rules before it accepts the policy (beyond the CRD schema), read from kyverno/kyverno at tag
 * v1.19.0: pkg/validation/policy/validate.go (lines 367-388: the failure action of each
 * verifyImages entry, falling back to spec.validationFailureAction, whose CRD default is Audit) and
 * api/kyverno/v1/image_verification_types.go (ImageVerification.Validate and the attestor checks,
 * lines 386-530). CRD defaults that matter are applied first (mutateDigest: true). A port of facts,
 * not of code: each rule returns the message Kyverno gives.
 */
const SIGNATURE_ALGORITHMS = ["sha224", "sha256", "sha384", "sha512"];

function attestorSetErrors(set: any, at: string): string[] {
    const errs: string[] = [];
    const entries: any[] = set?.entries ?? [];
    if (typeof set?.count === "number" && set.count > entries.length) errs.push(`${at}: Count cannot exceed length of entries`);
    if (entries.length === 0) errs.push(`${at}: An entry is required`);
    entries.forEach((e, i) => {
        const p = `${at}.entries[${i}]`;
        const kinds = ["keys", "certificates", "keyless", "attestor"].filter((k) => e?.[k] !== undefined && e?.[k] !== null);
        if (kinds.length !== 1) errs.push(`${p}: keys, certificates, keyless, or a nested attestor is required`);
        if (e?.keys) {
            if (!e.keys.publicKeys && !e.keys.kms && !e.keys.secret) errs.push(`${p}.keys: A public key, kms key or secret is required`);
            if (e.keys.publicKeys && !SIGNATURE_ALGORITHMS.includes(e.keys.signatureAlgorithm ?? "sha256")) errs.push(`${p}.keys: Invalid signature algorithm provided`);
        }
        if (e?.certificates && !e.certificates.cert && !e.certificates.certChain) errs.push(`${p}.certificates: cert or certChain required`);
        if (e?.keyless) {
            if (!e.keyless.rekor && !e.keyless.roots) errs.push(`${p}.keyless: Either Rekor URL or roots are required`);
            if (e.keyless.rekor && !e.keyless.rekor.url) errs.push(`${p}.keyless: An URL is required`);
        }
    });
    return errs;
}

/** The errors Kyverno 1.19.0 returns for a ClusterPolicy spec's verifyImages (empty: accepted). */
export function kyvernoVerifyImagesErrors(spec: any): string[] {
    const errs: string[] = [];
    const specAudit = String(spec?.validationFailureAction ?? "Audit").toLowerCase() !== "enforce";
    (spec?.rules ?? []).forEach((rule: any, r: number) => {
        (rule.verifyImages ?? []).forEach((iv: any, i: number) => {
            const at = `spec.rules[${r}].verifyImages[${i}]`;
            const audit = iv.failureAction !== undefined ? iv.failureAction !== "Enforce" : specAudit;
            const mutateDigest = iv.mutateDigest ?? true; // CRD default
            if (audit && mutateDigest) errs.push(`${at}.mutateDigest: mutateDigest must be set to false for 'Audit' failure action`);
            if ((iv.imageReferences ?? []).length === 0 && !iv.image) errs.push(`${at}: An image reference is required`);
            (iv.attestations ?? []).forEach((a: any, j: number) => (a.attestors ?? []).forEach((s: any, k: number) => errs.push(...attestorSetErrors(s, `${at}.attestations[${j}].attestors[${k}]`))));
            (iv.attestors ?? []).forEach((s: any, k: number) => errs.push(...attestorSetErrors(s, `${at}.attestors[${k}]`)));
        });
    });
    return errs;
}
