/**
 * Series as Prometheus stores them for the platform's exporters: the exporter's labels (from
 * test/data/metrics/exporters.json, read from each pinned upstream file) plus the target labels the
 * scrape adds (prometheus-operator's ServiceMonitor/PodMonitor relabelling: job, namespace, service,
 * pod, container, endpoint, instance; honorLabels keeps the exporter's on a clash, otherwise the
 * exporter's become `exported_<name>`). Rule tests build their input series here, so a label the
 * exporter does not write, or one it writes and the test forgot, fails the test instead of passing it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROLLOUT_NAMESPACE_RELABELINGS } from "../../components/delivery/argo-rollouts";
import { REPO_ROOT } from "../../lib/offline/stack";

export interface MetricFact { exporter: string; type: "counter" | "gauge" | "histogram"; labels: string[]; framework?: { labels: string[] } }
export interface MetricsFile { metrics: Record<string, MetricFact>; facts: Record<string, { value: unknown }> }

const FILE = path.join(REPO_ROOT, "test", "data", "metrics", "exporters.json");
let cached: MetricsFile | undefined;
export function metricsFile(): MetricsFile {
    if (!cached) {
        if (!fs.existsSync(FILE)) throw new Error(`${path.relative(REPO_ROOT, FILE)} is missing: npm run derive -- metrics --mirrors <dir of git mirrors>`);
        cached = JSON.parse(fs.readFileSync(FILE, "utf8")) as MetricsFile;
    }
    return cached;
}
export const fact = <T>(key: string): T => {
    const f = metricsFile().facts[key];
    if (!f) throw new Error(`no fact ${key} in test/data/metrics/exporters.json`);
    return f.value as T;
};

type Labels = Record<string, string>;
interface Scrape { target: Labels; honorLabels: boolean; metricRelabel?: (l: Labels) => Labels }

/** The target labels of each exporter's scrape in the platform (chart ServiceMonitors and the platform's PodMonitors). */
export const SCRAPES: Record<string, Scrape> = {
    // kube-prometheus-stack: jobLabel app.kubernetes.io/name, honorLabels (the object's namespace/pod/container win).
    "kube-state-metrics": { honorLabels: true, target: { job: "kube-state-metrics", namespace: "observability", service: "kps-kube-state-metrics", pod: "kps-kube-state-metrics-6d4b9c7f8-x2x7q", container: "kube-state-metrics", endpoint: "http", instance: "10.40.3.17:8080" } },
    kubelet: { honorLabels: true, target: { job: "kubelet", namespace: "kube-system", service: "kps-kubelet", endpoint: "https-metrics", metrics_path: "/metrics", node: "ip-10-40-3-5.eu-west-1.compute.internal", instance: "10.40.3.5:10250" } },
    apiserver: { honorLabels: false, target: { job: "apiserver", namespace: "default", service: "kubernetes", endpoint: "https", instance: "10.40.0.12:443" } },
    prometheus: { honorLabels: false, target: { job: "kps-prometheus", namespace: "observability", service: "kps-prometheus", pod: "prometheus-kps-prometheus-0", container: "prometheus", endpoint: "http-web", instance: "10.40.4.9:9090" } },
    alertmanager: { honorLabels: false, target: { job: "kps-alertmanager", namespace: "observability", service: "kps-alertmanager", pod: "alertmanager-kps-alertmanager-0", container: "alertmanager", endpoint: "http-web", instance: "10.40.4.10:9093" } },
    loki: { honorLabels: false, target: { job: "loki-backend", namespace: "observability", service: "loki-backend", pod: "loki-backend-0", container: "loki", endpoint: "http-metrics", instance: "10.40.5.2:3100" } },
    // PodMonitors: job is <namespace>/<PodMonitor name>.
    alloy: { honorLabels: false, target: { job: "observability-agents/alloy", namespace: "observability-agents", pod: "alloy-7xk2p", container: "alloy", endpoint: "http-metrics", instance: "10.40.3.40:12345" } },
    jaeger: { honorLabels: false, target: { job: "observability/jaeger", namespace: "observability", pod: "jaeger-5c9d8b7f6-qwx4z", container: "jaeger", endpoint: "8888", instance: "10.40.4.30:8888" } },
    velero: { honorLabels: false, target: { job: "velero", namespace: "velero", service: "velero", pod: "velero-7f8b9c6d5-abcde", container: "velero", endpoint: "http-monitoring", instance: "10.40.3.60:8085" } },
    // The chart's ServiceMonitor does not honour labels; argo-rollouts.ts restores the Rollout's namespace with metricRelabelings.
    "argo-rollouts": {
        honorLabels: false,
        target: { job: "argo-rollouts-metrics", namespace: "argo-rollouts", service: "argo-rollouts-metrics", pod: "argo-rollouts-6b7c8d9f5-k2j4l", container: "argo-rollouts", endpoint: "metrics", instance: "10.40.3.70:8090" },
        metricRelabel: (l) => applyRelabelings(l, ROLLOUT_NAMESPACE_RELABELINGS),
    },
};

