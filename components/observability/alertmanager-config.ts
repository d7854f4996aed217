/**
 * The Alertmanager configuration, built as data: routing by severity, critical alerts inhibiting
 * the warnings of the same alert, Watchdog to a null receiver. Receiver URLs/keys are never in the
 * config: each receiver reads its credential from a file mounted from a Kubernetes Secret
 * (`alertmanagerSpec.secrets`), so the rendered config (Helm values, plan snapshot) holds no secret.
 */

export type Severity = "critical" | "warning" | "info";

export interface ReceiverSpec {
    /** Receiver name (DNS label). */
    name: string;
    type: "slack" | "pagerduty" | "webhook";
    /** Severities routed to it. */
    severities: Severity[];
    /** Key of the credential in the receivers Secret. */
    secretKey: string;
}

/** Where the operator mounts a Secret named in `alertmanagerSpec.secrets`. */
export function secretMountPath(secretName: string, key: string): string {
    return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

function receiverConfig(r: ReceiverSpec, secretName: string): Record<string, unknown> {
    const file = secretMountPath(secretName, r.secretKey);
    const resolved = { send_resolved: true };
    switch (r.type) {
        case "pagerduty":
            return { name: r.name, pagerduty_configs: [{ ...resolved, routing_key_file: file, severity: '{{ if .CommonLabels.severity }}{{ .CommonLabels.severity }}{{ else }}critical{{ end }}' }] };
        case "slack":
            return {
                name: r.name,
                slack_configs: [{
                    ...resolved,
                    api_url_file: file,
                    title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
                    text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
                }],
            };
        case "webhook":
            // url_file needs Alertmanager >= 0.27 (the chart runs 0.34).
            return { name: r.name, webhook_configs: [{ ...resolved, url_file: file }] };
    }
}

/** The whole alertmanager.yml for the receivers given; with none, everything goes to the null receiver. */
export function alertmanagerConfig(receivers: ReceiverSpec[], secretName: string): Record<string, unknown> {
    const routes: Record<string, unknown>[] = [
        { receiver: "null", matchers: ['alertname = "Watchdog"'], continue: false },
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'], continue: false },
    ];
    for (const r of receivers) {
        routes.push({ receiver: r.name, matchers: [`severity =~ "${r.severities.join("|")}"`], continue: true });
    }
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: "null",
            group_by: ["alertname", "namespace", "service"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes,
        },
        inhibit_rules: [
            { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] },
            { source_matchers: ['severity = "warning"'], target_matchers: ['severity = "info"'], equal: ["namespace", "alertname"] },
            { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ["namespace"] },
        ],
        receivers: [{ name: "null" }, ...receivers.map((r) => receiverConfig(r, secretName))],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}
