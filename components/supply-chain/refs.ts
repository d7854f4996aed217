/**
 * Names of the supply-chain resources, derived from `<project>-<stack>`, the region and the
 * account alone, so the policy pack config generated from Pulumi.<stack>.yaml names the same key
 * and registry the stack creates (tested), without copying anything out of a deployed stack.
 */
import { partitionOf } from "../shared/naming";
import { SIGNING_ALIAS_SUFFIX } from "./guard";

export interface SupplyChainRefs {
    /** `alias/<prefix>-cosign`. */
    keyAlias: string;
    /** The cosign key reference through the alias ARN: `awskms:///arn:<partition>:kms:<region>:<account>:alias/<prefix>-cosign`. */
    cosignKeyRef: string;
    /** `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>`: every application repository sits under it. */
    registryPrefix: string;
}

/** `alias/<prefix>-cosign`: the signing key's alias. */
export function signingKeyAlias(prefix: string): string {
    return `alias/${prefix}${SIGNING_ALIAS_SUFFIX}`;
}

export function supplyChainRefs(prefix: string, region: string, accountId: string): SupplyChainRefs {
    const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return {
        keyAlias: signingKeyAlias(prefix),
        cosignKeyRef: `awskms:///arn:${partitionOf(region)}:kms:${region}:${accountId}:${signingKeyAlias(prefix)}`,
        registryPrefix: `${accountId}.dkr.ecr.${region}.${suffix}/${prefix}`,
    };
}
