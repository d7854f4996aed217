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
import { alertmanagerConfig } from "../../components/observability/alertmanager-config";
import { API_SERVER_SLO } from "../../components/observability/alerts";
import { RUNBOOK_PAGES } from "../../components/observability/alerts/rules";
import { BURN_CONDITIONS, sloRuleGroup } from "../../components/observability/alerts/slo";
import { RuleGroup } from "../../components/observability/alerts/types";
import { platformDashboards } from "../../components/observability/dashboards";
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

    it("SLO burn-rate alerts fire at their burn rate and stay silent below it; crash-loop and PVC alerts fire on crafted series", async () => {
        const prod = await builtStack("prod");
        const groups = withoutAnnotations(await deployedGroups(prod));
        // 1000 requests per minute; `ratio` of them fail. Budget of a 99.9% SLO = 0.1%, so burn = ratio / 0.001.
        const traffic = (burn: number) => {
            const errors = burn; // errors per minute at 1000 req/min and a 0.1% budget
            return [
                { series: 'apiserver_request_total{job="apiserver", code="200"}', values: `0+${1000 - errors}x200` },
                { series: 'apiserver_request_total{job="apiserver", code="500"}', values: `0+${errors}x200` },
            ];
        };
        const slo = { slo: "apiserver-availability", service: "kube-apiserver" };
        const page = { severity: "critical", kind: "page", ...slo };
        const ticket = { severity: "warning", kind: "ticket", ...slo };
        const burnTest = (burn: number, atMinutes: number, expected: Record<string, string>[]) => ({
            interval: "1m",
            input_series: traffic(burn),
            alert_rule_test: [{ eval_time: `${atMinutes}m`, alertname: "ErrorBudgetBurn", exp_alerts: expected.map((exp_labels) => ({ exp_labels })) }],
        });
        const tests = [
            burnTest(15, 10, [page]), // 15x: above 14.4x over 1h and 5m
            burnTest(7, 10, [page]), // 7x: below 14.4x, above 6x over 6h and 30m
            burnTest(5, 10, []), // 5x: below both page thresholds
            burnTest(5, 30, [ticket]), // 5x: above 3x over 1d and 2h, after `for: 15m`
            burnTest(2, 30, [ticket]), // 2x: above 1x over 3d and 6h
            burnTest(0.5, 30, []), // 0.5x: spends less than the budget, silent
            {
                interval: "1m",
                input_series: [
                    { series: 'kube_pod_container_status_waiting_reason{job="kube-state-metrics", reason="CrashLoopBackOff", namespace="apps", pod="web-1", container="web"}', values: "1x40" },
                    { series: 'kube_pod_container_status_waiting_reason{job="kube-state-metrics", reason="CrashLoopBackOff", namespace="apps", pod="web-2", container="web"}', values: "0x40" },
                ],
                alert_rule_test: [
                    { eval_time: "10m", alertname: "PodCrashLooping", exp_alerts: [] },
                    { eval_time: "25m", alertname: "PodCrashLooping", exp_alerts: [{ exp_labels: { severity: "warning", job: "kube-state-metrics", reason: "CrashLoopBackOff", namespace: "apps", pod: "web-1", container: "web" } }] },
                ],
            },
            {
                interval: "1m",
                input_series: [
                    // 100 GiB volume with 14 GiB free, losing 10 MiB a minute: empty in about 1.4 days.
                    { series: 'kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="apps", persistentvolumeclaim="data"}', values: "107374182400x200" },
                    { series: 'kubelet_volume_stats_available_bytes{job="kubelet", namespace="apps", persistentvolumeclaim="data"}', values: "15032385536-10485760x200" },
                    // Same free space but stable: must stay silent.
                    { series: 'kubelet_volume_stats_capacity_bytes{job="kubelet", namespace="apps", persistentvolumeclaim="steady"}', values: "107374182400x200" },
                    { series: 'kubelet_volume_stats_available_bytes{job="kubelet", namespace="apps", persistentvolumeclaim="steady"}', values: "15032385536x200" },
                ],
                alert_rule_test: [
                    { eval_time: "30m", alertname: "PersistentVolumeFillingUp", exp_alerts: [] },
                    { eval_time: "90m", alertname: "PersistentVolumeFillingUp", exp_alerts: [{ exp_labels: { severity: "warning", job: "kubelet", namespace: "apps", persistentvolumeclaim: "data" } }] },
                ],
            },
        ];
        const dir = tmp.files({
            "rules.yaml": yaml.dump({ groups }),
            "tests.yaml": yaml.dump({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }),
        });
        const r = runTool("promtool", "prometheus", ["test", "rules", "tests.yaml"], dir);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /SUCCESS/);
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
    it("records the error ratio for every window the alerts use, and the 30d window", () => {
        const records = group.rules.filter((r) => "record" in r).map((r) => ("record" in r ? r.record : ""));
        for (const w of ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]) assert.ok(records.includes(`slo:sli_error:ratio_rate${w}`), w);
    });
    it("uses the SRE workbook's four window pairs and factors", () => {
        assert.deepEqual(BURN_CONDITIONS.map((c) => [c.severity, c.factor, c.long, c.short]), [
            ["critical", 14.4, "1h", "5m"], ["critical", 6, "6h", "30m"], ["warning", 3, "1d", "2h"], ["warning", 1, "3d", "6h"],
        ]);
        const page = group.rules.find((r) => "alert" in r && r.labels.severity === "critical")!;
        assert.match(page.expr, /slo:sli_error:ratio_rate1h\{slo="apiserver-availability"\} > 14\.4 \* 0\.001 and slo:sli_error:ratio_rate5m/);
    });
    it("refuses an objective outside (0, 1), a name that is not a DNS label and an SLI without $window", () => {
        const base = { ...API_SERVER_SLO, runbookUrl: "u" };
        assert.throws(() => sloRuleGroup({ ...base, objective: 99.9 }), /objective 99\.9 must be between 0 and 1/);
        assert.throws(() => sloRuleGroup({ ...base, name: "Bad_Name" }), /must be a DNS label/);
        assert.throws(() => sloRuleGroup({ ...base, good: "sum(rate(x[5m]))" }), /good must contain \$window/);
    });
});

