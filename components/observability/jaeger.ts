/**
 * Jaeger v2 (OpenTelemetry collector based): OTLP gRPC/HTTP in, tail sampling (every error trace,
 * plus a configured percentage of the rest), and storage by config: in memory (dev) or an Amazon
 * OpenSearch domain (prod) that is VPC-only, KMS-encrypted at rest, TLS in transit and between nodes,
 * with fine-grained access control whose password is a Pulumi secret. Old indices are removed by
 * the chart's index cleaner after the retention period.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS, helmRelease, NamespaceRef, Placement, resources, RESTRICTED_CONTAINER } from "../shared/helm";
import { createKmsKey } from "../shared/kms";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";

const RELEASE = "jaeger";
const OPENSEARCH_USER = "jaeger";
const PASSWORD_SECRET = "jaeger-opensearch";

export interface OpenSearchArgs {
    vpcId: pulumi.Input<string>;
    /** One private subnet per data node AZ (zone awareness across all of them). */
    subnetIds: pulumi.Input<string>[];
    /** Security group allowed to reach the domain on 443 (the cluster's). */
    clientSecurityGroupId: pulumi.Input<string>;
    /** Defaults to r7g.large.search. */
    instanceType?: string;
    /** EBS gp3 volume per data node, GiB. Defaults to 100. */
    volumeGiB?: number;
    /** Log retention for the domain's CloudWatch logs. Defaults to 365. */
    logRetentionDays?: number;
    /** The OpenSearch service-linked role when this stack creates it (a VPC domain cannot be created without it). */
    serviceLinkedRole?: pulumi.Resource[];
}

export interface JaegerArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    namespace: NamespaceRef;
    /** `memory` (ephemeral, dev) or `opensearch` (durable). Defaults to opensearch. */
    storage?: "memory" | "opensearch";
    /** Required when storage is opensearch. */
    opensearch?: OpenSearchArgs;
    /** Percentage of non-error traces kept; error traces are always kept. Defaults to 10. */
    samplingPercent?: number;
    /** Days of traces kept in OpenSearch. Defaults to 7. */
    retentionDays?: number;
    placement?: Placement;
    /** The Prometheus release (monitoring CRDs); the PodMonitor waits for it. */
    monitoringCrds: pulumi.Resource;
    /** Pulumi `protect` on the domain and its key. Defaults to true. */
    protect?: boolean;
}

/** The trace domain's name (OpenSearch allows 28 characters). */
export function openSearchDomainName(ctx: Pick<PlatformContext, "prefix">): string {
    return `${ctx.prefix}-traces`.slice(0, 28);
}

/** The Jaeger v2 configuration (an OpenTelemetry collector config with Jaeger's extensions). */
export function jaegerConfig(backend: Record<string, unknown>, samplingPercent: number): Record<string, unknown> {
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter", "tail_sampling", "batch"], exporters: ["jaeger_storage_exporter"] } },
            telemetry: { metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] } },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
            jaeger_query: { storage: { traces: "main" } },
            jaeger_storage: { backends: { main: backend } },
        },
        receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } } },
        processors: {
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            tail_sampling: {
                decision_wait: "10s",
                policies: [
                    { name: "errors", type: "status_code", status_code: { status_codes: ["ERROR"] } },
                    { name: "baseline", type: "probabilistic", probabilistic: { sampling_percentage: samplingPercent } },
                ],
            },
            batch: {},
        },
        exporters: { jaeger_storage_exporter: { trace_storage: "main" } },
    };
}

export class Jaeger extends pulumi.ComponentResource {
    /** OTLP gRPC endpoint for workloads (OTEL_EXPORTER_OTLP_ENDPOINT). */
    public readonly otlpGrpcEndpoint: string;
    public readonly otlpHttpEndpoint: string;
    /** Query/UI URL (Grafana's Jaeger datasource). */
    public readonly queryUrl: string;
    public readonly opensearchEndpoint?: pulumi.Output<string>;
    /** The OpenSearch domain (for its CloudWatch alarms) and its data node volume in GiB, when storage is opensearch. */
    public readonly opensearchDomain?: { domainName: string; volumeGiB: number };

