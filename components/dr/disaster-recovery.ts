/**
 * DisasterRecovery: everything the platform needs to survive the loss of its region, in a second
 * region through an explicit provider that carries every `aws:` setting of the stack. Standing by:
 * a DR VPC in pinned zones, a GitHub Actions runner in it (the failover runs there), keys of the DR
 * region, the database's cross-region replica and replicated automated backups
 * (`replicateDatabase`), DR-region copies of the object stores (`replicate`), a DR backup vault
 * for AWS Backup copies, and a DR bucket Velero writes cluster state to directly. Failover (a config
 * flag): the replica is promoted, the standby EKS cluster is built from the same components with
 * access entries for the CI roles and the break-glass role and an API the DR runner reaches, and
 * Velero in it reads the DR buckets (`restoreVelero`). Nothing here reads from the primary region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { recoveryFigures, RecoveryFigure } from "../../policies/lib/recovery";
import { backupVault } from "../backup/aws-backup";
import { Velero } from "../backup/velero";
import { CiRunner, RUNNER_WORKFLOWS } from "../ci/runner";
import { Cluster, NodeGroupSpec } from "../eks/cluster";
import { SubnetPlan } from "../network/subnets";
import { Vpc } from "../network/vpc";
import { SecureBucket } from "../shared/bucket";
import { createKmsKey } from "../shared/kms";
import { componentTags, PlatformContext } from "../shared/naming";
import { BucketReplication } from "./bucket-replication";
import { DatabaseReplica } from "./database-replica";
import { drProviderArgs } from "./provider";

/** Prefix, inside the cluster-state bucket, of the backups Velero writes there directly. */
export const DIRECT_PREFIX = "direct";

/** Workflows (their `name:`) whose jobs the DR runner takes: the deploy path (the failover is a deploy) and the DR drill. */
export const DR_RUNNER_WORKFLOWS = [...new Set([...RUNNER_WORKFLOWS.filter((w) => w !== "pull-request"), "dr-drill"])];

export interface ReplicatedStore { name: string; bucket: SecureBucket; kmsKeyArn: pulumi.Input<string>; expireAfterDays?: number }

export interface DisasterRecoveryArgs {
    /** The primary context; the DR one is derived (prefix `<prefix>-dr`, the DR region). */
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    region: string;
    /** The stack's `aws:` settings other than the region (allowedAccountIds, defaultTags, ...), as provider arguments. */
    providerSettings: Record<string, unknown>;
    /** Promote the replica, build the standby cluster and restore into it. */
    failover: boolean;
    replicationTimeControl: boolean;
    /** The DR VPC: its CIDR and subnets, and the zone of each subnet index (pinned in config, never looked up). */
    network: { cidr: string; subnets: SubnetPlan; availabilityZones: string[]; interfaceEndpoints: string[]; flowLogRetentionDays: number };
    /** Vault lock of the DR vault (same rules as the primary). */
    vaultLock: { enabled: boolean; minRetentionDays: number; maxRetentionDays: number };
    /** Interval of Velero's objects-only backups into the DR bucket, minutes. */
    clusterStateIntervalMinutes: number;
    /** Minutes between AWS Backup copies into the DR vault. */
    backupCopyIntervalMinutes?: number;
    /** The GitHub Actions runner in the DR VPC (created while standing by, so it is there when the primary region is not). */
    runner: { repository: string; connectionArn: string; computeType: string; logRetentionDays: number };
    /** The standby cluster built on failover. */
    standbyCluster: {
        version: string; nodeGroups: NodeGroupSpec[]; adminRoleArns: string[]; publicAccessCidrs: string[]; logRetentionDays: number; autoScalingRole?: pulumi.Resource[];
        /** The CI roles (deploy: admin, preview: read-only), as on the primary cluster. */
        ciRoles: { deployRoleArn: pulumi.Input<string>; previewRoleArn: pulumi.Input<string> };
        /** The operators' break-glass role: cluster admin. */
        breakGlassRoleArn: string;
    };
    protect: boolean;
}

