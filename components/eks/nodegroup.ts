/**
 * NodeGroup: a managed node group in private subnets on a launch template that requires IMDSv2
 * (hop limit 1, so pods cannot reach node credentials) and encrypted gp3 root volumes.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { amiTypeFor } from "./addons";

export interface NodeGroupArgs {
    clusterName: pulumi.Input<string>;
    /** Physical name prefix, e.g. platform-prod. */
    prefix: string;
    nodeRoleArn: pulumi.Input<string>;
    /** Private subnets the nodes run in. */
    subnetIds: pulumi.Input<string>[];
    /** KMS key for the root volumes. */
    volumeKmsKeyArn: pulumi.Input<string>;
    instanceTypes: string[];
    /** ON_DEMAND or SPOT. Defaults to ON_DEMAND. */
    capacityType?: "ON_DEMAND" | "SPOT";
    minSize: number;
    maxSize: number;
    desiredSize: number;
    /** Root volume size in GiB. Defaults to 50. */
    diskSizeGiB?: number;
    labels?: Record<string, string>;
    taints?: { key: string; value?: string; effect: "NO_SCHEDULE" | "NO_EXECUTE" | "PREFER_NO_SCHEDULE" }[];
    tags: Record<string, string>;
}

export class NodeGroup extends pulumi.ComponentResource {
    public readonly nodeGroupName: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly launchTemplateId: pulumi.Output<string>;

    constructor(name: string, args: NodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:NodeGroup", name, {}, opts);
        const template = new aws.ec2.LaunchTemplate(`${name}-lt`, {
            namePrefix: `${args.prefix}-${name}-`,
            description: `EKS managed nodes ${name}: IMDSv2 only, encrypted gp3 root volume`,
            updateDefaultVersion: true,
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: args.diskSizeGiB ?? 50, volumeType: "gp3", encrypted: "true", kmsKeyId: args.volumeKmsKeyArn, deleteOnTermination: "true" },
            }],
            monitoring: { enabled: true },
            tagSpecifications: [
                { resourceType: "instance", tags: { ...args.tags, Name: `${args.prefix}-${name}` } },
                { resourceType: "volume", tags: args.tags },
            ],
            tags: args.tags,
        }, { parent: this });
        const nodeGroup = new aws.eks.NodeGroup(`${name}-ng`, {
            clusterName: args.clusterName,
            nodeGroupNamePrefix: `${name}-`,
            nodeRoleArn: args.nodeRoleArn,
            subnetIds: args.subnetIds,
            instanceTypes: args.instanceTypes,
            capacityType: args.capacityType ?? "ON_DEMAND",
            amiType: amiTypeFor(args.instanceTypes[0]),
            scalingConfig: { minSize: args.minSize, maxSize: args.maxSize, desiredSize: args.desiredSize },
            updateConfig: { maxUnavailablePercentage: 33 },
            launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
            labels: { ...args.labels, "platform/node-group": name },
            taints: args.taints?.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
            tags: args.tags,
        }, { parent: this, ignoreChanges: ["scalingConfig.desiredSize"] });
        this.nodeGroupName = nodeGroup.nodeGroupName;
        this.arn = nodeGroup.arn;
        this.launchTemplateId = template.id;
        this.registerOutputs({ nodeGroupName: this.nodeGroupName, arn: this.arn, launchTemplateId: this.launchTemplateId });
    }
}
