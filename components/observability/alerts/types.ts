/** Prometheus rule files as typed data (the PrometheusRule `spec` and promtool's rule file share this shape). */
export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: "critical" | "warning" | "info" } & Record<string, string>;
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
