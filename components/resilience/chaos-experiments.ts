/**
 * ChaosExperiments: AWS FIS experiment templates for one stack (experiments.ts: a zone's nodes
 * terminated, a share of every node group terminated, a forced Multi-AZ failover of the database, a
 * zone's subnets cut off), each stopped by the CloudWatch alarms of stop-alarms.ts (plus any alarms
 * the stack adds), run with its own experiment role (least privilege, the platform's boundary and
 * path) and logging to a KMS-encrypted log group. Nothing runs until someone starts a template:
 * `aws fis start-experiment --experiment-template-id <id>`, or the DR drill's `--chaos <key>`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKmsKey } from "../shared/kms";
import { platformRole, policyDocument } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { ChaosExperimentKey, experimentSpecs, FIS_ACTIONS, mergeStatements, targetArnGroups } from "./experiments";
import { stopAlarms } from "./stop-alarms";

/** Defaults of the optional args. */
export const CHAOS_DEFAULTS = { networkDisruptionMinutes: 5, nodeTerminationPercent: 34, unschedulableMinutes: 10, logRetentionDays: 365 } as const;

export interface ChaosExperimentsArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** The EKS cluster the node experiments hit. */
    clusterName: pulumi.Input<string>;
    /** ARNs of its managed node groups. */
    nodeGroupArns: pulumi.Input<string>[];
    vpcId: pulumi.Input<string>;
    /** The zone the zonal experiments hit. */
    zone: pulumi.Input<string>;
    /** Every subnet of that zone (public, private and isolated). */
    zoneSubnetIds: pulumi.Input<string>[];
    /** The primary database when it is Multi-AZ; without it there is no rds-failover experiment (a Single-AZ instance cannot fail over). */
    multiAzDatabase?: { arn: pulumi.Input<string>; identifier: pulumi.Input<string> };
    /** Objective of the API server availability SLO the stop alarm follows, e.g. 0.999. */
    sloObjective: number;
    /** More CloudWatch alarms (ARNs, same region) that stop every experiment, e.g. the services' own SLO alarms. Defaults to []. */
    extraStopAlarmArns?: string[];
    /** Minutes the network-zone experiment cuts the zone off. Defaults to 5. */
    networkDisruptionMinutes?: number;
    /** Share of each node group the nodegroup experiment terminates, percent. Defaults to 34 (one zone's share of three). */
    nodeTerminationPercent?: number;
    /** Minutes pods may stay unschedulable before the experiments stop. Defaults to 10. */
    unschedulableMinutes?: number;
    /** Retention of the experiment logs, days. Defaults to 365. */
    logRetentionDays?: number;
}

export class ChaosExperiments extends pulumi.ComponentResource {
    /** Experiment template id by experiment key. */
    public readonly templateIds: Partial<Record<ChaosExperimentKey, pulumi.Output<string>>>;
    /** The FIS action of each template. */
    public readonly actions: Partial<Record<ChaosExperimentKey, string>>;
    public readonly stopAlarmArns: pulumi.Output<string>[];
    public readonly logGroupName: string;
    public readonly roleArn: pulumi.Output<string>;
    public readonly region: string;

    constructor(name: string, args: ChaosExperimentsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:resilience:ChaosExperiments", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "resilience");
        const child = { parent: this };
        const partition = partitionOf(ctx.region);
        const prefix = `${ctx.prefix}-chaos`;
        this.region = ctx.region;

        const specs = experimentSpecs({
            partition, region: ctx.region, accountId: args.accountId, clusterName: args.clusterName, nodeGroupArns: args.nodeGroupArns,
            zone: args.zone, zoneSubnetIds: args.zoneSubnetIds, vpcId: args.vpcId, database: args.multiAzDatabase,
            networkDisruptionMinutes: args.networkDisruptionMinutes ?? CHAOS_DEFAULTS.networkDisruptionMinutes,
            nodeTerminationPercent: args.nodeTerminationPercent ?? CHAOS_DEFAULTS.nodeTerminationPercent,
        });

        const logKey = createKmsKey(`${name}-logs-key`, `${prefix}-logs`, {
            description: `${prefix} FIS experiment logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        this.logGroupName = `/aws/fis/${ctx.prefix}`;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: this.logGroupName, retentionInDays: args.logRetentionDays ?? CHAOS_DEFAULTS.logRetentionDays, kmsKeyId: logKey.arn, tags,
        }, child);

        const alarms = stopAlarms({
            resourceName: `${name}-stop`, namePrefix: `${prefix}-stop`, clusterName: args.clusterName, sloObjective: args.sloObjective,
            unschedulableMinutes: args.unschedulableMinutes ?? CHAOS_DEFAULTS.unschedulableMinutes, tags,
        }, child);
        this.stopAlarmArns = alarms.map((a) => a.arn);
        const stopConditions = [...this.stopAlarmArns, ...(args.extraStopAlarmArns ?? [])].map((value) => ({ source: "aws:cloudwatch:alarm", value }));

        // FIS assumes the role for this account's experiments only (confused-deputy guard).
        const role = platformRole(`${name}-role`, ctx.iam, {
            description: `${prefix}: AWS FIS experiments of ${ctx.prefix}`,
            assumeRolePolicy: policyDocument([{
                Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId }, ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:fis:${ctx.region}:${args.accountId}:experiment/*` } },
            }]),
            tags,
        }, child);
        this.roleArn = role.arn;
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyDocument(mergeStatements(specs)) }, child);

        this.templateIds = {};
        this.actions = {};
        for (const spec of specs) {
            // A target takes at most 5 ARNs (FIS API): more (node groups) become one target and one parallel action per group of 5.
            const groups = spec.target.resourceArns ? targetArnGroups(spec.target.resourceArns) : [undefined];
            const suffix = (i: number) => (groups.length > 1 ? `-${i + 1}` : "");
            const targetName = (i: number) => `${spec.key}${suffix(i)}`.replace(/-/g, "");
            const template = new aws.fis.ExperimentTemplate(`${name}-${spec.key}`, {
                description: spec.description,
                roleArn: role.arn,
                stopConditions,
                targets: groups.map((resourceArns, i) => ({
                    name: targetName(i),
                    resourceType: spec.target.resourceType,
                    resourceArns,
                    resourceTags: spec.target.resourceTags ? Object.entries(spec.target.resourceTags).map(([key, value]) => ({ key, value })) : undefined,
                    filters: spec.target.filters,
                    selectionMode: spec.target.selectionMode,
                })),
                actions: groups.map((_, i) => ({
                    name: `${spec.key}${suffix(i)}`,
                    actionId: spec.actionId,
                    description: spec.description,
                    parameters: Object.entries(spec.parameters).map(([key, value]) => ({ key, value })),
                    target: { key: FIS_ACTIONS[spec.actionId].targetKey, value: targetName(i) },
                })),
                experimentOptions: { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" },
                // FIS wants the log group ARN with its `:*` suffix.
                logConfiguration: { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: pulumi.interpolate`${logGroup.arn}:*` } },
                tags: { ...tags, Name: `${prefix}-${spec.key}` },
            }, { parent: this, dependsOn: [policy] });
            this.templateIds[spec.key] = template.id;
            this.actions[spec.key] = spec.actionId;
        }
        this.registerOutputs({ templateIds: this.templateIds, stopAlarmArns: this.stopAlarmArns, logGroupName: this.logGroupName, roleArn: this.roleArn });
    }
}
