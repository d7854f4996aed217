/**
 * The CloudWatch alarms that stop every chaos experiment. FIS stop conditions can only be CloudWatch
 * alarms, and the platform's SLO alerts are Prometheus rules evaluated inside the cluster the
 * experiments disrupt; so the stop conditions are alarms on AWS-vended metrics of the same
 * user-facing signals, which keep working when the experiment takes the monitoring stack down:
 * - the API server availability SLO (components/observability/alerts, `apiserver-availability`): its
 *   SLI is the share of API requests answered 5xx; EKS publishes `apiserver_request_total` and
 *   `apiserver_request_total_5XX` in `AWS/EKS` (dimension `ClusterName`, one-minute data, clusters of
 *   1.28 and later). The alarm fires at the SLO's page burn rate (14.4 x the error budget), the
 *   threshold of its critical ErrorBudgetBurn alert, on one-minute windows (2 of 3 minutes);
 * - pods the scheduler cannot place (`scheduler_pending_pods_UNSCHEDULABLE`, same namespace) for
 *   10 minutes in a row: the surviving zones do not have the capacity for what the experiment evicted.
 * Not built: a bridge from Alertmanager to CloudWatch (alerts sent to an SNS topic and an alarm on
 * the topic's NumberOfMessagesPublished); it would stop experiments on every Prometheus SLO, but it
 * depends on the Alertmanager pods the node and zone experiments can take down.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BURN_CONDITIONS } from "../observability/alerts/slo";

/** The SLO's page threshold as an error ratio: the fast-burn factor (14.4) times the error budget (1 - objective). */
export function pageBurnErrorRatio(objective: number): number {
    if (!(objective > 0 && objective < 1)) throw new Error(`SLO objective ${objective} must be between 0 and 1`);
    const page = BURN_CONDITIONS.find((c) => c.severity === "critical")!;
    return +(page.factor * (1 - objective)).toPrecision(6);
}

export interface StopAlarmArgs {
    /** Logical name prefix of the alarm resources. */
    resourceName: string;
    /** Physical name prefix, `<prefix>-chaos-stop`. */
    namePrefix: string;
    clusterName: pulumi.Input<string>;
    /** Objective of the API server availability SLO, e.g. 0.999. */
    sloObjective: number;
    /** Minutes pods may stay unschedulable before the experiment stops. */
    unschedulableMinutes: number;
    tags: Record<string, string>;
}

const eksMetric = (metricName: string, clusterName: pulumi.Input<string>) => ({
    namespace: "AWS/EKS", metricName, period: 60, stat: "Sum", dimensions: { ClusterName: clusterName },
});

/** The two stop-condition alarms (API server SLO burn, unschedulable pods). */
export function stopAlarms(args: StopAlarmArgs, opts: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm[] {
    const ratio = pageBurnErrorRatio(args.sloObjective);
    const slo = new aws.cloudwatch.MetricAlarm(`${args.resourceName}-apiserver-slo`, {
        name: `${args.namePrefix}-apiserver-slo`,
        alarmDescription: `Stops chaos experiments: Kubernetes API 5xx ratio above ${ratio} (page burn rate of the ${args.sloObjective * 100}% apiserver-availability SLO) in 2 of 3 minutes`,
        metricQueries: [
            { id: "errors", metric: eksMetric("apiserver_request_total_5XX", args.clusterName), returnData: false },
            { id: "requests", metric: eksMetric("apiserver_request_total", args.clusterName), returnData: false },
            { id: "ratio", expression: "errors / requests", label: "API 5xx ratio", returnData: true },
        ],
        comparisonOperator: "GreaterThanThreshold",
        threshold: ratio,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // No requests, no data: not an outage of the SLO's signal.
        treatMissingData: "notBreaching",
        tags: args.tags,
    }, opts);
    const pending = new aws.cloudwatch.MetricAlarm(`${args.resourceName}-unschedulable-pods`, {
        name: `${args.namePrefix}-unschedulable-pods`,
        alarmDescription: `Stops chaos experiments: pods unschedulable for ${args.unschedulableMinutes} minutes in a row (the remaining capacity does not hold the evicted pods)`,
        namespace: "AWS/EKS",
        metricName: "scheduler_pending_pods_UNSCHEDULABLE",
        dimensions: { ClusterName: args.clusterName },
        statistic: "Sum",
        period: 60,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        evaluationPeriods: args.unschedulableMinutes,
        datapointsToAlarm: args.unschedulableMinutes,
        treatMissingData: "notBreaching",
        tags: args.tags,
    }, opts);
    return [slo, pending];
}
