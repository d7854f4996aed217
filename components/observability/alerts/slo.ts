/**
 * SLO generator: from a spec (service, SLI as good/total PromQL, objective, 30-day window) it
 * produces the error-ratio recording rules for every window the alerts need and the
 * multi-window, multi-burn-rate alerts of the Google SRE workbook (chapter 5):
 *   page   (critical): 14.4x over 1h and 5m, or 6x over 6h and 30m
 *   ticket (warning):  3x over 1d and 2h,   or 1x over 3d and 6h
 * A burn rate of 1 spends exactly the error budget over the SLO window.
 */
import { AlertRule, RecordingRule, RuleGroup } from "./types";

export interface SloSpec {
    /** SLO name (DNS label), e.g. `podinfo-availability`. */
    name: string;
    /** Service the SLO is about (a label on the alerts). */
    service: string;
    /** Good events per second, PromQL with `$window` where the range goes: `sum(rate(x{code!~"5.."}[$window]))`. */
    good: string;
    /** All events per second, same form. */
    total: string;
    /** Target ratio of good events, e.g. 0.999. */
    objective: number;
    /** SLO window; the budget is 1 - objective over it. Defaults to 30d. */
    window?: string;
    /** Runbook page for the burn alerts. */
    runbookUrl: string;
}

export const BURN_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;

/** The workbook's alerting conditions: [severity, factor, long window, short window]. */
export const BURN_CONDITIONS = [
    { severity: "critical", factor: 14.4, long: "1h", short: "5m" },
    { severity: "critical", factor: 6, long: "6h", short: "30m" },
    { severity: "warning", factor: 3, long: "1d", short: "2h" },
    { severity: "warning", factor: 1, long: "3d", short: "6h" },
] as const;

export const ERROR_RATIO_RECORD = "slo:sli_error:ratio_rate";

function validate(spec: SloSpec): void {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) throw new Error(`SLO name "${spec.name}" must be a DNS label (a-z, 0-9, -)`);
    if (!(spec.objective > 0 && spec.objective < 1)) throw new Error(`SLO ${spec.name}: objective ${spec.objective} must be between 0 and 1 (e.g. 0.999)`);
    for (const [field, expr] of [["good", spec.good], ["total", spec.total]] as const) {
        if (!expr.includes("$window")) throw new Error(`SLO ${spec.name}: ${field} must contain $window where the rate range goes`);
    }
}

/** Recording rules and burn-rate alerts for one SLO, as one rule group. */
export function sloRuleGroup(spec: SloSpec): RuleGroup {
    validate(spec);
    const budget = +(1 - spec.objective).toPrecision(12);
    const sel = `{slo="${spec.name}"}`;
    const labels = { slo: spec.name, service: spec.service };
    const windows = [...BURN_WINDOWS, spec.window ?? "30d"];
    const records: RecordingRule[] = windows.map((w) => ({
        record: `${ERROR_RATIO_RECORD}${w}`,
        expr: `1 - (${spec.good.replaceAll("$window", w)}) / (${spec.total.replaceAll("$window", w)})`,
        labels,
    }));
    records.push({ record: "slo:objective:ratio", expr: `vector(${spec.objective})`, labels });
    const alerts: AlertRule[] = (["critical", "warning"] as const).map((severity) => {
        const conditions = BURN_CONDITIONS.filter((c) => c.severity === severity).map(
            (c) => `(${ERROR_RATIO_RECORD}${c.long}${sel} > ${c.factor} * ${budget} and ${ERROR_RATIO_RECORD}${c.short}${sel} > ${c.factor} * ${budget})`,
        );
        const kind = severity === "critical" ? "page" : "ticket";
        return {
            alert: "ErrorBudgetBurn",
            expr: conditions.join("\nor\n"),
            for: severity === "critical" ? "2m" : "15m",
            labels: { severity, slo: spec.name, service: spec.service, kind },
            annotations: {
                summary: `${spec.service} is burning its error budget too fast (${kind})`,
                description: `SLO ${spec.name} (${spec.objective * 100}% over ${spec.window ?? "30d"}): the error ratio is above the ${kind} burn-rate thresholds. Current 1h error ratio: {{ $value | humanizePercentage }}.`,
                runbook_url: spec.runbookUrl,
            },
        };
    });
    return { name: `slo-${spec.name}`, interval: "30s", rules: [...records, ...alerts] };
}
