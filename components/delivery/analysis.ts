/**
 * ClusterAnalysisTemplates backed by the platform's Prometheus: HTTP success rate (non-5xx / total)
 * and latency p95/p99 from the services' request-duration histogram, over user traffic only:
 *   - only the canary's pods: series carry the pod template hash (the ServiceMonitor copies the pod
 *     label `rollouts-pod-template-hash`), and the Rollout passes the latest hash, so the stable
 *     pods' series, which the canary Service selected until the rollout started, never count;
 *   - only user requests: the routes of probes and of the metrics endpoint are left out (the route
 *     label and the excluded routes come from the app's metric contract, canary-validation.ts).
 * Each metric has a pass threshold, a fail threshold and an inconclusive band between them (an
 * inconclusive run pauses the rollout for a human instead of promoting or aborting); no user traffic
 * (an empty or NaN result) is inconclusive too. The success rate runs in the background for the whole
 * rollout (no count); the latency runs after each step.
 */
import { HTTP_METRICS } from "../observability/datasources";

export const SUCCESS_RATE_TEMPLATE = "http-success-rate";
export const LATENCY_TEMPLATE = "http-latency";

/** Arguments every template takes and the Rollout passes: the canary Service, its namespace, the canary's pod template hash and the app's metric contract. */
export const SERVICE_ARGS = ["service", "namespace", "canary-hash", "route-label", "status-label", "excluded-routes"] as const;

/** Target label the ServiceMonitor copies the pod label `rollouts-pod-template-hash` into (the operator replaces `-` with `_`). */
export const POD_HASH_LABEL = "rollouts_pod_template_hash";

/** The user-traffic selector, with the Rollout's args. */
const selector = [
    'namespace="{{args.namespace}}"',
    'service="{{args.service}}"',
    `${POD_HASH_LABEL}="{{args.canary-hash}}"`,
    '{{args.route-label}}!~"{{args.excluded-routes}}"',
].join(", ");

/** Step analysis: 5 measurements a minute apart; two failures fail it, three inconclusive results pause the rollout. */
export const STEP_CADENCE = { interval: "1m", count: 5, failureLimit: 1, inconclusiveLimit: 2 };
/**
 * Background analysis: a measurement a minute for as long as the rollout runs (no count: Argo Rollouts
 * stops it when the rollout completes), starting a minute after the canary's first step so its pods
 * have two scrapes in the 2m rate window.
 */
export const BACKGROUND_CADENCE = { interval: "1m", initialDelay: "1m", failureLimit: 1, inconclusiveLimit: 2 };

const args = (...extra: { name: string; value?: string }[]) => [
    { name: "service" }, { name: "namespace" }, { name: "canary-hash" }, { name: "excluded-routes" },
    { name: "route-label", value: HTTP_METRICS.routeLabel }, { name: "status-label", value: HTTP_METRICS.statusLabel },
    ...extra,
];

export function successRateQuery(): string {
    const { count } = HTTP_METRICS;
    return `sum(rate(${count}{${selector}, {{args.status-label}}!~"5.."}[2m]))\n/\nsum(rate(${count}{${selector}}[2m]))`;
}

export function latencyQuery(quantile: number): string {
    return `histogram_quantile(${quantile}, sum by (le) (rate(${HTTP_METRICS.bucket}{${selector}}[2m])))`;
}

export function successRateTemplate(prometheusUrl: string): Record<string, unknown> {
    return {
        args: args({ name: "min-success-rate", value: "0.99" }, { name: "fail-below", value: "0.95" }),
        metrics: [{
            name: "success-rate",
            ...BACKGROUND_CADENCE,
            successCondition: "len(result) > 0 && result[0] >= {{args.min-success-rate}}",
            failureCondition: "len(result) > 0 && result[0] < {{args.fail-below}}",
            provider: { prometheus: { address: prometheusUrl, query: successRateQuery() } },
        }],
    };
}

export function latencyTemplate(prometheusUrl: string): Record<string, unknown> {
    const metric = (q: "p95" | "p99", quantile: number) => ({
        name: `latency-${q}`,
        ...STEP_CADENCE,
        successCondition: `len(result) > 0 && result[0] <= {{args.${q}-max-seconds}}`,
        failureCondition: `len(result) > 0 && result[0] > {{args.${q}-fail-above-seconds}}`,
        provider: { prometheus: { address: prometheusUrl, query: latencyQuery(quantile) } },
    });
    return {
        args: args(
            { name: "p95-max-seconds", value: "0.5" }, { name: "p95-fail-above-seconds", value: "1" },
            { name: "p99-max-seconds", value: "1" }, { name: "p99-fail-above-seconds", value: "2.5" },
        ),
        metrics: [metric("p95", 0.95), metric("p99", 0.99)],
    };
}
