/**
 * DatabaseReplica: the Postgres instance's cross-region read replica in the DR VPC (isolated
 * subnets, its own security group and DR-region KMS key, TLS forced) plus RDS automated backups
 * replication for point-in-time restore in the DR region. `promote: true` removes the replication
 * source, which promotes the same instance (an update, not a replacement) to a standalone primary.
 * The replica is deleted without a final snapshot (RDS refuses one for a replica); the promoted
 * instance, when protected, keeps one.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_LOG_EXPORTS } from "../database/postgres";
import { createKmsKey } from "../shared/kms";

export interface DatabaseReplicaArgs {
    /** `<prefix>-postgres-dr`. */
    identifier: string;
    sourceInstanceArn: pulumi.Input<string>;
    /** Postgres major version (parameter group family). */
    engineMajor: string;
    instanceClass: string;
    maxAllocatedStorageGiB: number;
    vpcId: pulumi.Input<string>;
    isolatedSubnetIds: pulumi.Input<string>[];
    /** CIDR of the DR VPC's private subnets (the standby cluster's nodes). */
    clientCidrs: string[];
    kmsKeyArn: pulumi.Input<string>;
    /** Automated backup retention of the replica and of the replicated backups, days. */
    backupRetentionDays: number;
    /** Promote the replica to a standalone primary (failover). */
    promote: boolean;
    drProvider: aws.Provider;
    /** For the DR-region log key's policy. */
    accountId: pulumi.Input<string>;
    /** The DR region (log groups and their key live there). */
    region: string;
    /** Retention of the replica's exported logs, days. */
    logRetentionDays: number;
    tags: Record<string, string>;
    protect: boolean;
}

export class DatabaseReplica extends pulumi.ComponentResource {
    public readonly instance: aws.rds.Instance;
    public readonly endpoint: pulumi.Output<string>;
    /** ARN of the replicated automated backups in the DR region (the replication resource's id). */
    public readonly backupsReplicationArn: pulumi.Output<string>;

    constructor(name: string, args: DatabaseReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dr:DatabaseReplica", name, {}, opts);
        const dr = { parent: this, provider: args.drProvider };
        const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { name: `${args.identifier}-isolated`, subnetIds: args.isolatedSubnetIds, tags: args.tags }, dr);
        const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
            name: `${args.identifier}-sg`, vpcId: args.vpcId, description: "PostgreSQL DR replica: from the private subnets of the DR VPC only", tags: args.tags,
        // The description is create-only and the name fixed: a stack from release b16fdcd (another wording) would replace
        // the group and fail on its own name (issue 21, upgrades). It is only a label: never changed after creation.
        }, { ...dr, ignoreChanges: ["description"] });
        args.clientCidrs.forEach((cidr, i) => new aws.vpc.SecurityGroupIngressRule(`${name}-from-private-${i}`, {
            securityGroupId: sg.id, cidrIpv4: cidr, ipProtocol: "tcp", fromPort: 5432, toPort: 5432, description: "PostgreSQL from the standby cluster",
        }, dr));
        const params = new aws.rds.ParameterGroup(`${name}-params`, {
            name: `${args.identifier}-pg${args.engineMajor}`,
            family: `postgres${args.engineMajor}`,
            description: `${args.identifier}: TLS forced`,
            parameters: [{ name: "rds.force_ssl", value: "1" }, { name: "ssl_min_protocol_version", value: "TLSv1.2" }],
            tags: args.tags,
        }, dr);
        // RDS writes the replica's logs in the DR region; created first so they are encrypted and expire.
        const logKey = createKmsKey(`${name}-logs-key`, `${args.identifier}-logs`, {
            description: `${args.identifier} exported logs`, accountId: args.accountId, region: args.region, servicePrincipals: ["logs"], tags: args.tags,
        }, dr);
        const logGroups = POSTGRES_LOG_EXPORTS.map((type) => new aws.cloudwatch.LogGroup(`${name}-log-${type}`, {
            name: `/aws/rds/instance/${args.identifier}/${type}`, retentionInDays: args.logRetentionDays, kmsKeyId: logKey.arn, tags: args.tags,
        }, dr));
        this.instance = new aws.rds.Instance(`${name}-instance`, {
            identifier: args.identifier,
            replicateSourceDb: args.promote ? undefined : args.sourceInstanceArn,
            instanceClass: args.instanceClass,
            maxAllocatedStorage: args.maxAllocatedStorageGiB,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            multiAz: args.promote,
            dbSubnetGroupName: subnets.name,
            vpcSecurityGroupIds: [sg.id],
            parameterGroupName: params.name,
            publiclyAccessible: false,
            iamDatabaseAuthenticationEnabled: true,
            enabledCloudwatchLogsExports: POSTGRES_LOG_EXPORTS,
            backupRetentionPeriod: args.backupRetentionDays,
            autoMinorVersionUpgrade: true,
            copyTagsToSnapshot: true,
            deletionProtection: args.protect,
            // DeleteDBInstance refuses FinalDBSnapshotIdentifier for a read replica ("not supported for read replicas"):
            // a replica is deleted without one; once promoted it is a standalone primary and gets the final snapshot.
            skipFinalSnapshot: !(args.protect && args.promote),
            finalSnapshotIdentifier: args.protect && args.promote ? `${args.identifier}-final` : undefined,
            deleteAutomatedBackups: !args.protect,
            applyImmediately: true,
            tags: args.tags,
        }, { ...dr, protect: args.protect, dependsOn: logGroups });
        // Point-in-time restore in the DR region even if the replica itself is lost. Every input replaces it (the provider
        // has no update), and its delete stops replication by the source's ARN: replaced create-first, the old one's delete
        // would stop the new one. Stopped first, the backups already replicated stay restorable (RETAINED) for their retention.
        const backups = new aws.rds.InstanceAutomatedBackupsReplication(`${name}-backups-replication`, {
            sourceDbInstanceArn: args.sourceInstanceArn,
            kmsKeyId: args.kmsKeyArn,
            retentionPeriod: args.backupRetentionDays,
        }, { ...dr, deleteBeforeReplace: true });
        this.endpoint = this.instance.endpoint;
        this.backupsReplicationArn = backups.id;
        this.registerOutputs({ endpoint: this.endpoint, backupsReplicationArn: this.backupsReplicationArn });
    }
}
