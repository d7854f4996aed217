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
 * analysis, SLOs): a request-duration histogram labelled with the response status. These are the
 * names podinfo (the example app) and the Prometheus client libraries' HTTP middlewares use.
 */
export const HTTP_METRICS = {
    histogram: "http_request_duration_seconds",
    count: "http_request_duration_seconds_count",
    bucket: "http_request_duration_seconds_bucket",
    statusLabel: "status",
} as const;
