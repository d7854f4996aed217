/**
 * Wires the supply-chain components from `platform:supplyChain.signing`: the CI signing role
 * (GitHub OIDC), the cosign KMS key only that role may use, the ECR repositories only that role
 * may write, and the role's permissions on both. Returns what admission and the outputs need.
 */
import * as pulumi from "@pulumi/pulumi";
import { CiSigningIdentity } from "../components/supply-chain/ci-identity";
import { AppRepositories, ECR_PULL_ACTIONS } from "../components/supply-chain/registry";
import type { Cluster } from "../components/eks/cluster";
import { KYVERNO_ADMISSION_SA, KYVERNO_NAMESPACE } from "../components/security/image-verification";
import { SigningKey } from "../components/supply-chain/signing";
import { supplyChainRefs } from "../components/supply-chain/refs";
import type { PlatformContext } from "../components/shared/naming";
import { ConfigError, PlatformConfig } from "./config";
import { repositorySigner } from "./supply-chain-checks";
import type { SignerBinding } from "../components/security/image-verification";
import { unpinnedInLock } from "../components/shared/image-lock";

export interface SupplyChain {
    signingKey: SigningKey;
    identity: CiSigningIdentity;
    repositories: AppRepositories;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`, the prefix admission verifies. */
    registryPrefix: pulumi.Output<string>;
    /** Each ECR repository and the GitHub repository whose signatures admission accepts for it. */
    signerBindings: SignerBinding[];
    outputs: Record<string, pulumi.Input<unknown>>;
}

export function buildSupplyChain(cfg: PlatformConfig, ctx: PlatformContext, accountId: pulumi.Input<string>, cluster: Cluster): SupplyChain | undefined {
    const signing = cfg.supplyChain.signing;
    if (!signing.enabled) return undefined;
    const protect = cfg.database.deletionProtection;
    const workflow = { repository: signing.buildSignWorkflow.repository ?? cfg.ci.repository, refs: signing.buildSignWorkflow.refs };
    const identity = new CiSigningIdentity("ci-signing", { ctx, accountId, oidcProviderArn: signing.oidcProviderArn, signers: signing.signers, workflow });
    // During a failover the key's region may be down: the pinned public key stands in for KMS GetPublicKey (stacks/dr-checks.ts requires it then).
    const signingKey = new SigningKey("cosign", {
        ctx, accountId, signerRoleArn: identity.roleArn, protect, knownPublicKeyPem: signing.publicKeyPem, skipPublicKeyLookup: cfg.dr.failover,
    }, { dependsOn: [identity.role] });
    const repositories = new AppRepositories("app-images", {
        ctx,
        accountId,
        repositories: signing.repositories,
        writerRoleArn: identity.roleArn,
        pullAccountIds: signing.pullAccountIds,
        protect,
    });
    identity.allowSigningAndPush(signingKey.keyArn, repositories.arns);
    // Kyverno reads signatures and attestations from the private repositories (its amazon credential helper, through Pod Identity).
    if (signing.repositories.length > 0) {
        cluster.workloadRole(KYVERNO_NAMESPACE, KYVERNO_ADMISSION_SA, [
            { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "ReadSignatures", Effect: "Allow", Action: [...ECR_PULL_ACTIONS, "ecr:DescribeImages", "ecr:ListImages"], Resource: repositories.arns },
        ]);
    }
    const registryPrefix = pulumi.output(accountId).apply((id) => supplyChainRefs(ctx.prefix, ctx.region, id).registryPrefix);
    const signerBindings = signing.repositories.flatMap((r) => {
        const signer = repositorySigner(signing, r.name);
        return signer ? [{ repository: pulumi.interpolate`${registryPrefix}/${r.name}`, signer, publicKey: signingKey.publicKeyPem }] : [];
    });
    return {
        signingKey,
        identity,
        repositories,
        registryPrefix,
        signerBindings,
        outputs: {
            cosignKeyRef: signingKey.cosignKeyRef,
            cosignPublicKey: signingKey.publicKeyPem,
            ciSigningRoleArn: identity.roleArn,
            ecrRepositories: repositories.urls,
        },
    };
}

/**
 * `platform:supplyChain.platformImages.requirePinned`: refuse to build (before any resource) while
 * images.lock.json lacks a digest for any platform chart image.
 */
export function assertPlatformImagesPinned(cfg: PlatformConfig): void {
    if (!cfg.supplyChain.platformImages.requirePinned) return;
    const missing = unpinnedInLock();
    if (missing.length === 0) return;
    throw new ConfigError(`Pulumi.${cfg.stack}.yaml`, [
        `platform:supplyChain.platformImages.requirePinned: ${missing.length} platform image(s) have no digest in images.lock.json; run npm run images -- lock (with registry access) and commit the lock, or set requirePinned: false. Unpinned: ${missing.join(", ")}`,
    ]);
}
