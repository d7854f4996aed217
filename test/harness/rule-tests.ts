/**
 * The rule-test generator: from the deployed rule groups and the cases in test/observability/cases/,
 * promtool's rule and test files, what is missing (rules without cases), and the static check that
 * every metric and label a rule reads exists (test/data/metrics/exporters.json and the scrape model).
 */
import { createHash } from "node:crypto";
import * as yaml from "js-yaml";
import { parser as promql } from "@prometheus-io/lezer-promql";
import type { AlertRule, RecordingRule, RuleGroup } from "../../components/observability/alerts/types";
import { builtStack } from "../../lib/offline/stack";
import { ALWAYS_FIRING, Case, CASES, RuleContext } from "../observability/cases";
import { runTool } from "./tools";
import { factOf, labelNamesOf, SCRAPES } from "./series";

export async function deployedGroups(stack: string): Promise<RuleGroup[]> {
    const s = await builtStack(stack);
    return s.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups as RuleGroup[]);
}

const isAlert = (r: AlertRule | RecordingRule): r is AlertRule => "alert" in r;
const subset = (a: Record<string, string>, b: Record<string, string>) => Object.entries(a).every(([k, v]) => b[k] === v);

/** The cases for a stack's rules, and what is missing: rules without a case, alerts without a firing or a quiet expectation, records never evaluated. */
export function casesFor(groups: RuleGroup[]): { cases: Case[]; missing: string[] } {
    const rules = groups.flatMap((g) => g.rules);
    const ctx: RuleContext = { groups, alerts: rules.filter(isAlert) };
    const keys = new Set<string>();
    const missing: string[] = [];
    for (const r of rules) {
        const key = isAlert(r) ? r.alert : Object.keys(CASES).find((k) => r.record === k || r.record.startsWith(k));
        if (!key || !CASES[key]) missing.push(`${isAlert(r) ? `alert ${r.alert}` : `record ${r.record}`}: no cases (add them to test/observability/cases/)`);
        else keys.add(key);
    }
    const cases = [...keys].flatMap((k) => CASES[k](ctx));
    const expectations = cases.flatMap((c) => c.alerts ?? []);
    for (const r of rules) {
        if (isAlert(r)) {
            const mine = expectations.filter((e) => e.alertname === r.alert);
            const own = { ...r.labels };
            if (!mine.some((e) => e.expect.some((l) => subset(own, l)))) missing.push(`alert ${r.alert} ${JSON.stringify(r.labels)}: no case where it fires`);
            if (!ALWAYS_FIRING.includes(r.alert) && !mine.some((e) => !e.expect.some((l) => subset(own, l)))) missing.push(`alert ${r.alert} ${JSON.stringify(r.labels)}: no case where it stays quiet`);
        } else if (!cases.some((c) => c.exprs?.some((e) => new RegExp(`^${r.record.replace(/[:]/g, "\\:")}\\{`).test(e.expr)))) {
            missing.push(`record ${r.record}: no case checks its value`);
        }
    }
    return { cases, missing: [...new Set(missing)] };
}

/**
 * promtool's files: one rule file per group (annotations left out: promtool compares them verbatim,
 * and they do not change when an alert fires) and one test file per case, loading only the groups
 * whose alerts or records the case checks, so that each test evaluates what it is about.
 */
