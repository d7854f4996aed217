/**
 * DisasterRecovery: everything the platform needs to survive the loss of its region, in a second
 * region through an explicit provider. Standby: a DR VPC, the database's cross-region replica and
 * replicated automated backups, DR-region copies of the object stores, a DR backup vault for AWS
 * Backup copies, and a DR bucket Velero writes cluster state to directly. Failover (a config flag):
 * the replica is promoted, the standby EKS cluster is built from the same components, and Velero
 * in it reads the DR buckets for restore. The DR report states what each store recovers and how fast.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { recoveryFigures, RecoveryFigure } from "../../policies/lib/recovery";
import { backupVault } from "../backup/aws-backup";
import { Velero } from "../backup/velero";
import { Cluster, NodeGroupSpec } from "../eks/cluster";
import { SubnetPlan } from "../network/subnets";
import { Vpc } from "../network/vpc";
import { SecureBucket } from "../shared/bucket";
import { createKmsKey } from "../shared/kms";
import { componentTags, PlatformContext } from "../shared/naming";
import { BucketReplication } from "./bucket-replication";
import { DatabaseReplica } from "./database-replica";

/** Prefix, inside the cluster-state bucket, of the backups Velero writes there directly. */
export const DIRECT_PREFIX = "direct";

export interface ReplicatedStore { name: string; bucket: SecureBucket; kmsKeyArn: pulumi.Input<string>; expireAfterDays?: number }

export interface DisasterRecoveryArgs {
    /** The primary context; the DR one is derived (prefix `<prefix>-dr`, the DR region). */
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    region: string;
    /** Promote the replica, build the standby cluster and restore into it. */
    failover: boolean;
    replicationTimeControl: boolean;
    network: { cidr: string; subnets: SubnetPlan; azCount: number; interfaceEndpoints: string[]; flowLogRetentionDays: number };
    database: { sourceInstanceArn: pulumi.Input<string>; engineVersion: string; instanceClass: string; maxAllocatedStorageGiB: number; backupRetentionDays: number; logRetentionDays: number };
    /** Buckets replicated to the DR region. */
    stores: ReplicatedStore[];
    /** Vault lock of the DR vault (same rules as the primary). */
    vaultLock: { enabled: boolean; minRetentionDays: number; maxRetentionDays: number };
    /** Interval of Velero's objects-only backups into the DR bucket, minutes. */
    clusterStateIntervalMinutes: number;
    /** Minutes between AWS Backup copies into the DR vault. */
    backupCopyIntervalMinutes?: number;
    /** The standby cluster built on failover. */
    standbyCluster: { version: string; nodeGroups: NodeGroupSpec[]; adminRoleArns: string[]; publicAccessCidrs: string[]; logRetentionDays: number; autoScalingRole?: pulumi.Resource[] };
    protect: boolean;
}

