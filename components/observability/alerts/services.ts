/**
 * Alerts on the services the platform runs besides monitoring: Velero's scheduled backups (one
 * staleness threshold per schedule, from its cron) and Argo Rollouts (a rollout aborted, failed or
 * waiting for a human). Velero's series come from its server (job="velero"); Argo Rollouts' from
 * its controller, whose `namespace` label is the Rollout's (argo-rollouts.ts relabels it).
 */
import { alertRule } from "./runbooks";
import { AlertRule, RuleGroup } from "./types";

/** Minutes between runs of a cron schedule of the forms Velero's schedules use: `*\/N * * * *`, `M * * * *`, `M H * * *`. */
export function cronIntervalMinutes(cron: string): number {
    const f = cron.trim().split(/\s+/);
    const rest = (n: number) => f.slice(n).every((x) => x === "*");
    if (f.length === 5 && /^\*\/\d+$/.test(f[0]) && rest(1)) return Number(f[0].slice(2));
    if (f.length === 5 && /^\d+$/.test(f[0]) && rest(1) && f[1] === "*") return 60;
    if (f.length === 5 && /^\d+$/.test(f[0]) && /^\d+$/.test(f[1]) && rest(2)) return 24 * 60;
    throw new Error(`cron "${cron}": only "*/N * * * *", "M * * * *" and "M H * * *" have a known interval`);
}

/**
 * How old the last successful backup of a schedule may get: one interval, plus two more (at most
 * 3 h) for a slow or retried run, and never less than 15 minutes of slack. Every 5 min: 20 min;
 * hourly: 3 h; daily: 27 h.
 */
export function staleAfterMinutes(intervalMinutes: number): number {
    return intervalMinutes + Math.max(15, Math.min(2 * intervalMinutes, 180));
}

export interface VeleroSchedule { name: string; cron: string; critical: boolean }

export function veleroRuleGroup(runbookBase: string, schedules: VeleroSchedule[]): RuleGroup {
    const stale = (s: VeleroSchedule): AlertRule => {
        const minutes = staleAfterMinutes(cronIntervalMinutes(s.cron));
        const sel = `{job="velero", schedule="${s.name}"}`;
        return alertRule(runbookBase, {
            alert: "VeleroBackupTooOld", severity: s.critical ? "critical" : "warning", for: "10m",
            labels: { schedule: s.name },
            // The timestamp is set only by a success (and recomputed from the Backup objects after a restart); a schedule
            // that has existed for the whole threshold but never succeeded has its attempt counter and no timestamp.
            expr: [
                `time() - max by (schedule) (velero_backup_last_successful_timestamp${sel}) > ${minutes * 60}`,
                "or",
                `max by (schedule) (velero_backup_attempt_total${sel} offset ${minutes}m)`,
                `unless on (schedule) velero_backup_last_successful_timestamp${sel}`,
            ].join("\n"),
            summary: `Velero schedule ${s.name} has not completed a backup for ${minutes} minutes`,
            description: `No successful backup of schedule ${s.name} (${s.cron}) for more than ${minutes} minutes, or none ever.${s.critical ? " This schedule is the cluster-state recovery point of the DR region: its RPO is broken." : ""}`,
        });
    };
    return {
        name: "platform-backups",
        rules: [
            alertRule(runbookBase, {
                alert: "VeleroBackupFailed", severity: "warning",
                expr: 'sum by (schedule) (increase(velero_backup_failure_total{job="velero"}[1h]) + increase(velero_backup_partial_failure_total{job="velero"}[1h])) > 0',
                summary: "A Velero backup failed",
                description: "{{ $value | humanize }} backups of schedule {{ $labels.schedule }} failed or partially failed in the last hour.",
            }),
            ...schedules.map(stale),
        ],
    };
}

export function rolloutsRuleGroup(runbookBase: string): RuleGroup {
    return {
        name: "platform-delivery",
        rules: [
            alertRule(runbookBase, {
                // rollout_info's phase is computed by the controller: Abort (a failed analysis rolled back), Error, Timeout, InvalidSpec.
                alert: "RolloutDegraded", severity: "warning", for: "1m",
                expr: 'max by (namespace, name, phase) (rollout_info{phase=~"Abort|Error|Timeout|InvalidSpec"}) == 1',
                summary: "A rollout was aborted or cannot progress",
                description: "Rollout {{ $labels.namespace }}/{{ $labels.name }} is {{ $labels.phase }}: the stable version serves all traffic; the new one was rolled back or cannot start.",
            }),
            alertRule(runbookBase, {
                alert: "RolloutPausedTooLong", severity: "warning", for: "1h",
                expr: 'max by (namespace, name) (rollout_info{phase="Paused"}) == 1',
                summary: "A rollout waits for a human",
                description: "Rollout {{ $labels.namespace }}/{{ $labels.name }} has been paused for an hour: an analysis was inconclusive (no traffic, or results between the thresholds). Promote or abort it.",
            }),
        ],
    };
}
