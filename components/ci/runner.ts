/**
 * CiRunner: AWS CodeBuild-hosted GitHub Actions runners inside the platform VPC, so the deploy and
 * preview jobs reach the private EKS endpoint. A job asking for
 * `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}` is picked up by the
 * project's webhook (WORKFLOW_JOB_QUEUED) and runs in the private subnets, behind the NAT gateways.
 * The cluster admits the runner's security group on 443 (Cluster's apiClients, so the Kubernetes
 * provider waits for that rule).
 * The runner's own role can only run the build (logs, VPC interfaces, the GitHub connection); the job
 * gets its AWS permissions from the deploy or preview role through GitHub OIDC, as on any runner.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKmsKey } from "../shared/kms";
import { platformRole, policyDocument, serviceTrustPolicy } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";

/** The runs-on label prefix of a project: `codebuild-<project>-`. */
export function runnerLabel(projectName: string): string {
    return `codebuild-${projectName}-`;
}

/**
 * CodeBuild's build timeout of a runner, in minutes: a job runs inside one build, so the build must outlive the longest job
 * the runner takes (up.yml's `timeout-minutes`, below the deploy role's session; test/ci/credentials.test.ts).
 */
export const RUNNER_BUILD_TIMEOUT_MINUTES = 180;

/** GitHub workflows (their `name:`) whose jobs may use the in-VPC runner: deploy (calling up.yml) and pull-request (preview), plus up itself, and dr-drill (the DR drill, on the DR region's runner). */
export const RUNNER_WORKFLOWS = ["deploy", "pull-request", "up", "dr-drill"];

/** What CodeBuild's service role needs on the GitHub connection (token for the checkout and the runner registration). */
export const CONNECTION_ACTIONS = ["codeconnections:GetConnectionToken", "codeconnections:GetConnection", "codeconnections:UseConnection",
    "codestar-connections:GetConnectionToken", "codestar-connections:GetConnection", "codestar-connections:UseConnection"];

/** The connection's ARN under both service names (a connection made as codestar-connections is also reachable as codeconnections). */
export function connectionArnForms(arn: string): string[] {
    return ["codeconnections", "codestar-connections"].map((service) => arn.replace(/^(arn:[^:]+:)(codeconnections|codestar-connections)(:)/, `$1${service}$3`));
}

export interface CiRunnerArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Private subnets (NAT egress for GitHub, npm and the AWS APIs). */
    subnetIds: pulumi.Input<string>[];
    /** GitHub repository, owner/name. */
    repository: string;
    /** CodeConnections connection to GitHub (AVAILABLE, GitHub App installed on the repository): the project's source credential. */
    connectionArn: string;
    /** CodeBuild compute type. */
    computeType: string;
    /** Log retention, days. */
    logRetentionDays: number;
    /** Workflows (their `name:`) whose jobs may use the runner. Defaults to RUNNER_WORKFLOWS. */
    workflows?: string[];
}

export class CiRunner extends pulumi.ComponentResource {
    public readonly projectName: string;
    /** Security group of the runner's network interfaces. */
    public readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: CiRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ci:CiRunner", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "ci");
        const child = { parent: this };
        const partition = partitionOf(ctx.region);
        this.projectName = `${ctx.prefix}-gha-runner`;

        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: "GitHub Actions runners (CodeBuild): egress only",
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "GitHub, registries, AWS APIs, the EKS endpoint" }],
            tags: { ...tags, Name: `${this.projectName}-sg` },
        }, child);
        this.securityGroupId = sg.id;

        const logKey = createKmsKey(`${name}-logs-key`, `${this.projectName}-logs`, {
            description: `${this.projectName} build logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        const logGroupName = `/aws/codebuild/${this.projectName}`;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: logKey.arn, tags }, child);

        const role = platformRole(`${name}-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("codebuild.amazonaws.com"), tags }, child);
        const subnetArns = args.subnetIds.map((id) => pulumi.interpolate`arn:${partition}:ec2:${ctx.region}:${args.accountId}:subnet/${id}`);
        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: policyDocument([
                { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                // CodeBuild in a VPC: these EC2 calls take no resource-level permissions except CreateNetworkInterfacePermission.
                { Sid: "VpcInterfaces", Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"], Resource: "*" },
                { Sid: "VpcInterfacePermission", Effect: "Allow", Action: "ec2:CreateNetworkInterfacePermission", Resource: pulumi.interpolate`arn:${partition}:ec2:${ctx.region}:${args.accountId}:network-interface/*`, Condition: { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" }, ArnEquals: { "ec2:Subnet": subnetArns } } },
                // The connection answers to both service prefixes (codestar-connections is the former name) and both ARN forms.
                { Sid: "GitHubConnection", Effect: "Allow", Action: CONNECTION_ACTIONS, Resource: connectionArnForms(args.connectionArn) },
            ]),
        }, child);

        const project = new aws.codebuild.Project(`${name}-project`, {
            name: this.projectName,
            description: `GitHub Actions runners for ${args.repository} inside the ${ctx.prefix} VPC`,
            serviceRole: role.arn,
            source: {
                type: "GITHUB",
                location: `https://github.com/${args.repository}.git`,
                auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
            },
            artifacts: { type: "NO_ARTIFACTS" },
            environment: { type: "LINUX_CONTAINER", computeType: args.computeType, image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", imagePullCredentialsType: "CODEBUILD", privilegedMode: false },
            vpcConfig: { vpcId: args.vpcId, subnets: args.subnetIds, securityGroupIds: [sg.id] },
            logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logGroupName } },
            buildTimeout: RUNNER_BUILD_TIMEOUT_MINUTES,
            tags,
        }, { parent: this, dependsOn: [policy, logGroup] });
        new aws.codebuild.Webhook(`${name}-webhook`, {
            projectName: project.name,
            buildType: "BUILD",
            // Only jobs of the deploy and pull-request workflows start a runner in the VPC (the workflow run's name; a job of
            // the reusable up.yml runs under its caller's run). Defense in depth: forks and environments are the real gate (docs/deploy.md).
            filterGroups: [{ filters: [
                { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
                { type: "WORKFLOW_NAME", pattern: `^(${(args.workflows ?? RUNNER_WORKFLOWS).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$` },
            ] }],
        }, child);
        this.registerOutputs({ projectName: this.projectName, securityGroupId: this.securityGroupId });
    }
}
