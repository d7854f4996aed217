/**
 * Alerts on the monitoring pipeline itself: the always-firing Watchdog that feeds the dead man's
 * switch, the info inhibitor, scrape targets, Prometheus, Alertmanager, Loki and its agent Alloy,
 * and the Jaeger collector. These replace kube-prometheus-stack's `general`, `prometheus` and
 * `alertmanager` default groups (turned off in prometheus.ts), so each is defined and tested once.
 */
import { alertRule } from "./runbooks";
import { RuleGroup } from "./types";

/** The OpenTelemetry collector's counters, with or without the `_total` suffix (it depends on the collector's Prometheus reader settings). */
const otelcol = (name: string, labels: string) => `{__name__=~"otelcol_${name}(_total)?", ${labels}}`;

export function monitoringRuleGroups(runbookBase: string): RuleGroup[] {
    const alert = alertRule.bind(null, runbookBase);
    return [
        {
            name: "platform-meta",
            rules: [
                alert({
                    alert: "Watchdog", severity: "none",
                    expr: "vector(1)",
                    summary: "Always firing: proves that rules are evaluated and notifications delivered",
                    description: "Alertmanager sends this alert to the dead man's switch every minute (platform:alerting.deadMansSwitch). When it stops arriving, the external service pages: Prometheus, Alertmanager or their delivery is down.",
                }),
                alert({
                    alert: "InfoInhibitor", severity: "none",
                    expr: 'ALERTS{severity="info"} == 1\nunless on (namespace)\nALERTS{alertname!="InfoInhibitor", severity=~"warning|critical", alertstate="firing"} == 1',
                    summary: "Info alerts are silenced while nothing more severe fires in their namespace",
                    description: "Inhibits severity=info alerts in {{ $labels.namespace }} unless a warning or critical alert fires there too; routed to no one.",
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
                    description: "Prometheus {{ $labels.pod }} failed {{ printf \"%.0f\" $value }} evaluations of group {{ $labels.rule_group }} in 5 minutes; alerts may be missed.",
                }),
                alert({
                    alert: "PrometheusNotConnectedToAlertmanagers", severity: "critical", for: "10m",
                    expr: "max_over_time(prometheus_notifications_alertmanagers_discovered[5m]) < 1",
                    summary: "Prometheus is not connected to any Alertmanager",
                    description: "Prometheus {{ $labels.pod }} cannot send alerts: it has discovered no Alertmanager. The other replica (which scrapes this one) delivers this alert; with a single replica only the dead man's switch reports it.",
                }),
                alert({
                    alert: "PrometheusTSDBCompactionsFailing", severity: "warning", for: "4h",
                    expr: "increase(prometheus_tsdb_compactions_failed_total[3h]) > 0",
                    summary: "Prometheus TSDB compactions are failing",
                    description: "Prometheus {{ $labels.pod }} had {{ $value | humanize }} compaction failures over the last 3 hours.",
                }),
                alert({
                    // Routed to receivers of another integration than the failing one (alertmanager-config.ts).
                    alert: "AlertmanagerFailedToSendAlerts", severity: "warning", for: "5m",
                    expr: "sum without (reason) (rate(alertmanager_notifications_failed_total[5m]))\n/\nrate(alertmanager_notifications_total[5m]) > 0.01",
                    summary: "Alertmanager fails to deliver notifications",
                    description: "Alertmanager {{ $labels.pod }} failed to send {{ $value | humanizePercentage }} of notifications to {{ $labels.integration }}. This alert goes to the receivers of the other integrations, or stops the dead man's switch heartbeat when there is none.",
                }),
            ],
        },
        {
            name: "platform-logs-traces",
            rules: [
                alert({
                    alert: "LokiRequestErrors", severity: "warning", for: "15m",
                    expr: 'sum by (namespace, job, route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[5m]))\n/\nsum by (namespace, job, route) (rate(loki_request_duration_seconds_count[5m])) > 0.05',
                    summary: "Loki returns errors",
                    description: "{{ $labels.job }} {{ $labels.route }} fails {{ $value | humanizePercentage }} of requests.",
                }),
                alert({
                    // Each timestamp is 0 until the first success after a start, so a compactor that never succeeds fires too;
                    // absent() covers a compactor that no instance runs (or Loki not scraped at all).
                    alert: "LokiCompactorNotRunning", severity: "warning", for: "30m",
                    expr: [
                        "time() - max(loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds) > 3 * 3600",
                        "or",
                        "time() - max(loki_compactor_apply_retention_last_successful_run_timestamp_seconds) > 3 * 3600",
                        "or",
                        "absent(loki_boltdb_shipper_compactor_running == 1)",
                    ].join("\n"),
                    summary: "Loki's compactor has not compacted or applied retention for 3 hours",
                    description: "No Loki instance runs the compactor, or its last successful compaction or retention run is more than 3 hours old (or it never succeeded). Logs past retention are not being deleted.",
                }),
                alert({
                    alert: "LokiDiscardingLogs", severity: "warning", for: "15m",
                    expr: "sum by (namespace, reason) (rate(loki_discarded_samples_total[5m])) > 0",
                    summary: "Loki refuses log lines",
                    description: "Loki discards {{ $value | humanize }} lines per second in {{ $labels.namespace }} (reason {{ $labels.reason }}): they are lost.",
                }),
                alert({
                    alert: "AlloyDroppingLogs", severity: "warning", for: "5m",
                    expr: "sum by (namespace, pod, reason) (rate(loki_write_dropped_entries_total[5m])) > 0",
                    summary: "The log agent drops log lines",
                    description: "Alloy {{ $labels.pod }} drops {{ $value | humanize }} lines per second after all retries (reason {{ $labels.reason }}): they never reach Loki.",
                }),
                alert({
                    alert: "JaegerExportFailures", severity: "warning", for: "10m",
                    expr: `sum by (namespace, pod) (rate(${otelcol("exporter_send_failed_spans", 'exporter="jaeger_storage_exporter"')}[5m])) > 0`,
                    summary: "Jaeger fails to store spans",
                    description: "Jaeger {{ $labels.pod }} fails to write {{ $value | humanize }} spans per second to its storage: those traces are lost.",
                }),
                alert({
                    alert: "JaegerSpansRefused", severity: "warning", for: "10m",
                    expr: `sum by (namespace, pod) (rate(${otelcol("receiver_refused_spans", 'receiver="otlp"')}[5m])) > 0`,
                    summary: "Jaeger refuses incoming spans",
                    description: "Jaeger {{ $labels.pod }} refuses {{ $value | humanize }} spans per second from applications (memory limit reached or pipeline failing).",
                }),
            ],
        },
    ];
}
