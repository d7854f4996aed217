/**
 * The Alertmanager configuration of every stack with the real tools: `amtool check-config`, a routing
 * test (`amtool config routes test`) for every route, and a real Alertmanager (Debian's 0.25) that
 * shows the dead man's switch heartbeat arriving, inhibition keyed per SLO, and a failing integration
 * that nobody else can report stopping the heartbeat.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { alertmanagerConfig, DEAD_MANS_SWITCH_RECEIVER, integrationsWithoutAlternative, ReceiverSpec } from "../../components/observability/alertmanager-config";
import { BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";
import { eventually, forAlertmanager025, recordingServer, startAlertmanager } from "../harness/alertmanager";
import { fact } from "../harness/series";
import { runTool } from "../harness/tools";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("platform-am-");
const amConfig = (s: BuiltStack) => s.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!.inputs.values.alertmanager.config;
const amtool = (args: string[], dir: string) => runTool("amtool", "prometheus-alertmanager", args, dir);

/** The receivers an alert with these labels is routed to, by amtool. */
function routesTo(configFile: string, labels: Record<string, string>): string[] {
    const r = amtool(["config", "routes", "test", `--config.file=${configFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)], path.dirname(configFile));
    assert.equal(r.code, 0, r.output);
    // amtool prints the receivers on one line, and a warning that --config.file overrides --alertmanager.url.
    const line = r.output.split("\n").find((l) => l.trim() && !l.startsWith("Warning:")) ?? "";
    return line.split(",").map((x) => x.trim()).sort();
}

/** Expected routing of each stack (the receivers in Pulumi.<stack>.yaml). */
const ROUTING: Record<string, [string, Record<string, string>, string[]][]> = {
    dev: [
        ["Watchdog (no dead man's switch in dev)", { alertname: "Watchdog", severity: "none" }, ["null"]],
        ["InfoInhibitor to no one", { alertname: "InfoInhibitor", severity: "none", namespace: "apps" }, ["null"]],
        ["a critical alert (no receivers in dev)", { alertname: "KubeAPIErrorsHigh", severity: "critical" }, ["null"]],
    ],
    staging: [
        ["Watchdog to the dead man's switch", { alertname: "Watchdog", severity: "none" }, [DEAD_MANS_SWITCH_RECEIVER]],
        ["InfoInhibitor to no one", { alertname: "InfoInhibitor", severity: "none", namespace: "apps" }, ["null"]],
        ["a critical alert to Slack", { alertname: "KubeAPIErrorsHigh", severity: "critical" }, ["oncall-slack"]],
        ["a warning to Slack", { alertname: "PodNotReady", severity: "warning", namespace: "apps" }, ["oncall-slack"]],
        ["an info alert to no one", { alertname: "CPUThrottlingHigh", severity: "info", namespace: "apps" }, ["null"]],
        ["Slack failing: no other receiver (the heartbeat stops instead)", { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "slack" }, ["null"]],
        ["the heartbeat webhook failing: to Slack", { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "webhook" }, ["oncall-slack"]],
    ],
    prod: [
        ["Watchdog to the dead man's switch", { alertname: "Watchdog", severity: "none" }, [DEAD_MANS_SWITCH_RECEIVER]],
        ["InfoInhibitor to no one", { alertname: "InfoInhibitor", severity: "none", namespace: "apps" }, ["null"]],
        ["a critical alert to PagerDuty", { alertname: "ErrorBudgetBurn", severity: "critical", slo: "apiserver-availability" }, ["pagerduty"]],
        ["a warning to Slack", { alertname: "PodNotReady", severity: "warning", namespace: "apps" }, ["oncall-slack"]],
        ["Slack failing: to PagerDuty, not to Slack", { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "slack" }, ["pagerduty"]],
        ["PagerDuty failing: to Slack, not to PagerDuty", { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "pagerduty" }, ["oncall-slack"]],
        ["the heartbeat webhook failing: to PagerDuty and Slack", { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "webhook" }, ["oncall-slack", "pagerduty"]],
    ],
};

/** Every route (depth first) as its matchers, to check each is exercised by a routing case. */
function routes(route: any, trail: string[] = []): string[][] {
    return (route.routes ?? []).flatMap((r: any) => [[...trail, ...(r.matchers ?? [])], ...routes(r, [...trail, ...(r.matchers ?? [])])]);
}

for (const stack of STACKS) {
    describe(`${stack}: Alertmanager config`, () => {
        let s: BuiltStack;
        let file: string;
        before(async () => {
            s = await builtStack(stack);
            const dir = tmp();
            file = path.join(dir, "alertmanager.yaml");
            fs.writeFileSync(file, yaml.dump(forAlertmanager025(amConfig(s), dir)));
        });

        it("amtool check-config passes", () => {
            const r = amtool(["check-config", file], path.dirname(file));
            assert.equal(r.code, 0, r.output);
            assert.match(r.output, /SUCCESS/);
        });

        it("webhook receivers use only fields Alertmanager 0.34 (the chart's) knows, and read their URL from the mounted Secret", () => {
            const known = fact<string[]>("alertmanager.webhookConfigFields");
            for (const r of amConfig(s).receivers) {
                for (const w of r.webhook_configs ?? []) {
                    for (const k of Object.keys(w)) assert.ok(known.includes(k), `${r.name}: ${k}`);
                    assert.match(w.url_file, /^\/etc\/alertmanager\/secrets\/alertmanager-receivers\//);
                }
            }
        });

        it("every route sends its alerts where expected (amtool config routes test), and every route is tested", () => {
            const exercised = new Set<string>();
            for (const [what, labels, expected] of ROUTING[stack]) {
                assert.deepEqual(routesTo(file, labels), expected, what);
                for (const r of routes(amConfig(s).route)) {
                    const ok = r.every((m) => {
                        const [, k, op, v] = /^(\w+) (=~|=) "(.*)"$/.exec(m)!;
                        return op === "=" ? labels[k] === v : new RegExp(`^(?:${v})$`).test(labels[k] ?? "");
                    });
                    if (ok) exercised.add(r.join(", "));
                }
            }
            assert.deepEqual(routes(amConfig(s).route).map((r) => r.join(", ")).filter((r) => !exercised.has(r)), []);
        });
    });
}

describe("Alertmanager routing logic", () => {
    const pd: ReceiverSpec = { name: "pd", type: "pagerduty", severities: ["critical"], secretKey: "pdKey" };
    const chat: ReceiverSpec = { name: "chat", type: "slack", severities: ["warning"], secretKey: "slackUrl" };
    it("reads every credential from the mounted Secret and never renders one", () => {
        const cfg = alertmanagerConfig([pd, chat], "alertmanager-receivers", { secretKey: "dms" }) as any;
        const by = Object.fromEntries(cfg.receivers.map((r: any) => [r.name, r]));
        assert.equal(by.pd.pagerduty_configs[0].routing_key_file, "/etc/alertmanager/secrets/alertmanager-receivers/pdKey");
        assert.equal(by.chat.slack_configs[0].api_url_file, "/etc/alertmanager/secrets/alertmanager-receivers/slackUrl");
        assert.equal(by[DEAD_MANS_SWITCH_RECEIVER].webhook_configs[0].url_file, "/etc/alertmanager/secrets/alertmanager-receivers/dms");
        assert.doesNotMatch(JSON.stringify(cfg), /hooks\.slack\.com|hc-ping|placeholder/);
    });
    it("an integration no other receiver can report is the one whose failure stops the heartbeat", () => {
        assert.deepEqual(integrationsWithoutAlternative([pd, chat], { secretKey: "d" }), []);
        assert.deepEqual(integrationsWithoutAlternative([chat], { secretKey: "d" }), ["slack"]);
        assert.deepEqual(integrationsWithoutAlternative([], { secretKey: "d" }), ["webhook"]);
    });
    it("amtool rejects a config routing to an unknown receiver (the check can fail)", () => {
        const dir = tmp.files({ "am.yaml": yaml.dump({ route: { receiver: "nobody" }, receivers: [{ name: "null" }] }) });
        assert.notEqual(amtool(["check-config", "am.yaml"], dir).code, 0);
    });
});

describe("a real Alertmanager with the stacks' configs", function () {
    this.timeout(60000);

    async function running(stack: string) {
        const dir = tmp();
        const heartbeat = await recordingServer();
        const file = path.join(dir, "am.yaml");
        fs.writeFileSync(file, yaml.dump(forAlertmanager025(amConfig(await builtStack(stack)), dir, { [DEAD_MANS_SWITCH_RECEIVER]: heartbeat.url })));
        return { am: await startAlertmanager(file, dir), heartbeat };
    }
    const state = (alerts: Awaited<ReturnType<Awaited<ReturnType<typeof running>>["am"]["alerts"]>>, labels: Record<string, string>) =>
        alerts.find((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v))?.status.state;

    it("prod: the Watchdog reaches the heartbeat URL", async () => {
        const { am, heartbeat } = await running("prod");
        try {
            await am.post([{ labels: { alertname: "Watchdog", severity: "none" } }]);
            assert.ok(await eventually(async () => heartbeat.bodies.length > 0), "the heartbeat arrived");
            assert.equal((heartbeat.bodies[0] as any).alerts[0].labels.alertname, "Watchdog");
        } finally {
            am.stop();
            await heartbeat.close();
        }
    });

    it("prod: one SLO's page inhibits its own ticket, not another SLO's", async () => {
        const { am, heartbeat } = await running("prod");
        try {
            const burn = (slo: string, severity: string, window: string) => ({ labels: { alertname: "ErrorBudgetBurn", slo, severity, window, service: slo } });
            await am.post([burn("orders", "critical", "1h"), burn("orders", "warning", "1d"), burn("checkout", "warning", "1d")]);
            assert.ok(await eventually(async () => state(await am.alerts(), { slo: "orders", severity: "warning" }) === "suppressed"), "orders' ticket is inhibited by orders' page");
            const alerts = await am.alerts();
            assert.equal(state(alerts, { slo: "checkout", severity: "warning" }), "active", "checkout's ticket is not inhibited by orders' page");
            assert.equal(state(alerts, { slo: "orders", severity: "critical" }), "active");
        } finally {
            am.stop();
            await heartbeat.close();
        }
    });

    it("staging: Slack failing (no other receiver) inhibits the Watchdog, so the dead man's switch pages; in prod it does not", async () => {
        for (const [stack, inhibited] of [["staging", true], ["prod", false]] as const) {
            const { am, heartbeat } = await running(stack);
            try {
                await am.post([{ labels: { alertname: "Watchdog", severity: "none" } }, { labels: { alertname: "AlertmanagerFailedToSendAlerts", severity: "warning", integration: "slack" } }]);
                const expected = inhibited ? "suppressed" : "active";
                assert.ok(await eventually(async () => state(await am.alerts(), { alertname: "Watchdog" }) === expected), `${stack}: Watchdog ${expected}`);
            } finally {
                am.stop();
                await heartbeat.close();
            }
        }
    });
});