/** The database replica's settings (the source is in the primary region; nothing here calls it). */
export interface DatabaseReplicaSettings { sourceInstanceArn: pulumi.Input<string>; engineVersion: string; instanceClass: string; maxAllocatedStorageGiB: number; backupRetentionDays: number; logRetentionDays: number }

export class DisasterRecovery extends pulumi.ComponentResource {
    public readonly provider: aws.Provider;
    public readonly vaultArn: pulumi.Output<string>;
    /** Key of the DR region for the database replica, its replicated backups and the master secret's replica. */
    public readonly databaseKeyArn: pulumi.Output<string>;
    /** Where Velero writes cluster state in the DR region. */
    public readonly clusterState: { bucketName: pulumi.Output<string>; region: string; kmsKeyArn: pulumi.Output<string>; prefix: string; intervalMinutes: number };
    public readonly runner: CiRunner;
    public readonly vpc: Vpc;
    public readonly standbyCluster?: Cluster;
    public readonly region: string;
    /** The break-glass role's ARN as IAM returns it (the lookup fails the preview when the role does not exist). */
    public readonly breakGlassRoleArn: pulumi.Output<string>;
    public databaseEndpoint?: pulumi.Output<string>;
    /** The DR region's database instance (the replica, or the promoted primary after failover): its CloudWatch alarm and dashboard panel read it. */
    public databaseIdentifier?: pulumi.Output<string>;
    /** ARN of the database's automated backups replicated to the DR region. */
    public replicatedBackupsArn?: pulumi.Output<string>;
    private readonly baseName: string;
    private readonly args: DisasterRecoveryArgs;
    private readonly drCtx: PlatformContext;
    private readonly storageKey: aws.kms.Key;
    private readonly databaseKey: aws.kms.Key;
    private replicatedStores = 0;

    constructor(name: string, args: DisasterRecoveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dr:DisasterRecovery", name, {}, opts);
        this.args = args;
        this.baseName = name;
        this.region = args.region;
        const drCtx = (this.drCtx = { ...args.ctx, prefix: `${args.ctx.prefix}-dr`, region: args.region });
        const tags = componentTags(drCtx, "dr");
        const protect = args.protect;
        this.provider = new aws.Provider(`${name}-provider`, drProviderArgs(args.providerSettings, args.region, args.ctx.region), { parent: this });
        const dr = { parent: this, provider: this.provider };
        const inDr = { parent: this, providers: [this.provider] };
        const key = (keyName: string, purpose: string, services: string[] = []) => createKmsKey(`${name}-${keyName}-key`, `${drCtx.prefix}-${keyName}`, {
            description: `${drCtx.prefix} ${purpose}`, accountId: args.accountId, region: args.region, servicePrincipals: services, tags,
        }, { ...dr, protect });

        const vpc = (this.vpc = new Vpc(`${name}-network`, {
            ctx: drCtx, accountId: args.accountId, cidr: args.network.cidr, availabilityZones: args.network.availabilityZones, subnets: args.network.subnets,
            // One NAT while standing by; the standby cluster's traffic is small until failover.
            natGateways: args.failover ? "perAz" : "single",
            flowLogRetentionDays: args.network.flowLogRetentionDays, interfaceEndpoints: args.network.interfaceEndpoints, clusterName: `${drCtx.prefix}-eks`,
        }, inDr));
        this.runner = new CiRunner(`${name}-ci-runner`, {
            ctx: drCtx, accountId: args.accountId, vpcId: vpc.vpcId, subnetIds: vpc.privateSubnetIds, workflows: DR_RUNNER_WORKFLOWS, ...args.runner,
        }, inDr);

        this.databaseKey = key("database", "database replica, its replicated backups and the master secret's replica", ["rds"]);
        this.databaseKeyArn = this.databaseKey.arn;

        const storageKey = (this.storageKey = key("storage", "replicated object storage and cluster state"));
        const stateBucket = new SecureBucket(`${name}-cluster-state`, {
            bucketName: pulumi.interpolate`${drCtx.prefix}-cluster-state-${args.accountId}`, kmsKeyArn: storageKey.arn, expireAfterDays: 30, tags, protect,
        }, inDr);
        this.clusterState = { bucketName: stateBucket.bucketName, region: args.region, kmsKeyArn: storageKey.arn, prefix: DIRECT_PREFIX, intervalMinutes: args.clusterStateIntervalMinutes };

        const vaultKey = key("backup", "AWS Backup DR vault", ["backup"]);
        const vault = backupVault({ resourceName: `${name}-vault`, lockName: `${name}-vault-lock`, vaultName: `${drCtx.prefix}-vault`, kmsKeyArn: vaultKey.arn, lock: args.vaultLock, tags }, { ...dr, protect });
        this.vaultArn = vault.arn;

        const c = args.standbyCluster;
        // The break-glass role must exist before it is needed: a missing role fails every preview, not the failover.
        this.breakGlassRoleArn = aws.iam.getRoleOutput({ name: c.breakGlassRoleArn.split("/").pop()! }, dr).arn;
        if (args.failover) {
            this.standbyCluster = new Cluster(`${name}-eks`, {
                ctx: drCtx, accountId: args.accountId, version: c.version, vpcId: vpc.vpcId, privateSubnetIds: vpc.privateSubnetIds,
                publicAccessCidrs: c.publicAccessCidrs, adminRoleArns: [...new Set([...c.adminRoleArns, c.breakGlassRoleArn])], logRetentionDays: c.logRetentionDays,
                nodeGroups: c.nodeGroups, protect, autoScalingRole: c.autoScalingRole, ciRoles: c.ciRoles,
                apiClients: [{ name: "dr-ci-runner", securityGroupId: this.runner.securityGroupId, description: "EKS API from the DR region's CI runners" }],
            }, inDr);
        }
        this.registerOutputs({ vaultArn: this.vaultArn, databaseKeyArn: this.databaseKeyArn, runnerProject: this.runner.projectName, breakGlassRoleArn: this.breakGlassRoleArn });
    }

