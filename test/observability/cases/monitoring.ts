/** Cases for alerts/monitoring.ts: Prometheus 3.14, Alertmanager 0.34, Loki 3.7, Alloy 1.18 and Jaeger 2.19 (collector 0.153) series. */
import { SCRAPES, selector, series, seriesLabels } from "../../harness/series";
import { CaseFactory, fired, ruleOf } from "./types";

/** `up`, which Prometheus writes for every target with the target's labels. */
const up = (exporter: string, instance: string, pod: string, values: string) => ({ series: selector("up", { ...SCRAPES[exporter].target, instance, pod }), values });
/** ALERTS, which Prometheus writes for every pending or firing alert. */
const alertsSeries = (labels: Record<string, string>, values: string) => ({ series: selector("ALERTS", labels), values });

export const MONITORING_CASES: Record<string, CaseFactory> = {
    Watchdog: (ctx) => [{
        // Watchdog has no quiet case: it fires always. Its absence is what the dead man's switch reports
        // (and AlertmanagerFailedToSendAlerts inhibits it on purpose: test/observability/alertmanager.test.ts).
        name: "Watchdog: fires always, with nothing else in the cluster",
        series: [],
        alerts: [{ at: "1m", alertname: "Watchdog", expect: [fired({}, ruleOf(ctx, "Watchdog"))] }],
    }],
    InfoInhibitor: (ctx) => {
        const rule = ruleOf(ctx, "InfoInhibitor");
        const info = { alertname: "CPUThrottlingHigh", alertstate: "firing", severity: "info", namespace: "apps" };
        return [
            { name: "InfoInhibitor: an info alert alone in its namespace fires the inhibitor", series: [alertsSeries(info, "1x5")], alerts: [{ at: "2m", alertname: "InfoInhibitor", expect: [fired({ alertname: "CPUThrottlingHigh", alertstate: "firing", namespace: "apps" }, rule)] }] },
            {
                name: "InfoInhibitor: not while a warning fires in the same namespace",
                series: [alertsSeries(info, "1x5"), alertsSeries({ alertname: "PodNotReady", alertstate: "firing", severity: "warning", namespace: "apps", pod: "web-1" }, "1x5")],
                alerts: [{ at: "2m", alertname: "InfoInhibitor", expect: [] }],
            },
        ];
    },
    TargetDown: (ctx) => {
        const rule = ruleOf(ctx, "TargetDown");
        const t = SCRAPES.velero.target;
        return [
            {
                name: "TargetDown: one of two Velero targets down for 10 minutes fires",
                series: [up("velero", "10.40.3.60:8085", "velero-a", "1x20"), up("velero", "10.40.3.61:8085", "velero-b", "0x20")],
                alerts: [{ at: "5m", alertname: "TargetDown", expect: [] }, { at: "15m", alertname: "TargetDown", expect: [fired({ job: t.job, namespace: t.namespace, service: t.service }, rule)] }],
            },
            { name: "TargetDown: all targets up does not fire", series: [up("velero", "10.40.3.60:8085", "velero-a", "1x20"), up("velero", "10.40.3.61:8085", "velero-b", "1x20")], alerts: [{ at: "15m", alertname: "TargetDown", expect: [] }] },
        ];
    },
    PrometheusRuleEvaluationFailures: (ctx) => {
        const rule = ruleOf(ctx, "PrometheusRuleEvaluationFailures");
        const group = { rule_group: "/etc/prometheus/rules/prometheus-kps-prometheus-rulefiles-0/observability-slo-apiserver-availability.yaml;slo-apiserver-availability" };
        return [
            { name: "PrometheusRuleEvaluationFailures: failures every minute for 15 minutes fire", series: [series("prometheus_rule_evaluation_failures_total", group, "0+1x30")], alerts: [{ at: "25m", alertname: "PrometheusRuleEvaluationFailures", expect: [fired(seriesLabels("prometheus_rule_evaluation_failures_total", group), rule)] }] },
            { name: "PrometheusRuleEvaluationFailures: no failures do not fire", series: [series("prometheus_rule_evaluation_failures_total", group, "0x30")], alerts: [{ at: "25m", alertname: "PrometheusRuleEvaluationFailures", expect: [] }] },
        ];
    },
    PrometheusNotConnectedToAlertmanagers: (ctx) => {
        const rule = ruleOf(ctx, "PrometheusNotConnectedToAlertmanagers");
        const second = { pod: "prometheus-kps-prometheus-1", instance: "10.40.4.10:9090" };
        return [{
            name: "PrometheusNotConnectedToAlertmanagers: the replica that discovers none fires, the one that discovers two does not",
            series: [series("prometheus_notifications_alertmanagers_discovered", {}, "0x30"), series("prometheus_notifications_alertmanagers_discovered", {}, "2x30", second)],
            alerts: [{ at: "5m", alertname: "PrometheusNotConnectedToAlertmanagers", expect: [] }, { at: "20m", alertname: "PrometheusNotConnectedToAlertmanagers", expect: [fired(seriesLabels("prometheus_notifications_alertmanagers_discovered", {}), rule)] }],
        }];
    },
    PrometheusTSDBCompactionsFailing: (ctx) => {
        const rule = ruleOf(ctx, "PrometheusTSDBCompactionsFailing");
        return [
            { name: "PrometheusTSDBCompactionsFailing: failures for more than 4 hours fire", interval: "10m", series: [series("prometheus_tsdb_compactions_failed_total", {}, "0+1x40")], alerts: [{ at: "5h", alertname: "PrometheusTSDBCompactionsFailing", expect: [fired(seriesLabels("prometheus_tsdb_compactions_failed_total", {}), rule)] }] },
            { name: "PrometheusTSDBCompactionsFailing: one failure 5 hours ago does not", interval: "10m", series: [series("prometheus_tsdb_compactions_failed_total", {}, "0 1x40")], alerts: [{ at: "5h", alertname: "PrometheusTSDBCompactionsFailing", expect: [] }] },
        ];
    },
    AlertmanagerFailedToSendAlerts: (ctx) => {
        const rule = ruleOf(ctx, "AlertmanagerFailedToSendAlerts");
        // Alertmanager 0.34 initialises failed_total for every integration and reason.
        const reasons = ["other", "clientError", "serverError", "authError", "rateLimited"];
        const am = (integration: string, failing: boolean) => [
            series("alertmanager_notifications_total", { integration }, "0+10x20"),
            ...reasons.map((reason) => series("alertmanager_notifications_failed_total", { integration, reason }, failing && reason === "clientError" ? "0+1x20" : "0x20")),
        ];
        return [{
            name: "AlertmanagerFailedToSendAlerts: 10% of Slack notifications failing fires for slack, PagerDuty delivering does not",
            series: [...am("slack", true), ...am("pagerduty", false)],
            alerts: [{ at: "3m", alertname: "AlertmanagerFailedToSendAlerts", expect: [] }, { at: "10m", alertname: "AlertmanagerFailedToSendAlerts", expect: [fired(seriesLabels("alertmanager_notifications_total", { integration: "slack" }), rule)] }],
        }];
    },
    LokiRequestErrors: (ctx) => {
        const rule = ruleOf(ctx, "LokiRequestErrors");
        const req = (route: string, status: string, perMinute: number) => series("loki_request_duration_seconds_count", { route, status_code: status, method: "POST" }, `0+${perMinute}x40`);
        const t = SCRAPES.loki.target;
        return [{
            name: "LokiRequestErrors: 10% 5xx on the push route fires after 15 minutes, 1% on the query route does not",
            series: [req("loki_api_v1_push", "204", 900), req("loki_api_v1_push", "500", 100), req("loki_api_v1_query_range", "200", 990), req("loki_api_v1_query_range", "500", 10)],
            alerts: [{ at: "10m", alertname: "LokiRequestErrors", expect: [] }, { at: "25m", alertname: "LokiRequestErrors", expect: [fired({ namespace: t.namespace, job: t.job, route: "loki_api_v1_push" }, rule)] }],
        }];
    },
    LokiCompactorNotRunning: (ctx) => {
        const rule = ruleOf(ctx, "LokiCompactorNotRunning");
        // Three backends; only the elected one runs the compactor. Timestamps are seconds since the start, as time() in promtool.
        const backend = (pod: string) => ({ pod, instance: `${pod}:3100` });
        const node = (pod: string, running: string, compacted: string, retained: string) => [
            series("loki_boltdb_shipper_compactor_running", {}, running, backend(pod)),
            series("loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds", {}, compacted, backend(pod)),
            series("loki_compactor_apply_retention_last_successful_run_timestamp_seconds", {}, retained, backend(pod)),
        ];
        const idle = (pod: string) => node(pod, "0x30", "0x30", "0x30");
        return [
            { name: "LokiCompactorNotRunning: a compactor that never succeeded fires", interval: "10m", series: [...node("loki-backend-0", "1x30", "0x30", "0x30"), ...idle("loki-backend-1")], alerts: [{ at: "4h", alertname: "LokiCompactorNotRunning", expect: [fired({}, rule)] }] },
            { name: "LokiCompactorNotRunning: retention last applied 4 hours ago fires", interval: "10m", series: [...node("loki-backend-0", "1x30", "600+600x30", "600x30"), ...idle("loki-backend-1")], alerts: [{ at: "4h30m", alertname: "LokiCompactorNotRunning", expect: [fired({}, rule)] }] },
            { name: "LokiCompactorNotRunning: no instance running the compactor fires", interval: "10m", series: [...idle("loki-backend-0"), ...idle("loki-backend-1")], alerts: [{ at: "1h", alertname: "LokiCompactorNotRunning", expect: [fired({}, rule)] }] },
            { name: "LokiCompactorNotRunning: compaction and retention every 10 minutes do not fire", interval: "10m", series: [...node("loki-backend-0", "1x30", "0+600x30", "0+600x30"), ...idle("loki-backend-1")], alerts: [{ at: "4h", alertname: "LokiCompactorNotRunning", expect: [] }] },
        ];
    },
    LokiDiscardingLogs: (ctx) => {
        const rule = ruleOf(ctx, "LokiDiscardingLogs");
        const d = (reason: string, values: string) => series("loki_discarded_samples_total", { reason, tenant: "fake" }, values);
        return [{
            name: "LokiDiscardingLogs: rate-limited lines for 15 minutes fire, a reason with no discards does not",
            series: [d("rate_limited", "0+50x30"), d("line_too_long", "0x30")],
            alerts: [{ at: "10m", alertname: "LokiDiscardingLogs", expect: [] }, { at: "25m", alertname: "LokiDiscardingLogs", expect: [fired({ namespace: SCRAPES.loki.target.namespace, reason: "rate_limited" }, rule)] }],
        }];
    },
    AlloyDroppingLogs: (ctx) => {
        const rule = ruleOf(ctx, "AlloyDroppingLogs");
        const reasons = ["ingester_error", "rate_limited", "stream_limited", "line_too_long", "queue_is_full"];
        const agent = (pod: string, dropping: boolean) => reasons.map((reason) => series("loki_write_dropped_entries_total", { reason }, dropping && reason === "ingester_error" ? "0+20x20" : "0x20", { pod, instance: `${pod}:12345` }));
        return [{
            name: "AlloyDroppingLogs: an agent dropping lines after retries fires after 5 minutes, the others do not",
            series: [...agent("alloy-7xk2p", true), ...agent("alloy-9mq3r", false)],
            alerts: [{ at: "3m", alertname: "AlloyDroppingLogs", expect: [] }, { at: "10m", alertname: "AlloyDroppingLogs", expect: [fired({ namespace: "observability-agents", pod: "alloy-7xk2p", reason: "ingester_error" }, rule)] }],
        }];
    },
    JaegerExportFailures: (ctx) => {
        const rule = ruleOf(ctx, "JaegerExportFailures");
        const t = SCRAPES.jaeger.target;
        return [
            { name: "JaegerExportFailures: spans failing to reach storage for 10 minutes fire", series: [series("otelcol_exporter_send_failed_spans", { exporter: "jaeger_storage_exporter" }, "0+100x30")], alerts: [{ at: "20m", alertname: "JaegerExportFailures", expect: [fired({ namespace: t.namespace, pod: t.pod }, rule)] }] },
            { name: "JaegerExportFailures: the same with the counter's _total name", series: [series("otelcol_exporter_send_failed_spans_total", { exporter: "jaeger_storage_exporter" }, "0+100x30")], alerts: [{ at: "20m", alertname: "JaegerExportFailures", expect: [fired({ namespace: t.namespace, pod: t.pod }, rule)] }] },
            { name: "JaegerExportFailures: no failures do not fire", series: [series("otelcol_exporter_send_failed_spans", { exporter: "jaeger_storage_exporter" }, "0x30")], alerts: [{ at: "20m", alertname: "JaegerExportFailures", expect: [] }] },
        ];
    },
    JaegerSpansRefused: (ctx) => {
        const rule = ruleOf(ctx, "JaegerSpansRefused");
        const t = SCRAPES.jaeger.target;
        return [
            { name: "JaegerSpansRefused: OTLP spans refused for 10 minutes fire", series: [series("otelcol_receiver_refused_spans", { receiver: "otlp", transport: "grpc" }, "0+30x30")], alerts: [{ at: "20m", alertname: "JaegerSpansRefused", expect: [fired({ namespace: t.namespace, pod: t.pod }, rule)] }] },
            { name: "JaegerSpansRefused: none refused does not fire", series: [series("otelcol_receiver_refused_spans", { receiver: "otlp", transport: "grpc" }, "0x30")], alerts: [{ at: "20m", alertname: "JaegerSpansRefused", expect: [] }] },
        ];
    },
};
