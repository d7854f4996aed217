/**
 * Alert rules, SLOs, Alertmanager config and dashboards, proven with the real tools: promtool
 * (Debian `prometheus`) checks and unit-tests the rules the stacks deploy; amtool (Debian
 * `prometheus-alertmanager`) checks each stack's Alertmanager config; the PromQL and LogQL of
 * every rule and dashboard parse with the Prometheus and Grafana Lezer grammars.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parser as promqlParser } from "@prometheus-io/lezer-promql";
import { parser as logqlParser } from "@grafana/lezer-logql";
import { API_SERVER_SLO } from "../../components/observability/alerts";
import { RUNBOOK_PAGES } from "../../components/observability/alerts/rules";
import { BUDGET_REMAINING_RECORD, BURN_CONDITIONS, sloRuleGroup, sloWindow } from "../../components/observability/alerts/slo";
import { AlertRule, RecordingRule, RuleGroup } from "../../components/observability/alerts/types";
import { database, platformDashboards } from "../../components/observability/dashboards";
import { series } from "../harness/series";
import { BuiltStack, builtStack, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { runTool } from "../harness/tools";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("platform-test-");

const parseErrors = (p: typeof promqlParser, expr: string) => {
    let n = 0;
    p.parse(expr).iterate({ enter: (node) => void (node.type.isError && n++) });
    return n;
};

async function deployedGroups(s: BuiltStack): Promise<RuleGroup[]> {
    return s.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups as RuleGroup[]);
}

/** The rule file with annotations removed: promtool's unit tests compare annotations verbatim, and they do not affect when an alert fires. */
function withoutAnnotations(groups: RuleGroup[]): object[] {
    return groups.map((g) => ({ ...g, rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: undefined } : r)) }));
}

describe("alert rules with promtool", () => {
    for (const stack of STACKS) {
        it(`${stack}: promtool check rules passes on every deployed PrometheusRule`, async () => {
            const groups = await deployedGroups(await builtStack(stack));
            assert.ok(groups.length >= 7);
            const dir = tmp.files({ "rules.yaml": yaml.dump({ groups }) });
            const r = runTool("promtool", "prometheus", ["check", "rules", "rules.yaml"], dir);
            assert.equal(r.code, 0, r.output);
            assert.match(r.output, /SUCCESS: \d+ rules found/);
        });
    }

    it("promtool check rules rejects a broken expression (the check can fail)", () => {
        const dir = tmp.files({ "bad.yaml": yaml.dump({ groups: [{ name: "g", rules: [{ alert: "A", expr: "sum(rate(x[5m])" }] }] }) });
        assert.notEqual(runTool("promtool", "prometheus", ["check", "rules", "bad.yaml"], dir).code, 0);
    });

    it("promtool test rules fails when an expected alert does not fire (the test can fail)", async () => {
        const groups = withoutAnnotations([sloRuleGroup({ ...API_SERVER_SLO, runbookUrl: "https://x/slo.md" })]);
        const test = { interval: "1m", input_series: [{ series: 'apiserver_request_total{job="apiserver", code="200"}', values: "0+1000x60" }], alert_rule_test: [{ eval_time: "10m", alertname: "ErrorBudgetBurn", exp_alerts: [{ exp_labels: { severity: "critical" } }] }] };
        const dir = tmp.files({ "rules.yaml": yaml.dump({ groups }), "tests.yaml": yaml.dump({ rule_files: ["rules.yaml"], tests: [test] }) });
        assert.notEqual(runTool("promtool", "prometheus", ["test", "rules", "tests.yaml"], dir).code, 0);
    });
});

