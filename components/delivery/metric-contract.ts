/**
 * The metric contract: what the analysis reads from the app (docs/delivery.md, "Metric contract").
 * The app exposes the histogram `http_request_duration_seconds` (buckets with `le`) at `path` on its
 * port, labelled with the HTTP status code and the route. Requests to the probes' paths and to the
 * metrics path are not user traffic and are left out of the analysis. Kept apart from canary-app.ts so
 * the public component package's API can name it without the Kubernetes SDK.
 */
export interface MetricContract {
    /** Path the ServiceMonitor scrapes. Defaults to /metrics. */
    path?: string;
    /** Label holding the route: the request path (`/readyz`) or a name derived from it as podinfo does (`readyz`). Defaults to path. */
    routeLabel?: string;
    /** Label holding the HTTP status code (`200`, `503`). Defaults to status. */
    statusLabel?: string;
    /** More route label values that are not user traffic (e.g. `/admin/health`); the probes' and the metrics path are always left out. */
    excludeRoutes?: string[];
}
