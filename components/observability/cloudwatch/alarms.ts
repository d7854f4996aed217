/**
 * CloudWatch alarms for what the platform runs outside the cluster, evaluated by AWS so they work
 * when the cluster does not: the RDS primary (CPU, free storage), its read replica in the DR region
 * (replication lag against the database RPO; in that region, where the metric exists) and the
 * OpenSearch trace domain (cluster health, blocked writes, free storage). Each alarm's name carries
 * its severity (`<prefix>-<severity>-<what>`); AlarmDelivery sends its state changes to the same
 * receivers Alertmanager uses (delivery.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { componentTags, PlatformContext } from "../../shared/naming";
import type { Severity } from "../alertmanager-config";

/** One alarm as data: the MetricAlarm's inputs that matter, its severity and what it means. */
export interface AlarmSpec {
    /** `<what>`: the alarm is named `<prefix>-<severity>-<what>`. */
    id: string;
    severity: Exclude<Severity, "info">;
    namespace: string;
    metric: string;
    dimensions: Record<string, pulumi.Input<string>>;
    statistic: "Average" | "Maximum" | "Minimum";
    periodSeconds: number;
    evaluationPeriods: number;
    comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
    threshold: number;
    /** What missing data means: `breaching` where silence is the failure (replication stopped). */
    treatMissingData: "missing" | "breaching" | "notBreaching";
    description: string;
}

export interface CloudWatchAlarmsArgs {
    ctx: PlatformContext;
    /** The RDS primary in the stack's region. */
    database: {
        instanceIdentifier: pulumi.Input<string>;
        /** Allocated storage (GiB): the storage alarm fires below 10% of it free, where RDS storage autoscaling should already have grown the volume. */
        allocatedStorageGiB: number;
        /** Average CPU (percent) above which, for 15 minutes, the CPU alarm fires. Defaults to 80. */
        cpuPercent?: number;
    };
    /** The cross-region read replica (the DR component's output) and the provider of its region. Defaults to none. */
    replica?: {
        instanceIdentifier: pulumi.Input<string>;
        region: string;
        provider: aws.Provider;
        /** Lag (seconds) above which, for 5 minutes, the replica breaks the database RPO. */
        maxLagSeconds: number;
    };
    /** The OpenSearch domain holding traces. Defaults to none. */
    openSearch?: { domainName: pulumi.Input<string>; accountId: pulumi.Input<string>; volumeGiB: number };
}

