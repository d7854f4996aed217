/**
 * Subnet layout: carves the VPC CIDR into per-AZ public, private and isolated subnets.
 * Pure logic (no Pulumi), so config validation and the Vpc component share one plan.
 */
import { IPv4CidrRange, IPv4Prefix, Pool } from "ip-num";

export type SubnetTier = "public" | "private" | "isolated";

export interface SubnetPrefixes {
    public: number;
    private: number;
    isolated: number;
}

export interface SubnetPlan {
    public: string[];
    private: string[];
    isolated: string[];
}

/** Largest blocks first so every block stays aligned and the layout is stable. */
const ALLOCATION_ORDER: SubnetTier[] = ["private", "public", "isolated"];

/**
 * Allocates `azCount` subnets per tier from `vpcCidr`. Throws an Error whose message says what
 * does not fit; callers turn it into a config error.
 */
export function planSubnets(vpcCidr: string, azCount: number, prefixes: SubnetPrefixes): SubnetPlan {
    const vpc = IPv4CidrRange.fromCidr(vpcCidr);
    const vpcPrefix = Number(vpc.cidrPrefix.getValue());
    for (const tier of ALLOCATION_ORDER) {
        if (prefixes[tier] <= vpcPrefix) {
            throw new Error(`a /${prefixes[tier]} ${tier} subnet is not smaller than the /${vpcPrefix} VPC ${vpcCidr}`);
        }
    }
    const needed = ALLOCATION_ORDER.reduce((sum, tier) => sum + azCount * 2 ** (32 - prefixes[tier]), 0);
    const available = Number(vpc.getSize());
    const pool = Pool.fromCidrRanges([vpc]);
    const plan: SubnetPlan = { public: [], private: [], isolated: [] };
    for (const tier of ALLOCATION_ORDER) {
        for (let az = 0; az < azCount; az++) {
            try {
                plan[tier].push(pool.getCidrRange(IPv4Prefix.fromNumber(BigInt(prefixes[tier]))).toCidrString());
            } catch {
                throw new Error(
                    `${azCount} AZs x (public /${prefixes.public} + private /${prefixes.private} + isolated /${prefixes.isolated}) ` +
                        `need ${needed} addresses but the VPC ${vpcCidr} has ${available}`,
                );
            }
        }
    }
    return plan;
}

/** True when two IPv4 CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    return IPv4CidrRange.fromCidr(a).isOverlapping(IPv4CidrRange.fromCidr(b));
}
