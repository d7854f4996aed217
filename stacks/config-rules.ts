/**
 * The cross-field rules of the platform config: checks that need more than one field. Each rule is
 * small and runs on its own, so that with schema errors elsewhere the rules still run on every valid
 * part (stacks/config-partial.ts) and report together with them; a rule reading an invalid value,
 * or `aws:region` when it is missing or not a region, is skipped rather than report a consequence.
 */
import { cidrsOverlap, planSubnets, SubnetPlan } from "../components/network/subnets";
import { partitionOf } from "../components/shared/naming";
import { CONNECTION_ARN, PlatformSettings, SUPPORTED_POSTGRES_MAJORS } from "./config-schema";
import { Unparsed } from "./config-partial";
import { EC2_INSTANCE_TYPES, instanceTypeProblem, RDS_INSTANCE_CLASSES } from "./instance-types";
import { resilienceProblems } from "./resilience-schema";
import { signingChecks } from "./supply-chain-checks";

export interface RuleContext {
    cfg: PlatformSettings;
    /** `aws:region`; reading it throws Unparsed when it is missing or invalid (already reported). */
    readonly region: string;
    problems: string[];
    /** The primary subnet layout, set by the network rule when it fits. */
    subnets?: SubnetPlan;
}

/** A context whose region is `region`, or unreadable when it is not a valid region. */
export function ruleContext(cfg: PlatformSettings, region: string | undefined, problems: string[]): RuleContext {
    return {
        cfg,
        problems,
        get region(): string {
            if (region === undefined) throw new Unparsed("aws:region");
            return region;
        },
    };
}

const show = (value: unknown) => (value === undefined ? "(unset)" : JSON.stringify(value));

type Rule = (ctx: RuleContext) => void;

const adminEntries: Rule = ({ cfg, problems }) => {
    // issue 14: one access entry per principal; the CI roles get theirs from platform:ci.
    for (const [i, arn] of cfg.eks.adminRoleArns.entries()) {
        const name = arn.split("/").pop();
        if (name === cfg.ci.deployRoleName || name === cfg.ci.previewRoleName || cfg.eks.adminRoleArns.indexOf(arn) !== i) {
            problems.push(`platform:eks.adminRoleArns[${i}]: ${show(arn)} already has an access entry (listed twice, or it is platform:ci.deployRoleName/previewRoleName); EKS allows one entry per principal`);
        }
    }
};

const connectionRegion: Rule = (ctx) => {
    // review finding 5: CodeBuild uses a connection of its own region only.
    const conn = CONNECTION_ARN.exec(ctx.cfg.ci.connectionArn);
    if (conn && conn[3] !== ctx.region) ctx.problems.push(`platform:ci.connectionArn: the connection is in ${conn[3]} but the stack deploys to ${ctx.region}; create the GitHub connection in ${ctx.region} (docs/deploy.md)`);
};

const network: Rule = (ctx) => {
    const { network: n } = ctx.cfg;
    try {
        ctx.subnets = planSubnets(n.cidr, n.azCount, n.subnetPrefixes);
    } catch (e) {
        if (e instanceof Unparsed) throw e;
        ctx.problems.push(`platform:network.subnetPrefixes: ${(e as Error).message}; use a larger network.cidr or longer prefixes`);
    }
};

const nodeGroups: Rule = ({ cfg, problems }) => {
    const names = new Set<string>();
    // Each group on its own: an invalid group (already reported) stops only its own checks.
    for (let i = 0; i < cfg.eks.nodeGroups.length; i++) {
        try {
            const g = cfg.eks.nodeGroups[i];
            const at = `platform:eks.nodeGroups[${i}]`;
            if (g.minSize > g.maxSize) problems.push(`${at}.minSize: ${g.minSize} is greater than maxSize ${g.maxSize}; need minSize <= desiredSize <= maxSize`);
            else if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) problems.push(`${at}.desiredSize: ${g.desiredSize} is outside [minSize, maxSize] = [${g.minSize}, ${g.maxSize}]`);
            if (names.has(g.name)) problems.push(`${at}.name: ${show(g.name)} is used by another node group; names must be unique`);
            names.add(g.name);
        } catch (e) {
            if (!(e instanceof Unparsed)) throw e;
        }
    }
};

const instanceTypes: Rule = ({ cfg, problems }) => {
    const unlisted = cfg.unlistedInstanceTypes;
    for (let i = 0; i < cfg.eks.nodeGroups.length; i++) {
        try {
            cfg.eks.nodeGroups[i].instanceTypes.forEach((t, j) => {
                const problem = instanceTypeProblem(t, EC2_INSTANCE_TYPES, "an EC2 instance type", unlisted);
                if (problem) problems.push(`platform:eks.nodeGroups[${i}].instanceTypes[${j}]: ${problem}`);
            });
        } catch (e) {
            if (!(e instanceof Unparsed)) throw e;
        }
    }
};

const instanceClass: Rule = ({ cfg, problems }) => {
    const problem = instanceTypeProblem(cfg.database.instanceClass, RDS_INSTANCE_CLASSES, "an RDS instance class", cfg.unlistedInstanceTypes);
    if (problem) problems.push(`platform:database.instanceClass: ${problem}`);
};

