/**
 * The platform's own alert rules. Every alert has a severity, a summary, a description and a
 * runbook link to a page (and anchor) in docs/runbooks/ of this repository.
 */
import { AlertRule, RuleGroup } from "./types";

/** Runbook page and anchor of each alert (the tests check the files and headings exist). */
export const RUNBOOK_PAGES: Record<string, string> = {
    PodCrashLooping: "workloads.md#podcrashlooping",
    ContainerOOMKilled: "workloads.md#containeroomkilled",
    PodNotReady: "workloads.md#podnotready",
    NodeNotReady: "nodes.md#nodenotready",
    PersistentVolumeFillingUp: "storage.md#persistentvolumefillingup",
    PersistentVolumeAlmostFull: "storage.md#persistentvolumealmostfull",
    KubeAPIErrorsHigh: "control-plane.md#kubeapierrorshigh",
    KubeletClientCertificateExpiring: "certificates.md#kubeletclientcertificateexpiring",
    TLSCertificateExpiring: "certificates.md#tlscertificateexpiring",
    TargetDown: "monitoring.md#targetdown",
    PrometheusRuleEvaluationFailures: "monitoring.md#prometheusruleevaluationfailures",
    PrometheusNotConnectedToAlertmanagers: "monitoring.md#prometheusnotconnectedtoalertmanagers",
    PrometheusTSDBCompactionsFailing: "monitoring.md#prometheustsdbcompactionsfailing",
    AlertmanagerFailedToSendAlerts: "monitoring.md#alertmanagerfailedtosendalerts",
    LokiRequestErrors: "monitoring.md#lokirequesterrors",
    LokiCompactorNotRunning: "monitoring.md#lokicompactornotrunning",
    ErrorBudgetBurn: "slo.md#errorbudgetburn",
};

export function runbookUrl(base: string, alert: string): string {
    const page = RUNBOOK_PAGES[alert];
    if (!page) throw new Error(`no runbook page for alert ${alert}`);
    return `${base.replace(/\/$/, "")}/${page}`;
}

type Spec = Omit<AlertRule, "annotations" | "labels"> & { severity: AlertRule["labels"]["severity"]; summary: string; description: string };

