/**
 * Validation of CanaryApp args, with messages that name the field and what is allowed. Kept apart so
 * the rules can be tested without building resources. It includes the metric contract: the labels
 * the analysis queries read must be label names the scrape does not overwrite, and the routes left
 * out of the analysis must be plain paths the query can quote.
 */
import { parseQuantity } from "../../policies/lib/quantity";
import { parseImage } from "../../policies/supply-chain/images";
import { POD_HASH_LABEL } from "./analysis";
import type { CanaryAppArgs } from "./canary-app";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Route values the query can hold inside a PromQL string and an Argo `{{args}}` substitution. */
const ROUTE = /^[A-Za-z0-9_./:-]+$/;
/** Labels the ServiceMonitor sets on every series (prometheus-operator), or the histogram's own: an app label of these names is overwritten or ambiguous. */
export const RESERVED_LABELS = ["__name__", "le", "job", "instance", "namespace", "service", "pod", "container", "endpoint", "node", POD_HASH_LABEL] as const;

/** A route as podinfo (gorilla/mux middlewares) names it: non-alphanumerics to `_`, trimmed, lower case, `root` for `/`. */
export function routeName(path: string): string {
    return path.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_+|_+$/g, "").toLowerCase() || "root";
}

/**
 * The regex (as it goes inside a PromQL string) of the route label values that are not user traffic:
 * each path as such and as a derived name, plus the extra routes.
 */
export function excludedRoutesRegex(paths: string[], extra: string[]): string {
    const values = [...new Set([...paths.flatMap((p) => [p, routeName(p)]), ...extra])];
    // Regex-escape, then double the backslashes for the PromQL string literal.
    return values.map((v) => v.replace(/[.]/g, "\\.")).join("|");
}

export function validateCanaryArgs(args: CanaryAppArgs): string[] {
    const problems: string[] = [];
    if (!DNS_LABEL.test(args.name)) problems.push(`name "${args.name}" must be a DNS label (a-z, 0-9, -)`);
    if (!DNS_LABEL.test(args.namespace)) problems.push(`namespace "${args.namespace}" must be a DNS label (a-z, 0-9, -)`);
    // Parsed the way the policy pack and the container runtime read references.
    const image = parseImage(args.image);
    if (!image) problems.push(`image "${args.image}" is not a valid image reference`);
    else {
        if ((args.requireDigest ?? true) && !image.digest) problems.push(`image "${args.image}" must be pinned by digest (repo@sha256:<64 hex>); a tag alone is not allowed here`);
        if (image.tag === "latest") problems.push(`image "${args.image}" uses the mutable tag latest`);
    }
    const r = args.resources as Partial<CanaryAppArgs["resources"]> | undefined;
    for (const kind of ["requests", "limits"] as const) {
        for (const res of ["cpu", "memory"] as const) {
            if (!r?.[kind]?.[res]) problems.push(`resources.${kind}.${res} is required`);
        }
    }
    for (const res of ["cpu", "memory"] as const) {
        const req = r?.requests?.[res];
        const lim = r?.limits?.[res];
        if (!req || !lim) continue;
        const [q, l] = [parseQuantity(req), parseQuantity(lim)];
        if (q === undefined) problems.push(`resources.requests.${res} "${req}" is not a Kubernetes quantity`);
        else if (l === undefined) problems.push(`resources.limits.${res} "${lim}" is not a Kubernetes quantity`);
        else if (l < q) problems.push(`resources.limits.${res} (${lim}) is below resources.requests.${res} (${req})`);
    }
    const weights = args.weights ?? [10, 25, 50, 100];
    if (weights.some((w, i) => !Number.isInteger(w) || w < 1 || w > 100 || (i > 0 && w <= weights[i - 1])) || weights[weights.length - 1] !== 100) {
        problems.push(`weights ${JSON.stringify(weights)} must be increasing integers from 1 to 100 that end at 100`);
    }
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`port ${args.port} must be 1..65535`);
    if (args.autoscaling && args.autoscaling.maxReplicas < (args.replicas ?? 3)) problems.push(`autoscaling.maxReplicas (${args.autoscaling.maxReplicas}) is below replicas (${args.replicas ?? 3})`);
    problems.push(...metricContractProblems(args));
    return problems;
}

/** The metric contract (docs/delivery.md, "Metric contract"). */
export function metricContractProblems(args: Pick<CanaryAppArgs, "metrics" | "probes">): string[] {
    const problems: string[] = [];
    const m = args.metrics ?? {};
    for (const field of ["routeLabel", "statusLabel"] as const) {
        const label = m[field];
        if (label === undefined) continue;
        if (!LABEL_NAME.test(label)) problems.push(`metrics.${field} "${label}" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)`);
        else if ((RESERVED_LABELS as readonly string[]).includes(label)) problems.push(`metrics.${field} "${label}" is a label the scrape sets on every series (${RESERVED_LABELS.join(", ")}); name the app's label differently`);
    }
    if (m.routeLabel !== undefined && m.routeLabel === m.statusLabel) problems.push(`metrics.routeLabel and metrics.statusLabel are both "${m.routeLabel}"; the route and the status code need their own labels`);
    const paths: [string, string | undefined][] = [["metrics.path", m.path], ["probes.readiness.path", args.probes?.readiness?.path], ["probes.liveness.path", args.probes?.liveness?.path]];
    for (const [field, path] of paths) {
        if (path !== undefined && !(path.startsWith("/") && ROUTE.test(path))) problems.push(`${field} "${path}" must be an absolute path of letters, digits and _ . / : - (it is left out of the analysis by value)`);
    }
    (m.excludeRoutes ?? []).forEach((route, i) => {
        if (!ROUTE.test(route)) problems.push(`metrics.excludeRoutes[${i}] "${route}" must be a route of letters, digits and _ . / : -`);
    });
    return problems;
}
