/**
 * `npm run derive -- metrics --mirrors DIR`: test/data/metrics/exporters.json, the series the
 * platform's alerts, canary analysis and correlations read, as the pinned exporters produce them:
 * metric name, type and label names, each with the upstream file it was read from (project, tag or
 * commit, path, git blob). DIR holds bare git mirrors as `<owner>+<name>/repo` (the layout of a
 * `git clone --mirror` per project); each file is read at the tag the platform pins.
 *
 * kube-state-metrics' labels are parsed from its metric tables; for the others the label names are
 * listed here and the script checks that the metric name and every label occur in the cited file
 * (a Go label list, or the rules of the same chart that read them), failing otherwise. Besides
 * metrics it records a few facts the tests rely on: the environment podinfo reads, Alertmanager's
 * webhook fields, and the scrape labels prometheus-operator puts on ServiceMonitor/PodMonitor targets.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gitBlobId } from "./provenance";

export interface FileSource { project: string; ref: string; file: string; blob: string }
export interface MetricFact {
    exporter: string;
    type: "counter" | "gauge" | "histogram";
    /** The labels the exporter writes (without the scrape's target labels). */
    labels: string[];
    source: FileSource;
    /** Labels added by the exporter's framework to every metric of a component, with where that is read. */
    framework?: { labels: string[]; source: FileSource };
}
export interface MetricsFile {
    about: string;
    regenerate: string;
    metrics: Record<string, MetricFact>;
    facts: Record<string, { value: unknown; source: FileSource }>;
}

interface Spec { exporter: string; project: string; ref: string; file: string; metrics: { name: string; type: MetricFact["type"]; labels?: string[]; evidence?: string[]; framework?: string }[] }

/** Labels a framework adds to a component's metrics: [project, ref, file, labels, evidence]. */
const FRAMEWORK: Record<string, [string, string, string, string[], string[]]> = {
    "alloy-component": ["grafana/alloy", "v1.18.1", "internal/runtime/internal/controller/node_builtin_component.go", ["component_id", "component_path"], ['"component_path": parent', '"component_id":   id']],
    "otelcol-exporter": ["open-telemetry/opentelemetry-collector", "v0.153.0", "exporter/exporterhelper/internal/obs_report_sender.go", ["exporter"], ['ExporterKey = "exporter"']],
    "otelcol-receiver": ["open-telemetry/opentelemetry-collector", "v0.153.0", "receiver/receiverhelper/internal/obsmetrics.go", ["receiver", "transport"], ['ReceiverKey = "receiver"', 'TransportKey = "transport"']],
};

const KSM = { exporter: "kube-state-metrics", project: "kubernetes/kube-state-metrics", ref: "v2.20.0" };
const KPS = { project: "prometheus-community/helm-charts", ref: "kube-prometheus-stack-88.5.3" };
const KPS_RULES = "charts/kube-prometheus-stack/templates/prometheus/rules-1.14";

