/**
 * A promtool unit-test case as data: input series (built with test/harness/series.ts, so they carry
 * the labels the exporters write and the scrape adds), alerts expected at given times, and PromQL
 * expressions with their expected values (wrapped in round() by the generator, since promtool
 * compares floats exactly).
 */
import type { AlertRule, RuleGroup } from "../../../components/observability/alerts/types";

export type Labels = Record<string, string>;
export interface InputSeries { series: string; values: string }
export interface AlertExpectation { at: string; alertname: string; expect: Labels[] }
export interface ExprExpectation { at: string; expr: string; expect: { labels: Labels; value: number }[]; roundTo?: number }
export interface Case {
    /** What the case shows (the test's name in promtool's output). */
    name: string;
    /** Input series step. Defaults to 1m. */
    interval?: string;
    /** Rule evaluation step (promtool's evaluation_interval, for groups without their own). Defaults to 1m. */
    evaluationInterval?: string;
    series: InputSeries[];
    alerts?: AlertExpectation[];
    exprs?: ExprExpectation[];
}

/** The stack's deployed rules, for cases that depend on them (Velero schedules, SLO names and windows). */
export interface RuleContext { groups: RuleGroup[]; alerts: AlertRule[] }

/** Cases for one alert name (every rule of that name) or one recording rule name prefix. */
export type CaseFactory = (ctx: RuleContext) => Case[];

/** An alert's expected labels: the series' labels after the expression, plus the rule's own labels. */
export const fired = (labels: Labels, rule: Pick<AlertRule, "labels">): Labels => ({ ...labels, ...rule.labels });

/** The stack's one alert rule of that name. */
export function ruleOf(ctx: RuleContext, name: string): AlertRule {
    const r = ctx.alerts.find((a) => a.alert === name);
    if (!r) throw new Error(`no alert ${name} in the stack`);
    return r;
}
