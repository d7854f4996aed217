/**
 * Namespace guardrails and Helm workload resources, judged at stack level.
 */
import type { PolicyResource, StackPolicy } from "../lib/types";
import { parseQuantity, resourceQuantity } from "../lib/quantity";
import { judgeSubject, Verdict } from "../lib/judge";
import { Links } from "../lib/links";
import { quietly } from "../lib/unknown";

/**
 * The LimitRange's effective container defaults, after the API server's defaulting
 * (SetDefaults_LimitRangeItem): a default limit falls back to `max`, a default request to the
 * default limit, then to `min`. Meaningful when both give every container a positive CPU and memory.
 */
function limitRangeProblem(lr: PolicyResource): string | undefined {
    const items = Array.isArray(lr.props.spec?.limits) ? lr.props.spec.limits : []; // props: always an object
    const container = items.filter((i: any) => i?.type === "Container");
    if (container.length === 0) return "has no limit of type Container";
    const positive = (q: unknown) => resourceQuantity(q).nanos !== undefined;
    const ok = container.some((i: any) => ["cpu", "memory"].every((r) => {
        const defaultLimit = i.default?.[r] ?? i.max?.[r];
        const defaultRequest = i.defaultRequest?.[r] ?? defaultLimit ?? i.min?.[r];
        return positive(defaultLimit) && positive(defaultRequest);
    }));
    return ok ? undefined : "gives containers no positive default CPU and memory request and limit (default/defaultRequest, or max/min)";
}

/** A ResourceQuota bounds the namespace's CPU and memory when it sets a quantity for each and is not scoped to some pods only. */
function resourceQuotaProblem(rq: PolicyResource): string | undefined {
    const spec = rq.props.spec ?? {};
    if (spec.scopes !== undefined || spec.scopeSelector !== undefined) return "is scoped (scopes/scopeSelector), so it bounds only some pods";
    const hard = spec.hard && typeof spec.hard === "object" ? spec.hard : {};
    const bounded = (r: string) => [r, `requests.${r}`, `limits.${r}`].some((k) => {
        const q = parseQuantity(hard[k]);
        return q !== undefined && q >= 0n;
    });
    const missing = ["cpu", "memory"].filter((r) => !bounded(r));
    return missing.length ? `sets no hard limit for ${missing.join(" or ")} (cpu/requests.cpu/limits.cpu, memory/...)` : undefined;
}

export const namespaceGuardrails: StackPolicy = {
    name: "namespace-guardrails",
    description: "Checks whether every namespace the stack creates also gets a LimitRange that gives containers positive default CPU and memory requests and limits, and an unscoped ResourceQuota that bounds CPU and memory (an empty one does not count).",
    enforcementLevel: "mandatory",
    config: [],
    validateStack(resources) {
        // One index per kind, linear in the stack size; a guardrail names its namespace in metadata.namespace.
        const namespaces = resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
        if (namespaces.length === 0) return [];
        const nsName = (ns: PolicyResource) => ns.props.metadata?.name ?? ns.name;
        const inNamespace = (r: PolicyResource) => r.props.metadata?.namespace;
        const link = (type: string) => new Links(namespaces, nsName, resources.filter((r) => r.type === type), "metadata", inNamespace);
        const kinds: [string, Links, (r: PolicyResource) => string | undefined][] = [
            ["LimitRange", link("kubernetes:core/v1:LimitRange"), limitRangeProblem],
            ["ResourceQuota", link("kubernetes:core/v1:ResourceQuota"), resourceQuotaProblem],
        ];
        return namespaces.flatMap((ns) => {
            const name = quietly(() => String(nsName(ns)));
            return judgeSubject(ns, (): Verdict[] => kinds.flatMap(([kind, links, problem]): Verdict[] => {
                const { linked, floating } = links.of(ns);
                const problems = linked.map((g) => [g, problem(g)] as const);
                if (problems.some(([, p]) => p === undefined)) return [];
                const why = problems.length ? `its ${kind} ${problems.map(([g, p]) => `${g.props.metadata?.name ?? g.name} ${p}`).join("; ")}` : `it has no ${kind}`;
                const message = `Namespace ${name} must have a ${kind} that ${kind === "LimitRange" ? "gives every container positive default CPU and memory requests and limits" : "bounds its CPU and memory"}; ${why}.`;
                return [floating.length && problems.length === 0 ? { message, undecided: floating } : message];
            }));
        });
    },
};

/**
 * Values paths of each chart's workload resources. Charts not listed here are judged by every
 * `resources` block found in their values (there must be at least one).
 */
export const HELM_WORKLOAD_RESOURCES: Record<string, string[]> = {
    "kube-prometheus-stack": [
        "prometheusOperator.resources", "prometheusOperator.prometheusConfigReloader.resources", "prometheusOperator.admissionWebhooks.patch.resources",
        "prometheus.prometheusSpec.resources", "alertmanager.alertmanagerSpec.resources", "kube-state-metrics.resources", "prometheus-node-exporter.resources",
    ],
    loki: ["singleBinary.resources", "write.resources", "read.resources", "backend.resources", "gateway.resources", "gateway.metrics.resources", "chunksCache.resources", "resultsCache.resources", "memcachedExporter.resources", "sidecar.resources"],
    grafana: ["resources", "sidecar.resources"],
    jaeger: ["jaeger.resources"],
    "argo-rollouts": ["controller.resources", "dashboard.resources"],
    velero: ["resources", "upgradeJobResources", "kubectl.resources"],
    kyverno: ["admissionController.container.resources", "admissionController.initContainer.resources", "backgroundController.resources", "cleanupController.resources", "reportsController.resources", "webhooksCleanup.resources"],
};

