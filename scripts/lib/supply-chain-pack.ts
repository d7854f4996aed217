/**
 * The policy pack entries the supply-chain config implies: the stack's KMS signing key by its key
 * ARN (`signing.keyArn`, recorded after the first deploy; never the alias, which anyone allowed to
 * UpdateAlias could point at another key) and the stack's ECR prefix as a signed registry. Derived
 * from Pulumi.<stack>.yaml alone. Without keyArn no KMS key is trusted: the stack's ECR images fail
 * closed in registry mode until it is recorded.
 */
import { supplyChainRefs } from "../../components/supply-chain/refs";
import type { PlatformConfig } from "../../stacks/config";
import { repositorySigner } from "../../stacks/supply-chain-checks";
import { SIGNER_REPOSITORY_ANNOTATION } from "../../components/supply-chain/cosign";

export interface SupplyChainPackEntries {
    signedRegistries: string[];
    cosignKmsKeys: string[];
    /** Each ECR repository, the signer annotation its signatures must carry and the only key they may verify with (as admission requires). */
    signerAnnotations: { repository: string; annotations: Record<string, string>; cosignKmsKeys: string[] }[];
}

export function supplyChainPackEntries(cfg: PlatformConfig): SupplyChainPackEntries {
    const signing = cfg.supplyChain.signing;
    if (!signing.enabled) return { signedRegistries: cfg.supplyChain.signedRegistries, cosignKmsKeys: [], signerAnnotations: [] };
    const keys = signing.keyArn ? [`awskms:///${signing.keyArn}`] : [];
    const refs = supplyChainRefs(`${cfg.project}-${cfg.stack}`, cfg.region, cfg.allowedAccountIds[0]);
    return {
        signedRegistries: [...cfg.supplyChain.signedRegistries, ...(signing.verifyRepositories ? [refs.registryPrefix] : [])],
        cosignKmsKeys: keys,
        signerAnnotations: signing.verifyRepositories ? signing.repositories.flatMap((r) => {
            const signer = repositorySigner(signing, r.name);
            return signer ? [{ repository: `${refs.registryPrefix}/${r.name}`, annotations: { [SIGNER_REPOSITORY_ANNOTATION]: signer }, cosignKmsKeys: keys }] : [];
        }) : [],
    };
}
