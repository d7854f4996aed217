/**
 * The chaos experiments the platform defines, as data: for each, the AWS FIS action, its target and
 * parameters, and the least-privilege statements its experiment role needs. Pure (no resources), so
 * the component and the tests share one definition.
 *
 * Facts from the AWS FIS User Guide (Actions reference, Targets) and the Service Authorization
 * Reference, checked by hand on the pages' 2026 versions:
 * - `aws:ec2:terminate-instances`: target `aws:ec2:instance` (action target key `Instances`), no parameters;
 *   instance targets can be filtered on the DescribeInstances fields `Placement.AvailabilityZone` and `State.Name`.
 * - `aws:eks:terminate-nodegroup-instances`: target `aws:eks:nodegroup` (`Nodegroups`), parameter
 *   `instanceTerminationPercentage` (1-100). It has no zone parameter: it terminates that share of every
 *   targeted node group's instances, in whatever zones they are.
 * - `aws:rds:reboot-db-instances`: target `aws:rds:db` (`DBInstances`), parameter `forceFailover`
 *   (`true` fails a Multi-AZ instance over to its standby; a Single-AZ instance cannot fail over).
 * - `aws:network:disrupt-connectivity`: target `aws:ec2:subnet` (`Subnets`), parameters `duration`
 *   (ISO 8601, PT1M to PT12H) and `scope` (`all`, `availability-zone`, `dynamodb`, `prefix-list`, `s3`, ...).
 *   FIS swaps each subnet's network ACL for one it creates (tagged `managedByFIS=true`) and puts the
 *   original back when the duration ends.
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "../shared/iam";
import { ChaosExperimentKey } from "./keys";

export { CHAOS_EXPERIMENTS, ChaosExperimentKey } from "./keys";

/** Each FIS action used: the target resource type, the action's target key and the parameters it accepts. */
export const FIS_ACTIONS = {
    "aws:ec2:terminate-instances": { resourceType: "aws:ec2:instance", targetKey: "Instances", parameters: [] as string[] },
    "aws:eks:terminate-nodegroup-instances": { resourceType: "aws:eks:nodegroup", targetKey: "Nodegroups", parameters: ["instanceTerminationPercentage"] },
    "aws:rds:reboot-db-instances": { resourceType: "aws:rds:db", targetKey: "DBInstances", parameters: ["forceFailover"] },
    "aws:network:disrupt-connectivity": { resourceType: "aws:ec2:subnet", targetKey: "Subnets", parameters: ["duration", "scope"] },
} as const;
export type FisActionId = keyof typeof FIS_ACTIONS;

/** The most resource ARNs one FIS target takes (FIS API, ResourceArnList max 5; the provider's resource_arns MaxItems 5). */
export const FIS_MAX_TARGET_ARNS = 5;

/** ARN lists cut into groups FIS accepts as one target each (a single group when there are at most FIS_MAX_TARGET_ARNS). */
export function targetArnGroups<T>(arns: T[]): T[][] {
    const groups: T[][] = [];
    for (let i = 0; i < arns.length; i += FIS_MAX_TARGET_ARNS) groups.push(arns.slice(i, i + FIS_MAX_TARGET_ARNS));
    return groups;
}

/** FIS tags the network ACLs it creates with this; the role may change only ACLs carrying it. */
export const FIS_MANAGED_TAG = "managedByFIS";
/** EKS tags the instances of a managed node group with their cluster's name. */
export const EKS_CLUSTER_TAG = "eks:cluster-name";

export interface ExperimentSpec {
    key: ChaosExperimentKey;
    description: string;
    actionId: FisActionId;
    parameters: Record<string, string>;
    target: {
        resourceType: string;
        resourceArns?: pulumi.Input<string>[];
        resourceTags?: Record<string, pulumi.Input<string>>;
        filters?: { path: string; values: pulumi.Input<string>[] }[];
        selectionMode: string;
    };
    /** What the experiment role needs for this action (target resolution included). */
    statements: PolicyStatement[];
}

export interface ExperimentInputs {
    partition: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** The EKS cluster whose nodes are terminated. */
    clusterName: pulumi.Input<string>;
    /** ARNs of the cluster's managed node groups. */
    nodeGroupArns: pulumi.Input<string>[];
    /** The zone the zonal experiments hit. */
    zone: pulumi.Input<string>;
    /** Every subnet of that zone (public, private, isolated). */
    zoneSubnetIds: pulumi.Input<string>[];
    vpcId: pulumi.Input<string>;
    /** The primary database; undefined when it is not Multi-AZ (no failover to force). */
    database?: { arn: pulumi.Input<string>; identifier: pulumi.Input<string> };
    /** Minutes the zone's subnets stay cut off. */
    networkDisruptionMinutes: number;
    /** Share of each node group's instances the node-group experiment terminates, percent. */
    nodeTerminationPercent: number;
}

/** ISO 8601 duration of whole minutes, as FIS takes it. */
export function isoMinutes(minutes: number): string {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 720) throw new Error(`a FIS duration must be 1 to 720 whole minutes, not ${minutes}`);
    return `PT${minutes}M`;
}

