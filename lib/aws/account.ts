/**
 * Checks over every stack of the repository at once, by AWS account (issue 21, findings 2 and 3):
 * what exists once per account is created by one stack only, and the per-account, per-region
 * quotas the platform consumes hold the sum of the stacks sharing that account and region.
 *
 * Both come from the stacks' configs (the repository holds every Pulumi.<stack>.yaml), not from a
 * build, so the offline plan of one stack can run them in milliseconds. What each stack creates is
 * the components' rule written once here (a VPC and internet gateway per region, a NAT gateway and
 * Elastic IP per AZ or one, a cluster and its node groups); test/aws/account.test.ts compares it
 * with the resources of every built stack, so the two cannot drift apart.
 */
import type { PlatformConfig } from "../../stacks/config";
import type { QUOTA_KEYS } from "../../stacks/ci-schema";
import { SERVICE_LINKED_ROLES, type LinkedService } from "../../components/shared/service-linked-roles";

export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** A quota the platform consumes, as Service Quotas names it, with its default. */
export interface QuotaSpec {
    /** Name in the Service Quotas console. */
    name: string;
    service: string;
    code: string;
    /** AWS's default for a new account (some accounts start higher; state the applied value in config). */
    default: number;
    /** What counts against it. */
    counts: string;
}

/** Keys of `platform:account.quotas.<region>` (stacks/ci-schema.ts QUOTA_KEYS) and the quotas they state. */
export const QUOTAS: Record<QuotaKey, QuotaSpec> = {
    vpcsPerRegion: { name: "VPCs per Region", service: "vpc", code: "L-F678F1CE", default: 5, counts: "the platform's VPCs plus the region's default VPC" },
    internetGatewaysPerRegion: { name: "Internet gateways per Region", service: "vpc", code: "L-A4707A72", default: 5, counts: "one per VPC, the default VPC's included" },
    elasticIpsPerRegion: { name: "EC2-VPC Elastic IPs", service: "ec2", code: "L-0263D0A3", default: 5, counts: "one per NAT gateway" },
    natGatewaysPerAz: { name: "NAT gateways per Availability Zone", service: "vpc", code: "L-FE5A380F", default: 5, counts: "NAT gateways in the busiest AZ" },
    eksClustersPerRegion: { name: "Clusters", service: "eks", code: "L-1194D53C", default: 100, counts: "one per stack, and the DR standby" },
    onDemandStandardVcpus: { name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", service: "ec2", code: "L-1216C47A", default: 5, counts: "vCPUs of every on-demand node group at maxSize" },
    spotStandardVcpus: { name: "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", service: "ec2", code: "L-34B43A08", default: 5, counts: "vCPUs of every spot node group at maxSize" },
};

/** What one stack consumes in one region. */
export interface RegionUsage {
    region: string;
    /** Per quota; natGatewaysPerAz is the busiest AZ (zones in the order the stacks take them). */
    usage: Record<QuotaKey, number>;
    /** NAT gateways by AZ position (or name, with platform:network.availabilityZones). */
    natByAz: Record<string, number>;
    /** Why it is counted (primary, DR standby at failover). */
    role: string;
}

/** The standard families (first letters) the standard vCPU quotas cover. */
const STANDARD_FAMILY = /^(a|c|d|h|i|m|r|t|z)\d/;

/**
 * vCPUs of an instance type from its size, the convention of current EC2 families: `large` 2, `xlarge` 4, `Nxlarge` 4N,
 * `medium` 1 (2 in the burstable t families), `micro`/`small`/`nano` 2 in t3/t3a/t4g. Undefined for other sizes (metal).
 */
export function vcpusOf(instanceType: string): number | undefined {
    const [family, size] = instanceType.split(".");
    if (size === "large") return 2;
    const x = /^(\d*)xlarge$/.exec(size ?? "");
    if (x) return 4 * Number(x[1] || 1);
    if (size === "medium") return family.startsWith("t") ? 2 : 1;
    if (["nano", "micro", "small"].includes(size) && /^t[34]/.test(family)) return 2;
    return undefined;
}

/** What a stack consumes, per region, and the instance types the vCPU quotas cannot count. */
export function stackUsage(cfg: PlatformConfig): { regions: RegionUsage[]; uncounted: string[] } {
    const uncounted: string[] = [];
    const vcpus = (spot: boolean) => cfg.eks.nodeGroups.filter((g) => (g.capacityType === "SPOT") === spot).reduce((sum, g) => {
        const per = g.instanceTypes.map((t) => {
            const n = vcpusOf(t);
            if (n === undefined || !STANDARD_FAMILY.test(t)) uncounted.push(`platform:eks.nodeGroups (${g.name}): ${t} is not counted (not a standard family or size; check its quota by hand)`);
            return STANDARD_FAMILY.test(t) ? (n ?? 0) : 0;
        });
        return sum + g.maxSize * Math.max(...per);
    }, 0);
    const zones = (n: number, names?: string[]) => Array.from({ length: n }, (_, i) => names?.[i] ?? `#${i + 1}`);
    const region = (name: string, role: string, natPerAz: boolean, azNames?: string[]): RegionUsage => {
        const az = zones(cfg.network.azCount, azNames);
        const nat = natPerAz ? az : az.slice(0, 1);
        return {
            region: name, role, natByAz: Object.fromEntries(nat.map((z) => [z, 1])),
            usage: { vpcsPerRegion: 1, internetGatewaysPerRegion: 1, elasticIpsPerRegion: nat.length, natGatewaysPerAz: 1, eksClustersPerRegion: 1, onDemandStandardVcpus: vcpus(false), spotStandardVcpus: vcpus(true) },
        };
    };
    const regions = [region(cfg.region, "primary", cfg.network.natGateways === "perAz", cfg.network.availabilityZones)];
    // The DR region must hold the standby at failover (NAT per AZ, the standby cluster and its nodes) with the primary
    // region gone: no quota increase can be waited for then, so it is counted now.
    if (cfg.dr.enabled && cfg.dr.region) regions.push(region(cfg.dr.region, "DR standby at failover", true));
    return { regions, uncounted };
}

/**
 * Resource types of which an account (or an account's region) holds one: a second stack creating one fails, or silently
 * takes over the first one's setting. The platform stacks create none of them but service-linked roles (owned per
 * account through platform:account.existingServiceLinkedRoles); the GitHub OIDC provider is the bootstrap stack's, one
 * per account, and the platform stacks only look it up. test/aws/account.test.ts holds the stacks to this list.
 */
export const ACCOUNT_SINGLETON_TYPES = [
    "aws:iam/serviceLinkedRole:ServiceLinkedRole", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:iam/accountAlias:AccountAlias", "aws:ebs/encryptionByDefault:EncryptionByDefault", "aws:ebs/defaultKmsKey:DefaultKmsKey",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "aws:ec2/serialConsoleAccess:SerialConsoleAccess", "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess",
    "aws:securityhub/account:Account", "aws:guardduty/detector:Detector", "aws:macie2/account:Account", "aws:inspector2/enabler:Enabler",
    "aws:accessanalyzer/analyzer:Analyzer", "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount", "aws:backup/regionSettings:RegionSettings",
];

export interface StackEntry { stack: string; config: PlatformConfig }

/** The one account a stack deploys to (aws:allowedAccountIds), or undefined. */
export const accountOf = (cfg: PlatformConfig): string | undefined => (cfg.allowedAccountIds.length === 1 ? cfg.allowedAccountIds[0] : undefined);

export interface AccountReport {
    /** Refusals: each names the key to set and what it may be. */
    problems: string[];
    /** One line per account and region: usage against quota. */
    lines: string[];
}

const byAccount = (stacks: StackEntry[]) => {
    const groups = new Map<string, StackEntry[]>();
    for (const s of stacks) {
        const id = accountOf(s.config);
        if (id) groups.set(id, [...(groups.get(id) ?? []), s]);
    }
    return groups;
};

/** Services whose service-linked role a stack needs (the platform's rule in stacks/platform.ts). */
export function linkedServicesOf(cfg: PlatformConfig): LinkedService[] {
    return ["autoscaling.amazonaws.com", ...(cfg.observability.jaeger.storage === "opensearch" ? ["opensearchservice.amazonaws.com" as const] : [])];
}

/**
 * Once-per-account resources: each service-linked role is created by at most one stack of an account, and that stack
 * deploys before the stacks that list it as existing (`order`: the deploy workflow's order).
 */
function oncePerAccount(stacks: StackEntry[], order: readonly string[]): string[] {
    const problems: string[] = [];
    const allowed = Object.keys(SERVICE_LINKED_ROLES).join(", ");
    for (const [account, group] of byAccount(stacks)) {
        for (const service of Object.keys(SERVICE_LINKED_ROLES) as LinkedService[]) {
            const needing = group.filter((s) => linkedServicesOf(s.config).includes(service));
            const creators = needing.filter((s) => !s.config.account.existingServiceLinkedRoles.includes(service)).map((s) => s.stack);
            const role = SERVICE_LINKED_ROLES[service].roleName;
            if (creators.length > 1) {
                problems.push(`platform:account.existingServiceLinkedRoles: stacks ${creators.join(" and ")} each create the ${service} service-linked role (${role}) in account ${account}, which holds one; the second fails with "has been taken in this account". Let the first stack deployed create it and list "${service}" in platform:account.existingServiceLinkedRoles of the others (allowed values: ${allowed})`);
            } else if (creators.length === 1) {
                const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
                const earlier = needing.filter((s) => s.stack !== creators[0] && rank(s.stack) < rank(creators[0])).map((s) => s.stack);
                if (earlier.length > 0) problems.push(`platform:account.existingServiceLinkedRoles: ${earlier.join(", ")} list${earlier.length === 1 ? "s" : ""} the ${service} service-linked role (${role}) as existing in account ${account}, but ${creators[0]}, which creates it, deploys after ${earlier.length === 1 ? "it" : "them"} (${order.join(" → ")}); let ${earlier[0]} create it (remove "${service}" from its list) and list it in ${creators[0]}'s`);
            }
        }
    }
    return problems;
}

/** `platform:account.quotas.<region>.<key>` stated by the stacks of an account; stacks must agree. */
function statedQuotas(group: StackEntry[], region: string, problems: string[], account: string): Partial<Record<QuotaKey, number>> {
    const out: Partial<Record<QuotaKey, number>> = {};
    for (const s of group) {
        for (const [key, value] of Object.entries(s.config.account.quotas[region] ?? {}) as [QuotaKey, number][]) {
            if (out[key] !== undefined && out[key] !== value) problems.push(`platform:account.quotas.${region}.${key}: stacks of account ${account} state ${out[key]} and ${value} (${s.stack}); an account has one value per region: state the same in each`);
            out[key] = Math.max(out[key] ?? 0, value);
        }
    }
    return out;
}

/** Usage of every account and region the stacks deploy to, against the default or stated quotas. */
function quotaReport(stacks: StackEntry[], problems: string[], lines: string[]): void {
    for (const [account, group] of byAccount(stacks)) {
        const perRegion = new Map<string, { stack: string; usage: RegionUsage }[]>();
        for (const s of group) {
            const { regions, uncounted } = stackUsage(s.config);
            lines.push(...uncounted.map((u) => `  ${s.stack}: ${u}`));
            for (const u of regions) perRegion.set(u.region, [...(perRegion.get(u.region) ?? []), { stack: s.stack, usage: u }]);
        }
        for (const [region, users] of [...perRegion].sort(([a], [b]) => a.localeCompare(b))) {
            const stated = statedQuotas(group, region, problems, account);
            const sum = (k: QuotaKey) => users.reduce((n, u) => n + u.usage.usage[k], 0) + (k === "vpcsPerRegion" || k === "internetGatewaysPerRegion" ? 1 : 0);
            const nat: Record<string, number> = {};
            for (const u of users) for (const [z, n] of Object.entries(u.usage.natByAz)) nat[z] = (nat[z] ?? 0) + n;
            const figures = (Object.keys(QUOTAS) as QuotaKey[]).map((k) => {
                const q: QuotaSpec = QUOTAS[k];
                const used = k === "natGatewaysPerAz" ? Math.max(0, ...Object.values(nat)) : sum(k);
                const limit = stated[k] ?? q.default;
                if (used > limit) {
                    problems.push(`platform:account.quotas.${region}.${k}: account ${account}, ${region} needs ${used} for ${users.map((u) => `${u.stack} (${u.usage.role})`).join(", ")} (${q.counts}) but the quota "${q.name}" (${q.service} ${q.code}) is ${limit}${stated[k] === undefined ? " (AWS's default)" : " (stated)"}. ` +
                        `Raise it: aws service-quotas request-service-quota-increase --service-code ${q.service} --quota-code ${q.code} --desired-value ${used} --region ${region}; once granted, state it in platform:account.quotas.${region}.${k} of every stack of the account (docs/deploy.md#quotas)`);
                }
                return `${k} ${used}/${limit}`;
            });
            lines.push(`  account ${account} ${region} (${users.map((u) => u.stack).join(", ")}): ${figures.join(", ")}`);
        }
    }
}

/**
 * Every account-wide problem of the repository's stacks, and the usage report the plan prints. With `focus`, only the
 * account of that stack (the stack being planned) is judged.
 */
export function accountReport(all: StackEntry[], order: readonly string[], focus?: string): AccountReport {
    const problems: string[] = [];
    const lines: string[] = [];
    const rank = (s: StackEntry) => (order.includes(s.stack) ? order.indexOf(s.stack) : order.length);
    all = [...all].sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
    const focused = all.find((s) => s.stack === focus);
    const stacks = focused ? all.filter((s) => s === focused || (accountOf(s.config) !== undefined && accountOf(s.config) === accountOf(focused.config))) : all;
    for (const s of stacks) {
        if (!accountOf(s.config)) problems.push(`aws:allowedAccountIds: Pulumi.${s.stack}.yaml names ${s.config.allowedAccountIds.length === 0 ? "no account" : `${s.config.allowedAccountIds.length} accounts`}; the account-wide checks (service-linked roles, quotas) need the one account each stack deploys to: pulumi config set --path 'aws:allowedAccountIds[0]' <12-digit id> --stack ${s.stack}`);
        const conn = /^arn:[^:]+:[^:]+:[^:]+:(\d{12}):/.exec(s.config.ci.connectionArn);
        if (conn && accountOf(s.config) && conn[1] !== accountOf(s.config)) problems.push(`platform:ci.connectionArn: Pulumi.${s.stack}.yaml's GitHub connection is in account ${conn[1]} but the stack deploys to ${accountOf(s.config)}; CodeBuild uses a connection of its own account: create one there (docs/deploy.md)`);
    }
    problems.push(...oncePerAccount(stacks, order));
    quotaReport(stacks, problems, lines);
    return { problems, lines };
}