const SPECS: Spec[] = [
    { ...KSM, file: "docs/metrics/workload/pod-metrics.md", metrics: ["kube_pod_container_status_waiting_reason", "kube_pod_container_status_restarts_total", "kube_pod_container_status_last_terminated_reason", "kube_pod_status_phase", "kube_pod_status_ready", "kube_pod_owner"].map((name) => ({ name, type: "gauge" as const })) },
    { ...KSM, file: "docs/metrics/workload/job-metrics.md", metrics: [{ name: "kube_job_failed", type: "gauge" }] },
    { ...KSM, file: "docs/metrics/cluster/node-metrics.md", metrics: [{ name: "kube_node_status_condition", type: "gauge" }] },
    // The kubelet's and the API server's sources are not mirrored here; the labels are those the chart's own kubernetes-mixin rules read.
    { exporter: "kubelet", ...KPS, file: `${KPS_RULES}/kubernetes-storage.yaml`, metrics: [
        { name: "kubelet_volume_stats_available_bytes", type: "gauge", labels: ["namespace", "persistentvolumeclaim"] },
        { name: "kubelet_volume_stats_capacity_bytes", type: "gauge", labels: ["namespace", "persistentvolumeclaim"] },
    ] },
    { exporter: "kubelet", ...KPS, file: `${KPS_RULES}/kubernetes-system-kubelet.yaml`, metrics: [{ name: "kubelet_certificate_manager_client_ttl_seconds", type: "gauge", labels: [] }] },
    { exporter: "apiserver", ...KPS, file: `${KPS_RULES}/kube-apiserver-availability.rules.yaml`, metrics: [{ name: "apiserver_request_total", type: "counter", labels: ["code", "verb", "resource", "scope"] }] },
    { exporter: "prometheus", project: "prometheus/prometheus", ref: "v3.14.0", file: "rules/group.go", metrics: [{ name: "prometheus_rule_evaluation_failures_total", type: "counter", labels: ["rule_group"], evidence: ["rule_evaluation_failures_total"] }] },
    { exporter: "prometheus", project: "prometheus/prometheus", ref: "v3.14.0", file: "notifier/metric.go", metrics: [{ name: "prometheus_notifications_alertmanagers_discovered", type: "gauge", labels: [], evidence: ["alertmanagers_discovered"] }] },
    { exporter: "prometheus", project: "prometheus/prometheus", ref: "v3.14.0", file: "tsdb/db.go", metrics: [{ name: "prometheus_tsdb_compactions_failed_total", type: "counter", labels: [] }] },
    { exporter: "alertmanager", project: "prometheus/alertmanager", ref: "v0.34.0", file: "notify/metrics.go", metrics: [
        { name: "alertmanager_notifications_failed_total", type: "counter", labels: ["integration", "reason"], evidence: ["notifications_failed_total"] },
        { name: "alertmanager_notifications_total", type: "counter", labels: ["integration"], evidence: ["notifications_total"] },
    ] },
    { exporter: "loki", project: "grafana/loki", ref: "v3.7.6", file: "pkg/compactor/metrics.go", metrics: [
        { name: "loki_boltdb_shipper_compact_tables_operation_last_successful_run_timestamp_seconds", type: "gauge", labels: [], evidence: ["compact_tables_operation_last_successful_run_timestamp_seconds"] },
        { name: "loki_compactor_apply_retention_last_successful_run_timestamp_seconds", type: "gauge", labels: [], evidence: ["apply_retention_last_successful_run_timestamp_seconds"] },
        { name: "loki_boltdb_shipper_compactor_running", type: "gauge", labels: [], evidence: ["compactor_running"] },
    ] },
    { exporter: "loki", project: "grafana/loki", ref: "v3.7.6", file: "pkg/validation/validate.go", metrics: [{ name: "loki_discarded_samples_total", type: "counter", labels: ["reason", "tenant", "retention_hours", "policy", "format"], evidence: ["discarded_samples_total"] }] },
    // Loki serves HTTP through dskit's server at the commit its go.mod pins (namespace "loki").
    { exporter: "loki", project: "grafana/dskit", ref: "8d1c6d34bb5a", file: "server/metrics.go", metrics: [{ name: "loki_request_duration_seconds", type: "histogram", labels: ["method", "route", "status_code", "ws"], evidence: ["request_duration_seconds"] }] },
    { exporter: "alloy", project: "grafana/alloy", ref: "v1.18.1", file: "internal/component/common/loki/client/metrics.go", metrics: [{ name: "loki_write_dropped_entries_total", type: "counter", labels: ["host", "tenant", "reason"], framework: "alloy-component" }] },
    // Jaeger v2 is an OpenTelemetry collector (v0.153.0 in its go.mod); the name may carry _total, depending on the Prometheus reader.
    { exporter: "jaeger", project: "open-telemetry/opentelemetry-collector", ref: "v0.153.0", file: "exporter/exporterhelper/internal/metadata/generated_telemetry.go", metrics: [{ name: "otelcol_exporter_send_failed_spans", type: "counter", labels: [], framework: "otelcol-exporter" }] },
    { exporter: "jaeger", project: "open-telemetry/opentelemetry-collector", ref: "v0.153.0", file: "receiver/receiverhelper/internal/metadata/generated_telemetry.go", metrics: [{ name: "otelcol_receiver_refused_spans", type: "counter", labels: [], framework: "otelcol-receiver" }] },
    { exporter: "velero", project: "vmware-tanzu/velero", ref: "v1.18.1", file: "pkg/metrics/metrics.go", metrics: [
        ...["backup_failure_total", "backup_partial_failure_total", "backup_attempt_total"].map((n) => ({ name: `velero_${n}`, type: "counter" as const, labels: ["schedule"], evidence: [`"${n}"`, "scheduleLabel"] })),
        { name: "velero_backup_last_successful_timestamp", type: "gauge", labels: ["schedule"], evidence: ['"backup_last_successful_timestamp"', "scheduleLabel"] },
    ] },
    { exporter: "argo-rollouts", project: "argoproj/argo-rollouts", ref: "v1.9.0", file: "controller/metrics/prommetrics.go", metrics: [{ name: "rollout_info", type: "gauge", labels: ["namespace", "name", "strategy", "traffic_router", "phase"] }] },
    { exporter: "podinfo", project: "stefanprodan/podinfo", ref: "6.11.0", file: "pkg/api/http/metrics.go", metrics: [{ name: "http_request_duration_seconds", type: "histogram", labels: ["method", "path", "status"], evidence: ['"request_duration_seconds"', 'Subsystem: "http"'] }] },
];