/** All platform rule groups, with runbook links under `runbookBase` (e.g. https://github.com/org/repo/blob/main/docs/runbooks). */
export function platformRuleGroups(runbookBase: string): RuleGroup[] {
    const alert = (s: Spec): AlertRule => ({
        alert: s.alert,
        expr: s.expr,
        for: s.for,
        labels: { severity: s.severity },
        annotations: { summary: s.summary, description: s.description, runbook_url: runbookUrl(runbookBase, s.alert) },
    });
    return [
        {
            name: "platform-workloads",
            rules: [
                alert({
                    alert: "PodCrashLooping", severity: "warning", for: "15m",
                    expr: 'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics", reason="CrashLoopBackOff"}[5m]) >= 1',
                    summary: "Container is crash looping",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} has been in CrashLoopBackOff for 15 minutes.",
                }),
                alert({
                    alert: "ContainerOOMKilled", severity: "warning",
                    expr: 'increase(kube_pod_container_status_restarts_total{job="kube-state-metrics"}[15m]) > 0\nand on (namespace, pod, container)\nkube_pod_container_status_last_terminated_reason{job="kube-state-metrics", reason="OOMKilled"} == 1',
                    summary: "Container was OOM-killed",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted after exceeding its memory limit.",
                }),
                alert({
                    alert: "PodNotReady", severity: "warning", for: "15m",
                    expr: 'sum by (namespace, pod) (kube_pod_status_phase{job="kube-state-metrics", phase=~"Pending|Unknown|Failed"}) > 0',
                    summary: "Pod has not been ready for 15 minutes",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} is Pending, Unknown or Failed.",
                }),
            ],
        },
        {
            name: "platform-nodes",
            rules: [
                alert({
                    alert: "NodeNotReady", severity: "warning", for: "15m",
                    expr: 'kube_node_status_condition{job="kube-state-metrics", condition="Ready", status="true"} == 0',
                    summary: "Node is not ready",
                    description: "Node {{ $labels.node }} has not been Ready for 15 minutes.",
                }),
            ],
        },
        {
            name: "platform-storage",
            rules: [
                alert({
                    alert: "PersistentVolumeFillingUp", severity: "warning", for: "1h",
                    expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.15\nand\npredict_linear(kubelet_volume_stats_available_bytes{job="kubelet"}[6h], 4 * 24 * 3600) < 0',
                    summary: "Volume will fill up within four days",
                    description: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free and, at the current rate, fills up within four days.",
                }),
                alert({
                    alert: "PersistentVolumeAlmostFull", severity: "critical", for: "5m",
                    expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.03',
                    summary: "Volume is almost full",
                    description: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has only {{ $value | humanizePercentage }} free.",
                }),
            ],
        },
        {
            name: "platform-control-plane",
            rules: [
                alert({
                    alert: "KubeAPIErrorsHigh", severity: "critical", for: "10m",
                    expr: 'sum(rate(apiserver_request_total{job="apiserver", code=~"5.."}[5m])) / sum(rate(apiserver_request_total{job="apiserver"}[5m])) > 0.05',
                    summary: "Kubernetes API server returns many errors",
                    description: "{{ $value | humanizePercentage }} of API server requests failed with 5xx over 10 minutes.",
                }),
            ],
        },
        {
            name: "platform-certificates",
            rules: [
                alert({
                    alert: "KubeletClientCertificateExpiring", severity: "warning",
                    expr: 'kubelet_certificate_manager_client_ttl_seconds < 7 * 24 * 3600',
                    summary: "Kubelet client certificate expires within 7 days",
                    description: "The client certificate of the kubelet on {{ $labels.node }} expires in {{ $value | humanizeDuration }} and has not been rotated.",
                }),
                alert({
                    alert: "TLSCertificateExpiring", severity: "warning",
                    expr: "probe_ssl_earliest_cert_expiry - time() < 14 * 24 * 3600",
                    summary: "TLS certificate expires within 14 days",
                    description: "The certificate served by {{ $labels.instance }} expires in {{ $value | humanizeDuration }}.",
                }),
            ],
        },
        {
            name: "platform-monitoring",
            rules: [
                alert({
                    alert: "TargetDown", severity: "warning", for: "10m",
                    expr: "100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up)) > 10",
                    summary: "Scrape targets are down",
                    description: "{{ printf \"%.4g\" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in {{ $labels.namespace }} are down.",
                }),
                alert({
                    alert: "PrometheusRuleEvaluationFailures", severity: "critical", for: "15m",
                    expr: "increase(prometheus_rule_evaluation_failures_total[5m]) > 0",
                    summary: "Prometheus fails to evaluate rules",
                    description: "Prometheus {{ $labels.pod }} failed {{ printf \"%.0f\" $value }} rule evaluations in 5 minutes; alerts may be missed.",
                }),
                alert({
                    alert: "PrometheusNotConnectedToAlertmanagers", severity: "critical", for: "10m",
                    expr: "max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1",
                    summary: "Prometheus is not connected to any Alertmanager",
                    description: "Prometheus {{ $labels.pod }} cannot send alerts: it has discovered no Alertmanager.",
                }),
                alert({
                    alert: "PrometheusTSDBCompactionsFailing", severity: "warning", for: "4h",
                    expr: "increase(prometheus_tsdb_compactions_failed_total[3h]) > 0",
                    summary: "Prometheus TSDB compactions are failing",
                    description: "Prometheus {{ $labels.pod }} had {{ $value | humanize }} compaction failures over the last 3 hours.",
                }),
                alert({
                    alert: "AlertmanagerFailedToSendAlerts", severity: "warning", for: "5m",
                    expr: "rate(alertmanager_notifications_failed_total[5m]) / ignoring (reason) group_left rate(alertmanager_notifications_total[5m]) > 0.01",
                    summary: "Alertmanager fails to deliver notifications",
                    description: "Alertmanager {{ $labels.pod }} failed to send {{ $value | humanizePercentage }} of notifications to {{ $labels.integration }}.",
                }),
                alert({
                    alert: "LokiRequestErrors", severity: "warning", for: "15m",
                    expr: 'sum by (namespace, job, route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[5m]))\n/\nsum by (namespace, job, route) (rate(loki_request_duration_seconds_count[5m])) > 0.05',
                    summary: "Loki returns errors",
                    description: "{{ $labels.job }} {{ $labels.route }} fails {{ $value | humanizePercentage }} of requests.",
                }),
                alert({
                    alert: "LokiCompactorNotRunning", severity: "warning", for: "30m",
                    expr: "time() - max(loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds > 0) > 3 * 3600",
                    summary: "Loki's compactor has not run for 3 hours",
                    description: "Retention is enforced by the compactor: logs past retention are not being deleted.",
                }),
            ],
        },
    ];
}
