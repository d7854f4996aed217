/**
 * The policy pack entries the supply-chain config implies: the stack's KMS signing key (by its
 * alias ARN, so the entry is known before the key exists and survives re-creation behind the
 * alias) and the stack's ECR prefix as a signed registry. Derived from Pulumi.<stack>.yaml alone.
 */
import { supplyChainRefs } from "../../components/supply-chain/refs";
import type { PlatformConfig } from "../../stacks/config";

export function supplyChainPackEntries(cfg: PlatformConfig): { signedRegistries: string[]; cosignKmsKeys: string[] } {
    const signing = cfg.supplyChain.signing;
    if (!signing.enabled) return { signedRegistries: cfg.supplyChain.signedRegistries, cosignKmsKeys: [] };
    const refs = supplyChainRefs(`${cfg.project}-${cfg.stack}`, cfg.region, cfg.allowedAccountIds[0]);
    return {
        signedRegistries: [...cfg.supplyChain.signedRegistries, ...(signing.verifyRepositories ? [refs.registryPrefix] : [])],
        cosignKmsKeys: [refs.cosignKeyRef],
    };
}
