/**
 * Velero: Kubernetes objects and volume snapshots backed up to an encrypted, versioned, private S3
 * bucket through a Pod Identity role scoped to it (no static keys); EBS snapshots of persistent
 * volumes; schedules: hourly for the application namespaces, a daily full backup, and, with DR,
 * an objects-only backup every few minutes written straight to a bucket in the DR region.
 * In restore mode (the standby cluster on failover) it reads those buckets without writing.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../eks/cluster";
import { bucketAccessStatements, SecureBucket } from "../shared/bucket";
import { CHARTS, helmRelease, resources, RESTRICTED_CONTAINER } from "../shared/helm";
import { PolicyStatement } from "../shared/iam";
import { IMAGES } from "../shared/images";
import { createKmsKey } from "../shared/kms";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { GuardedNamespace } from "../security/namespace";

export const VELERO_NAMESPACE = "velero";
const SERVICE_ACCOUNT = "velero";

/** A bucket Velero uses in another region. */
export interface VeleroLocation { bucketName: pulumi.Input<string>; region: string; kmsKeyArn: pulumi.Input<string>; prefix?: string }

export interface VeleroArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    cluster: Cluster;
    /** Namespaces backed up hourly. */
    appNamespaces: string[];
    /** TTL of the hourly backups, hours. */
    hourlyTtlHours: number;
    /** TTL of the daily full backups, days. */
    dailyTtlDays: number;
    /** With DR: the DR-region bucket for frequent objects-only backups, and their interval in minutes. */
    drLocation?: VeleroLocation & { intervalMinutes: number };
    /** Restore mode (standby cluster): read these locations, no bucket of its own, no schedules. */
    restoreFrom?: VeleroLocation[];
    /** The Prometheus release (ServiceMonitor CRD); without it Velero's metrics are not scraped. */
    monitoringCrds?: pulumi.Resource;
    /** Pulumi `protect` on the bucket and its key. Defaults to true. */
    protect?: boolean;
}

export class Velero extends pulumi.ComponentResource {
    public readonly bucket?: SecureBucket;
    public readonly kmsKeyArn?: pulumi.Output<string>;
    /** Schedule name -> cron, as installed. */
    public readonly schedules: Record<string, string> = {};

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:backup:Velero", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "backup", { backup: "s3-replication" });
        const protect = args.protect ?? true;
        const ns = new GuardedNamespace(`${name}-ns`, {
            name: VELERO_NAMESPACE,
            quota: { requestsCpu: "2", requestsMemory: "2Gi", limitsCpu: "4", limitsMemory: "4Gi", persistentVolumeClaims: 0, requestsStorage: "0" },
            maxContainer: { cpu: "2", memory: "2Gi" },
        }, { parent: this }).ref;

