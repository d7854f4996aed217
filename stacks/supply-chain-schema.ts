/**
 * The `platform:supplyChain.signing` and `platform:supplyChain.platformImages` blocks: the cosign
 * signing key in AWS KMS, the GitHub Actions role allowed to sign and push, the ECR repositories
 * application teams push to, and how strictly the platform's own images must be pinned by digest.
 * Kept apart from config-schema.ts so the supply-chain keys read as one block.
 */
import { z } from "zod";
import { CONFIG_PROPERTIES } from "../policies/lib/types";

/** `owner/name` of a GitHub repository: no wildcards, so a role can never be assumed by a repository nobody listed. */
export const githubRepository = z
    .string()
    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository as owner/name (no wildcards)");

/**
 * A Git ref allowed to sign: `refs/heads/<branch>` (exact) or `refs/tags/<pattern>` where the
 * pattern may end in one `*` (release tags such as `refs/tags/v*`). Branch wildcards are refused:
 * anyone who can push a branch could then sign.
 */
const signingRef = z
    .string()
    .regex(/^refs\/(heads\/[A-Za-z0-9._\/-]+|tags\/[A-Za-z0-9._\/-]+\*?)$/, "must be refs/heads/<branch> (exact) or refs/tags/<name> (a trailing * is allowed for tags only)");

/** A GitHub account or repository id: the immutable number GitHub puts in subjects of the `owner@id/repo@id` form. */
const ID_HINT = "must be the numeric GitHub id (gh api repos/<owner>/<name> --jq '.owner.id, .id')";
const githubId = z.union([z.number({ error: ID_HINT }).int(ID_HINT).positive(ID_HINT), z.string({ error: ID_HINT }).regex(/^[1-9][0-9]{0,19}$/, ID_HINT)], { error: ID_HINT }).transform(String);

/** A git ref of the platform repository's build-sign.yml a caller may use: a branch, a tag (trailing * allowed) or a full commit SHA. */
const workflowRef = z
    .string()
    .regex(/^(refs\/heads\/[A-Za-z0-9._\/-]+|refs\/tags\/[A-Za-z0-9._\/-]+\*?|[0-9a-f]{40})$/, "must be refs/heads/<branch>, refs/tags/<name>[*] or a 40-hex commit SHA");

export const signerSchema = z.strictObject({
    /** The GitHub repository whose workflows may sign and push. */
    repository: githubRepository,
    /** The repository owner's numeric id (subjects of the immutable `owner@id/repo@id` form). Required. */
    ownerId: githubId,
    /** The repository's numeric id. Required. */
    repositoryId: githubId,
    /** Refs whose workflow runs may sign. Defaults to [refs/heads/main]. */
    refs: z.array(signingRef).default(["refs/heads/main"]),
    /**
     * No longer accepted: an environment subject lets any job that declares the environment (a
     * same-repository pull-request job included) sign, and build-sign.yml's job declares none.
     */
    environments: z.array(z.string()).max(0, "environments are not accepted: an environment subject lets any job that declares the environment (a same-repository pull-request job included) assume the signing role, and build-sign.yml's job has none; list refs instead (docs/supply-chain.md)").optional(),
});

export const buildSignWorkflowSchema = z.strictObject({
    /** The repository holding `.github/workflows/build-sign.yml` (owner/name). Defaults to platform:ci.repository. */
    repository: githubRepository.optional(),
    /** Refs (or commit SHAs) of build-sign.yml callers may use (`uses: <repository>/.github/workflows/build-sign.yml@<ref>`). Defaults to [refs/heads/main]. */
    refs: z.array(workflowRef).min(1).default(["refs/heads/main"]),
});

const ecrRepositoryName = z
    .string()
    .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, "must be an ECR repository name such as team/service (lowercase)");

export const appRepositorySchema = z.strictObject({
    /** Repository name; the physical name is `<project>-<stack>/<name>`. */
    name: ecrRepositoryName,
    /** Tagged images kept per repository (older ones expire). Defaults to 200. */
    keepTaggedImages: z.number().int().min(10).max(10000).default(200),
    /** Days before untagged images expire. Defaults to 30. */
    untaggedExpiryDays: z.number().int().min(1).max(3650).default(30),
    /**
     * The signer (a signers[].repository) whose build-sign.yml runs alone may sign images here:
     * admission requires the signature's platform.io/github-repository annotation to name it.
     * Defaults to the only signer when there is one; required when there are several.
     */
    signer: githubRepository.optional(),
});

