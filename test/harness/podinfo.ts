/**
 * podinfo's request histogram as Prometheus stores it for the example CanaryApp: podinfo 6.11's own
 * labels (method, path, status; `path` is the route name, test/data/metrics/exporters.json) plus the
 * target labels the stack's ServiceMonitor gives each series (prometheus-operator: namespace,
 * service, job, pod, container, endpoint, instance, and each podTargetLabel under its sanitized name).
 */
import { BuiltStack } from "../../lib/offline/stack";
import { selector } from "./series";

/**
 * The `path` label podinfo 6.11 writes for a route (its urlToLabel: non-alphanumerics to `_`, trimmed,
 * lower case, `root` for `/`; fact `podinfo.routeLabel`). Written here from podinfo's behaviour, not
 * taken from the product's exclusion list, so the tests check the product against podinfo.
 */
export function podinfoRoute(path: string): string {
    return path.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_+|_+$/g, "").toLowerCase() || "root";
}

const T = { rollout: "kubernetes:argoproj.io/v1alpha1:Rollout", monitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor" };

const DEF_BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];

/** One pod's series behind one Service, for the requests given (per minute, all answered in `seconds`). */
export function podinfoSeries(s: BuiltStack, service: string, pod: string, hash: string, requests: { path: string; status: string; perMinute: number; seconds: number }[]) {
    const monitor = s.ofType(T.monitor).find((m) => m.inputs.metadata.name === "podinfo")!.inputs;
    const podLabels: Record<string, string> = { ...s.ofType(T.rollout)[0].inputs.spec.template.metadata.labels, "rollouts-pod-template-hash": hash };
    const target: Record<string, string> = {
        namespace: monitor.metadata.namespace, service, job: service, pod, container: s.ofType(T.rollout)[0].inputs.spec.template.spec.containers[0].name,
        endpoint: monitor.spec.endpoints[0].port, instance: `10.40.7.${pod.length}:9898`,
    };
    for (const l of monitor.spec.podTargetLabels ?? []) if (podLabels[l]) target[l.replace(/[^a-zA-Z0-9_]/g, "_")] = podLabels[l];
    return requests.flatMap((r) => {
        const labels = { ...target, method: "GET", path: r.path, status: r.status };
        return [
            ...DEF_BUCKETS.map((le) => ({ series: selector("http_request_duration_seconds_bucket", { ...labels, le }), values: `0+${le === "+Inf" || r.seconds <= Number(le) ? r.perMinute : 0}x20` })),
            { series: selector("http_request_duration_seconds_count", labels), values: `0+${r.perMinute}x20` },
        ];
    });
}

/** Probes (readiness and liveness every 10 s) and the ServiceMonitor's scrape every 15 s, as podinfo counts them. */
export const probes = (s: BuiltStack) => {
    const ctr = s.ofType(T.rollout)[0].inputs.spec.template.spec.containers[0];
    const metricsPath = s.ofType(T.monitor).find((m) => m.inputs.metadata.name === "podinfo")!.inputs.spec.endpoints[0].path;
    return [
        { path: podinfoRoute(ctr.readinessProbe.httpGet.path), status: "200", perMinute: 6, seconds: 0.001 },
        { path: podinfoRoute(ctr.livenessProbe.httpGet.path), status: "200", perMinute: 6, seconds: 0.001 },
        { path: podinfoRoute(metricsPath), status: "200", perMinute: 4, seconds: 0.004 },
    ];
};