/** The experiments for these inputs: every key of CHAOS_EXPERIMENTS, except rds-failover without a Multi-AZ database. */
export function experimentSpecs(a: ExperimentInputs): ExperimentSpec[] {
    const arn = (service: string, resource: pulumi.Input<string>) => pulumi.interpolate`arn:${a.partition}:${service}:${a.region}:${a.accountId}:${resource}`;
    const instances = arn("ec2", "instance/*");
    const terminateClusterNodes: PolicyStatement = {
        Sid: "TerminateClusterNodes", Effect: "Allow", Action: "ec2:TerminateInstances", Resource: instances,
        Condition: { StringEquals: { [`aws:ResourceTag/${EKS_CLUSTER_TAG}`]: a.clusterName } },
    };
    const describeInstances: PolicyStatement = { Sid: "DescribeInstances", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" };
    const resolveTargets: PolicyStatement = { Sid: "ResolveTargets", Effect: "Allow", Action: "tag:GetResources", Resource: "*" };
    const specs: ExperimentSpec[] = [
        {
            key: "node-zone",
            description: "Terminate every node of the EKS cluster in one availability zone (zone loss for the cluster's compute)",
            actionId: "aws:ec2:terminate-instances",
            parameters: {},
            target: {
                resourceType: "aws:ec2:instance",
                resourceTags: { [EKS_CLUSTER_TAG]: a.clusterName },
                filters: [{ path: "Placement.AvailabilityZone", values: [a.zone] }, { path: "State.Name", values: ["running"] }],
                selectionMode: "ALL",
            },
            statements: [terminateClusterNodes, describeInstances, resolveTargets],
        },
        {
            key: "nodegroup",
            description: `Terminate ${a.nodeTerminationPercent}% of the instances of every managed node group of the EKS cluster`,
            actionId: "aws:eks:terminate-nodegroup-instances",
            parameters: { instanceTerminationPercentage: String(a.nodeTerminationPercent) },
            target: { resourceType: "aws:eks:nodegroup", resourceArns: a.nodeGroupArns, selectionMode: "ALL" },
            statements: [
                { Sid: "DescribeNodegroups", Effect: "Allow", Action: "eks:DescribeNodegroup", Resource: a.nodeGroupArns },
                terminateClusterNodes, describeInstances, resolveTargets,
            ],
        },
    ];
    if (a.database) {
        specs.push({
            key: "rds-failover",
            description: "Reboot the primary database with a forced Multi-AZ failover",
            actionId: "aws:rds:reboot-db-instances",
            parameters: { forceFailover: "true" },
            target: { resourceType: "aws:rds:db", resourceArns: [a.database.arn], selectionMode: "ALL" },
            statements: [
                { Sid: "RebootDatabase", Effect: "Allow", Action: ["rds:RebootDBInstance", "rds:DescribeDBInstances"], Resource: a.database.arn },
                resolveTargets,
            ],
        });
    }
    const acls = arn("ec2", "network-acl/*");
    const subnetArns = a.zoneSubnetIds.map((id) => arn("ec2", pulumi.interpolate`subnet/${id}`));
    specs.push({
        key: "network-zone",
        description: `Cut every subnet of one availability zone off the network for ${a.networkDisruptionMinutes} min (network ACL deny-all, restored after)`,
        actionId: "aws:network:disrupt-connectivity",
        parameters: { duration: isoMinutes(a.networkDisruptionMinutes), scope: "all" },
        target: { resourceType: "aws:ec2:subnet", resourceArns: subnetArns, selectionMode: "ALL" },
        statements: [
            // The deny-all ACL FIS creates in the VPC, tagged on creation; the role may edit and delete only ACLs carrying the tag.
            { Sid: "CreateFisNetworkAcl", Effect: "Allow", Action: "ec2:CreateNetworkAcl", Resource: acls, Condition: { StringEquals: { [`aws:RequestTag/${FIS_MANAGED_TAG}`]: "true" } } },
            { Sid: "CreateNetworkAclInVpc", Effect: "Allow", Action: "ec2:CreateNetworkAcl", Resource: arn("ec2", pulumi.interpolate`vpc/${a.vpcId}`) },
            { Sid: "TagFisNetworkAcl", Effect: "Allow", Action: "ec2:CreateTags", Resource: acls, Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkAcl", [`aws:RequestTag/${FIS_MANAGED_TAG}`]: "true" } } },
            { Sid: "EditFisNetworkAcl", Effect: "Allow", Action: ["ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"], Resource: acls, Condition: { StringEquals: { [`aws:ResourceTag/${FIS_MANAGED_TAG}`]: "true" } } },
            // Swapping the zone's subnets onto the FIS ACL and back onto their original ACL.
            { Sid: "SwapSubnetAcls", Effect: "Allow", Action: "ec2:ReplaceNetworkAclAssociation", Resource: [acls, ...subnetArns] },
            {
                Sid: "DescribeNetwork", Effect: "Allow", Resource: "*",
                Action: ["ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"],
            },
            resolveTargets,
        ],
    });
    return specs;
}

/** FIS delivers experiment logs to CloudWatch Logs with the experiment role (FIS User Guide, "Experiment logging permissions"). */
export const LOG_DELIVERY_STATEMENT: PolicyStatement = {
    Sid: "ExperimentLogDelivery", Effect: "Allow", Resource: "*",
    Action: ["logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"],
};

/** One statement per Sid: the experiments share some (instances, target resolution), the role policy lists each once. */
export function mergeStatements(specs: ExperimentSpec[]): PolicyStatement[] {
    const bySid = new Map<string, PolicyStatement>();
    for (const st of specs.flatMap((s) => s.statements)) if (!bySid.has(st.Sid!)) bySid.set(st.Sid!, st);
    return [...bySid.values(), LOG_DELIVERY_STATEMENT];
}