const unlistedAreNew: Rule = ({ cfg, problems }) => {
    cfg.unlistedInstanceTypes.forEach((t, i) => {
        if (EC2_INSTANCE_TYPES.includes(t) || RDS_INSTANCE_CLASSES.includes(t)) problems.push(`platform:unlistedInstanceTypes[${i}]: ${show(t)} is already known; remove it (the list is only for types newer than the pinned @pulumi/aws)`);
    });
};

const engine: Rule = ({ cfg, problems }) => {
    const { database: db } = cfg;
    const major = Number(db.engineVersion.split(".")[0]);
    if (!(SUPPORTED_POSTGRES_MAJORS as readonly number[]).includes(major)) {
        problems.push(`platform:database.engineVersion: ${show(db.engineVersion)} is not a supported PostgreSQL major; allowed majors: ${SUPPORTED_POSTGRES_MAJORS.join(", ")}`);
    }
};

const storage: Rule = ({ cfg, problems }) => {
    const { database: db } = cfg;
    if (db.maxAllocatedStorageGiB < db.allocatedStorageGiB) problems.push(`platform:database.maxAllocatedStorageGiB: ${db.maxAllocatedStorageGiB} is below allocatedStorageGiB ${db.allocatedStorageGiB}`);
};

const drRegion: Rule = (ctx) => {
    const { dr } = ctx.cfg;
    if (!dr.enabled) {
        if (dr.failover) ctx.problems.push(`platform:dr.failover: true needs dr.enabled: true (there is no DR region to fail over to)`);
        return;
    }
    if (!dr.region) {
        let other = "";
        try {
            other = ` other than ${ctx.region}`;
        } catch (e) {
            if (!(e instanceof Unparsed)) throw e;
        }
        ctx.problems.push(`platform:dr.region: required when dr.enabled is true; set an AWS region${other}`);
    } else if (dr.region === ctx.region) ctx.problems.push(`platform:dr.region: ${show(dr.region)} equals the primary aws:region; the DR region must be a different region`);
    else if (partitionOf(dr.region) !== partitionOf(ctx.region)) ctx.problems.push(`platform:dr.region: ${show(dr.region)} is in partition ${partitionOf(dr.region)}, aws:region ${ctx.region} in ${partitionOf(ctx.region)}; replication and backup copies stay within one partition`);
};

const drNetwork: Rule = ({ cfg, problems }) => {
    const { dr, network: n } = cfg;
    if (!dr.enabled) return;
    if (cidrsOverlap(dr.vpcCidr, n.cidr)) problems.push(`platform:dr.vpcCidr: ${show(dr.vpcCidr)} overlaps network.cidr ${n.cidr}; the DR VPC needs its own range`);
    try {
        planSubnets(dr.vpcCidr, n.azCount, n.subnetPrefixes);
    } catch (e) {
        if (e instanceof Unparsed) throw e;
        problems.push(`platform:dr.vpcCidr: ${(e as Error).message}; use a larger dr.vpcCidr`);
    }
};

const vaultLock: Rule = ({ cfg, problems }) => {
    const { backup } = cfg;
    if (!backup.vaultLock.enabled) return;
    const { minRetentionDays: min, maxRetentionDays: max } = backup.vaultLock;
    if (min > max) problems.push(`platform:backup.vaultLock.minRetentionDays: ${min} is greater than maxRetentionDays ${max}`);
    const rules: [string, number][] = [["dailyRetentionDays", backup.dailyRetentionDays], ["weeklyRetentionDays", backup.weeklyRetentionDays], ["monthlyRetentionDays", backup.monthlyRetentionDays]];
    for (const [key, days] of rules) {
        if (days !== 0 && (days < min || days > max)) problems.push(`platform:backup.${key}: ${days} is outside the vault lock range [${min}, ${max}] days; the locked vault would refuse these recovery points`);
    }
};

const verification: Rule = ({ cfg, problems }) => {
    const { supplyChain: sc } = cfg;
    if ((sc.verificationMode === "registry" || sc.signedRegistries.length > 0) && sc.cosignPublicKeys.length === 0 && !sc.signing.enabled) {
        problems.push(`platform:supplyChain.cosignPublicKeys: registry verification and signedRegistries need at least one cosign public key, or supplyChain.signing.enabled: true (the stack's KMS signing key)`);
    }
};

const signing: Rule = ({ cfg, problems }) => {
    problems.push(...signingChecks(cfg.supplyChain.signing, cfg.ci.repository));
};

const resilience: Rule = (ctx) => {
    ctx.problems.push(...resilienceProblems(ctx.cfg.resilience, ctx.cfg.network.availabilityZones, ctx.region));
};

const receivers: Rule = ({ cfg, problems }) => {
    const names = new Set<string>();
    cfg.alerting.receivers.forEach((r, i) => {
        if (names.has(r.name)) problems.push(`platform:alerting.receivers[${i}].name: ${show(r.name)} is used twice; receiver names must be unique`);
        names.add(r.name);
    });
};

/** Every cross-field rule, in the order their problems are listed. */
export const CROSS_FIELD_RULES: Rule[] = [
    // Zones: stacks/dr-checks.ts (pinned in both regions, issue 22).
    adminEntries, connectionRegion, network, nodeGroups, instanceTypes, instanceClass, unlistedAreNew,
    engine, storage, drRegion, drNetwork, vaultLock, verification, signing, resilience, receivers,
];