/** The subset of Prometheus relabelling the platform's metricRelabelings use (replace with a full-match regex, labeldrop). */
export function applyRelabelings(labels: Labels, rules: { sourceLabels?: string[]; regex?: string; targetLabel?: string; replacement?: string; action?: string }[]): Labels {
    let out = { ...labels };
    for (const r of rules) {
        const re = new RegExp(`^(?:${r.regex ?? "(.*)"})$`);
        if ((r.action ?? "replace") === "labeldrop") {
            out = Object.fromEntries(Object.entries(out).filter(([k]) => !re.test(k)));
            continue;
        }
        const value = (r.sourceLabels ?? []).map((s) => out[s] ?? "").join(";");
        const m = re.exec(value);
        if (m && r.targetLabel) out[r.targetLabel] = (r.replacement ?? "$1").replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? "");
    }
    return out;
}

/** Values used for exporter labels a test does not care about. */
const DEFAULTS: Labels = {
    uid: "3f1c6a52-8f6e-4a47-9c2b-1d2e3f4a5b6c", host: "loki-gateway.observability.svc.cluster.local", tenant: "", retention_hours: "744", policy: "", format: "",
    component_id: "loki.write.loki", component_path: "/", transport: "grpc", method: "GET", ws: "false", verb: "GET", resource: "pods", scope: "namespace",
    strategy: "canary", traffic_router: "", owner_is_controller: "true",
};

/** The fact for a series name: the metric itself, a histogram's _bucket/_count/_sum, or a collector counter with _total. */
export function factOf(name: string): { base: string; fact: MetricFact; extra: string[] } | undefined {
    const m = metricsFile().metrics;
    if (m[name]) return { base: name, fact: m[name], extra: [] };
    for (const suffix of ["_bucket", "_count", "_sum"]) {
        const base = name.slice(0, -suffix.length);
        if (name.endsWith(suffix) && m[base]?.type === "histogram") return { base, fact: m[base], extra: suffix === "_bucket" ? ["le"] : [] };
    }
    if (name.endsWith("_total") && m[name.slice(0, -6)]?.exporter === "jaeger") return { base: name.slice(0, -6), fact: m[name.slice(0, -6)], extra: [] };
    return undefined;
}

/** Label names a series of `name` carries in Prometheus. */
export function labelNamesOf(name: string): string[] {
    const f = factOf(name);
    if (!f) throw new Error(`unknown metric ${name}: not in test/data/metrics/exporters.json`);
    return [...new Set([...f.fact.labels, ...(f.fact.framework?.labels ?? []), ...f.extra, ...Object.keys(scrapeOf(f.fact.exporter).target)])];
}

function scrapeOf(exporter: string): Scrape {
    const s = SCRAPES[exporter];
    if (!s) throw new Error(`no scrape model for exporter ${exporter}`);
    return s;
}

/**
 * The full label set of a series: `labels` are the exporter's (every one the exporter writes must end
 * up set; unset ones take a default) and may override target labels (`pod`, `instance`) where a test
 * needs two targets. Unknown label names throw.
 */
export function seriesLabels(name: string, labels: Labels, target: Labels = {}): Labels {
    const f = factOf(name);
    if (!f) throw new Error(`unknown metric ${name}: not in test/data/metrics/exporters.json`);
    const scrape = scrapeOf(f.fact.exporter);
    const own = [...f.fact.labels, ...(f.fact.framework?.labels ?? []), ...f.extra];
    for (const k of Object.keys(labels)) if (!own.includes(k)) throw new Error(`${name} has no label ${k} (the exporter writes: ${own.join(", ")})`);
    for (const k of Object.keys(target)) if (!(k in scrape.target)) throw new Error(`${name}: ${k} is not a target label of ${f.fact.exporter}`);
    const exported: Labels = {};
    for (const k of own) {
        const v = labels[k] ?? DEFAULTS[k];
        if (v === undefined) throw new Error(`${name}: give label ${k}`);
        exported[k] = v;
    }
    let out: Labels = { ...scrape.target, ...target };
    for (const [k, v] of Object.entries(exported)) {
        if (v === "") continue; // Prometheus drops empty labels
        if (k in out && !scrape.honorLabels) out[`exported_${k}`] = v;
        else out[k] = v;
    }
    if (scrape.metricRelabel) out = scrape.metricRelabel(out);
    return out;
}

export const selector = (name: string, labels: Labels) => `${name}{${Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${v}"`).join(", ")}}`;

/** A promtool input series. */
export function series(name: string, labels: Labels, values: string, target: Labels = {}): { series: string; values: string } {
    return { series: selector(name, seriesLabels(name, labels, target)), values };
}