        const locations: Record<string, unknown>[] = [];
        const statements: PolicyStatement[] = [];
        const bucketAccess = (bucketName: pulumi.Input<string>, keyArn: pulumi.Input<string>, write: boolean) =>
            bucketAccessStatements(pulumi.interpolate`arn:${partitionOf(ctx.region)}:s3:::${bucketName}`, keyArn, write);
        if (args.restoreFrom) {
            args.restoreFrom.forEach((loc, i) => {
                locations.push({ name: i === 0 ? "default" : `restore-${i}`, provider: "aws", bucket: loc.bucketName, prefix: loc.prefix, default: i === 0, accessMode: "ReadOnly", config: { region: loc.region } });
                statements.push(...bucketAccess(loc.bucketName, loc.kmsKeyArn, false));
            });
        } else {
            const key = createKmsKey(`${name}-key`, `${ctx.prefix}-velero`, {
                description: `${ctx.prefix} Velero backups`, accountId: args.accountId, region: ctx.region, tags,
            }, { parent: this, protect });
            this.kmsKeyArn = key.arn;
            this.bucket = new SecureBucket(`${name}-bucket`, {
                bucketName: pulumi.interpolate`${ctx.prefix}-velero-${args.accountId}`,
                kmsKeyArn: key.arn,
                // Backups expire through their TTL; the lifecycle only removes leftovers a month after the longest TTL.
                expireAfterDays: args.dailyTtlDays + 30,
                tags,
                protect,
            }, { parent: this });
            locations.push({ name: "default", provider: "aws", bucket: this.bucket.bucketName, default: true, config: { region: ctx.region, kmsKeyId: key.arn } });
            statements.push(...this.bucket.readWriteStatements(key.arn));
            if (args.drLocation) {
                locations.push({ name: "dr", provider: "aws", bucket: args.drLocation.bucketName, prefix: args.drLocation.prefix, config: { region: args.drLocation.region, kmsKeyId: args.drLocation.kmsKeyArn } });
                statements.push(...bucketAccess(args.drLocation.bucketName, args.drLocation.kmsKeyArn, true));
            }
        }
        statements.push(
            { Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:CreateTags", "ec2:CreateVolume", "ec2:CreateSnapshot", "ec2:DeleteSnapshot"], Resource: "*" },
            // Restoring encrypted volumes: EC2 calls these on Velero's behalf. kms:GrantIsForAWSResource exists only on grant
            // calls (CreateGrant, ListGrants, RevokeGrant), so it conditions CreateGrant alone.
            { Sid: "UseVolumeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], Resource: args.cluster.volumeKeyArn },
            { Sid: "GrantVolumeKey", Effect: "Allow", Action: "kms:CreateGrant", Resource: args.cluster.volumeKeyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
        );
        const role = args.cluster.workloadRole(VELERO_NAMESPACE, SERVICE_ACCOUNT, statements, this);

        const schedules: Record<string, unknown> = {};
        if (!args.restoreFrom) {
            const add = (schedName: string, cron: string, template: Record<string, unknown>) => {
                this.schedules[schedName] = cron;
                schedules[schedName] = { schedule: cron, useOwnerReferencesInBackup: false, template };
            };
            add("apps-hourly", "0 * * * *", { includedNamespaces: args.appNamespaces, snapshotVolumes: true, storageLocation: "default", ttl: `${args.hourlyTtlHours}h0m0s` });
            add("full-daily", "0 3 * * *", { includedNamespaces: ["*"], snapshotVolumes: true, storageLocation: "default", ttl: `${args.dailyTtlDays * 24}h0m0s` });
            if (args.drLocation) {
                add("dr-objects", `*/${args.drLocation.intervalMinutes} * * * *`, { includedNamespaces: ["*"], snapshotVolumes: false, storageLocation: "dr", ttl: "72h0m0s" });
            }
        }
        const values = {
            initContainers: [{
                name: "velero-plugin-for-aws",
                image: IMAGES.veleroAwsPlugin,
                volumeMounts: [{ mountPath: "/target", name: "plugins" }],
                resources: resources("10m", "32Mi", "100m", "64Mi"),
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
            }],
            credentials: { useSecret: false },
            serviceAccount: { server: { create: true, name: SERVICE_ACCOUNT } },
            configuration: {
                backupStorageLocation: locations,
                volumeSnapshotLocation: [{ name: "default", provider: "aws", config: { region: ctx.region } }],
                defaultVolumesToFsBackup: false,
            },
            snapshotsEnabled: true,
            deployNodeAgent: false,
            resources: resources("100m", "256Mi", "1", "1Gi"),
            upgradeJobResources: resources("10m", "64Mi", "200m", "256Mi"),
            kubectl: { resources: resources("10m", "64Mi", "200m", "256Mi"), containerSecurityContext: RESTRICTED_CONTAINER },
            podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            metrics: { enabled: true, serviceMonitor: { enabled: args.monitoringCrds !== undefined } },
            schedules,
        };
        helmRelease("velero", CHARTS.velero, ns.ready, values, { parent: this, dependsOn: [role, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] }, name);
        this.registerOutputs({ bucketName: this.bucket?.bucketName });
    }
}