export const signingSchema = z.strictObject({
    /** Provision the KMS signing key, the CI signing role and the ECR repositories. Defaults to false. */
    enabled: z.boolean().default(false),
    /**
     * ARN of the account's `token.actions.githubusercontent.com` OIDC provider (bootstrap/ creates it;
     * an account holds one per URL). When unset the stack looks it up by URL; it never creates one.
     */
    oidcProviderArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "must be the ARN of the token.actions.githubusercontent.com OIDC provider").optional(),
    /**
     * The signing key's public key (PEM, the stack output cosignPublicKey). When set, the stack checks KMS returns the same key,
     * and during a failover (platform:dr.failover, where it is required) it reads no key from KMS in the failed region. Optional.
     */
    publicKeyPem: z.string().regex(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/, "must be the PEM public key printed by pulumi stack output cosignPublicKey").optional(),
    /** Repositories (with their ids and refs) whose GitHub Actions jobs may sign and push, through build-sign.yml only. Required when enabled. */
    signers: z.array(signerSchema).default([]),
    /**
     * The account's "Role trust policy length" quota in characters, when raised above IAM's default
     * (Service Quotas, up to 4096). Defaults to 2048.
     */
    trustPolicyQuota: z.number().int().min(2048).max(4096).default(2048),
    /** The reusable workflow that alone may sign (its job_workflow_ref is part of the trusted subject). */
    buildSignWorkflow: buildSignWorkflowSchema.prefault({}),
    /** ECR repositories for application images. Defaults to []. */
    repositories: z.array(appRepositorySchema).default([]),
    /** Accounts (12 digits) allowed to pull from the repositories besides this one. Defaults to []. */
    pullAccountIds: z.array(z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id")).default([]),
    /** Admission requires images in the repositories to be signed and SBOM-attested by the key. Defaults to true. */
    verifyRepositories: z.boolean().default(true),
    /**
     * The signing key's ARN (the stack output cosignKeyRef without `awskms:///`), recorded after the
     * first deploy: the deploy-time check (policies/config/<stack>.json) trusts this key only, never
     * the alias. Until it is set, registry-mode verification of the stack's ECR images fails closed.
     */
    keyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be the key ARN arn:aws:kms:<region>:<account>:key/<id> (the stack output cosignKeyRef without awskms:///), not an alias").optional(),
});

export const platformImagesSchema = z.strictObject({
    /**
     * Refuse to build when a platform image (chart or component) has no digest in images.lock.json.
     * Set it only after `npm run images -- lock` has pinned every image. Defaults to false.
     */
    requirePinned: z.boolean().default(false),
    /**
     * Verify upstream images whose publishers sign them (Kyverno, registry.k8s.io, ...) with the
     * publisher's keyless identity at admission. Defaults to true.
     */
    verifyPublisherSignatures: z.boolean().default(true),
});

/**
 * The registry-mode budgets of the pack's image-signature-and-sbom policy, by their pack property
 * (`registryTimeoutSeconds`...). Bounds come from the pack's configSchema, so the two cannot drift;
 * an unset key keeps the pack's default and stays out of policies/config/<stack>.json.
 */
export const REGISTRY_LIMIT_KEYS = {
    timeoutSeconds: "registryTimeoutSeconds",
    imageBudgetSeconds: "registryImageBudgetSeconds",
    runBudgetSeconds: "registryRunBudgetSeconds",
    maxManifestMiB: "registryMaxManifestMiB",
    maxBlobMiB: "registryMaxBlobMiB",
    maxReferrers: "registryMaxReferrers",
} as const;
const bounded = (s: { type: string; minimum?: number; exclusiveMinimum?: number; maximum: number }) => {
    const n = s.type === "integer" ? z.number().int() : z.number();
    return (s.exclusiveMinimum !== undefined ? n.gt(s.exclusiveMinimum) : n.min(s.minimum ?? 0)).max(s.maximum).optional();
};
export const registryLimitsSchema = z.strictObject(
    Object.fromEntries(Object.entries(REGISTRY_LIMIT_KEYS).map(([k, prop]) => [k, bounded(CONFIG_PROPERTIES[prop])])) as Record<keyof typeof REGISTRY_LIMIT_KEYS, z.ZodOptional<z.ZodNumber>>,
);

export type SigningSettings = z.infer<typeof signingSchema>;
export type SignerSettings = z.infer<typeof signerSchema>;
