/** Grafana datasource uids: dashboards and datasource links refer to these, so they are fixed. */
export const DS = {
    prometheus: "prometheus",
    loki: "loki",
    jaeger: "jaeger",
    alertmanager: "alertmanager",
    cloudwatch: "cloudwatch",
} as const;

/**
 * The HTTP metrics the platform's services expose and everything else reads (RED dashboard, canary
 * analysis, SLOs): a request-duration histogram labelled with the response status and the route.
 * These are the names podinfo (the example app) uses; an app may name its labels differently in its
 * CanaryApp metric contract (docs/delivery.md, "Metric contract").
 */
export const HTTP_METRICS = {
    histogram: "http_request_duration_seconds",
    count: "http_request_duration_seconds_count",
    bucket: "http_request_duration_seconds_bucket",
    statusLabel: "status",
    routeLabel: "path",
} as const;