describe("SLO generator", () => {
    const group = sloRuleGroup({ ...API_SERVER_SLO, runbookUrl: "https://x/slo.md#errorbudgetburn" });
    const records = (g: RuleGroup) => g.rules.filter((r): r is RecordingRule => "record" in r);
    it("records the error ratio for every window the alerts use, and the SLO window", () => {
        const names = records(group).map((r) => r.record);
        for (const w of ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]) assert.ok(names.includes(`slo:sli_error:ratio_rate${w}`), w);
        assert.deepEqual(records(group).find((r) => r.record === BUDGET_REMAINING_RECORD)!.labels, { slo: "apiserver-availability", service: "kube-apiserver", window: "30d" });
    });
    it("uses the SRE workbook's four window pairs and factors, one alert rule per pair", () => {
        assert.deepEqual(BURN_CONDITIONS.map((c) => [c.severity, c.factor, c.long, c.short]), [
            ["critical", 14.4, "1h", "5m"], ["critical", 6, "6h", "30m"], ["warning", 3, "1d", "2h"], ["warning", 1, "3d", "6h"],
        ]);
        const burns = group.rules.filter((r): r is AlertRule => "alert" in r);
        assert.deepEqual(burns.map((b) => [b.labels.severity, b.labels.window]), [["critical", "1h"], ["critical", "6h"], ["warning", "1d"], ["warning", "3d"]]);
        assert.match(burns[0].expr, /slo:sli_error:ratio_rate1h\{slo="apiserver-availability"\} > 14\.4 \* 0\.001\nand\nslo:sli_error:ratio_rate5m/);
    });
    it("refuses an objective outside (0, 1), a name that is not a DNS label, an SLI without $window and a retention under 3d", () => {
        const base = { ...API_SERVER_SLO, runbookUrl: "u" };
        assert.throws(() => sloRuleGroup({ ...base, objective: 99.9 }), /objective 99\.9 must be between 0 and 1/);
        assert.throws(() => sloRuleGroup({ ...base, name: "Bad_Name" }), /must be a DNS label/);
        assert.throws(() => sloRuleGroup({ ...base, good: "sum(rate(x[5m]))" }), /good must contain \$window/);
        assert.throws(() => sloRuleGroup(base, "2d"), /retention 2d is shorter than 3d/);
    });
    it("the SLO window is what Prometheus keeps: 30d asked, cut to the retention", () => {
        assert.deepEqual([sloWindow(undefined, "30d"), sloWindow(undefined, "7d"), sloWindow(undefined, "3d"), sloWindow("7d", "90d"), sloWindow(undefined, "1w"), sloWindow(undefined, "72h")], ["30d", "7d", "3d", "7d", "7d", "3d"]);
    });
    for (const stack of STACKS) {
        it(`${stack}: the deployed error budget covers no more than Prometheus's retention`, async () => {
            const s = await builtStack(stack);
            const slo = (await deployedGroups(s)).find((g) => g.name === "slo-apiserver-availability")!;
            const retention = s.config.observability.prometheus.retention;
            const budget = records(slo).find((r) => r.record === BUDGET_REMAINING_RECORD)!;
            assert.equal(budget.labels!.window, { dev: "3d", staging: "7d", prod: "30d" }[stack]);
            assert.ok(!records(slo).some((r) => /ratio_rate30d$/.test(r.record)) || retention === "30d", `${stack} keeps ${retention} but records a 30d ratio`);
            for (const b of slo.rules.filter((r): r is AlertRule => "alert" in r)) assert.match(b.annotations.description, new RegExp(`over ${budget.labels!.window}\\)`));
        });
    }

    it("each burn alert's text names the windows that matched and the value over the long one (promtool renders it)", () => {
        // 15 errors per 1000 requests: 15x the 99.9% budget; after 10 minutes both page pairs fire.
        const g = sloRuleGroup({ ...API_SERVER_SLO, runbookUrl: "https://x/slo.md" }, "30d");
        const traffic = [
            series("apiserver_request_total", { code: "200", verb: "GET", resource: "pods", scope: "namespace" }, "0+985x20"),
            series("apiserver_request_total", { code: "500", verb: "GET", resource: "pods", scope: "namespace" }, "0+15x20"),
        ];
        const labels = { severity: "critical", slo: "apiserver-availability", service: "kube-apiserver", kind: "page" };
        const summary = "kube-apiserver is burning its error budget 14.4x too fast (page)";
        const test = {
            interval: "1m", input_series: traffic,
            alert_rule_test: [{
                eval_time: "10m", alertname: "ErrorBudgetBurn",
                exp_alerts: [
                    { exp_labels: { ...labels, window: "1h" }, exp_annotations: { summary, runbook_url: "https://x/slo.md", description: "SLO apiserver-availability (99.9% over 30d): the error ratio over the last 1h is 1.5%, and over the last 5m it is also above 1.44% (14.4 times the budget rate). At this rate the 30d budget is spent in 2d2h." } },
                    { exp_labels: { ...labels, window: "6h" }, exp_annotations: { summary: summary.replace("14.4x", "6x"), runbook_url: "https://x/slo.md", description: "SLO apiserver-availability (99.9% over 30d): the error ratio over the last 6h is 1.5%, and over the last 30m it is also above 0.6% (6 times the budget rate). At this rate the 30d budget is spent in 5d." } },
                ],
            }],
        };
        const dir = tmp.files({ "rules.yaml": yaml.dump({ groups: [g] }), "tests.yaml": yaml.dump({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests: [test] }) });
        const r = runTool("promtool", "prometheus", ["test", "rules", "tests.yaml"], dir);
        assert.equal(r.code, 0, r.output);
    });
});