/** Workloads the chart leaves off by default: judged only when the values turn the part on (`<part>.enabled: true`). */
export const HELM_OPTIONAL_WORKLOAD_RESOURCES: Record<string, string[]> = {
    jaeger: ["esIndexCleaner.resources"],
};

const at = (obj: any, path: string) => path.split(".").reduce((o, k) => o?.[k], obj);

/** What a values `resources` block lacks: each request and limit a positive quantity (zero is no limit to the kubelet), requests within limits. */
function resourceProblems(res: any): string[] {
    const out: string[] = [];
    for (const r of ["cpu", "memory"]) {
        const req = resourceQuantity(res?.requests?.[r]);
        const lim = resourceQuantity(res?.limits?.[r]);
        const text = (kind: string, problem: string) => (problem === "is not set" ? `${kind}.${r}` : `${kind}.${r} (it ${problem})`);
        if (req.problem !== undefined) out.push(text("requests", req.problem));
        if (lim.problem !== undefined) out.push(text("limits", lim.problem));
        if (req.nanos !== undefined && lim.nanos !== undefined && req.nanos > lim.nanos) out.push(`requests.${r} within limits.${r}`);
    }
    return out;
}

/**
 * The chart's name however the release names it: `kube-prometheus-stack`, `prometheus-community/kube-prometheus-stack`,
 * `oci://ghcr.io/org/charts/kube-prometheus-stack:88.5.3` (or `@sha256:...`), a `.tgz` URL or path
 * (`kube-prometheus-stack-88.5.3.tgz`), or a local chart directory.
 */
export function chartName(chart: unknown): string {
    let c = String(chart ?? "").trim().replace(/\/+$/, "");
    c = c.slice(c.lastIndexOf("/") + 1); // the last path segment: also past oci://, https://, file://
    c = c.replace(/@sha256:[0-9a-f]+$/i, "").replace(/:[^:/]*$/, ""); // OCI digest or tag
    if (/\.tgz$/i.test(c)) c = c.replace(/\.tgz$/i, "").replace(/-v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, "");
    return c;
}

/** A volume claim's `resources` (storage requests), not a container's: under a volumeClaimTemplate, or storage and nothing of CPU or memory. */
function isVolumeClaimResources(path: string, block: any): boolean {
    if (/(^|\.)volumeClaimTemplates?(\.|$)/.test(path)) return true;
    const keys = ["requests", "limits"].flatMap((k) => (block?.[k] && typeof block[k] === "object" ? Object.keys(block[k]) : []));
    return keys.includes("storage") && !keys.some((k) => k === "cpu" || k === "memory");
}

/** Every container `resources` object in a values tree, with its path. */
function findResources(values: any, path = ""): [string, any][] {
    if (!values || typeof values !== "object") return [];
    return Object.entries(values).flatMap(([k, v]) => {
        const p = path ? `${path}.${k}` : k;
        if (/^(resources|.*Resources)$/.test(k) && v && typeof v === "object") return isVolumeClaimResources(p, v) ? [] : [[p, v] as [string, any]];
        return findResources(v, p);
    });
}

export const helmWorkloadResources: StackPolicy = {
    name: "helm-workload-resources",
    description: "Checks whether every Helm release the platform installs sets positive CPU and memory requests and limits (requests within limits) for each of its workloads: the chart's known workload paths, whatever the chart is installed by (name, repo/name, oci:// reference, .tgz), or every resources block for other charts.",
    enforcementLevel: "mandatory",
    config: [],
    validateStack(resources) {
        return resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release" || x.type === "kubernetes:helm.sh/v4:Chart").flatMap((r) => {
            const release = quietly(() => String(r.props.name ?? r.name));
            return judgeSubject(r, () => {
                const out: string[] = [];
                const chart = String(r.props.chart ?? "");
                const values = r.props.values ?? {};
                const name = chartName(chart);
                const known = Object.hasOwn(HELM_WORKLOAD_RESOURCES, name) ? HELM_WORKLOAD_RESOURCES[name] : undefined;
                const optionalParts = Object.hasOwn(HELM_OPTIONAL_WORKLOAD_RESOURCES, name) ? HELM_OPTIONAL_WORKLOAD_RESOURCES[name] : [];
                const enabled = (p: string) => at(values, p.replace(/\.[^.]+$/, ".enabled"));
                // A part the values switch off (`<part>.enabled: false`) renders no container; an optional part counts only when switched on.
                const on = (p: string) => !p.includes(".") || enabled(p) !== false;
                const optional = optionalParts.filter((p) => enabled(p) === true);
                const paths = known ? [...known.filter(on), ...optional] : undefined;
                // A known chart's workload paths must all be set; any other resources block given for a part that renders must be complete too.
                const found = findResources(values).filter(([p]) => on(p) && (!optionalParts.includes(p) || optional.includes(p)));
                const blocks: [string, any][] = paths ? [...paths.map((p): [string, any] => [p, at(values, p)]), ...found.filter(([p]) => !paths.includes(p) && !known!.includes(p))] : found;
                if (blocks.length === 0) out.push(`Helm release ${release} (chart ${chart}) sets no resources for its workloads.`);
                for (const [p, res] of blocks) {
                    const missing = resourceProblems(res);
                    if (missing.length) out.push(`Helm release ${release} (chart ${chart}): ${p} must set ${missing.join(", ")}.`);
                }
                return out;
            });
        });
    },
};
