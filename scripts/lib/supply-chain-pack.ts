/**
 * The policy pack entries the supply-chain config implies: the stack's KMS signing key by its key
 * ARN (`signing.keyArn`, recorded after the first deploy; never the alias, which anyone allowed to
 * UpdateAlias could point at another key) and the stack's ECR prefix as a signed registry. Derived
 * from Pulumi.<stack>.yaml alone. Without keyArn no KMS key is trusted: the stack's ECR images fail
 * closed in registry mode until it is recorded.
 */
import { supplyChainRefs } from "../../components/supply-chain/refs";
import type { PlatformConfig } from "../../stacks/config";

export function supplyChainPackEntries(cfg: PlatformConfig): { signedRegistries: string[]; cosignKmsKeys: string[] } {
    const signing = cfg.supplyChain.signing;
    if (!signing.enabled) return { signedRegistries: cfg.supplyChain.signedRegistries, cosignKmsKeys: [] };
    const refs = supplyChainRefs(`${cfg.project}-${cfg.stack}`, cfg.region, cfg.allowedAccountIds[0]);
    return {
        signedRegistries: [...cfg.supplyChain.signedRegistries, ...(signing.verifyRepositories ? [refs.registryPrefix] : [])],
        cosignKmsKeys: signing.keyArn ? [`awskms:///${signing.keyArn}`] : [],
    };
}
