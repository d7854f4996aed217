/**
 * AlarmDelivery: CloudWatch alarm state changes to the receivers Alertmanager uses, with the same
 * credentials. Alertmanager runs inside the cluster and has no API AWS can call, and an SNS topic
 * cannot post to PagerDuty's Events API or a Slack webhook in their formats (SNS sends its own
 * envelope and needs the endpoint to confirm the subscription). So every region with alarms gets
 * EventBridge rules on "CloudWatch Alarm State Change" events, one per receiver, severity and
 * state, whose targets are API destinations shaping the event with an input transformer:
 *   - pagerduty: Events API v2 trigger/resolve, dedup key = alarm name and region, the routing key
 *     in the body (the target's input template, a Pulumi secret; readable in EventBridge by whoever
 *     may call events:ListTargetsByRule);
 *   - slack: a message to the incoming webhook URL;
 *   - webhook: an Alertmanager-style JSON body to the URL.
 * Alarms route by the severity in their name, as Alertmanager routes by the severity label.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { platformRole, policyDocument } from "../../shared/iam";
import { componentTags, PlatformContext } from "../../shared/naming";
import type { ReceiverType, Severity } from "../alertmanager-config";

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export interface AlarmReceiver {
    name: string;
    type: ReceiverType;
    severities: Severity[];
    /** The receiver's credential, as for Alertmanager: PagerDuty routing key, Slack webhook URL, or webhook URL. */
    credential: pulumi.Input<string>;
}

export interface AlarmDeliveryArgs {
    ctx: PlatformContext;
    /** The account EventBridge acts for (the role's trust is limited to it). */
    accountId: pulumi.Input<string>;
    receivers: AlarmReceiver[];
    /** Regions with alarms; `provider` for every region but the stack's. */
    regions: { region: string; provider?: aws.Provider }[];
}

/**
 * An EventBridge name (rule, connection, API destination: at most 64 of `[.-_A-Za-z0-9]`): the parts
 * joined by `-`, with the receiver's name replaced by a short hash of it when the whole is too long.
 */
export function eventBridgeName(prefix: string, kind: string, receiver: string, ...rest: string[]): string {
    const name = [prefix, kind, receiver, ...rest].join("-");
    if (name.length <= 64) return name;
    const short = [prefix, kind, createHash("sha256").update(receiver).digest("hex").slice(0, 8), ...rest].join("-");
    if (short.length > 64) throw new Error(`EventBridge name ${short} is longer than 64 characters: shorten the project or stack name`);
    return short;
}

/** Fields of the state-change event the templates use (InputPathsMap). */
export const INPUT_PATHS = {
    alarm: "$.detail.alarmName",
    description: "$.detail.configuration.description",
    reason: "$.detail.state.reason",
    region: "$.region",
    time: "$.time",
} as const;

/** The EventBridge pattern of one severity's alarms entering `state`. */
export function eventPattern(prefix: string, severity: Severity, state: "ALARM" | "OK"): Record<string, unknown> {
    return {
        source: ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        detail: { alarmName: [{ prefix: `${prefix}-${severity}-` }], state: { value: [state] } },
    };
}

const PD_SEVERITY: Record<Severity, string> = { critical: "critical", warning: "warning", info: "info" };

/**
 * The body template for a receiver type: `<name>` placeholders are filled from INPUT_PATHS by
 * EventBridge; PagerDuty's carries the routing key (JSON-escaped).
 */
export function inputTemplate(type: ReceiverType, severity: Severity, state: "ALARM" | "OK", receiver: string, routingKey = ""): string {
    const firing = state === "ALARM";
    const key = JSON.stringify(routingKey);
    switch (type) {
        case "pagerduty":
            return firing
                ? `{"routing_key":${key},"event_action":"trigger","dedup_key":"<alarm>/<region>","payload":{"summary":"[${severity}] <alarm>: <description>","source":"cloudwatch/<region>","severity":"${PD_SEVERITY[severity]}","timestamp":"<time>","custom_details":{"reason":"<reason>"}}}`
                : `{"routing_key":${key},"event_action":"resolve","dedup_key":"<alarm>/<region>"}`;
        case "slack":
            return `{"text":"[${firing ? "FIRING" : "RESOLVED"}] <alarm> (CloudWatch, <region>)\\n<description>\\n<reason>"}`;
        case "webhook":
            return `{"version":"4","status":"${firing ? "firing" : "resolved"}","receiver":"${receiver}","alerts":[{"status":"${firing ? "firing" : "resolved"}","labels":{"alertname":"<alarm>","severity":"${severity}","source":"cloudwatch","region":"<region>"},"annotations":{"description":"<description>","reason":"<reason>"},"startsAt":"<time>"}]}`;
    }
}

