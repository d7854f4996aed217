/**
 * SLO generator: from a spec (service, SLI as good/total PromQL, objective, window) it produces the
 * error-ratio recording rules for every window the alerts need and the multi-window, multi-burn-rate
 * alerts of the Google SRE workbook (chapter 5), one rule per window pair so each alert says which
 * windows matched:
 *   page   (critical): 14.4x over 1h and 5m, or 6x over 6h and 30m
 *   ticket (warning):  3x over 1d and 2h,   or 1x over 3d and 6h
 * A burn rate of 1 spends exactly the error budget over the SLO window. The window is honest about
 * what Prometheus keeps: it is cut to the retention (`30d` asked, `7d` kept: a 7-day budget), and a
 * retention shorter than the longest burn window (3d) is refused.
 */
import { durationSeconds, formatDuration } from "./durations";
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
    /** SLO window; the budget is 1 - objective over it. Defaults to 30d (cut to the retention). */
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
/** 1 - (errors over the SLO window / budget), labelled with the window it covers. */
export const BUDGET_REMAINING_RECORD = "slo:error_budget_remaining:ratio";
export const DEFAULT_SLO_WINDOW = "30d";
const LONGEST_BURN_WINDOW = "3d";

/** The window an SLO can be measured over with `retention` of data: the asked window, cut to the retention. */
export function sloWindow(asked: string | undefined, retention: string | undefined): string {
    const want = durationSeconds(asked ?? DEFAULT_SLO_WINDOW);
    if (retention === undefined) return formatDuration(want);
    const kept = durationSeconds(retention);
    if (kept < durationSeconds(LONGEST_BURN_WINDOW)) {
        throw new Error(`Prometheus retention ${retention} is shorter than ${LONGEST_BURN_WINDOW}, the longest window the SLO burn-rate alerts read; keep at least ${LONGEST_BURN_WINDOW}`);
    }
    return formatDuration(Math.min(want, kept));
}

function validate(spec: SloSpec): void {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.name)) throw new Error(`SLO name "${spec.name}" must be a DNS label (a-z, 0-9, -)`);
    if (!(spec.objective > 0 && spec.objective < 1)) throw new Error(`SLO ${spec.name}: objective ${spec.objective} must be between 0 and 1 (e.g. 0.999)`);
    for (const [field, expr] of [["good", spec.good], ["total", spec.total]] as const) {
        if (!expr.includes("$window")) throw new Error(`SLO ${spec.name}: ${field} must contain $window where the rate range goes`);
    }
}

const percent = (x: number) => `${+(x * 100).toPrecision(6)}%`;

/** Recording rules and burn-rate alerts for one SLO, as one rule group; `retention` is Prometheus's (the window is cut to it). */
export function sloRuleGroup(spec: SloSpec, retention?: string): RuleGroup {
    validate(spec);
    const window = sloWindow(spec.window, retention);
    const budget = +(1 - spec.objective).toPrecision(12);
    const sel = `{slo="${spec.name}"}`;
    const labels = { slo: spec.name, service: spec.service };
    const windows = [...new Set([...BURN_WINDOWS, window])];
    const records: RecordingRule[] = windows.map((w) => ({
        record: `${ERROR_RATIO_RECORD}${w}`,
        expr: `1 - (${spec.good.replaceAll("$window", w)}) / (${spec.total.replaceAll("$window", w)})`,
        labels,
    }));
    records.push({ record: "slo:objective:ratio", expr: `vector(${spec.objective})`, labels });
    records.push({ record: BUDGET_REMAINING_RECORD, expr: `1 - ${ERROR_RATIO_RECORD}${window}${sel} / ${budget}`, labels: { ...labels, window } });
    const lasts = (factor: number) => formatDuration(durationSeconds(window) / factor);
    const alerts: AlertRule[] = BURN_CONDITIONS.map((c) => {
        const kind = c.severity === "critical" ? "page" : "ticket";
        const threshold = +(c.factor * budget).toPrecision(12);
        return {
            alert: "ErrorBudgetBurn",
            expr: `${ERROR_RATIO_RECORD}${c.long}${sel} > ${c.factor} * ${budget}\nand\n${ERROR_RATIO_RECORD}${c.short}${sel} > ${c.factor} * ${budget}`,
            for: c.severity === "critical" ? "2m" : "15m",
            labels: { severity: c.severity, slo: spec.name, service: spec.service, kind, window: c.long },
            annotations: {
                summary: `${spec.service} is burning its error budget ${c.factor}x too fast (${kind})`,
                description: `SLO ${spec.name} (${percent(spec.objective)} over ${window}): the error ratio over the last ${c.long} is {{ $value | humanizePercentage }}, and over the last ${c.short} it is also above ${percent(threshold)} (${c.factor} times the budget rate). At this rate the ${window} budget is spent in ${lasts(c.factor)}.`,
                runbook_url: spec.runbookUrl,
            },
        };
    });
    return { name: `slo-${spec.name}`, interval: "30s", rules: [...records, ...alerts] };
}
