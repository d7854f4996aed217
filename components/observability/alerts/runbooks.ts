/**
 * Where each alert's runbook lives (docs/runbooks/ of this repository), and the one way an alert
 * rule is built from its spec: severity, summary, description and the runbook link.
 */
import { AlertRule } from "./types";

/** Runbook page and anchor of each alert (the tests check the files and headings exist). */
export const RUNBOOK_PAGES: Record<string, string> = {
    Watchdog: "monitoring.md#watchdog",
    InfoInhibitor: "monitoring.md#infoinhibitor",
    PodCrashLooping: "workloads.md#podcrashlooping",
    ContainerOOMKilled: "workloads.md#containeroomkilled",
    PodNotReady: "workloads.md#podnotready",
    KubeJobFailed: "workloads.md#kubejobfailed",
    NodeNotReady: "nodes.md#nodenotready",
    PersistentVolumeFillingUp: "storage.md#persistentvolumefillingup",
    PersistentVolumeAlmostFull: "storage.md#persistentvolumealmostfull",
    KubeAPIErrorsHigh: "control-plane.md#kubeapierrorshigh",
    KubeletClientCertificateExpiring: "certificates.md#kubeletclientcertificateexpiring",
    TargetDown: "monitoring.md#targetdown",
    PrometheusRuleEvaluationFailures: "monitoring.md#prometheusruleevaluationfailures",
    PrometheusNotConnectedToAlertmanagers: "monitoring.md#prometheusnotconnectedtoalertmanagers",
    PrometheusTSDBCompactionsFailing: "monitoring.md#prometheustsdbcompactionsfailing",
    AlertmanagerFailedToSendAlerts: "monitoring.md#alertmanagerfailedtosendalerts",
    LokiRequestErrors: "monitoring.md#lokirequesterrors",
    LokiCompactorNotRunning: "monitoring.md#lokicompactornotrunning",
    LokiDiscardingLogs: "monitoring.md#lokidiscardinglogs",
    AlloyDroppingLogs: "monitoring.md#alloydroppinglogs",
    JaegerExportFailures: "monitoring.md#jaegerexportfailures",
    JaegerSpansRefused: "monitoring.md#jaegerspansrefused",
    VeleroBackupFailed: "backups.md#velerobackupfailed",
    VeleroBackupTooOld: "backups.md#velerobackuptooold",
    RolloutDegraded: "delivery.md#rolloutdegraded",
    RolloutPausedTooLong: "delivery.md#rolloutpausedtoolong",
    ErrorBudgetBurn: "slo.md#errorbudgetburn",
};

export function runbookUrl(base: string, alert: string): string {
    const page = RUNBOOK_PAGES[alert];
    if (!page) throw new Error(`no runbook page for alert ${alert}`);
    return `${base.replace(/\/$/, "")}/${page}`;
}

/** An alert as written in the rule files here: severity, summary and description flat; the runbook link is added. */
export type AlertSpec = Omit<AlertRule, "annotations" | "labels"> & {
    severity: AlertRule["labels"]["severity"];
    summary: string;
    description: string;
    /** Labels beyond severity (e.g. the schedule a Velero alert is about). */
    labels?: Record<string, string>;
};

/** Builds the rule from a spec, with its runbook link under `runbookBase`. */
export function alertRule(runbookBase: string, s: AlertSpec): AlertRule {
    return {
        alert: s.alert,
        expr: s.expr,
        ...(s.for ? { for: s.for } : {}),
        labels: { severity: s.severity, ...s.labels },
        annotations: { summary: s.summary, description: s.description, runbook_url: runbookUrl(runbookBase, s.alert) },
    };
}
