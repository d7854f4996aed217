/**
 * Prometheus: kube-prometheus-stack (operator, Prometheus, Alertmanager, node-exporter,
 * kube-state-metrics) with durable gp3 volumes, retention by time and size, HA replicas by config,
 * Alertmanager routing by severity with receiver credentials from a Secret, and explicit
 * requests/limits for every workload the chart runs. Grafana is its own component.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, helmRelease, NamespaceRef, Placement, resources } from "../shared/helm";
import { alertmanagerConfig, DeadMansSwitchSpec, ReceiverSpec } from "./alertmanager-config";

/** Release name; the chart names its services `<fullname>-prometheus` and `<fullname>-alertmanager`. */
const FULLNAME = "kps";
export const RECEIVERS_SECRET = "alertmanager-receivers";

export interface PrometheusArgs {
    /** Namespace (created by the caller with its guardrails). */
    namespace: NamespaceRef;
    /** Privileged namespace for node-exporter (host network, PID and paths). */
    agentsNamespace: NamespaceRef;
    /** Cluster name, added as the `cluster` external label on every series and alert. */
    clusterName: pulumi.Input<string>;
    /** Environment, added as the `environment` external label. */
    environment: string;
    /** Prometheus TSDB retention, e.g. 15d. Defaults to 15d. */
    retention?: string;
    /** Volume per Prometheus replica in GiB; retention by size is 85% of it. Defaults to 100. */
    storageGiB?: number;
    /** Prometheus replicas (each scrapes everything; 2 for HA). Defaults to 2. */
    replicas?: number;
    /** Alertmanager replicas (clustered). Defaults to 2. */
    alertmanagerReplicas?: number;
    /** StorageClass of the volumes (the cluster's encrypted gp3 class). */
    storageClassName: pulumi.Input<string>;
    /** Alert receivers; their credentials come from `receiverSecrets`. Defaults to none (all alerts to the null receiver). */
    receivers?: ReceiverSpec[];
    /** Credential per receiver `secretKey` (and the dead man's switch's), as Pulumi secrets. */
    receiverSecrets?: Record<string, pulumi.Input<string>>;
    /** Where the always-firing Watchdog is sent every minute; its URL is `receiverSecrets[secretKey]`. Defaults to none (Watchdog to the null receiver). */
    deadMansSwitch?: DeadMansSwitchSpec;
    /** Node placement for Prometheus, Alertmanager, the operator and kube-state-metrics. */
    placement?: Placement;
}

export class Prometheus extends pulumi.ComponentResource {
    /** In-cluster URL of the Prometheus service: the one address Grafana, Argo Rollouts analysis and alerts use. */
    public readonly url: string;
    public readonly alertmanagerUrl: string;
    /** The Helm release; custom resources (ServiceMonitor, PrometheusRule) depend on it for their CRDs. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Prometheus", name, {}, opts);
        const replicas = args.replicas ?? 2;
        const amReplicas = args.alertmanagerReplicas ?? 2;
        const storageGiB = args.storageGiB ?? 100;
        const receivers = args.receivers ?? [];
        const placement = args.placement ?? {};
        const secretKeys = [...receivers.map((r) => r.secretKey), ...(args.deadMansSwitch ? [args.deadMansSwitch.secretKey] : [])];
        const secretData = Object.fromEntries(secretKeys.map((k) => [k, pulumi.secret(args.receiverSecrets?.[k] ?? "")]));
        const secret = new k8s.core.v1.Secret(`${name}-receivers`, {
            metadata: { name: RECEIVERS_SECRET, namespace: args.namespace.ready },
            type: "Opaque",
            stringData: secretData,
        }, { parent: this });
        const volume = (gib: number) => ({
            volumeClaimTemplate: { spec: { storageClassName: args.storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gib}Gi` } } } },
        });
        const values = {
            fullnameOverride: FULLNAME,
            crds: { enabled: true },
            grafana: { enabled: false },
            // EKS runs etcd, the scheduler and the controller manager out of reach; kube-proxy metrics bind to localhost.
            kubeEtcd: { enabled: false },
            kubeControllerManager: { enabled: false },
            kubeScheduler: { enabled: false },
            kubeProxy: { enabled: false },
            defaultRules: {
                create: true,
                // Replaced by the platform's own rule sets (alerts/), which carry runbook links to this repository and are
                // unit-tested; `general` (Watchdog, InfoInhibitor, TargetDown) is replaced by alerts/monitoring.ts.
                rules: { general: false, etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false, kubeProxy: false, kubernetesApps: false, kubernetesStorage: false, prometheus: false, alertmanager: false, windows: false },
            },
            prometheusOperator: {
                resources: resources("100m", "128Mi", "500m", "512Mi"),
                prometheusConfigReloader: { resources: resources("10m", "32Mi", "100m", "64Mi") },
                admissionWebhooks: { patch: { resources: resources("10m", "32Mi", "100m", "64Mi") } },
                ...placement,
            },
            prometheus: {
                prometheusSpec: {
                    replicas,
                    retention: args.retention ?? "15d",
                    retentionSize: `${Math.floor(storageGiB * 0.85)}GB`,
                    storageSpec: volume(storageGiB),
                    resources: resources("500m", "2Gi", "2", "8Gi"),
                    externalLabels: { cluster: args.clusterName, environment: args.environment },
                    // Select every ServiceMonitor, PodMonitor and PrometheusRule, not only the chart's own.
                    serviceMonitorSelectorNilUsesHelmValues: false,
                    podMonitorSelectorNilUsesHelmValues: false,
                    ruleSelectorNilUsesHelmValues: false,
                    enableFeatures: ["exemplar-storage"],
                    podAntiAffinity: replicas > 1 ? "hard" : "soft",
                    ...placement,
                },
            },
            alertmanager: {
                config: alertmanagerConfig(receivers, RECEIVERS_SECRET, args.deadMansSwitch),
                alertmanagerSpec: {
                    replicas: amReplicas,
                    secrets: [RECEIVERS_SECRET],
                    storage: volume(10),
                    resources: resources("50m", "128Mi", "200m", "256Mi"),
                    podAntiAffinity: amReplicas > 1 ? "hard" : "soft",
                    ...placement,
                },
            },
            "kube-state-metrics": { resources: resources("50m", "128Mi", "500m", "512Mi"), ...placement },
            // node-exporter runs on every node, tainted ones included.
            "prometheus-node-exporter": {
                namespaceOverride: args.agentsNamespace.ready, resources: resources("50m", "64Mi", "250m", "128Mi"), tolerations: [{ operator: "Exists" }],
                // Host namespaces and read-only hostPath mounts, but no privilege: the chart runs it as nobody.
                containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            },
        };
        this.release = helmRelease(FULLNAME, CHARTS.kubePrometheusStack, args.namespace.ready, values, { parent: this, dependsOn: [secret] });
        const ns = args.namespace.name;
        this.url = `http://${FULLNAME}-prometheus.${ns}.svc.cluster.local:9090`;
        this.alertmanagerUrl = `http://${FULLNAME}-alertmanager.${ns}.svc.cluster.local:9093`;
        this.registerOutputs({ url: this.url, alertmanagerUrl: this.alertmanagerUrl });
    }
}