describe("alert metadata", () => {
    it("every platform alert has severity, summary, description and a runbook link to an existing page and heading", async () => {
        const groups = await deployedGroups(await builtStack("prod"));
        const alerts = groups.flatMap((g) => g.rules).filter((r) => "alert" in r);
        assert.ok(alerts.length >= 15);
        for (const a of alerts) {
            if (!("alert" in a)) continue;
            assert.ok(["critical", "warning", "info"].includes(a.labels.severity), a.alert);
            assert.ok(a.annotations.summary && a.annotations.description, a.alert);
            const m = /\/docs\/runbooks\/([a-z-]+\.md)#([a-z0-9-]+)$/.exec(a.annotations.runbook_url);
            assert.ok(m, `${a.alert}: ${a.annotations.runbook_url}`);
            const text = fs.readFileSync(path.join(REPO_ROOT, "docs", "runbooks", m[1]), "utf8");
            assert.ok(text.split("\n").some((l) => l.startsWith("## ") && l.slice(3).trim().toLowerCase() === m[2]), `${m[1]} has a heading for #${m[2]}`);
        }
        assert.deepEqual(Object.keys(RUNBOOK_PAGES).sort(), [...new Set(alerts.map((a) => ("alert" in a ? a.alert : "")))].sort());
    });

    it("every rule expression parses as PromQL", async () => {
        for (const g of await deployedGroups(await builtStack("prod"))) {
            for (const r of g.rules) assert.equal(parseErrors(promqlParser, r.expr), 0, r.expr);
        }
        assert.ok(parseErrors(promqlParser, "sum(rate(x[5m])") > 0, "the parser reports a broken expression");
    });
});

describe("dashboards as code", () => {
    const dashboards = platformDashboards("platform-prod-postgres");
    it("five dashboards: cluster, workload RED, database, rollouts, SLO", () => {
        assert.deepEqual(dashboards.map((d) => d.uid), ["platform-cluster", "platform-workload-red", "platform-database", "platform-rollouts", "platform-slo"]);
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

describe("Alertmanager config with amtool", () => {
    for (const stack of STACKS) {
        it(`${stack}: amtool check-config passes on the deployed config`, async () => {
            const s = await builtStack(stack);
            const kps = s.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!;
            const dir = tmp.files({ "alertmanager.yaml": yaml.dump(kps.inputs.values.alertmanager.config) });
            const r = runTool("amtool", "prometheus-alertmanager", ["check-config", "alertmanager.yaml"], dir);
            assert.equal(r.code, 0, r.output);
            assert.match(r.output, /SUCCESS/);
        });
    }
    it("routes by severity with credentials read from files, and critical inhibits warning", () => {
        const cfg = alertmanagerConfig([{ name: "pd", type: "pagerduty", severities: ["critical"], secretKey: "pdKey" }, { name: "chat", type: "slack", severities: ["warning"], secretKey: "slackUrl" }], "alertmanager-receivers") as any;
        assert.deepEqual(cfg.route.routes.map((r: any) => [r.receiver, r.matchers[0]]), [
            ["null", 'alertname = "Watchdog"'], ["null", 'alertname = "InfoInhibitor"'], ["pd", 'severity =~ "critical"'], ["chat", 'severity =~ "warning"'],
        ]);
        assert.equal(cfg.receivers[1].pagerduty_configs[0].routing_key_file, "/etc/alertmanager/secrets/alertmanager-receivers/pdKey");
        assert.equal(cfg.receivers[2].slack_configs[0].api_url_file, "/etc/alertmanager/secrets/alertmanager-receivers/slackUrl");
        assert.deepEqual(cfg.inhibit_rules[0], { source_matchers: ['severity = "critical"'], target_matchers: ['severity =~ "warning|info"'], equal: ["namespace", "alertname"] });
        assert.doesNotMatch(JSON.stringify(cfg), /hooks\.slack\.com|placeholder/);
    });
    it("amtool rejects a config routing to an unknown receiver (the check can fail)", () => {
        const dir = tmp.files({ "am.yaml": yaml.dump({ route: { receiver: "nobody" }, receivers: [{ name: "null" }] }) });
        assert.notEqual(runTool("amtool", "prometheus-alertmanager", ["check-config", "am.yaml"], dir).code, 0);
    });
});