export function promtoolFiles(groups: RuleGroup[], cases: Case[], keepAnnotations = false): Record<string, string> {
    // Files are named by their content, so the same group or case in several stacks is one file (merge the maps).
    const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);
    const files: Record<string, string> = {};
    const names = new Map<RuleGroup, string>();
    for (const g of groups) {
        const group = { ...g, rules: g.rules.map((r) => (isAlert(r) && !keepAnnotations ? { ...r, annotations: undefined } : r)) };
        const text = yaml.dump(JSON.parse(JSON.stringify({ groups: [group] })), { lineWidth: -1 });
        names.set(g, `group-${g.name}-${hash(text)}.yaml`);
        files[names.get(g)!] = text;
    }
    for (const c of cases) {
        const alerts = new Set((c.alerts ?? []).map((a) => a.alertname));
        const exprs = (c.exprs ?? []).map((e) => e.expr);
        const needed = groups.filter((g) => g.rules.some((r) => (isAlert(r) ? alerts.has(r.alert) : exprs.some((e) => e.startsWith(`${r.record}{`)))));
        const test = {
            name: c.name,
            interval: c.interval ?? "1m",
            input_series: c.series,
            alert_rule_test: (c.alerts ?? []).map((a) => ({ eval_time: a.at, alertname: a.alertname, exp_alerts: a.expect.map((exp_labels) => ({ exp_labels })) })),
            promql_expr_test: (c.exprs ?? []).map((e) => ({
                expr: `round(${e.expr}, ${e.roundTo ?? 0.0001})`,
                eval_time: e.at,
                exp_samples: e.expect.map((x) => ({ labels: `{${Object.entries(x.labels).map(([k, v]) => `${k}="${v}"`).join(", ")}}`, value: x.value })),
            })),
        };
        const text = yaml.dump({ rule_files: needed.map((g) => names.get(g)!), evaluation_interval: c.evaluationInterval ?? "1m", tests: [test] }, { lineWidth: -1 });
        files[`case-${hash(text)}.yaml`] = text;
    }
    return files;
}

export function runPromtoolTests(files: Record<string, string>, makeDir: (files: Record<string, string>) => string): { code: number; output: string } {
    const dir = makeDir(files);
    return runTool("promtool", "prometheus", ["test", "rules", ...Object.keys(files).filter((f) => f.startsWith("case-")).sort()], dir);
}

/** Metric names and label names an expression reads (selectors, matchers, grouping and matching labels). */
export function exprReads(expr: string): { metrics: { name: string; matchers: string[] }[]; grouping: string[] } {
    const metrics: { name: string; matchers: string[] }[] = [];
    const grouping: string[] = [];
    const tree = promql.parse(expr);
    tree.iterate({
        enter: (n) => {
            if (n.name === "VectorSelector") {
                let name = "";
                const matchers: string[] = [];
                const node = n.node;
                const id = node.getChild("Identifier");
                if (id) name = expr.slice(id.from, id.to);
                for (const m of node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
                    const label = expr.slice(m.getChild("LabelName")!.from, m.getChild("LabelName")!.to);
                    const value = JSON.parse(expr.slice(m.getChild("StringLiteral")!.from, m.getChild("StringLiteral")!.to));
                    if (label === "__name__") name = String(value).replace(/\(_total\)\?$/, "");
                    else matchers.push(label);
                }
                metrics.push({ name, matchers });
                return false;
            }
            if (n.name === "GroupingLabels") {
                for (const l of n.node.getChildren("LabelName")) grouping.push(expr.slice(l.from, l.to));
            }
            return undefined;
        },
    });
    return { metrics, grouping };
}

/** Series Prometheus itself writes, with the labels they carry. */
const PROMETHEUS_SERIES: Record<string, string[]> = {
    up: [...new Set(Object.values(SCRAPES).flatMap((s) => Object.keys(s.target)))],
    ALERTS: ["alertname", "alertstate", "severity", "namespace"],
};

export function labelProblems(groups: RuleGroup[]): string[] {
    const records = new Map(groups.flatMap((g) => g.rules).filter((r): r is RecordingRule => !isAlert(r)).map((r) => [r.record, Object.keys(r.labels ?? {})]));
    const problems: string[] = [];
    for (const r of groups.flatMap((g) => g.rules)) {
        const { metrics, grouping } = exprReads(r.expr);
        const available = new Set<string>();
        for (const m of metrics) {
            if (!m.name) continue;
            const labels = PROMETHEUS_SERIES[m.name] ?? records.get(m.name) ?? (factOf(m.name) ? labelNamesOf(m.name) : undefined);
            if (!labels) {
                problems.push(`${isAlert(r) ? r.alert : r.record}: ${m.name} is not a series any pinned exporter writes`);
                continue;
            }
            labels.forEach((l) => available.add(l));
            for (const l of m.matchers) if (!labels.includes(l)) problems.push(`${isAlert(r) ? r.alert : r.record}: ${m.name} has no label ${l} (it has ${labels.join(", ")})`);
        }
        for (const l of grouping) if (!available.has(l)) problems.push(`${isAlert(r) ? r.alert : r.record}: groups or matches on ${l}, which none of its series has`);
    }
    return problems;
}
