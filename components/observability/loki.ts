/**
 * Loki: logs in S3 (KMS-encrypted, versioned, private, TLS-only buckets with lifecycle), accessed
 * through a Pod Identity role scoped to those buckets and their key (no static keys); retention
 * enforced by the compactor, with the bucket lifecycle as a backstop. Monolithic in dev,
 * SimpleScalable (read/write/backend, replication factor 3) in prod. The log agent is LogAgent.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../eks/cluster";
import { SecureBucket } from "../shared/bucket";
import { CHARTS, helmRelease, NamespaceRef, Placement, resources } from "../shared/helm";
import { createKmsKey } from "../shared/kms";
import { componentTags, PlatformContext } from "../shared/naming";

export const LOKI_SERVICE_ACCOUNT = "loki";
/** Release name; the chart's gateway service is `<release>-gateway`. */
const RELEASE = "loki";

export interface LokiArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** The cluster: Loki's Pod Identity role is created through it. */
    cluster: Cluster;
    namespace: NamespaceRef;
    /** Log retention in days (compactor); objects expire from S3 a week later as a backstop. Defaults to 30. */
    retentionDays?: number;
    /** `singleBinary` (one pod, dev) or `scalable` (read/write/backend, 3 replicas each). Defaults to scalable. */
    mode?: "singleBinary" | "scalable";
    /** StorageClass for the WAL and compactor volumes. */
    storageClassName: pulumi.Input<string>;
    placement?: Placement;
    /** The release installing the monitoring CRDs (the Prometheus release): the chart renders its ServiceMonitor only when the CRD exists at install time. */
    monitoringCrds: pulumi.Resource;
    /** Pulumi `protect` on the buckets and their key. Defaults to true. */
    protect?: boolean;
}

export class Loki extends pulumi.ComponentResource {
    /** Push/query URL (the gateway): the log agent writes here, Grafana reads here. */
    public readonly url: string;
    public readonly chunksBucket: SecureBucket;
    public readonly rulerBucket: SecureBucket;
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Loki", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "observability", { backup: "s3-replication" });
        const protect = args.protect ?? true;
        const retentionDays = args.retentionDays ?? 30;
        const scalable = (args.mode ?? "scalable") === "scalable";
        const key = createKmsKey(`${name}-key`, `${ctx.prefix}-loki`, {
            description: `${ctx.prefix} Loki log storage`, accountId: args.accountId, region: ctx.region, tags,
        }, { parent: this, protect });
        this.kmsKeyArn = key.arn;
        const bucket = (purpose: string) => new SecureBucket(`${name}-${purpose}`, {
            bucketName: pulumi.interpolate`${ctx.prefix}-loki-${purpose}-${args.accountId}`,
            kmsKeyArn: key.arn,
            expireAfterDays: retentionDays + 7,
            tags,
            protect,
        }, { parent: this });
        this.chunksBucket = bucket("chunks");
        this.rulerBucket = bucket("ruler");
        const role = args.cluster.workloadRole(args.namespace.name, LOKI_SERVICE_ACCOUNT, [
            ...this.chunksBucket.readWriteStatements(key.arn),
            ...this.rulerBucket.readWriteStatements(key.arn).slice(0, 2),
        ], this);

        const placement = args.placement ?? {};
        const persistence = (gib: number) => ({ storageClass: args.storageClassName, size: `${gib}Gi` });
        const values = {
            deploymentMode: scalable ? "SimpleScalable" : "Monolithic",
            serviceAccount: { create: true, name: LOKI_SERVICE_ACCOUNT },
            loki: {
                auth_enabled: false,
                commonConfig: { replication_factor: scalable ? 3 : 1 },
                schemaConfig: { configs: [{ from: "2025-01-01", store: "tsdb", object_store: "s3", schema: "v13", index: { prefix: "index_", period: "24h" } }] },
                storage: {
                    type: "s3",
                    bucketNames: { chunks: this.chunksBucket.bucketName, ruler: this.rulerBucket.bucketName, admin: this.chunksBucket.bucketName },
                    // No keys: the AWS SDK picks up the Pod Identity credentials.
                    s3: { region: ctx.region },
                },
                compactor: { retention_enabled: true, delete_request_store: "s3", retention_delete_delay: "2h", compaction_interval: "10m" },
                limits_config: { retention_period: `${retentionDays * 24}h` },
            },
            singleBinary: { replicas: scalable ? 0 : 1, resources: resources("250m", "512Mi", "1", "2Gi"), persistence: persistence(20), ...placement },
            write: { replicas: scalable ? 3 : 0, resources: resources("500m", "1Gi", "2", "4Gi"), persistence: persistence(20), ...placement },
            read: { replicas: scalable ? 3 : 0, resources: resources("250m", "512Mi", "2", "4Gi"), ...placement },
            backend: { replicas: scalable ? 3 : 0, resources: resources("250m", "512Mi", "1", "2Gi"), persistence: persistence(20), ...placement },
            // gateway.metrics (the access-log exporter sidecar) is on by default in chart 18.x with empty resources.
            gateway: { replicas: scalable ? 2 : 1, resources: resources("50m", "64Mi", "250m", "256Mi"), metrics: { resources: resources("10m", "32Mi", "100m", "64Mi") }, ...placement },
            chunksCache: { enabled: scalable, allocatedMemory: 1024, resources: resources("100m", "1229Mi", "500m", "1229Mi"), ...placement },
            resultsCache: { enabled: scalable, allocatedMemory: 512, resources: resources("100m", "615Mi", "500m", "615Mi"), ...placement },
            memcachedExporter: { resources: resources("10m", "32Mi", "100m", "64Mi") },
            sidecar: { resources: resources("10m", "64Mi", "100m", "128Mi") },
            lokiCanary: { enabled: false },
            test: { enabled: false },
            monitoring: { serviceMonitor: { enabled: true } },
        };
        this.release = helmRelease(RELEASE, CHARTS.loki, args.namespace.ready, values, { parent: this, dependsOn: [role, args.monitoringCrds] });
        this.url = `http://${RELEASE}-gateway.${args.namespace.name}.svc.cluster.local`;
        this.registerOutputs({ url: this.url, kmsKeyArn: this.kmsKeyArn, chunksBucket: this.chunksBucket.bucketName, rulerBucket: this.rulerBucket.bucketName });
    }
}
