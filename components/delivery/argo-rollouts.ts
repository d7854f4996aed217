/**
 * ArgoRollouts: the controller via its pinned chart (CRDs installed and kept on uninstall), HA with
 * leader election (on by default in the controller) when replicas > 1, requests/limits, metrics
 * scraped through a ServiceMonitor, the dashboard by config; and the ClusterAnalysisTemplates that
 * every CanaryApp uses, pointed at the Prometheus component's service.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, helmRelease, resources, RESTRICTED_CONTAINER } from "../shared/helm";
import { GuardedNamespace } from "../security/namespace";
import { LATENCY_TEMPLATE, latencyTemplate, SUCCESS_RATE_TEMPLATE, successRateTemplate } from "./analysis";

export const ROLLOUTS_NAMESPACE = "argo-rollouts";

/** Metric relabelings that give the controller's series their Rollout's namespace back (`exported_namespace` -> `namespace`). */
export const ROLLOUT_NAMESPACE_RELABELINGS = [
    { sourceLabels: ["exported_namespace"], regex: "(.+)", targetLabel: "namespace", replacement: "$1", action: "replace" },
    { regex: "exported_namespace", action: "labeldrop" },
];

export interface ArgoRolloutsArgs {
    /** Controller replicas; more than one runs active/standby with leader election. Defaults to 2. */
    replicas?: number;
    /** Install the read-only Rollouts dashboard. Defaults to false. */
    dashboard?: boolean;
    /** In-cluster Prometheus URL (the Prometheus component's `url`): the one address analysis queries. */
    prometheusUrl: string;
    /** The resource installing the ServiceMonitor CRD (the Prometheus release). */
    monitoringCrds: pulumi.Resource;
}

export class ArgoRollouts extends pulumi.ComponentResource {
    /** The chart release; Rollouts and AnalysisTemplates depend on it for their CRDs. */
    public readonly release: k8s.helm.v3.Release;
    public readonly successRateTemplate = SUCCESS_RATE_TEMPLATE;
    public readonly latencyTemplate = LATENCY_TEMPLATE;

    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:delivery:ArgoRollouts", name, {}, opts);
        const replicas = args.replicas ?? 2;
        const ns = new GuardedNamespace(ROLLOUTS_NAMESPACE, {
            name: ROLLOUTS_NAMESPACE,
            quota: { requestsCpu: "2", requestsMemory: "2Gi", limitsCpu: "4", limitsMemory: "4Gi", persistentVolumeClaims: 0, requestsStorage: "0" },
            maxContainer: { cpu: "1", memory: "1Gi" },
        }, { parent: this }).ref;
        const values = {
            installCRDs: true,
            keepCRDs: true,
            controller: {
                replicas,
                resources: resources("100m", "128Mi", "1", "512Mi"),
                // The chart's ServiceMonitor does not honour the controller's labels, so Prometheus renames the Rollout's
                // `namespace` to `exported_namespace` (the target's namespace is argo-rollouts); restore it for dashboards and alerts.
                metrics: { enabled: true, serviceMonitor: { enabled: true, metricRelabelings: ROLLOUT_NAMESPACE_RELABELINGS } },
                pdb: { enabled: replicas > 1, minAvailable: 1 },
            },
            dashboard: { enabled: args.dashboard ?? false, readonly: true, resources: resources("20m", "64Mi", "200m", "128Mi"), containerSecurityContext: RESTRICTED_CONTAINER },
        };
        this.release = helmRelease("argo-rollouts", CHARTS.argoRollouts, ns.ready, values, { parent: this, dependsOn: [args.monitoringCrds] });
        const template = (templateName: string, spec: Record<string, unknown>) =>
            new k8s.apiextensions.CustomResource(`${name}-${templateName}`, {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "ClusterAnalysisTemplate",
                metadata: { name: templateName },
                spec,
            }, { parent: this, dependsOn: [this.release] });
        template(SUCCESS_RATE_TEMPLATE, successRateTemplate(args.prometheusUrl));
        template(LATENCY_TEMPLATE, latencyTemplate(args.prometheusUrl));
        this.registerOutputs({});
    }
}
