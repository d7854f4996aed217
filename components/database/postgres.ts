/**
 * Postgres: RDS for PostgreSQL in the isolated subnets, reachable only from the cluster's security
 * group, encrypted with its own KMS key, TLS forced, a generated master password kept in a Secrets
 * Manager secret replicated to the DR region (MasterCredential: RDS allows no cross-region replica
 * of an instance whose password Secrets Manager manages), IAM authentication on, logs exported to
 * encrypted log groups, and, when protected, deletion protection, a final snapshot and Pulumi
 * `protect` on the instance and its key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKmsKey } from "../shared/kms";
import { managedPolicyArn, platformRole, serviceTrustPolicy } from "../shared/iam";
import { BACKUP_TAG } from "../backup/aws-backup";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { MasterCredential } from "./master-credential";

/** Log types exported to CloudWatch (PostgreSQL supports these two). */
export const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade"];

export interface PostgresArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Isolated subnets (no route to the internet) for the DB subnet group. */
    isolatedSubnetIds: pulumi.Input<string>[];
    /** The only security group allowed to connect on 5432 (the EKS cluster security group). */
    clientSecurityGroupId: pulumi.Input<string>;
    /** e.g. 17.6. */
    engineVersion: string;
    /** e.g. db.r7g.large. */
    instanceClass: string;
    allocatedStorageGiB: number;
    /** Storage autoscaling ceiling. */
    maxAllocatedStorageGiB: number;
    /** Defaults to true. */
    multiAz?: boolean;
    /** Automated backup (PITR) retention, days. Defaults to 14. */
    backupRetentionDays?: number;
    /** Defaults to 03:00-04:00 UTC. */
    backupWindow?: string;
    /** Defaults to sun:04:30-sun:05:30 UTC. */
    maintenanceWindow?: string;
    /** 0 turns Performance Insights off. Defaults to 7. */
    performanceInsightsRetentionDays?: number;
    /** 0 turns enhanced monitoring off. Defaults to 60. */
    monitoringIntervalSeconds?: number;
    /** Deletion protection, final snapshot and Pulumi `protect`. Defaults to true. */
    deletionProtection?: boolean;
    /** Defaults to app. */
    databaseName?: string;
    /** Defaults to platform_admin. */
    masterUsername?: string;
    /** log_min_duration_statement in ms. Defaults to 500. */
    slowQueryMs?: number;
    /** Log retention of the exported logs. Defaults to 365. */
    logRetentionDays?: number;
    /** Allow a major engine upgrade when engineVersion's major changes. Defaults to false. */
    allowMajorVersionUpgrade?: boolean;
    /** Apply changes now instead of in the maintenance window (a major upgrade swaps the parameter group, whose old copy can only be deleted once detached). Defaults to false. */
    applyImmediately?: boolean;
    /** Bump to rotate the master password. Defaults to 1. */
    masterPasswordGeneration?: number;
    /** Regions the master secret is replicated to (the DR region), each with a key of that region. Defaults to none. */
    masterSecretReplicas?: { region: string; kmsKeyArn: pulumi.Input<string> }[];
}

export class Postgres extends pulumi.ComponentResource {
    public readonly endpoint: pulumi.Output<string>;
    public readonly address: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly instanceArn: pulumi.Output<string>;
    public readonly instanceIdentifier: pulumi.Output<string>;
    public readonly masterSecretArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The DB subnet group (isolated subnets): restore tests restore into it. */
    public readonly subnetGroupName: pulumi.Output<string>;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:database:Postgres", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "database");
        const partition = partitionOf(ctx.region);
        const child = { parent: this };
        const protect = args.deletionProtection ?? true;
        const identifier = `${ctx.prefix}-postgres`;
        const major = args.engineVersion.split(".")[0];