describe("alert metadata", () => {
    it("every platform alert has severity, summary, description and a runbook link to an existing page and heading", async () => {
        const groups = await deployedGroups(await builtStack("prod"));
        const alerts = groups.flatMap((g) => g.rules).filter((r) => "alert" in r);
        assert.ok(alerts.length >= 15);
        for (const a of alerts) {
            if (!("alert" in a)) continue;
            // `none` only for the meta alerts routed to the dead man's switch or to no one.
            assert.ok(["critical", "warning", "info"].includes(a.labels.severity) || (a.labels.severity === "none" && ["Watchdog", "InfoInhibitor"].includes(a.alert)), a.alert);
            assert.ok(a.annotations.summary && a.annotations.description, a.alert);
            const m = /\/docs\/runbooks\/([a-z-]+\.md)#([a-z0-9-]+)$/.exec(a.annotations.runbook_url);
            assert.ok(m, `${a.alert}: ${a.annotations.runbook_url}`);
            const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "runbooks", m[1]), "utf8");
            assert.ok(text.split("\n").some((l) => l.startsWith("## ") && l.slice(3).trim().toLowerCase() === m[2]), `${m[1]} has a heading for #${m[2]}`);
        }
        assert.deepEqual(Object.keys(RUNBOOK_PAGES).sort(), [...new Set(alerts.map((a) => ("alert" in a ? a.alert : "")))].sort());
    });

    it("docs/observability.md lists every alert the stacks deploy and every CloudWatch alarm, with its cases", async () => {
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "observability.md"), "utf8");
        const rows = new Map(doc.split("\n").filter((l) => /^\| `[^`]+`/.test(l)).map((l) => [/^\| `([^`]+)`/.exec(l)![1], l]));
        for (const stack of STACKS) {
            const s = await builtStack(stack);
            for (const a of (await deployedGroups(s)).flatMap((g) => g.rules)) {
                if (!("alert" in a)) continue;
                assert.ok(rows.has(a.alert), `${a.alert} is not in docs/observability.md`);
                assert.match(rows.get(a.alert)!, /\.ts/, `${a.alert}: the row names the cases' file`);
            }
            for (const alarm of s.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.parent === "platform:observability:CloudWatchAlarms::cloudwatch-alarms")) {
                const id = alarm.inputs.name.replace(/^platform-\w+-(critical|warning)-/, "");
                assert.ok([...rows.keys()].some((k) => k.split(/`, `/).includes(id) || k === id) || doc.includes(`\`${id}\``), `${id} is not in docs/observability.md`);
            }
        }
    });

    it("every rule expression parses as PromQL", async () => {
        for (const g of await deployedGroups(await builtStack("prod"))) {
            for (const r of g.rules) assert.equal(parseErrors(promqlParser, r.expr), 0, r.expr);
        }
        assert.ok(parseErrors(promqlParser, "sum(rate(x[5m])") > 0, "the parser reports a broken expression");
    });
});

describe("dashboards as code", () => {
    const dashboards = [...platformDashboards(), database("platform-prod-postgres", { instanceIdentifier: "platform-prod-postgres-dr", region: "eu-central-1" })];
    it("five dashboards: cluster, workload RED, rollouts, SLO, and the database one once the database exists", () => {
        assert.deepEqual(dashboards.map((d) => d.uid), ["platform-cluster", "platform-workload-red", "platform-rollouts", "platform-slo", "platform-database"]);
    });
    it("every PromQL target and variable query parses, every LogQL target parses", () => {
        let prom = 0;
        let logs = 0;
        for (const d of dashboards) {
            for (const p of d.panels) {
                for (const t of p.targets) {
                    if (t.kind === "promql") {
                        assert.equal(parseErrors(promqlParser, t.expr), 0, `${d.uid} ${p.title}: ${t.expr}`);
                        prom++;
                    }
                    if (t.kind === "logql") {
                        assert.equal(parseErrors(logqlParser as unknown as typeof promqlParser, t.expr), 0, `${d.uid} ${p.title}: ${t.expr}`);
                        logs++;
                    }
                }
            }
            // label_values() is Grafana syntax around a PromQL selector.
            for (const q of Object.values(d.variables ?? {})) assert.equal(parseErrors(promqlParser, q.replace(/^label_values\((.*), *\w+\)$/, "$1")), 0, q);
        }
        assert.ok(prom >= 20 && logs >= 2, `${prom} PromQL, ${logs} LogQL targets`);
        assert.ok(parseErrors(logqlParser as unknown as typeof promqlParser, "sum(count_over_time({a=\"b\"}[5m])") > 0);
    });
    it("queries use metrics the installed exporters produce", () => {
        const known = /^(kube_|node_|container_|apiserver_|http_request_duration_seconds|rollout_|analysis_run_|slo:)/;
        for (const d of dashboards) {
            for (const p of d.panels) {
                for (const t of p.targets) {
                    if (t.kind !== "promql") continue;
                    const metrics = t.expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{|\[|\s*\)|\s*\/|\s*$)/g)?.filter((m) => !/^(sum|rate|avg|by|on|increase|histogram_quantile|le|pod|instance|namespace|phase|name|reason|slo)$/.test(m)) ?? [];
                    for (const m of metrics) assert.match(m, known, `${d.uid} ${p.title}: ${m}`);
                }
                for (const t of p.targets) if (t.kind === "cloudwatch") assert.ok(["CPUUtilization", "DatabaseConnections", "FreeStorageSpace", "ReadLatency", "WriteLatency", "FreeableMemory", "ReplicaLag"].includes(t.metric));
            }
        }
    });
});
