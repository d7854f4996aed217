/** Cases for alerts/services.ts (Velero 1.18 and Argo Rollouts 1.9 series) and alerts/slo.ts (the SLO records and burn alerts). */
import { BUDGET_REMAINING_RECORD, ERROR_RATIO_RECORD } from "../../../components/observability/alerts/slo";
import type { AlertRule, RecordingRule } from "../../../components/observability/alerts/types";
import { series } from "../../harness/series";
import { Case, CaseFactory, fired, RuleContext } from "./types";

const rulesOf = (ctx: RuleContext, name: string) => ctx.alerts.filter((a) => a.alert === name);
const minutes = (s: number) => `${Math.round(s / 60)}m`;

export const SERVICE_CASES: Record<string, CaseFactory> = {
    VeleroBackupFailed: (ctx) => {
        const [rule] = rulesOf(ctx, "VeleroBackupFailed");
        const v = (name: string, schedule: string, values: string) => series(name, { schedule }, values);
        return [{
            name: "VeleroBackupFailed: a failed and a partially failed backup fire for their schedule; a clean schedule does not",
            series: [
                v("velero_backup_failure_total", "apps-hourly", "0x10 1x30"), v("velero_backup_partial_failure_total", "apps-hourly", "0x40"),
                v("velero_backup_failure_total", "full-daily", "0x40"), v("velero_backup_partial_failure_total", "full-daily", "0x20 1x20"),
                v("velero_backup_failure_total", "quiet", "0x40"), v("velero_backup_partial_failure_total", "quiet", "0x40"),
            ],
            alerts: [
                { at: "5m", alertname: "VeleroBackupFailed", expect: [] },
                { at: "25m", alertname: "VeleroBackupFailed", expect: [fired({ schedule: "apps-hourly" }, rule), fired({ schedule: "full-daily" }, rule)] },
            ],
        }];
    },
    /** One set per schedule (each rule has its own threshold): stale, never succeeded, and fresh. */
    VeleroBackupTooOld: (ctx) => rulesOf(ctx, "VeleroBackupTooOld").flatMap((rule): Case[] => {
        const schedule = rule.labels.schedule;
        const stale = Number(/> (\d+)$/m.exec(rule.expr)![1]);
        // Samples at most 5 minutes apart (Prometheus's lookback), evaluated as often.
        const step = stale > 3600 ? 300 : 60;
        const n = Math.ceil((stale + 3600) / step) + 2;
        const at = minutes(stale + 20 * 60);
        const last = (values: string) => series("velero_backup_last_successful_timestamp", { schedule }, values);
        const attempts = series("velero_backup_attempt_total", { schedule }, `0+1x${n}`);
        return [
            { name: `VeleroBackupTooOld ${schedule}: no success for ${minutes(stale)} fires`, interval: `${step}s`, evaluationInterval: `${step}s`, series: [attempts, last(`60x${n}`)], alerts: [{ at, alertname: "VeleroBackupTooOld", expect: [fired({ schedule }, rule)] }] },
            { name: `VeleroBackupTooOld ${schedule}: a schedule that never succeeded fires`, interval: `${step}s`, evaluationInterval: `${step}s`, series: [attempts], alerts: [{ at, alertname: "VeleroBackupTooOld", expect: [fired({ schedule }, rule)] }] },
            { name: `VeleroBackupTooOld ${schedule}: a success every interval does not fire`, interval: `${step}s`, evaluationInterval: `${step}s`, series: [attempts, last(`0+${step}x${n}`)], alerts: [{ at, alertname: "VeleroBackupTooOld", expect: [] }] },
        ];
    }),
    RolloutDegraded: (ctx) => {
        const [rule] = rulesOf(ctx, "RolloutDegraded");
        const info = (name: string, phase: string) => series("rollout_info", { namespace: "apps", name, phase }, "1x10");
        return [{
            name: "RolloutDegraded: an aborted rollout fires with the Rollout's namespace, a completed one does not",
            series: [info("podinfo", "Abort"), info("orders", "Completed")],
            alerts: [{ at: "5m", alertname: "RolloutDegraded", expect: [fired({ namespace: "apps", name: "podinfo", phase: "Abort" }, rule)] }],
        }, {
            name: "RolloutDegraded: progressing and paused rollouts do not fire",
            series: [series("rollout_info", { namespace: "apps", name: "podinfo", phase: "Progressing" }, "1x10"), series("rollout_info", { namespace: "apps", name: "orders", phase: "Paused" }, "1x10")],
            alerts: [{ at: "5m", alertname: "RolloutDegraded", expect: [] }],
        }];
    },
    RolloutPausedTooLong: (ctx) => {
        const [rule] = rulesOf(ctx, "RolloutPausedTooLong");
        return [
            { name: "RolloutPausedTooLong: paused for more than an hour fires", series: [series("rollout_info", { namespace: "apps", name: "podinfo", phase: "Paused" }, "1x80")], alerts: [{ at: "75m", alertname: "RolloutPausedTooLong", expect: [fired({ namespace: "apps", name: "podinfo" }, rule)] }] },
            { name: "RolloutPausedTooLong: a 2-minute canary pause does not", series: [series("rollout_info", { namespace: "apps", name: "podinfo", phase: "Paused" }, "1x2"), series("rollout_info", { namespace: "apps", name: "podinfo", phase: "Completed" }, "_x2 1x80")], alerts: [{ at: "75m", alertname: "RolloutPausedTooLong", expect: [] }] },
        ];
    },
};

