/**
 * The Alertmanager configuration, built as data. Routing by severity to the receivers; the
 * always-firing Watchdog to the dead man's switch (an external heartbeat URL that pages through its
 * own channels when the heartbeat stops); Alertmanager's own delivery failures to receivers of
 * another integration than the failing one, or, when there is none, stopping the heartbeat; and
 * inhibition keyed on what is being alerted about (one SLO's page silences that SLO's ticket only).
 * Receiver URLs/keys are never in the config: each receiver reads its credential from a file mounted
 * from a Kubernetes Secret (`alertmanagerSpec.secrets`), so the rendered config holds no secret.
 */

export type Severity = "critical" | "warning" | "info";
export type ReceiverType = "slack" | "pagerduty" | "webhook";

export interface ReceiverSpec {
    /** Receiver name (DNS label). */
    name: string;
    type: ReceiverType;
    /** Severities routed to it. */
    severities: Severity[];
    /** Key of the credential in the receivers Secret. */
    secretKey: string;
}

/** The heartbeat: Watchdog is POSTed to this URL every minute (e.g. a free healthchecks.io check's ping URL). */
export interface DeadMansSwitchSpec {
    /** Key of the URL in the receivers Secret. */
    secretKey: string;
}

export const DEAD_MANS_SWITCH_RECEIVER = "dead-mans-switch";
/** Seconds between heartbeats: the Watchdog route's group_interval and repeat_interval. */
export const HEARTBEAT_INTERVAL = "1m";
/** Labels a notification group is keyed on: one notification per alert and object (and per SLO). */
export const GROUP_BY = ["alertname", "namespace", "service", "slo"];

/** Where the operator mounts a Secret named in `alertmanagerSpec.secrets`. */
export function secretMountPath(secretName: string, key: string): string {
    return `/etc/alertmanager/secrets/${secretName}/${key}`;
}

function receiverConfig(r: Omit<ReceiverSpec, "severities">, secretName: string): Record<string, unknown> {
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

/** Routes for AlertmanagerFailedToSendAlerts: per failing integration, to every receiver of another integration. */
function selfAlertRoutes(receivers: ReceiverSpec[], integrations: ReceiverType[]): Record<string, unknown>[] {
    return integrations.map((failing) => {
        const others = receivers.filter((r) => r.type !== failing);
        return {
            receiver: "null",
            matchers: ['alertname = "AlertmanagerFailedToSendAlerts"', `integration = "${failing}"`],
            continue: false,
            ...(others.length > 0 ? { routes: others.map((r) => ({ receiver: r.name, continue: true })) } : {}),
        };
    });
}

/** The integrations whose failure no other receiver can report: their failure stops the heartbeat instead. */
export function integrationsWithoutAlternative(receivers: ReceiverSpec[], deadMansSwitch?: DeadMansSwitchSpec): ReceiverType[] {
    const used = [...new Set<ReceiverType>([...receivers.map((r) => r.type), ...(deadMansSwitch ? ["webhook" as const] : [])])];
    return used.filter((t) => !receivers.some((r) => r.type !== t));
}

/** The whole alertmanager.yml for the receivers given; with none, everything goes to the null receiver. */
export function alertmanagerConfig(receivers: ReceiverSpec[], secretName: string, deadMansSwitch?: DeadMansSwitchSpec): Record<string, unknown> {
    const integrations = [...new Set<ReceiverType>([...receivers.map((r) => r.type), ...(deadMansSwitch ? ["webhook" as const] : [])])];
    const lonely = integrationsWithoutAlternative(receivers, deadMansSwitch);
    const routes: Record<string, unknown>[] = [
        deadMansSwitch
            ? { receiver: DEAD_MANS_SWITCH_RECEIVER, matchers: ['alertname = "Watchdog"'], group_by: ["alertname"], group_wait: "0s", group_interval: HEARTBEAT_INTERVAL, repeat_interval: HEARTBEAT_INTERVAL, continue: false }
            : { receiver: "null", matchers: ['alertname = "Watchdog"'], continue: false },
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'], continue: false },
        ...selfAlertRoutes(receivers, integrations),
    ];
    for (const r of receivers) {
        routes.push({ receiver: r.name, matchers: [`severity =~ "${r.severities.join("|")}"`], continue: true });
    }
    const inhibit: Record<string, unknown>[] = [
        // Per SLO: a page for one SLO silences that SLO's ticket, not other SLOs' (equal on slo, which every burn alert carries).
        { source_matchers: ['alertname = "ErrorBudgetBurn"', 'severity = "critical"'], target_matchers: ['alertname = "ErrorBudgetBurn"', 'severity = "warning"'], equal: ["slo"] },
        { source_matchers: ['alertname = "PersistentVolumeAlmostFull"'], target_matchers: ['alertname = "PersistentVolumeFillingUp"'], equal: ["namespace", "persistentvolumeclaim"] },
        { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ["namespace"] },
    ];
    if (deadMansSwitch && lonely.length > 0) {
        // Nobody else can be told that this integration fails: stop the heartbeat, so the dead man's switch pages.
        inhibit.push({ source_matchers: ['alertname = "AlertmanagerFailedToSendAlerts"', `integration =~ "${lonely.join("|")}"`], target_matchers: ['alertname = "Watchdog"'] });
    }
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: "null",
            group_by: GROUP_BY,
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes,
        },
        inhibit_rules: inhibit,
        receivers: [
            { name: "null" },
            ...(deadMansSwitch ? [receiverConfig({ name: DEAD_MANS_SWITCH_RECEIVER, type: "webhook", secretKey: deadMansSwitch.secretKey }, secretName)] : []),
            ...receivers.map((r) => receiverConfig(r, secretName)),
        ],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}