/** The alarm specs in the stack's region and in the replica's region. */
export function alarmSpecs(args: CloudWatchAlarmsArgs): { primary: AlarmSpec[]; replica: AlarmSpec[] } {
    const db = { DBInstanceIdentifier: args.database.instanceIdentifier };
    const cpu = args.database.cpuPercent ?? 80;
    const primary: AlarmSpec[] = [
        {
            id: "rds-cpu", severity: "warning", namespace: "AWS/RDS", metric: "CPUUtilization", dimensions: db, statistic: "Average",
            periodSeconds: 300, evaluationPeriods: 3, comparison: "GreaterThanThreshold", threshold: cpu, treatMissingData: "missing",
            description: `RDS primary CPU above ${cpu}% for 15 minutes (docs/runbooks/aws.md#rds-cpu)`,
        },
        {
            id: "rds-free-storage", severity: "critical", namespace: "AWS/RDS", metric: "FreeStorageSpace", dimensions: db, statistic: "Minimum",
            periodSeconds: 300, evaluationPeriods: 3, comparison: "LessThanThreshold", threshold: Math.round(args.database.allocatedStorageGiB * 0.1 * 1024 ** 3),
            treatMissingData: "missing",
            description: `RDS primary has less than 10% of ${args.database.allocatedStorageGiB} GiB free for 15 minutes: storage autoscaling is at its maximum or waiting (docs/runbooks/aws.md#rds-free-storage)`,
        },
    ];
    if (args.openSearch) {
        const os = { DomainName: args.openSearch.domainName, ClientId: args.openSearch.accountId };
        const health = (id: string, metric: string, severity: AlarmSpec["severity"], minutes: number, what: string): AlarmSpec => ({
            id, severity, namespace: "AWS/ES", metric, dimensions: os, statistic: "Maximum", periodSeconds: 60, evaluationPeriods: minutes,
            comparison: "GreaterThanOrEqualToThreshold", threshold: 1, treatMissingData: "missing", description: `${what} (docs/runbooks/aws.md#${id})`,
        });
        primary.push(
            health("opensearch-red", "ClusterStatus.red", "critical", 1, "OpenSearch trace domain is red: at least one primary shard is unassigned"),
            health("opensearch-yellow", "ClusterStatus.yellow", "warning", 15, "OpenSearch trace domain has been yellow for 15 minutes: replica shards are unassigned"),
            health("opensearch-writes-blocked", "ClusterIndexWritesBlocked", "critical", 5, "OpenSearch trace domain blocks writes: Jaeger cannot store spans"),
            {
                id: "opensearch-free-storage", severity: "warning", namespace: "AWS/ES", metric: "FreeStorageSpace", dimensions: os, statistic: "Minimum",
                periodSeconds: 300, evaluationPeriods: 1, comparison: "LessThanOrEqualToThreshold", threshold: Math.round(args.openSearch.volumeGiB * 1024 * 0.25),
                treatMissingData: "missing",
                description: `An OpenSearch data node has 25% or less of its ${args.openSearch.volumeGiB} GiB free (docs/runbooks/aws.md#opensearch-free-storage)`,
            },
        );
    }
    const replica: AlarmSpec[] = args.replica ? [{
        id: "rds-replica-lag", severity: "critical", namespace: "AWS/RDS", metric: "ReplicaLag", dimensions: { DBInstanceIdentifier: args.replica.instanceIdentifier },
        statistic: "Maximum", periodSeconds: 60, evaluationPeriods: 5, comparison: "GreaterThanThreshold", threshold: args.replica.maxLagSeconds,
        // No data: the replica stopped reporting lag, i.e. replication is broken.
        treatMissingData: "breaching",
        description: `DR replica in ${args.replica.region} lags more than ${args.replica.maxLagSeconds} s (the database RPO) for 5 minutes, or reports no lag (docs/runbooks/aws.md#rds-replica-lag)`,
    }] : [];
    return { primary, replica };
}

export const alarmName = (prefix: string, s: Pick<AlarmSpec, "id" | "severity">) => `${prefix}-${s.severity}-${s.id}`;

export class CloudWatchAlarms extends pulumi.ComponentResource {
    /** Alarm names by region. */
    public readonly alarmNames: Record<string, string[]> = {};

    constructor(name: string, args: CloudWatchAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:CloudWatchAlarms", name, {}, opts);
        const tags = componentTags(args.ctx, "observability");
        const specs = alarmSpecs(args);
        const make = (s: AlarmSpec, region: string, provider?: aws.Provider) => {
            const alarm = alarmName(args.ctx.prefix, s);
            (this.alarmNames[region] ??= []).push(alarm);
            return new aws.cloudwatch.MetricAlarm(`${name}-${s.id}`, {
                name: alarm,
                alarmDescription: s.description,
                namespace: s.namespace,
                metricName: s.metric,
                dimensions: s.dimensions,
                statistic: s.statistic,
                period: s.periodSeconds,
                evaluationPeriods: s.evaluationPeriods,
                datapointsToAlarm: s.evaluationPeriods,
                comparisonOperator: s.comparison,
                threshold: s.threshold,
                treatMissingData: s.treatMissingData,
                tags: { ...tags, severity: s.severity },
            }, { parent: this, provider });
        };
        for (const s of specs.primary) make(s, args.ctx.region);
        for (const s of specs.replica) make(s, args.replica!.region, args.replica!.provider);
        this.registerOutputs({ alarmNames: this.alarmNames });
    }
}