/** The SLO groups of the stack: name, labels, window and budget, read from the deployed rules. */
export function slosOf(ctx: RuleContext) {
    return ctx.groups.filter((g) => g.name.startsWith("slo-")).map((g) => {
        const budget = g.rules.find((r): r is RecordingRule => "record" in r && r.record === BUDGET_REMAINING_RECORD)!;
        const objective = Number(/vector\(([\d.]+)\)/.exec(g.rules.find((r): r is RecordingRule => "record" in r && r.record === "slo:objective:ratio")!.expr)![1]);
        return { group: g, slo: budget.labels!.slo, service: budget.labels!.service, window: budget.labels!.window, objective, burns: g.rules.filter((r): r is AlertRule => "alert" in r) };
    });
}

/**
 * API server traffic, 1000 requests a minute of which `burn` per minute fail: with a 99.9% objective
 * the budget is 1 error per 1000 requests, so `burn` is the burn rate.
 */
const apiTraffic = (burn: number, n = 40) => [
    series("apiserver_request_total", { code: "200", verb: "GET", resource: "pods", scope: "namespace" }, `0+${1000 - burn}x${n}`),
    series("apiserver_request_total", { code: "500", verb: "GET", resource: "pods", scope: "namespace" }, `0+${burn}x${n}`),
];

export const SLO_CASES: Record<string, CaseFactory> = {
    ErrorBudgetBurn: (ctx) => slosOf(ctx).flatMap(({ slo, burns }): Case[] => {
        if (slo !== "apiserver-availability") throw new Error(`no traffic model for SLO ${slo}`);
        const at = (window: string) => burns.find((b) => b.labels.window === window)!;
        const burn = (rate: number, minute: number, windows: string[], name: string): Case => ({
            name: `ErrorBudgetBurn ${slo}: ${name}`,
            series: apiTraffic(rate),
            alerts: [{ at: `${minute}m`, alertname: "ErrorBudgetBurn", expect: windows.map((w) => fired({}, at(w))) }],
        });
        return [
            burn(15, 10, ["1h", "6h"], "15x pages through the 1h/5m pair (and the 6h/30m one)"),
            burn(7, 10, ["6h"], "7x pages through the 6h/30m pair only"),
            burn(5, 10, [], "5x pages through no pair; the tickets are still pending"),
            burn(5, 30, ["1d", "3d"], "5x opens tickets through the 1d/2h and 3d/6h pairs after 15 minutes"),
            burn(2, 30, ["3d"], "2x opens a ticket through the 3d/6h pair only"),
            burn(0.5, 30, [], "0.5x spends less than the budget: silent"),
        ];
    }),
    [ERROR_RATIO_RECORD]: (ctx) => slosOf(ctx).map(({ slo, service, group }): Case => {
        const records = group.rules.filter((r): r is RecordingRule => "record" in r && r.record.startsWith(ERROR_RATIO_RECORD));
        return {
            name: `${ERROR_RATIO_RECORD}<window> ${slo}: 2 errors per 1000 requests record 0.002 in every window`,
            series: apiTraffic(2),
            exprs: records.map((r) => ({ at: "20m", expr: `${r.record}{slo="${slo}"}`, expect: [{ labels: { slo, service }, value: 0.002 }] })),
        };
    }),
    "slo:objective:ratio": (ctx) => slosOf(ctx).map(({ slo, service, objective }): Case => ({
        name: `slo:objective:ratio ${slo}: the objective`,
        series: [],
        exprs: [{ at: "1m", expr: `slo:objective:ratio{slo="${slo}"}`, expect: [{ labels: { slo, service }, value: objective }] }],
    })),
    [BUDGET_REMAINING_RECORD]: (ctx) => slosOf(ctx).map(({ slo, service, window }): Case => ({
        name: `${BUDGET_REMAINING_RECORD} ${slo}: half the budget spent over the ${window} window leaves 0.5`,
        series: apiTraffic(0.5),
        exprs: [{ at: "20m", expr: `${BUDGET_REMAINING_RECORD}{slo="${slo}"}`, expect: [{ labels: { slo, service, window }, value: 0.5 }] }],
    })),
};