    /** The database's cross-region read replica and its replicated automated backups (promoted on failover). */
    public replicateDatabase(db: DatabaseReplicaSettings): DatabaseReplica {
        const replica = new DatabaseReplica(`${this.baseName}-database`, {
            identifier: `${this.args.ctx.prefix}-postgres-dr`,
            sourceInstanceArn: db.sourceInstanceArn,
            engineMajor: db.engineVersion.split(".")[0],
            instanceClass: db.instanceClass,
            maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
            vpcId: this.vpc.vpcId, isolatedSubnetIds: this.vpc.isolatedSubnetIds, clientCidrs: this.args.network.subnets.private,
            kmsKeyArn: this.databaseKey.arn, backupRetentionDays: db.backupRetentionDays,
            promote: this.args.failover, drProvider: this.provider, tags: componentTags(this.drCtx, "dr"), protect: this.args.protect,
            accountId: this.args.accountId, region: this.args.region, logRetentionDays: db.logRetentionDays,
        }, { parent: this });
        this.databaseEndpoint = replica.endpoint;
        this.databaseIdentifier = replica.instance.identifier;
        this.replicatedBackupsArn = replica.backupsReplicationArn;
        return replica;
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
        this.replicatedStores++;
        return r.destination;
    }

    /** What each store recovers after a region outage with what this component built (read it after replicateDatabase and replicate). */
    public get report(): RecoveryFigure[] {
        return recoveryFigures({
            databaseReplica: this.databaseEndpoint !== undefined,
            databaseBackupReplication: this.databaseEndpoint !== undefined,
            clusterStateIntervalMinutes: this.args.clusterStateIntervalMinutes,
            objectReplication: this.replicatedStores === 0 ? "none" : this.args.replicationTimeControl ? "rtc" : "crr",
            backupCopyIntervalMinutes: this.args.backupCopyIntervalMinutes,
        });
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