    constructor(name: string, args: JaegerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Jaeger", name, {}, opts);
        const storage = args.storage ?? "opensearch";
        const retentionDays = args.retentionDays ?? 7;
        const placement = args.placement ?? {};
        const host = `${RELEASE}.${args.namespace.name}.svc.cluster.local`;
        let backend: Record<string, unknown> = { memory: { max_traces: 50000 } };
        let storageValues: Record<string, unknown> = {};
        const extraEnv: unknown[] = [];
        if (storage === "opensearch") {
            if (!args.opensearch) throw new Error("Jaeger: storage opensearch needs the opensearch args (vpcId, subnetIds, clientSecurityGroupId)");
            this.opensearchDomain = { domainName: openSearchDomainName(args.ctx), volumeGiB: args.opensearch.volumeGiB ?? 100 };
            const url = (this.opensearchEndpoint = this.openSearchDomain(name, args, args.opensearch)).apply((e) => `https://${e}`);
            backend = {
                opensearch: {
                    server_urls: [url],
                    auth: { basic: { username: OPENSEARCH_USER, password: "${env:OPENSEARCH_PASSWORD}" } },
                    indices: { index_prefix: "jaeger", spans: { shards: 3, replicas: 1 }, services: { shards: 1, replicas: 1 } },
                },
            };
            const passwordEnv = { valueFrom: { secretKeyRef: { name: PASSWORD_SECRET, key: "password" } } };
            extraEnv.push({ name: "OPENSEARCH_PASSWORD", ...passwordEnv });
            storageValues = {
                storage: { type: "elasticsearch", elasticsearch: { url } },
                esIndexCleaner: {
                    enabled: true,
                    numberOfDays: retentionDays,
                    resources: resources("50m", "64Mi", "200m", "128Mi"),
                    securityContext: RESTRICTED_CONTAINER,
                    extraEnv: [{ name: "ES_USERNAME", value: OPENSEARCH_USER }, { name: "ES_PASSWORD", ...passwordEnv }, { name: "INDEX_PREFIX", value: "jaeger" }],
                },
            };
        }
        const values = {
            fullnameOverride: RELEASE,
            jaeger: {
                replicas: 1,
                // In-memory or OpenSearch storage: nothing is written to the container's filesystem.
                securityContext: RESTRICTED_CONTAINER,
                resources: storage === "memory" ? resources("100m", "512Mi", "1", "2Gi") : resources("250m", "512Mi", "2", "2Gi"),
                extraEnv,
                ...placement,
            },
            userconfig: jaegerConfig(backend, args.samplingPercent ?? 10),
            ...storageValues,
        };
        helmRelease(RELEASE, CHARTS.jaeger, args.namespace.ready, values, { parent: this });
        new k8s.apiextensions.CustomResource(`${name}-podmonitor`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "jaeger", namespace: args.namespace.ready },
            spec: { selector: { matchLabels: { "app.kubernetes.io/instance": RELEASE } }, podMetricsEndpoints: [{ portNumber: 8888, path: "/metrics", interval: "30s" }] },
        }, { parent: this, dependsOn: [args.monitoringCrds] });
        this.otlpGrpcEndpoint = `http://${host}:4317`;
        this.otlpHttpEndpoint = `http://${host}:4318`;
        this.queryUrl = `http://${host}:16686`;
        this.registerOutputs({ otlpGrpcEndpoint: this.otlpGrpcEndpoint, queryUrl: this.queryUrl, opensearchEndpoint: this.opensearchEndpoint });
    }

    /** The OpenSearch domain and the Kubernetes Secret with Jaeger's password; returns the endpoint. */
    private openSearchDomain(name: string, args: JaegerArgs, os: OpenSearchArgs): pulumi.Output<string> {
        const { ctx } = args;
        const tags = componentTags(ctx, "observability");
        const protect = args.protect ?? true;
        const partition = partitionOf(ctx.region);
        const child = { parent: this };
        const domainName = openSearchDomainName(ctx);
        const key = createKmsKey(`${name}-key`, `${ctx.prefix}-traces`, {
            description: `${ctx.prefix} Jaeger trace storage (OpenSearch)`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, { parent: this, protect });
        const sg = new aws.ec2.SecurityGroup(`${name}-opensearch-sg`, {
            vpcId: os.vpcId,
            description: "OpenSearch traces domain: HTTPS from the cluster only",
            ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [os.clientSecurityGroupId], description: "HTTPS from EKS" }],
            tags,
        }, child);
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-opensearch-logs`, {
            name: `/aws/opensearch/${domainName}`, retentionInDays: os.logRetentionDays ?? 365, kmsKeyId: key.arn, tags,
        }, child);
        const logPolicy = new aws.cloudwatch.LogResourcePolicy(`${name}-opensearch-logs-policy`, {
            policyName: `${domainName}-logs`,
            policyDocument: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "es.amazonaws.com" },
                    Action: ["logs:PutLogEvents", "logs:CreateLogStream"],
                    Resource: pulumi.interpolate`${logGroup.arn}:*`,
                    Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
                }],
            }),
        }, child);
        const password = new random.RandomPassword(`${name}-opensearch-password`, {
            length: 32, special: true, overrideSpecial: "!#%*-_=+", minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2,
        }, { parent: this, additionalSecretOutputs: ["result"] });
        const nodes = os.subnetIds.length;
        const domain = new aws.opensearch.Domain(`${name}-opensearch`, {
            domainName,
            engineVersion: "OpenSearch_2.19",
            clusterConfig: {
                instanceType: os.instanceType ?? "r7g.large.search",
                instanceCount: nodes,
                zoneAwarenessEnabled: nodes > 1,
                zoneAwarenessConfig: nodes > 1 ? { availabilityZoneCount: nodes } : undefined,
                dedicatedMasterEnabled: nodes >= 3,
                dedicatedMasterType: nodes >= 3 ? "m7g.large.search" : undefined,
                dedicatedMasterCount: nodes >= 3 ? 3 : undefined,
            },
            vpcOptions: { subnetIds: os.subnetIds, securityGroupIds: [sg.id] },
            ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: os.volumeGiB ?? 100 },
            encryptAtRest: { enabled: true, kmsKeyId: key.arn },
            nodeToNodeEncryption: { enabled: true },
            domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
            advancedSecurityOptions: {
                enabled: true,
                internalUserDatabaseEnabled: true,
                masterUserOptions: { masterUserName: OPENSEARCH_USER, masterUserPassword: pulumi.secret(password.result) },
            },
            // VPC-only with fine-grained access control: the resource policy lets requests reach FGAC, which authenticates them.
            accessPolicies: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "es:ESHttp*", Resource: pulumi.interpolate`arn:${partition}:es:${ctx.region}:${args.accountId}:domain/${domainName}/*` }],
            }),
            logPublishingOptions: ["ES_APPLICATION_LOGS", "AUDIT_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS"].map((logType) => ({ logType, cloudwatchLogGroupArn: logGroup.arn, enabled: true })),
            softwareUpdateOptions: { autoSoftwareUpdateEnabled: true },
            tags,
        }, { parent: this, protect, dependsOn: [logPolicy, ...(os.serviceLinkedRole ?? [])] });
        new k8s.core.v1.Secret(`${name}-opensearch-secret`, {
            metadata: { name: PASSWORD_SECRET, namespace: args.namespace.ready },
            type: "Opaque",
            stringData: { username: OPENSEARCH_USER, password: pulumi.secret(password.result) },
        }, child);
        return domain.endpoint;
    }
}
