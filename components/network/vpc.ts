/**
 * Vpc: public, private and isolated subnets over N AZs, NAT per AZ or single, flow logs to a
 * KMS-encrypted log group, an S3 gateway endpoint and interface endpoints.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKmsKey } from "../shared/kms";
import { platformRole, serviceTrustPolicy, policyDocument } from "../shared/iam";
import { componentTags, PlatformContext } from "../shared/naming";
import { SubnetPlan } from "./subnets";

export interface VpcArgs {
    ctx: PlatformContext;
    /** AWS account id (for the flow-log key policy). */
    accountId: pulumi.Input<string>;
    /** VPC CIDR, e.g. 10.0.0.0/16. */
    cidr: string;
    /** AZ names, one per subnet of each tier (length = AZ count). */
    availabilityZones: pulumi.Input<string[]>;
    /** Subnet CIDRs per tier, from planSubnets(). */
    subnets: SubnetPlan;
    /** "perAz" (one NAT per AZ) or "single". Defaults to perAz. */
    natGateways?: "perAz" | "single";
    /** Flow log retention in days. Defaults to 365. */
    flowLogRetentionDays?: number;
    /** Interface endpoint services (e.g. ecr.api, sts). Defaults to none. */
    interfaceEndpoints?: string[];
    /** EKS cluster name, for the `kubernetes.io/cluster/<name>` discovery tag on private subnets. */
    clusterName?: string;
}

export class Vpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidr: string;
    /** The AZ of each subnet index (subnet i of every tier is in zone i). */
    public readonly availabilityZones: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly isolatedSubnetIds: pulumi.Output<string>[];
    public readonly natGatewayIds: pulumi.Output<string>[];

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Vpc", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "network");
        const nameTag = (suffix: string) => ({ ...tags, Name: `${ctx.prefix}-${suffix}` });
        const child = { parent: this };
        const azCount = args.subnets.private.length;
        const az = (i: number) => pulumi.output(args.availabilityZones).apply((zones) => zones[i]);

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: nameTag("vpc") }, child);
        this.vpcId = vpc.id;
        this.cidr = args.cidr;
        this.availabilityZones = pulumi.output(args.availabilityZones);
        // CIS EC2.2: the default security group allows nothing.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: nameTag("default-deny") }, child);

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: nameTag("igw") }, child);
        const subnet = (tier: keyof SubnetPlan, i: number, extraTags: Record<string, string>) =>
            new aws.ec2.Subnet(`${name}-${tier}-${i}`, {
                vpcId: vpc.id,
                cidrBlock: args.subnets[tier][i],
                availabilityZone: az(i),
                mapPublicIpOnLaunch: false,
                tags: { ...nameTag(`${tier}-${i}`), tier, ...extraTags },
            }, child);
        const clusterTag: Record<string, string> = args.clusterName ? { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" } : {};
        const publicSubnets = [...Array(azCount).keys()].map((i) => subnet("public", i, { "kubernetes.io/role/elb": "1" }));
        const privateSubnets = [...Array(azCount).keys()].map((i) => subnet("private", i, { "kubernetes.io/role/internal-elb": "1", ...clusterTag }));
        const isolatedSubnets = [...Array(azCount).keys()].map((i) => subnet("isolated", i, {}));
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.isolatedSubnetIds = isolatedSubnets.map((s) => s.id);

        const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: nameTag("public") }, child);
        publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, child));

        const natCount = (args.natGateways ?? "perAz") === "perAz" ? azCount : 1;
        const nats = [...Array(natCount).keys()].map((i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${i}`, { domain: "vpc", tags: nameTag(`nat-${i}`) }, child);
            return new aws.ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: nameTag(`nat-${i}`) }, { parent: this, dependsOn: [igw] });
        });
        this.natGatewayIds = nats.map((n) => n.id);
        const privateRts = privateSubnets.map((s, i) => {
            const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i}`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }], tags: nameTag(`private-${i}`) }, child);
            new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i}`, { subnetId: s.id, routeTableId: rt.id }, child);
            return rt;
        });
        // Isolated tier: local routes only (no internet, no NAT); S3 reachable through the gateway endpoint.
        const isolatedRt = new aws.ec2.RouteTable(`${name}-isolated-rt`, { vpcId: vpc.id, tags: nameTag("isolated") }, child);
        isolatedSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-isolated-rta-${i}`, { subnetId: s.id, routeTableId: isolatedRt.id }, child));

        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${ctx.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: [...privateRts.map((rt) => rt.id), isolatedRt.id],
            tags: nameTag("s3"),
        }, child);
        const endpoints = args.interfaceEndpoints ?? [];
        if (endpoints.length > 0) {
            const endpointSg = new aws.ec2.SecurityGroup(`${name}-endpoints-sg`, {
                vpcId: vpc.id,
                description: "HTTPS from the VPC to interface endpoints",
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.cidr], description: "HTTPS from the VPC" }],
                tags: nameTag("endpoints"),
            }, child);
            for (const service of endpoints) {
                new aws.ec2.VpcEndpoint(`${name}-${service.replace(/\./g, "-")}`, {
                    vpcId: vpc.id,
                    serviceName: `com.amazonaws.${ctx.region}.${service}`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: this.privateSubnetIds,
                    securityGroupIds: [endpointSg.id],
                    tags: nameTag(service),
                }, child);
            }
        }

        // Flow logs (CIS EC2.6) to a KMS-encrypted log group with bounded retention.
        const logKey = createKmsKey(`${name}-flowlogs-key`, `${ctx.prefix}-flowlogs`, {
            description: `${ctx.prefix} VPC flow logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flowlogs`, {
            name: `/aws/vpc/${ctx.prefix}/flow-logs`, retentionInDays: args.flowLogRetentionDays ?? 365, kmsKeyId: logKey.arn, tags,
        }, child);
        const flowRole = platformRole(`${name}-flowlogs-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com"), tags }, child);
        new aws.iam.RolePolicy(`${name}-flowlogs-policy`, {
            role: flowRole.id,
            policy: policyDocument([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: pulumi.interpolate`${logGroup.arn}:*` }]),
        }, child);
        new aws.ec2.FlowLog(`${name}-flowlog`, {
            vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: flowRole.arn, maxAggregationInterval: 60, tags,
        }, child);

        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            natGatewayIds: this.natGatewayIds,
        });
    }
}
