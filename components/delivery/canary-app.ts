/**
 * CanaryApp: how an application team ships on the platform. An Argo Rollout with a canary strategy
 * (weights step up with pauses and analysis between them, background success-rate analysis for the
 * whole rollout, abort and rollback on a failed analysis), stable and canary Services, a
 * ServiceMonitor on both (so each side's metrics carry its Service name and each pod's template
 * hash), a PodDisruptionBudget, an optional HPA, namespace guardrails if asked, and OpenTelemetry
 * env pointing at Jaeger. The analysis reads the app's metrics as its metric contract says
 * (`metrics`, docs/delivery.md "Metric contract"), counting user requests only. The image must be
 * pinned by digest when `requireDigest` is set, and requests/limits are required.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../shared/helm";
import { APP_NAMESPACE_LABEL } from "../security/image-verification";
import { GuardedNamespace, NamespaceQuota } from "../security/namespace";
import { HTTP_METRICS } from "../observability/datasources";
import { LATENCY_TEMPLATE, SUCCESS_RATE_TEMPLATE } from "./analysis";
import { excludedRoutesRegex, validateCanaryArgs } from "./canary-validation";
import type { MetricContract } from "./metric-contract";

export type { MetricContract } from "./metric-contract";

export type CanaryStep =
    | { setWeight: number }
    | { pause: { duration?: string } }
    | { analysis: { templates: { templateName: string; clusterScope: true }[]; args: AnalysisArg[] } };

/** An analysis argument: a value, or the pod template hash of the rollout's latest ReplicaSet. */
export type AnalysisArg = { name: string; value: string } | { name: string; valueFrom: { podTemplateHashValue: "Latest" | "Stable" } };

export interface Probe { path: string; initialDelaySeconds?: number; periodSeconds?: number }

export interface CanaryAppArgs {
    /** DNS label; names the Rollout, Services and ServiceAccount. */
    name: string;
    namespace: string;
    /** `repo@sha256:<64 hex>` (a tag may precede the digest). A tag alone is refused when requireDigest is set. */
    image: string;
    /** Refuse images not pinned by digest. Defaults to true. */
    requireDigest?: boolean;
    /** Container port serving HTTP and /metrics. */
    port: number;
    /** Replicas (the HPA minimum when autoscaling is on). Defaults to 3. */
    replicas?: number;
    /** Requests and limits (required; requests <= limits). */
    resources: ContainerResources;
    env?: Record<string, string>;
    /** Readiness and liveness probes (HTTP GET on `port`). Defaults to /readyz and /healthz. */
    probes?: { readiness?: Probe; liveness?: Probe };
    /** What the canary analysis reads from the app. Defaults: /metrics, labels `path` and `status`. */
    metrics?: MetricContract;
    /** Service account name. Defaults to `name`. */
    serviceAccount?: string;
    /** Canary weights; a pause and an analysis follow each but the last, which must be 100. Defaults to [10, 25, 50, 100]. */
    weights?: number[];
    /** Pause after each weight before its analysis. Defaults to 2m. */
    pauseDuration?: string;
    /** Analysis thresholds. Defaults: success rate >= 0.99 passes, < 0.95 fails; p95 <= 0.5 s passes, > 1 s fails. */
    analysis?: { minSuccessRate?: number; failSuccessRateBelow?: number; p95MaxSeconds?: number; p95FailAboveSeconds?: number };
    /** Traffic routing through an ingress controller; without it the canary is replica-weighted. */
    trafficRouting?: { nginx: { stableIngress: string } } | { alb: { ingress: string; servicePort: number } };
    /** Horizontal autoscaling on CPU. Off by default. */
    autoscaling?: { maxReplicas: number; targetCpuPercent: number };
    /** Create the namespace with a LimitRange and ResourceQuota. Off by default (the namespace exists). */
    guardrails?: NamespaceQuota;
    /** OTLP gRPC endpoint (the Jaeger component's). */
    otlpEndpoint: pulumi.Input<string>;
    /** The Argo Rollouts release and the Prometheus release (CRDs). */
    crds: pulumi.Resource[];
}

/** The canary steps: for each weight, setWeight, then (except at 100) a pause and a step analysis. */
export function canarySteps(weights: number[], pause: string, analysisArgs: AnalysisArg[]): CanaryStep[] {
    return weights.flatMap((w): CanaryStep[] => w === 100
        ? [{ setWeight: 100 }]
        : [{ setWeight: w }, { pause: { duration: pause } }, { analysis: { templates: [{ templateName: LATENCY_TEMPLATE, clusterScope: true }], args: analysisArgs } }]);
}

export class CanaryApp extends pulumi.ComponentResource {
    public readonly rolloutName: string;
    public readonly stableService: string;
    public readonly canaryService: string;