export class DisasterRecovery extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly vaultArn: pulumi.Output<string>;
    public readonly databaseEndpoint: pulumi.Output<string>;
    /** The DR region's database instance (the replica, or the promoted primary after failover): its CloudWatch alarm and dashboard panel read it. */
    public readonly databaseIdentifier: pulumi.Output<string>;
    /** Where Velero writes cluster state in the DR region. */
    public readonly clusterState: { bucketName: pulumi.Output<string>; region: string; kmsKeyArn: pulumi.Output<string>; prefix: string; intervalMinutes: number };
    public readonly report: RecoveryFigure[];
    public readonly standbyCluster?: Cluster;
    private readonly args: DisasterRecoveryArgs;
    private readonly drCtx: PlatformContext;
    private readonly storageKey: aws.kms.Key;

    constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dr:DisasterRecovery", name, {}, opts);
        this.args = args;
        const drCtx = (this.drCtx = { ...args.ctx, prefix: `${args.ctx.prefix}-dr`, region: args.region });
        const tags = componentTags(drCtx, "dr");
        const protect = args.protect;
        this.provider = new aws.Provider(`${name}-provider`, { region: args.region, defaultTags: { tags: { "dr-of": args.ctx.region } } }, { parent: this });
        const dr = { parent: this, provider: this.provider };
        const inDr = { parent: this, providers: [this.provider] };
        const key = (keyName: string, purpose: string, services: string[] = []) => createKmsKey(`${name}-${keyName}-key`, `${drCtx.prefix}-${keyName}`, {
            description: `${drCtx.prefix} ${purpose}`, accountId: args.accountId, region: args.region, servicePrincipals: services, tags,
        }, { ...dr, protect });

        const zones = aws.getAvailabilityZonesOutput({ state: "available", region: args.region }, { provider: this.provider }).names.apply((n) => n.slice(0, args.network.azCount));
        const vpc = new Vpc(`${name}-network`, {
            ctx: drCtx, accountId: args.accountId, cidr: args.network.cidr, availabilityZones: zones, subnets: args.network.subnets,
            // One NAT while standing by; the standby cluster's traffic is small until failover.
            natGateways: args.failover ? "perAz" : "single",
            flowLogRetentionDays: args.network.flowLogRetentionDays, interfaceEndpoints: args.network.interfaceEndpoints, clusterName: `${drCtx.prefix}-eks`,
        }, inDr);

        const dbKey = key("database", "database replica and replicated backups", ["rds"]);
        const replica = new DatabaseReplica(`${name}-database`, {
            identifier: `${args.ctx.prefix}-postgres-dr`,
            sourceInstanceArn: args.database.sourceInstanceArn,
            engineMajor: args.database.engineVersion.split(".")[0],
            instanceClass: args.database.instanceClass,
            maxAllocatedStorageGiB: args.database.maxAllocatedStorageGiB,
            vpcId: vpc.vpcId, isolatedSubnetIds: vpc.isolatedSubnetIds, clientCidrs: args.network.subnets.private,
            kmsKeyArn: dbKey.arn, backupRetentionDays: args.database.backupRetentionDays,
            promote: args.failover, drProvider: this.provider, tags, protect,
            accountId: args.accountId, region: args.region, logRetentionDays: args.database.logRetentionDays,
        }, { parent: this });
        this.databaseEndpoint = replica.endpoint;
        this.databaseIdentifier = replica.instance.identifier;

        const storageKey = (this.storageKey = key("storage", "replicated object storage and cluster state"));
        for (const store of args.stores) this.replicate(store);
        const stateBucket = new SecureBucket(`${name}-cluster-state`, {
            bucketName: pulumi.interpolate`${drCtx.prefix}-cluster-state-${args.accountId}`, kmsKeyArn: storageKey.arn, expireAfterDays: 30, tags, protect,
        }, inDr);
        this.clusterState = { bucketName: stateBucket.bucketName, region: args.region, kmsKeyArn: storageKey.arn, prefix: DIRECT_PREFIX, intervalMinutes: args.clusterStateIntervalMinutes };

        const vaultKey = key("backup", "AWS Backup DR vault", ["backup"]);
        const vault = backupVault({ resourceName: `${name}-vault`, lockName: `${name}-vault-lock`, vaultName: `${drCtx.prefix}-vault`, kmsKeyArn: vaultKey.arn, lock: args.vaultLock, tags }, { ...dr, protect });
        this.vaultArn = vault.arn;

        if (args.failover) {
            const c = args.standbyCluster;
            this.standbyCluster = new Cluster(`${name}-eks`, {
                ctx: drCtx, accountId: args.accountId, version: c.version, vpcId: vpc.vpcId, privateSubnetIds: vpc.privateSubnetIds,
                publicAccessCidrs: c.publicAccessCidrs, adminRoleArns: c.adminRoleArns, logRetentionDays: c.logRetentionDays, nodeGroups: c.nodeGroups, protect, autoScalingRole: c.autoScalingRole,
            }, inDr);
        }
        this.report = recoveryFigures({
            databaseReplica: true,
            databaseBackupReplication: true,
            clusterStateIntervalMinutes: args.clusterStateIntervalMinutes,
            objectReplication: args.replicationTimeControl ? "rtc" : "crr",
            backupCopyIntervalMinutes: args.backupCopyIntervalMinutes,
        });
        this.registerOutputs({ databaseEndpoint: this.databaseEndpoint, vaultArn: this.vaultArn, report: this.report });
    }

    /** Replicates one bucket into a DR-region copy (call for stores created after this component, e.g. Velero's). */
    public replicate(store: ReplicatedStore): SecureBucket {
        const tags = componentTags(this.drCtx, "dr");
        const r = new BucketReplication(`dr-${store.name}`, {
            source: store.bucket, sourceKmsKeyArn: store.kmsKeyArn,
            destinationBucketName: pulumi.interpolate`${this.drCtx.prefix}-${store.name}-${this.args.accountId}`,
            destinationKmsKeyArn: this.storageKey.arn, drProvider: this.provider, expireAfterDays: store.expireAfterDays,
            replicationTimeControl: this.args.replicationTimeControl, tags, protect: this.args.protect, roles: this.drCtx.iam,
        }, { parent: this });
        return r.destination;
    }

    /** Velero in the standby cluster, reading cluster state and the replicated Velero backups (failover only). */
    public restoreVelero(accountId: pulumi.Input<string>, veleroReplica: SecureBucket): Velero | undefined {
        if (!this.standbyCluster) return undefined;
        return new Velero("dr-velero", {
            ctx: this.drCtx, accountId, cluster: this.standbyCluster, appNamespaces: [], hourlyTtlHours: 1, dailyTtlDays: 1,
            restoreFrom: [
                { bucketName: this.clusterState.bucketName, region: this.args.region, kmsKeyArn: this.clusterState.kmsKeyArn, prefix: DIRECT_PREFIX },
                { bucketName: veleroReplica.bucketName, region: this.args.region, kmsKeyArn: this.storageKey.arn },
            ],
            protect: this.args.protect,
        }, { parent: this, providers: [this.provider, this.standbyCluster.provider] });
    }
}
