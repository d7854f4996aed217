/**
 * The one cosign the platform's signer and verifiers agree on: the release build-sign.yml installs,
 * the layout it writes (and its own verify step reads), the Kyverno verifyImages type that reads
 * that layout at admission, and the signature annotations that bind a signature to the repository
 * that built the image. test/supply-chain/cosign-pin.test.ts checks the workflow against these.
 *
 * Facts (sigstore/cosign at tag v3.1.2, commit 193d2153431f8bb0d945a4c1ee721872f73add67): v3
 * defaults to `--new-bundle-format=true` (Sigstore bundles as OCI referrers) and to
 * `--use-signing-config=true`, which refuses `--tlog-upload=false`
 * (cmd/cosign/cli/options/sign.go:161-170, cmd/cosign/cli/signcommon/common.go:446). Kyverno 1.19.0
 * links github.com/sigstore/cosign/v3 v3.1.2 (go.mod:52); its ClusterPolicy type `Cosign` reads the
 * legacy tag layout (`sha256-<hex>.sig` / `.att`), type `SigstoreBundle` the bundles.
 */

/** The cosign release build-sign.yml installs (sigstore/cosign-installer `cosign-release`). Kyverno 1.19.0 links the same version. */
export const COSIGN_VERSION = "v3.1.2";

/** The signature layout: the legacy tags, which Kyverno's `Cosign` type and the policy pack's registry check both read. */
export const COSIGN_LAYOUT = "legacy-tags" as const;

/** The Kyverno verifyImages `type` that reads COSIGN_LAYOUT. */
export const KYVERNO_VERIFY_TYPE = "Cosign" as const;

/** Flags every `cosign sign` / `cosign attest` of build-sign.yml carries: the legacy layout, no public transparency log (private images). */
export const COSIGN_SIGN_FLAGS = ["--new-bundle-format=false", "--use-signing-config=false", "--tlog-upload=false"] as const;

/** Flags every `cosign verify` / `cosign verify-attestation` of build-sign.yml carries: the same layout, offline (no Rekor entry exists). */
export const COSIGN_VERIFY_FLAGS = ["--new-bundle-format=false", "--insecure-ignore-tlog=true"] as const;

/**
 * The signature annotation naming the GitHub repository whose build-sign.yml run signed
 * (`$GITHUB_REPOSITORY` of the caller). Admission requires it to be the repository configured for
 * the ECR repository (`platform:supplyChain.signing.repositories[].signer`).
 */
export const SIGNER_REPOSITORY_ANNOTATION = "platform.io/github-repository";

/** A cosign KMS reference that pins the key itself (`awskms:///<key ARN>`), never an alias. */
export const KMS_KEY_ARN_REF = /^awskms:\/\/\/arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
