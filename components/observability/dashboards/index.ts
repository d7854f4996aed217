/**
 * The platform's dashboards: cluster overview, workload RED, database, Argo Rollouts, SLO / error
 * budget. Queries use only metrics the installed exporters produce: node-exporter, kube-state-metrics,
 * kubelet/cAdvisor, the API server, the services' HTTP histogram (HTTP_METRICS), the Argo Rollouts
 * controller, the SLO recording rules, CloudWatch's AWS/RDS namespace (the DR replica in its own
 * region), and Loki's log streams.
 */
import { HTTP_METRICS } from "../datasources";
import { BUDGET_REMAINING_RECORD, ERROR_RATIO_RECORD } from "../alerts/slo";
import { DashboardSpec, logql, promql } from "./builder";

const { count, bucket, statusLabel } = HTTP_METRICS;
const svc = 'namespace="$namespace", service="$service"';

export function clusterOverview(): DashboardSpec {
    return {
        uid: "platform-cluster", title: "Cluster overview", tags: ["cluster"],
        panels: [
            { title: "Nodes ready", type: "stat", width: 6, targets: [promql('sum(kube_node_status_condition{condition="Ready", status="true"})')] },
            { title: "Pods not running", type: "stat", width: 6, targets: [promql('sum(kube_pod_status_phase{phase=~"Pending|Unknown|Failed"})')] },
            { title: "CPU requested / allocatable", type: "stat", width: 6, unit: "percentunit", targets: [promql('sum(kube_pod_container_resource_requests{resource="cpu"}) / sum(kube_node_status_allocatable{resource="cpu"})')] },
            { title: "Memory requested / allocatable", type: "stat", width: 6, unit: "percentunit", targets: [promql('sum(kube_pod_container_resource_requests{resource="memory"}) / sum(kube_node_status_allocatable{resource="memory"})')] },
            { title: "Node CPU utilisation", type: "timeseries", unit: "percentunit", targets: [promql('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', "{{instance}}")] },
            { title: "Node memory utilisation", type: "timeseries", unit: "percentunit", targets: [promql("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")] },
            { title: "Container restarts (1h) by namespace", type: "timeseries", targets: [promql("sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))", "{{namespace}}")] },
            { title: "API server 5xx ratio", type: "timeseries", unit: "percentunit", targets: [promql('sum(rate(apiserver_request_total{code=~"5.."}[5m])) / sum(rate(apiserver_request_total[5m]))')] },
            { title: "Log lines per namespace", type: "timeseries", width: 24, targets: [logql('sum by (namespace) (count_over_time({namespace=~".+"}[5m]))', "{{namespace}}")] },
        ],
    };
}

export function workloadRed(): DashboardSpec {
    return {
        uid: "platform-workload-red", title: "Workload RED", tags: ["workloads"],
        variables: { namespace: `label_values(${count}, namespace)`, service: `label_values(${count}{namespace="$namespace"}, service)` },
        panels: [
            { title: "Rate", type: "timeseries", width: 8, unit: "reqps", targets: [promql(`sum(rate(${count}{${svc}}[5m]))`)] },
            { title: "Errors (5xx ratio)", type: "timeseries", width: 8, unit: "percentunit", targets: [promql(`sum(rate(${count}{${svc}, ${statusLabel}=~"5.."}[5m])) / sum(rate(${count}{${svc}}[5m]))`)] },
            {
                title: "Duration", type: "timeseries", width: 8, unit: "s",
                targets: [0.5, 0.95, 0.99].map((q) => promql(`histogram_quantile(${q}, sum by (le) (rate(${bucket}{${svc}}[5m])))`, `p${q * 100}`)),
                description: "Exemplars on this panel link to the trace in Jaeger.",
            },
            { title: "CPU vs limit", type: "timeseries", unit: "percentunit", targets: [promql('sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="$namespace", container!=""}[5m])) / sum by (pod) (kube_pod_container_resource_limits{namespace="$namespace", resource="cpu"})', "{{pod}}")] },
            { title: "Memory vs limit", type: "timeseries", unit: "percentunit", targets: [promql('sum by (pod) (container_memory_working_set_bytes{namespace="$namespace", container!=""}) / sum by (pod) (kube_pod_container_resource_limits{namespace="$namespace", resource="memory"})', "{{pod}}")] },
            { title: "Error logs", type: "logs", width: 24, targets: [logql('{namespace="$namespace"} |~ "(?i)error"')] },
        ],
    };
}