/** Facts besides metrics: [key, project, ref, file, value, evidence strings]. */
const FACTS: [string, string, string, string, unknown, string[]][] = [
    ["podinfo.env.prefix", "stefanprodan/podinfo", "6.11.0", "cmd/podinfo/main.go", "PODINFO", ['SetEnvPrefix("PODINFO")', 'NewReplacer("-", "_")']],
    ["podinfo.flags.tracing", "stefanprodan/podinfo", "6.11.0", "pkg/api/http/tracer.go", "otel-service-name", ['viper.GetString("otel-service-name") == ""', "otlptracegrpc.NewClient()"]],
    ["podinfo.flags.logLevel", "stefanprodan/podinfo", "6.11.0", "cmd/podinfo/main.go", "level", ['fs.String("level", "info"']],
    ["podinfo.traceIdLogLevel", "stefanprodan/podinfo", "6.11.0", "pkg/api/http/logging.go", "debug", ['zap.String("trace_id"', "m.logger.Debug("]],
    ["podinfo.routeLabel", "stefanprodan/podinfo", "6.11.0", "pkg/api/http/metrics.go", "non-alphanumerics to _, trimmed, lower case; root for /", ['regexp.MustCompile(`[^a-zA-Z0-9]+`)', 'strings.ToLower(strings.Trim(result, "_"))', 'result = "root"']],
    ["alertmanager.webhookConfigFields", "prometheus/alertmanager", "v0.34.0", "notify/webhook/config.go", ["send_resolved", "http_config", "url", "url_file", "max_alerts", "timeout", "payload"], ['yaml:"url_file"', 'yaml:"max_alerts"']],
    ["prometheusOperator.serviceMonitorTargetLabels", "prometheus-operator/prometheus-operator", "v0.93.0", "pkg/prometheus/promcfg.go", ["namespace", "service", "pod", "container", "job", "endpoint", "node"], ['"__meta_kubernetes_pod_container_name"', '"__meta_kubernetes_pod_label_" + sanitizeLabelName(l)', '{Key: "target_label", Value: "endpoint"}']],
];

function git(mirrors: string, project: string, args: string[]): Buffer {
    const dir = path.join(mirrors, project.replace("/", "+"), "repo");
    if (!fs.existsSync(dir)) throw new Error(`${dir}: no mirror of ${project} (git clone --mirror https://github.com/${project} ${dir})`);
    return execFileSync("git", ["--git-dir", dir, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

function read(mirrors: string, project: string, ref: string, file: string): { text: string; source: FileSource } {
    const bytes = git(mirrors, project, ["show", `${ref}:${file}`]);
    return { text: bytes.toString("utf8"), source: { project, ref, file, blob: gitBlobId(bytes) } };
}

/** The label names of a metric's row in kube-state-metrics' docs tables (`label`=&lt;...&gt;). */
function ksmLabels(text: string, metric: string): { labels: string[]; type: MetricFact["type"] } {
    const row = text.split("\n").find((l) => new RegExp(`^\\|\\s*${metric}\\s*\\|`).test(l));
    if (!row) throw new Error(`kube-state-metrics docs have no row for ${metric}`);
    // Cells split on unescaped pipes (label values list alternatives as `a\|b`).
    const cells = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const labelCell = cells.find((c) => /`[a-z_]+`=/.test(c)) ?? "";
    const type = cells[2].toLowerCase();
    if (type !== "gauge" && type !== "counter") throw new Error(`${metric}: type ${cells[2]}`);
    return { labels: [...labelCell.matchAll(/`([a-z_]+)`=/g)].map((m) => m[1]), type };
}

export function deriveMetrics(mirrors: string, regenerate: string): MetricsFile {
    const metrics: Record<string, MetricFact> = {};
    for (const spec of SPECS) {
        const { text, source } = read(mirrors, spec.project, spec.ref, spec.file);
        for (const m of spec.metrics) {
            if (spec.exporter === "kube-state-metrics") {
                const { labels, type } = ksmLabels(text, m.name);
                metrics[m.name] = { exporter: spec.exporter, type, labels, source };
                continue;
            }
            for (const token of m.evidence ?? [m.name]) if (!text.includes(token)) throw new Error(`${spec.project}@${spec.ref}:${spec.file} does not mention ${token} (metric ${m.name})`);
            for (const label of m.labels ?? []) {
                if (!new RegExp(`\\b${label}\\b`).test(text)) throw new Error(`${spec.project}@${spec.ref}:${spec.file} does not mention label ${label} (metric ${m.name})`);
            }
            const fw = m.framework ? FRAMEWORK[m.framework] : undefined;
            let framework: MetricFact["framework"];
            if (fw) {
                const [project, ref, file, labels, evidence] = fw;
                const f = read(mirrors, project, ref, file);
                for (const token of evidence) if (!f.text.includes(token)) throw new Error(`${project}@${ref}:${file} does not contain ${token} (labels of ${m.name})`);
                framework = { labels, source: f.source };
            }
            metrics[m.name] = { exporter: spec.exporter, type: m.type, labels: m.labels ?? [], source, ...(framework ? { framework } : {}) };
        }
    }
    const facts: MetricsFile["facts"] = {};
    for (const [key, project, ref, file, value, evidence] of FACTS) {
        const { text, source } = read(mirrors, project, ref, file);
        for (const token of evidence) if (!text.includes(token)) throw new Error(`${project}@${ref}:${file} does not contain ${token} (fact ${key})`);
        facts[key] = { value, source };
    }
    return {
        about: "Series the platform's rules and queries read, as the pinned exporters produce them (label names without the scrape's target labels), and facts about podinfo, Alertmanager and prometheus-operator; each with the upstream file read.",
        regenerate, metrics, facts,
    };
}
