/**
 * Observability: one connected system rather than four installs. Prometheus (with Alertmanager),
 * Loki with its log agent, Jaeger and Grafana share a guarded namespace; node agents that need host
 * access (node-exporter, Alloy) live in a separate privileged namespace; Grafana links metrics,
 * logs and traces; the alert rules and SLOs point at runbooks in this repository.
 */
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../eks/cluster";
import { Placement } from "../shared/helm";
import { PlatformContext } from "../shared/naming";
import { GuardedNamespace } from "../security/namespace";
import { AlertRules, SloDefinition } from "./alerts";
import { DeadMansSwitchSpec, ReceiverSpec } from "./alertmanager-config";
import { database, ReplicaRef } from "./dashboards";
import { Grafana } from "./grafana";
import { Jaeger, OpenSearchArgs } from "./jaeger";
import { LogAgent } from "./log-agent";
import { Loki } from "./loki";
import { Prometheus } from "./prometheus";

export const OBSERVABILITY_NAMESPACE = "observability";
/** Node agents with host access (node-exporter, Alloy): a system namespace for the hygiene policy. */
export const AGENTS_NAMESPACE = "observability-agents";

export interface ObservabilityArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    cluster: Cluster;
    /** The cluster's encrypted gp3 StorageClass. */
    storageClassName: pulumi.Input<string>;
    prometheus: { retention: string; storageGiB: number; replicas: number };
    alertmanager: { replicas: number };
    loki: { retentionDays: number; mode: "singleBinary" | "scalable" };
    jaeger: { storage: "memory" | "opensearch"; samplingPercent: number; retentionDays: number; opensearch?: OpenSearchArgs };
    grafana: { storageGiB: number };
    receivers: ReceiverSpec[];
    /** Credentials by secret key: every receiver's and the dead man's switch's URL. */
    receiverSecrets: Record<string, pulumi.Input<string>>;
    /** The external heartbeat the Watchdog is sent to. Defaults to none (nobody learns that monitoring is down). */
    deadMansSwitch?: DeadMansSwitchSpec;
    runbookBaseUrl: string;
    slos: SloDefinition[];
    placement?: Placement;
    /** Pulumi `protect` on the stores (buckets, OpenSearch, keys). */
    protect: boolean;
}

export class Observability extends pulumi.ComponentResource {
    public readonly prometheus: Prometheus;
    public readonly loki: Loki;
    public readonly jaeger: Jaeger;
    public readonly grafana: Grafana;
    /** The platform's PrometheusRules; rule groups of components built later are added with `alerts.add`. */
    public readonly alerts: AlertRules;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Observability", name, {}, opts);
        const child = { parent: this };
        const { ctx } = args;
        const ns = new GuardedNamespace(OBSERVABILITY_NAMESPACE, {
            name: OBSERVABILITY_NAMESPACE,
            podSecurity: "restricted",
            quota: { requestsCpu: "16", requestsMemory: "48Gi", limitsCpu: "48", limitsMemory: "96Gi", persistentVolumeClaims: 30, requestsStorage: "2Ti" },
            maxContainer: { cpu: "4", memory: "16Gi" },
        }, child).ref;
        const agents = new GuardedNamespace(AGENTS_NAMESPACE, {
            name: AGENTS_NAMESPACE,
            podSecurity: "privileged",
            quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "32", limitsMemory: "32Gi", persistentVolumeClaims: 0, requestsStorage: "0" },
            maxContainer: { cpu: "1", memory: "1Gi" },
        }, child).ref;

        this.prometheus = new Prometheus("prometheus", {
            namespace: ns,
            agentsNamespace: agents,
            clusterName: args.cluster.clusterName,
            environment: ctx.environment,
            retention: args.prometheus.retention,
            storageGiB: args.prometheus.storageGiB,
            replicas: args.prometheus.replicas,
            alertmanagerReplicas: args.alertmanager.replicas,
            storageClassName: args.storageClassName,
            receivers: args.receivers,
            receiverSecrets: args.receiverSecrets,
            deadMansSwitch: args.deadMansSwitch,
            placement: args.placement,
        }, child);
        const monitoringCrds = this.prometheus.release;
        this.loki = new Loki("loki", {
            ctx, accountId: args.accountId, cluster: args.cluster, namespace: ns, storageClassName: args.storageClassName,
            retentionDays: args.loki.retentionDays, mode: args.loki.mode, placement: args.placement, monitoringCrds, protect: args.protect,
        }, child);
        new LogAgent("log-agent", { namespace: agents, lokiUrl: this.loki.url, monitoringCrds }, child);
        this.jaeger = new Jaeger("jaeger", {
            ctx, accountId: args.accountId, namespace: ns, storage: args.jaeger.storage, opensearch: args.jaeger.opensearch,
            samplingPercent: args.jaeger.samplingPercent, retentionDays: args.jaeger.retentionDays, placement: args.placement, monitoringCrds, protect: args.protect,
        }, child);
        this.grafana = new Grafana("grafana", {
            namespace: ns, cluster: args.cluster, prometheusUrl: this.prometheus.url, alertmanagerUrl: this.prometheus.alertmanagerUrl,
            lokiUrl: this.loki.url, jaegerUrl: this.jaeger.queryUrl, region: ctx.region,
            storageGiB: args.grafana.storageGiB, storageClassName: args.storageClassName, placement: args.placement, monitoringCrds,
        }, child);
        this.alerts = new AlertRules("alerts", { namespace: ns, runbookBaseUrl: args.runbookBaseUrl, slos: args.slos, retention: args.prometheus.retention, monitoringCrds }, child);
        this.registerOutputs({ grafanaUrl: this.grafana.url, prometheusUrl: this.prometheus.url });
    }

    /** The database dashboard: the primary instance, and the DR replica's lag in its region when there is one. */
    public addDatabaseDashboard(primaryIdentifier: pulumi.Input<string>, replica?: { instanceIdentifier: pulumi.Input<string>; region: string }): void {
        const spec = pulumi.all([primaryIdentifier, replica?.instanceIdentifier]).apply(([primary, replicaId]) =>
            [database(primary, replica && replicaId ? { instanceIdentifier: replicaId, region: replica.region } satisfies ReplicaRef : undefined)]);
        this.grafana.addDashboards("database-dashboard", "platform-database-dashboard", spec);
    }
}