/** The DR region's read replica of the database, whose ReplicaLag the database dashboard shows. */
export interface ReplicaRef { instanceIdentifier: string; region: string }

/**
 * Database panels read CloudWatch's AWS/RDS metrics for the platform's instance; ReplicaLag exists
 * only on the replica, in the DR region, so that panel queries the replica there (no DR, no panel).
 */
export function database(instanceIdentifier: string, replica?: ReplicaRef): DashboardSpec {
    const rds = (metric: string, statistic: "Average" | "Maximum" = "Average", id = instanceIdentifier, region?: string) =>
        ({ kind: "cloudwatch" as const, namespace: "AWS/RDS", metric, dimensions: { DBInstanceIdentifier: id }, statistic, region });
    return {
        uid: "platform-database", title: "Database (RDS PostgreSQL)", tags: ["database"],
        panels: [
            { title: "CPU", type: "timeseries", width: 8, unit: "percent", targets: [rds("CPUUtilization")] },
            { title: "Connections", type: "timeseries", width: 8, targets: [rds("DatabaseConnections", "Maximum")] },
            { title: "Free storage", type: "timeseries", width: 8, unit: "bytes", targets: [rds("FreeStorageSpace")] },
            { title: "Read / write latency", type: "timeseries", width: 8, unit: "s", targets: [rds("ReadLatency"), rds("WriteLatency")] },
            { title: "Freeable memory", type: "timeseries", width: 8, unit: "bytes", targets: [rds("FreeableMemory")] },
            ...(replica ? [{
                title: `Replica lag (DR replica in ${replica.region})`, type: "timeseries" as const, width: 8, unit: "s",
                targets: [rds("ReplicaLag", "Maximum", replica.instanceIdentifier, replica.region)],
            }] : []),
        ],
    };
}

export function rollouts(): DashboardSpec {
    return {
        uid: "platform-rollouts", title: "Argo Rollouts", tags: ["delivery"],
        panels: [
            { title: "Rollouts by phase", type: "stat", width: 8, targets: [promql("sum by (phase) (rollout_info)", "{{phase}}")] },
            { title: "Analysis runs by phase", type: "stat", width: 8, targets: [promql("sum by (phase) (analysis_run_info)", "{{phase}}")] },
            { title: "Available replicas", type: "timeseries", width: 8, targets: [promql("sum by (namespace, name) (rollout_info_replicas_available)", "{{namespace}}/{{name}}")] },
            { title: "Rollout events", type: "timeseries", width: 24, targets: [promql("sum by (namespace, name, reason) (increase(rollout_events_total[10m]))", "{{name}} {{reason}}")] },
        ],
    };
}

export function slo(): DashboardSpec {
    return {
        uid: "platform-slo", title: "SLOs and error budgets", tags: ["slo"],
        variables: { slo: "label_values(slo:objective:ratio, slo)" },
        panels: [
            { title: "Objective", type: "stat", width: 6, unit: "percentunit", targets: [promql('slo:objective:ratio{slo="$slo"}')] },
            // The window is the SLO's as recorded (cut to Prometheus's retention), shown in the legend.
            { title: "Error budget remaining (SLO window)", type: "stat", width: 6, unit: "percentunit", targets: [promql(`${BUDGET_REMAINING_RECORD}{slo="$slo"}`, "{{window}}")] },
            { title: "Burn rate (1h)", type: "stat", width: 6, targets: [promql(`${ERROR_RATIO_RECORD}1h{slo="$slo"} / on (slo) (1 - slo:objective:ratio{slo="$slo"})`)] },
            { title: "Burn rate (6h)", type: "stat", width: 6, targets: [promql(`${ERROR_RATIO_RECORD}6h{slo="$slo"} / on (slo) (1 - slo:objective:ratio{slo="$slo"})`)] },
            { title: "Error ratio by window", type: "timeseries", width: 24, unit: "percentunit", targets: ["5m", "1h", "6h", "1d"].map((w) => promql(`${ERROR_RATIO_RECORD}${w}{slo="$slo"}`, w)) },
        ],
    };
}

/** The dashboards that need nothing from other components; the database one is added once the database (and its DR replica) exist. */
export function platformDashboards(): DashboardSpec[] {
    return [clusterOverview(), workloadRed(), rollouts(), slo()];
}
