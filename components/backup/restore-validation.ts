/**
 * RestoreValidation: what makes an AWS Backup restore test prove something about the platform.
 * The restored database lands in the platform's network (the DB subnet group of the isolated
 * subnets and a security group of its own: the restore testing selection's metadata overrides),
 * and an EventBridge rule on the restore job's completion runs a Lambda function in the private
 * subnets that connects to the restored copy over TLS with the master credential, runs a query, and
 * reports the result to AWS Backup (PutRestoreValidationResult). Code: restore-validation/index.cjs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { createKmsKey } from "../shared/kms";
import { platformRole, policyDocument, serviceTrustPolicy } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";

/** The Lambda code, deployed as index.js (one file, no dependencies beyond the runtime's AWS SDK). */
export const VALIDATOR_SOURCE = path.join(__dirname, "restore-validation", "index.cjs");
/** The Lambda runtime's bundle of CA certificates, RDS's included (Node.js 20+ loads it only when asked). */
export const LAMBDA_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/**
 * The EC2 actions a function in a VPC needs for its network interfaces: those of the AWS managed policy
 * AWSLambdaVPCAccessExecutionRole (version 3, edited 2024-01-05), which Lambda's VPC documentation names as the minimum.
 */
export const LAMBDA_VPC_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];

/** The EventBridge pattern of a completed RDS restore job of one restore testing plan. */
export function restoreTestCompletedPattern(planArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        source: ["aws.backup"],
        "detail-type": ["Restore Job State Change"],
        detail: { status: ["COMPLETED"], resourceType: ["RDS"], restoreTestingPlanArn: [{ prefix: planArn }] },
    });
}

export interface RestoreValidationArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Private subnets (NAT egress to the AWS APIs) for the function. */
    subnetIds: pulumi.Input<string>[];
    /** The master credential's secret and the key that encrypts it. */
    masterSecretArn: pulumi.Input<string>;
    databaseKmsKeyArn: pulumi.Input<string>;
    logRetentionDays: number;
}

export class RestoreValidation extends pulumi.ComponentResource {
    /** The security group restored copies get: PostgreSQL from the validator only. */
    public readonly restoredSecurityGroupId: pulumi.Output<string>;
    public readonly functionArn: pulumi.Output<string>;
    private readonly args: RestoreValidationArgs;
    private readonly fn: aws.lambda.Function;
    private readonly baseName: string;

    constructor(name: string, args: RestoreValidationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:backup:RestoreValidation", name, {}, opts);
        this.args = args;
        this.baseName = name;
        const { ctx } = args;
        const tags = componentTags(ctx, "backup");
        const child = { parent: this };
        const partition = partitionOf(ctx.region);
        const functionName = `${ctx.prefix}-restore-validation`;

        const validatorSg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: "Restore validation function: HTTPS to the AWS APIs, PostgreSQL to restored copies",
            tags: { ...tags, Name: `${functionName}-sg` },
        }, child);
        const restoredSg = new aws.ec2.SecurityGroup(`${name}-restored-sg`, {
            vpcId: args.vpcId,
            description: "Databases restored by AWS Backup restore tests: PostgreSQL from the validation function only",
            tags: { ...tags, Name: `${ctx.prefix}-restore-test-db-sg` },
        }, child);
        new aws.vpc.SecurityGroupEgressRule(`${name}-to-apis`, {
            securityGroupId: validatorSg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "AWS APIs (RDS, Secrets Manager, Backup) through the NAT gateways",
        }, child);
        new aws.vpc.SecurityGroupEgressRule(`${name}-to-restored`, {
            securityGroupId: validatorSg.id, referencedSecurityGroupId: restoredSg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, description: "PostgreSQL to restored copies",
        }, child);
        new aws.vpc.SecurityGroupIngressRule(`${name}-from-validator`, {
            securityGroupId: restoredSg.id, referencedSecurityGroupId: validatorSg.id, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, description: "PostgreSQL from the restore validation function",
        }, child);
        this.restoredSecurityGroupId = restoredSg.id;

        const logKey = createKmsKey(`${name}-logs-key`, `${functionName}-logs`, {
            description: `${functionName} logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays, kmsKeyId: logKey.arn, tags }, child);

        const role = platformRole(`${name}-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"), tags }, child);
        const policy = new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: policyDocument([
                { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
                // A function in a VPC manages its network interfaces; these EC2 actions take no resource-level scope.
                { Sid: "VpcInterfaces", Effect: "Allow", Action: LAMBDA_VPC_ACTIONS, Resource: "*" },
                { Sid: "DescribeRestoredCopies", Effect: "Allow", Action: "rds:DescribeDBInstances", Resource: pulumi.interpolate`arn:${partition}:rds:${ctx.region}:${args.accountId}:db:*` },
                { Sid: "MasterCredential", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.masterSecretArn },
                { Sid: "DecryptMasterCredential", Effect: "Allow", Action: "kms:Decrypt", Resource: args.databaseKmsKeyArn },
                { Sid: "ReportValidation", Effect: "Allow", Action: "backup:PutRestoreValidationResult", Resource: "*" },
            ]),
        }, child);
        this.fn = new aws.lambda.Function(`${name}-function`, {
            name: functionName,
            description: "Validates AWS Backup restore tests of the database: TLS connection, sign-in, one query",
            runtime: aws.lambda.Runtime.NodeJS22dX,
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(VALIDATOR_SOURCE) }),
            role: role.arn,
            timeout: 60,
            memorySize: 256,
            vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [validatorSg.id] },
            environment: { variables: { MASTER_SECRET_ARN: args.masterSecretArn, NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE } },
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            tags,
        }, { parent: this, dependsOn: [policy, logGroup] });
        this.functionArn = this.fn.arn;
        this.registerOutputs({ restoredSecurityGroupId: this.restoredSecurityGroupId, functionArn: this.functionArn });
    }

    /** Runs the function on each completed RDS restore job of the plan (EventBridge rule, target and invoke permission). */
    public watch(planArn: pulumi.Input<string>): void {
        const child = { parent: this };
        const rule = new aws.cloudwatch.EventRule(`${this.baseName}-completed`, {
            name: `${this.args.ctx.prefix}-restore-test-completed`,
            description: "AWS Backup restore test of the database completed: validate the restored copy",
            eventPattern: restoreTestCompletedPattern(planArn),
            tags: componentTags(this.args.ctx, "backup"),
        }, child);
        const permission = new aws.lambda.Permission(`${this.baseName}-invoke`, {
            action: "lambda:InvokeFunction", function: this.fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn,
        }, child);
        new aws.cloudwatch.EventTarget(`${this.baseName}-target`, { rule: rule.name, arn: this.fn.arn }, { parent: this, dependsOn: [permission] });
    }
}
