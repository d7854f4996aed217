/**
 * CloudWatch alarms for RDS (the primary, and the replica in the DR region, from the DR component's
 * output) and OpenSearch, and their delivery to the stack's receivers: each alarm state change event
 * matches the rules of exactly the receivers that take its severity, in the alarm's region, and the
 * input transformer turns it into a valid PagerDuty Events v2 / Slack / webhook body.
 */
import * as assert from "node:assert/strict";
import { alarmSpecs, eventBridgeName, eventPattern, inputTemplate, INPUT_PATHS, PAGERDUTY_EVENTS_URL } from "../../components/observability/cloudwatch";
import { BuiltStack, builtStack, promiseOf, STACKS } from "../../lib/offline/stack";
import { SECRET_MASK } from "../../lib/offline/recorder";

const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    api: "aws:cloudwatch/eventApiDestination:EventApiDestination",
    connection: "aws:cloudwatch/eventConnection:EventConnection",
    provider: "pulumi:providers:aws",
    instance: "aws:rds/instance:Instance",
};

/** The alarms of the CloudWatchAlarms component (other components, e.g. the chaos experiments' stop conditions, have their own). */
const platformAlarms = (s: BuiltStack) => s.ofType(T.alarm).filter((a) => a.parent === "platform:observability:CloudWatchAlarms::cloudwatch-alarms");

/** The region a resource is created in: its explicit provider's, or the stack's. */
const regionOf = (s: BuiltStack, r: { provider?: string }) => (r.provider ? s.ofType(T.provider).find((p) => `${p.type}::${p.name}` === r.provider)?.inputs.region : undefined) ?? s.config.region;

/** EventBridge pattern matching, for the operators the rules use (exact values and `prefix`). */
function matches(pattern: any, event: any): boolean {
    return Object.entries(pattern).every(([k, p]) => {
        const v = event?.[k];
        if (Array.isArray(p)) return p.some((x) => (typeof x === "object" && x !== null && "prefix" in x ? typeof v === "string" && v.startsWith(x.prefix) : v === x));
        return matches(p, v);
    });
}

