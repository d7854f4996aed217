/**
 * ClusterAnalysisTemplates backed by the platform's Prometheus: HTTP success rate (non-5xx / total)
 * and latency p95/p99 from the services' request-duration histogram. Each has a pass threshold, a
 * fail threshold and an inconclusive band between them (an inconclusive run pauses the rollout for
 * a human instead of promoting or aborting); no traffic (an empty or NaN result) is inconclusive too.
 */
import { HTTP_METRICS } from "../observability/datasources";

export const SUCCESS_RATE_TEMPLATE = "http-success-rate";
export const LATENCY_TEMPLATE = "http-latency";

/** Arguments every template takes: the Service whose pods are measured and its namespace. */
export const SERVICE_ARGS = ["service", "namespace"] as const;

const selector = `namespace="{{args.namespace}}", service="{{args.service}}"`;

/** Measurement cadence shared by the templates: 5 measurements a minute apart per analysis run. */
const CADENCE = { interval: "1m", count: 5, failureLimit: 1, inconclusiveLimit: 2 };

export function successRateTemplate(prometheusUrl: string): Record<string, unknown> {
    const { count, statusLabel } = HTTP_METRICS;
    return {
        args: [
            { name: "service" }, { name: "namespace" },
            { name: "min-success-rate", value: "0.99" },
            { name: "fail-below", value: "0.95" },
        ],
        metrics: [{
            name: "success-rate",
            ...CADENCE,
            successCondition: "len(result) > 0 && result[0] >= {{args.min-success-rate}}",
            failureCondition: "len(result) > 0 && result[0] < {{args.fail-below}}",
            provider: {
                prometheus: {
                    address: prometheusUrl,
                    query: `sum(rate(${count}{${selector}, ${statusLabel}!~"5.."}[2m])) / sum(rate(${count}{${selector}}[2m]))`,
                },
            },
        }],
    };
}

export function latencyTemplate(prometheusUrl: string): Record<string, unknown> {
    const metric = (q: "p95" | "p99", quantile: number) => ({
        name: `latency-${q}`,
        ...CADENCE,
        successCondition: `len(result) > 0 && result[0] <= {{args.${q}-max-seconds}}`,
        failureCondition: `len(result) > 0 && result[0] > {{args.${q}-fail-above-seconds}}`,
        provider: {
            prometheus: {
                address: prometheusUrl,
                query: `histogram_quantile(${quantile}, sum by (le) (rate(${HTTP_METRICS.bucket}{${selector}}[2m])))`,
            },
        },
    });
    return {
        args: [
            { name: "service" }, { name: "namespace" },
            { name: "p95-max-seconds", value: "0.5" }, { name: "p95-fail-above-seconds", value: "1" },
            { name: "p99-max-seconds", value: "1" }, { name: "p99-fail-above-seconds", value: "2.5" },
        ],
        metrics: [metric("p95", 0.95), metric("p99", 0.99)],
    };
}
