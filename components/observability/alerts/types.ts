/** Prometheus rule files as typed data (the PrometheusRule `spec` and promtool's rule file share this shape). */
export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    /** `none` only for the meta alerts (Watchdog, InfoInhibitor) that are never routed to a person. */
    labels: { severity: "critical" | "warning" | "info" | "none" } & Record<string, string>;
    annotations: { summary: string; description: string; runbook_url: string } & Record<string, string>;
}

export interface RecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
}

export interface RuleGroup {
    name: string;
    interval?: string;
    rules: (AlertRule | RecordingRule)[];
}