        const key = createKmsKey(`${name}-key`, `${identifier}`, {
            description: `${identifier} storage, snapshots, Performance Insights and master secret`,
            accountId: args.accountId, region: ctx.region, tags,
        }, { parent: this, protect });
        const logKey = createKmsKey(`${name}-logs-key`, `${identifier}-logs`, {
            description: `${identifier} exported logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        // RDS would otherwise create these groups unencrypted with no expiry.
        const logGroups = POSTGRES_LOG_EXPORTS.map((type) => new aws.cloudwatch.LogGroup(`${name}-log-${type}`, {
            name: `/aws/rds/instance/${identifier}/${type}`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: logKey.arn, tags,
        }, child));

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            name: `${identifier}-isolated`, description: `${identifier}: isolated subnets only`, subnetIds: args.isolatedSubnetIds, tags,
        }, child);
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            name: `${identifier}-sg`,
            vpcId: args.vpcId,
            description: "PostgreSQL from the EKS cluster security group only",
            tags: { ...tags, Name: `${identifier}-sg` },
        }, child);
        new aws.vpc.SecurityGroupIngressRule(`${name}-from-cluster`, {
            securityGroupId: sg.id, referencedSecurityGroupId: args.clientSecurityGroupId, ipProtocol: "tcp", fromPort: 5432, toPort: 5432,
            description: "PostgreSQL from EKS nodes and pods",
        }, child);

        // The family is fixed for a parameter group's life: its name carries the major, so a major upgrade creates the new
        // group (create-before-delete), points the instance at it, then deletes the old one; the instance is modified, not replaced.
        const params = new aws.rds.ParameterGroup(`${name}-params`, {
            name: `${identifier}-pg${major}`,
            family: `postgres${major}`,
            description: `${identifier}: TLS forced, slow queries logged`,
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                { name: "ssl_min_protocol_version", value: "TLSv1.2" },
                { name: "log_min_duration_statement", value: String(args.slowQueryMs ?? 500) },
                { name: "log_connections", value: "1" },
                { name: "log_disconnections", value: "1" },
                { name: "log_lock_waits", value: "1" },
            ],
            tags,
        }, child);

        const interval = args.monitoringIntervalSeconds ?? 60;
        const monitoringRole = interval > 0
            ? platformRole(`${name}-monitoring-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com"), tags }, child)
            : undefined;
        if (monitoringRole) {
            new aws.iam.RolePolicyAttachment(`${name}-monitoring-policy`, { role: monitoringRole.name, policyArn: managedPolicyArn(partition, "service-role/AmazonRDSEnhancedMonitoringRole") }, child);
        }
        const piRetention = args.performanceInsightsRetentionDays ?? 7;
        const username = args.masterUsername ?? "platform_admin";
        const dbName = args.databaseName ?? "app";
        const credential = new MasterCredential(`${name}-master`, {
            identifier, username, generation: args.masterPasswordGeneration ?? 1, kmsKeyArn: key.arn, replicas: args.masterSecretReplicas, tags, protect,
        }, child);

        const db = new aws.rds.Instance(`${name}-instance`, {
            identifier,
            engine: "postgres",
            engineVersion: args.engineVersion,
            instanceClass: args.instanceClass,
            allocatedStorage: args.allocatedStorageGiB,
            maxAllocatedStorage: args.maxAllocatedStorageGiB,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: key.arn,
            multiAz: args.multiAz ?? true,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [sg.id],
            publiclyAccessible: false,
            dbName,
            username,
            // Self-managed (MasterCredential). An instance created with manageMasterUserPassword: true is modified, not
            // replaced: the provider sends ManageMasterUserPassword=false with the new password in one ModifyDBInstance.
            password: credential.password,
            iamDatabaseAuthenticationEnabled: true,
            parameterGroupName: params.name,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            enabledCloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
            performanceInsightsEnabled: piRetention > 0,
            performanceInsightsKmsKeyId: piRetention > 0 ? key.arn : undefined,
            performanceInsightsRetentionPeriod: piRetention > 0 ? piRetention : undefined,
            monitoringInterval: interval,
            monitoringRoleArn: monitoringRole?.arn,
            backupRetentionPeriod: args.backupRetentionDays ?? 14,
            backupWindow: args.backupWindow ?? "03:00-04:00",
            maintenanceWindow: args.maintenanceWindow ?? "sun:04:30-sun:05:30",
            autoMinorVersionUpgrade: true,
            allowMajorVersionUpgrade: args.allowMajorVersionUpgrade ?? false,
            applyImmediately: args.applyImmediately ?? false,
            copyTagsToSnapshot: true,
            deletionProtection: protect,
            skipFinalSnapshot: !protect,
            finalSnapshotIdentifier: protect ? `${identifier}-final` : undefined,
            deleteAutomatedBackups: !protect,
            tags: { ...tags, [BACKUP_TAG.key]: BACKUP_TAG.value },
        }, { parent: this, protect, dependsOn: logGroups });

        this.endpoint = db.endpoint;
        this.address = db.address;
        this.port = db.port;
        this.instanceArn = db.arn;
        this.instanceIdentifier = db.identifier;
        credential.storeFor({ host: db.address, port: db.port, dbname: dbName, dbInstanceIdentifier: identifier }, db);
        this.masterSecretArn = credential.secretArn;
        this.securityGroupId = sg.id;
        this.kmsKeyArn = key.arn;
        this.subnetGroupName = subnetGroup.name;
        this.registerOutputs({
            endpoint: this.endpoint,
            address: this.address,
            port: this.port,
            instanceArn: this.instanceArn,
            masterSecretArn: this.masterSecretArn,
            securityGroupId: this.securityGroupId,
            kmsKeyArn: this.kmsKeyArn,
        });
    }
}