/** The "CloudWatch Alarm State Change" event CloudWatch sends for an alarm (fields as in the EventBridge docs). */
const stateChange = (alarm: any, region: string, state: "ALARM" | "OK") => ({
    version: "0", id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92", "detail-type": "CloudWatch Alarm State Change", source: "aws.cloudwatch",
    account: "123456789012", time: "2026-09-01T10:00:00Z", region, resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarm.name}`],
    detail: { alarmName: alarm.name, state: { value: state, reason: "Threshold Crossed: 1 datapoint [91.5 (01/09/26 09:55:00)] was greater than the threshold (80.0).", timestamp: "2026-09-01T10:00:00.000+0000" }, previousState: { value: state === "ALARM" ? "OK" : "ALARM" }, configuration: { description: alarm.alarmDescription, metrics: [] } },
});

/** What EventBridge sends to the target: the template with each `<name>` replaced by its path's value (JSON-escaped inside quotes). */
function transform(t: { inputPaths: Record<string, string>; inputTemplate: string }, event: any): any {
    const get = (p: string) => p.replace(/^\$\./, "").split(".").reduce((o, k) => o?.[k], event);
    const text = t.inputTemplate.replace(/<([\w.-]+)>/g, (_, name) => JSON.stringify(String(get(t.inputPaths[name]) ?? "")).slice(1, -1));
    return JSON.parse(text);
}

for (const stack of STACKS) {
    describe(`${stack}: CloudWatch alarms and their delivery`, () => {
        let s: BuiltStack;
        before(async () => (s = await builtStack(stack)));

        it("RDS alarms watch the primary in the stack's region; the replica's lag is watched in the DR region, on the DR component's replica", async () => {
            const alarms = platformAlarms(s);
            const primary = s.ofType(T.instance).find((r) => !r.inputs.replicateSourceDb)!;
            const byId = (id: string) => alarms.find((a) => a.inputs.name.endsWith(`-${id}`));
            for (const id of ["rds-cpu", "rds-free-storage"]) {
                const a = byId(id)!;
                assert.deepEqual([a.inputs.namespace, a.inputs.dimensions, regionOf(s, a)], ["AWS/RDS", { DBInstanceIdentifier: primary.inputs.identifier }, s.config.region], id);
            }
            assert.equal(byId("rds-free-storage")!.inputs.threshold, Math.round(s.config.database.allocatedStorageGiB * 0.1 * 1024 ** 3));
            const lag = byId("rds-replica-lag");
            if (!s.config.dr.enabled) return assert.equal(lag, undefined);
            const replica = s.ofType(T.instance).find((r) => r.inputs.replicateSourceDb)!;
            assert.equal(await promiseOf(s.platform.dr!.databaseIdentifier), replica.inputs.identifier, "the DR component's output is its replica");
            assert.deepEqual([lag!.inputs.metricName, lag!.inputs.dimensions, regionOf(s, lag!)], ["ReplicaLag", { DBInstanceIdentifier: replica.inputs.identifier }, s.config.dr.region]);
            assert.equal(lag!.provider, replica.provider, "the same DR provider as the replica");
            assert.deepEqual([lag!.inputs.threshold, lag!.inputs.treatMissingData], [Math.max(60, s.config.dr.targets.database.rpoMinutes * 60), "breaching"]);
        });

        it("OpenSearch alarms watch the trace domain's health where there is one", () => {
            const domain = s.ofType("aws:opensearch/domain:Domain")[0];
            const os = platformAlarms(s).filter((a) => a.inputs.namespace === "AWS/ES");
            if (!domain) return assert.equal(os.length, 0);
            assert.deepEqual(os.map((a) => a.inputs.metricName).sort(), ["ClusterIndexWritesBlocked", "ClusterStatus.red", "ClusterStatus.yellow", "FreeStorageSpace"]);
            for (const a of os) assert.deepEqual(a.inputs.dimensions, { DomainName: domain.inputs.domainName, ClientId: "123456789012" });
        });

        it("every alarm state change reaches exactly the receivers of its severity, in its region, as a valid body for each", async () => {
            const receivers = s.config.alerting.receivers;
            const rules = s.ofType(T.rule).filter((r) => /-alarm-/.test(r.inputs.name));
            const targets = s.ofType(T.target);
            if (receivers.length === 0) return assert.equal(rules.length, 0);
            for (const alarm of platformAlarms(s)) {
                const severity = /^platform-\w+-(critical|warning)-/.exec(alarm.inputs.name)![1];
                for (const state of ["ALARM", "OK"] as const) {
                    const event = stateChange(alarm.inputs, regionOf(s, alarm), state);
                    const hit = rules.filter((r) => regionOf(s, r) === event.region && matches(JSON.parse(r.inputs.eventPattern), event));
                    const expected = receivers.filter((r) => r.severities.includes(severity as "critical" | "warning")).map((r) => r.name).sort();
                    assert.deepEqual(hit.map((r) => r.inputs.tags.receiver).sort(), expected, `${alarm.inputs.name} ${state}`);
                    for (const rule of hit) {
                        const target = targets.find((t) => t.inputs.rule === rule.inputs.name && regionOf(s, t) === event.region)!;
                        const receiver = receivers.find((r) => r.name === rule.inputs.tags.receiver)!;
                        // PagerDuty's template holds the routing key (a secret, masked here): the same template with a test key.
                        const template = receiver.type === "pagerduty"
                            ? (assert.equal(target.inputs.inputTransformer.inputTemplate, SECRET_MASK), inputTemplate("pagerduty", severity as "critical" | "warning", state, receiver.name, 'k3y"\\'))
                            : target.inputs.inputTransformer.inputTemplate;
                        const body = transform({ inputPaths: target.inputs.inputTransformer.inputPaths, inputTemplate: template }, event);
                        const api = s.ofType(T.api).find((a) => a.inputs.name === eventBridgeName(`platform-${stack}`, "alarms", receiver.name) && regionOf(s, a) === event.region)!;
                        if (receiver.type === "pagerduty") {
                            assert.equal(api.inputs.invocationEndpoint, PAGERDUTY_EVENTS_URL);
                            assert.equal(body.routing_key, 'k3y"\\', "the routing key, JSON-escaped");
                            assert.equal(body.event_action, state === "ALARM" ? "trigger" : "resolve");
                            assert.equal(body.dedup_key, `${alarm.inputs.name}/${event.region}`);
                            if (state === "ALARM") {
                                assert.ok(["critical", "error", "warning", "info"].includes(body.payload.severity));
                                assert.ok(body.payload.summary.includes(alarm.inputs.name) && body.payload.source && body.payload.timestamp);
                            }
                        } else if (receiver.type === "slack") {
                            assert.equal(api.inputs.invocationEndpoint, SECRET_MASK, "the webhook URL is a secret");
                            assert.match(body.text, new RegExp(`^\\[${state === "ALARM" ? "FIRING" : "RESOLVED"}\\] ${alarm.inputs.name} \\(CloudWatch, ${event.region}\\)\\n`));
                        } else {
                            assert.equal(body.alerts[0].labels.alertname, alarm.inputs.name);
                        }
                        assert.equal(target.inputs.arn, await promiseOf((api.resource as any).arn), "the target is the receiver's API destination");
                    }
                }
            }
        });

        it("the PagerDuty routing key and the Slack/webhook URLs are Pulumi secrets in the targets and API destinations", () => {
            const rendered = JSON.stringify(s.resources.filter((r) => r.type.startsWith("aws:cloudwatch/event")).map((r) => r.inputs));
            assert.doesNotMatch(rendered, /offline-plan-placeholder/);
            for (const t of s.ofType(T.target).filter((x) => x.inputs.inputTransformer?.inputTemplate === SECRET_MASK)) assert.ok(t.secretPaths.some((p) => p.startsWith("inputTransformer")), t.name);
        });
    });
}

describe("alarm specs", () => {
    it("without a replica (or after failover) there is no lag alarm; OpenSearch alarms only with a domain", () => {
        const specs = alarmSpecs({ ctx: { prefix: "p", environment: "dev", region: "eu-west-1", tags: {}, iam: { permissionsBoundaryArn: "b", path: "/p/" } }, database: { instanceIdentifier: "db", allocatedStorageGiB: 20 } });
        assert.deepEqual(specs.primary.map((x) => x.id), ["rds-cpu", "rds-free-storage"]);
        assert.deepEqual(specs.replica, []);
    });
    it("EventBridge names stay within 64 of [.-_A-Za-z0-9] (botocore's events model), a long receiver name hashed", () => {
        assert.equal(eventBridgeName("platform-prod", "alarm", "pagerduty", "critical", "alarm"), "platform-prod-alarm-pagerduty-critical-alarm");
        const long = eventBridgeName("platform-prod", "alarm", "a".repeat(63), "critical", "alarm");
        assert.match(long, /^platform-prod-alarm-[0-9a-f]{8}-critical-alarm$/);
        assert.throws(() => eventBridgeName("p".repeat(60), "alarm", "x", "critical", "alarm"), /longer than 64 characters/);
    });
    it("the pattern of a severity matches its alarms only", () => {
        const p = eventPattern("platform-prod", "critical", "ALARM");
        const ev = (name: string, state = "ALARM") => ({ source: "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", detail: { alarmName: name, state: { value: state } } });
        assert.ok(matches(p, ev("platform-prod-critical-rds-free-storage")));
        assert.ok(!matches(p, ev("platform-prod-warning-rds-cpu")));
        assert.ok(!matches(p, ev("platform-prod-critical-rds-free-storage", "OK")));
        assert.ok(!matches(p, ev("platform-prod-dr-critical-x")));
        assert.equal(Object.keys(INPUT_PATHS).filter((k) => !inputTemplate("webhook", "critical", "ALARM", "r").includes(`<${k}>`)).length, 0);
    });
});