    constructor(name: string, args: CanaryAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:CanaryApp", name, {}, opts);
        const problems = validateCanaryArgs(args);
        if (problems.length > 0) throw new pulumi.RunError(`CanaryApp ${args.name}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        const app = args.name;
        const replicas = args.replicas ?? 3;
        const labels = { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "platform-apps" };
        let namespace: pulumi.Input<string> = args.namespace;
        const deps: pulumi.Resource[] = [...args.crds];
        if (args.guardrails) {
            const ns = new GuardedNamespace(args.namespace, { name: args.namespace, quota: args.guardrails, labels: { backup: "hourly", [APP_NAMESPACE_LABEL.key]: APP_NAMESPACE_LABEL.value } }, { parent: this });
            namespace = ns.ref.ready;
        }
        const child = { parent: this };
        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: args.serviceAccount ?? app, namespace, labels }, automountServiceAccountToken: false }, child);
        this.stableService = `${app}-stable`;
        this.canaryService = `${app}-canary`;
        const service = (svcName: string, role: string, monitored: boolean) => new k8s.core.v1.Service(`${name}-${role}`, {
            metadata: { name: svcName, namespace, labels: { ...labels, "platform.io/role": role, "platform.io/monitored": String(monitored) } },
            spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        }, child);
        const services = [service(this.stableService, "stable", true), service(this.canaryService, "canary", true), service(app, "main", false)];

        const thresholds = args.analysis ?? {};
        const contract = args.metrics ?? {};
        const probePaths = [args.probes?.readiness?.path ?? "/readyz", args.probes?.liveness?.path ?? "/healthz"];
        const metricsPath = contract.path ?? "/metrics";
        // The canary Service's series of the latest ReplicaSet's pods only, user routes only (analysis.ts).
        const serviceArgs = (svc: string): AnalysisArg[] => [
            { name: "service", value: svc }, { name: "namespace", value: args.namespace },
            { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
            { name: "route-label", value: contract.routeLabel ?? HTTP_METRICS.routeLabel },
            { name: "status-label", value: contract.statusLabel ?? HTTP_METRICS.statusLabel },
            { name: "excluded-routes", value: excludedRoutesRegex([...probePaths, metricsPath], contract.excludeRoutes ?? []) },
        ];
        const stepArgs = [...serviceArgs(this.canaryService),
            { name: "p95-max-seconds", value: String(thresholds.p95MaxSeconds ?? 0.5) }, { name: "p95-fail-above-seconds", value: String(thresholds.p95FailAboveSeconds ?? 1) }];
        const probe = (p: Probe | undefined, path: string) => ({
            httpGet: { path, port: "http" }, initialDelaySeconds: p?.initialDelaySeconds ?? 5, periodSeconds: p?.periodSeconds ?? 10,
        });
        const env = {
            OTEL_EXPORTER_OTLP_ENDPOINT: args.otlpEndpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
            OTEL_SERVICE_NAME: app,
            OTEL_RESOURCE_ATTRIBUTES: `k8s.namespace.name=${args.namespace}`,
            ...args.env,
        };
        const trafficRouting = args.trafficRouting && ("nginx" in args.trafficRouting
            ? { nginx: { stableIngress: args.trafficRouting.nginx.stableIngress } }
            : { alb: { ingress: args.trafficRouting.alb.ingress, servicePort: args.trafficRouting.alb.servicePort, rootService: app } });
        const rollout = new k8s.apiextensions.CustomResource(`${name}-rollout`, {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: { name: app, namespace, labels },
            spec: {
                replicas: args.autoscaling ? undefined : replicas,
                revisionHistoryLimit: 5,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: sa.metadata.name,
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } }],
                        containers: [{
                            name: app,
                            image: args.image,
                            ports: [{ name: "http", containerPort: args.port }],
                            env: Object.entries(env).map(([k, value]) => ({ name: k, value })),
                            resources: args.resources,
                            readinessProbe: probe(args.probes?.readiness, probePaths[0]),
                            livenessProbe: probe(args.probes?.liveness, probePaths[1]),
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "data", mountPath: "/data" }],
                        }],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }, { name: "data", emptyDir: { sizeLimit: "256Mi" } }],
                    },
                },
                strategy: {
                    canary: {
                        stableService: this.stableService,
                        canaryService: this.canaryService,
                        trafficRouting,
                        maxSurge: "25%",
                        maxUnavailable: 0,
                        abortScaleDownDelaySeconds: 30,
                        analysis: {
                            templates: [{ templateName: SUCCESS_RATE_TEMPLATE, clusterScope: true }],
                            startingStep: 1,
                            args: [...serviceArgs(this.canaryService),
                                { name: "min-success-rate", value: String(thresholds.minSuccessRate ?? 0.99) }, { name: "fail-below", value: String(thresholds.failSuccessRateBelow ?? 0.95) }],
                        },
                        steps: canarySteps(args.weights ?? [10, 25, 50, 100], args.pauseDuration ?? "2m", stepArgs),
                    },
                },
            },
        }, { parent: this, dependsOn: [...deps, ...services] });
        this.rolloutName = app;

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: { name: app, namespace, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } }, child);
        if (args.autoscaling) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: { name: app, namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: app },
                    minReplicas: replicas,
                    maxReplicas: args.autoscaling.maxReplicas,
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: args.autoscaling.targetCpuPercent } } }],
                },
            }, { parent: this, dependsOn: [rollout] });
        }
        new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: app, namespace, labels },
            spec: {
                selector: { matchLabels: { ...labels, "platform.io/monitored": "true" } },
                // Each series carries its pod's template hash, so the analysis can read the canary ReplicaSet's pods alone.
                podTargetLabels: ["rollouts-pod-template-hash"],
                endpoints: [{ port: "http", path: metricsPath, interval: "15s" }],
            },
        }, { parent: this, dependsOn: deps });
        this.registerOutputs({ rolloutName: this.rolloutName, stableService: this.stableService, canaryService: this.canaryService });
    }
}