export class AlarmDelivery extends pulumi.ComponentResource {
    constructor(name: string, args: AlarmDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlarmDelivery", name, {}, opts);
        const tags = componentTags(args.ctx, "observability");
        const prefix = args.ctx.prefix;
        const destinations: pulumi.Output<string>[] = [];
        const perRegion = args.regions.map(({ region, provider }) => {
            const opts = { parent: this, provider };
            const id = region === args.ctx.region ? "" : `-${region}`;
            return {
                region, opts, id,
                apis: args.receivers.map((r) => {
                    // EventBridge requires an authorization on every connection; the receivers ignore the extra header
                    // (PagerDuty's Events API takes its key in the body, Slack's and webhooks' URL is the credential).
                    const connection = new aws.cloudwatch.EventConnection(`${name}-${r.name}${id}`, {
                        name: eventBridgeName(prefix, "alarms", r.name),
                        description: `CloudWatch alarms to receiver ${r.name} (${r.type})`,
                        authorizationType: "API_KEY",
                        authParameters: { apiKey: { key: "X-Platform-Alarm", value: "cloudwatch" } },
                    }, opts);
                    const api = new aws.cloudwatch.EventApiDestination(`${name}-${r.name}${id}`, {
                        name: eventBridgeName(prefix, "alarms", r.name),
                        description: `CloudWatch alarms to receiver ${r.name} (${r.type})`,
                        connectionArn: connection.arn,
                        invocationEndpoint: r.type === "pagerduty" ? PAGERDUTY_EVENTS_URL : pulumi.secret(r.credential),
                        httpMethod: "POST",
                        invocationRateLimitPerSecond: 10,
                    }, opts);
                    destinations.push(api.arn);
                    return { receiver: r, api };
                }),
            };
        });
        const role = platformRole(`${name}-role`, args.ctx.iam, {
            description: "EventBridge: deliver CloudWatch alarm state changes to the alert receivers",
            assumeRolePolicy: policyDocument([{
                Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
            }]),
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-invoke`, {
            role: role.id,
            policy: policyDocument([{ Effect: "Allow", Action: "events:InvokeApiDestination", Resource: destinations }]),
        }, { parent: this });
        for (const { opts, id, apis } of perRegion) {
            for (const { receiver: r, api } of apis) {
                for (const severity of r.severities) {
                    for (const state of ["ALARM", "OK"] as const) {
                        const ruleName = `${name}-${r.name}-${severity}-${state.toLowerCase()}${id}`;
                        const rule = new aws.cloudwatch.EventRule(ruleName, {
                            name: eventBridgeName(prefix, "alarm", r.name, severity, state.toLowerCase()),
                            description: `CloudWatch ${severity} alarms entering ${state} to receiver ${r.name}`,
                            eventPattern: JSON.stringify(eventPattern(prefix, severity, state)),
                            tags: { ...tags, receiver: r.name },
                        }, opts);
                        new aws.cloudwatch.EventTarget(ruleName, {
                            rule: rule.name,
                            arn: api.arn,
                            roleArn: role.arn,
                            inputTransformer: {
                                inputPaths: { ...INPUT_PATHS },
                                inputTemplate: r.type === "pagerduty"
                                    ? pulumi.secret(pulumi.output(r.credential).apply((key) => inputTemplate(r.type, severity, state, r.name, key)))
                                    : inputTemplate(r.type, severity, state, r.name),
                            },
                            retryPolicy: { maximumRetryAttempts: 20, maximumEventAgeInSeconds: 3600 },
                        }, opts);
                    }
                }
            }
        }
        this.registerOutputs({});
    }
}
