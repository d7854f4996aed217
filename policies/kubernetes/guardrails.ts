/**
 * Namespace guardrails and Helm workload resources, judged at stack level.
 */
import type { PolicyResource, StackPolicy } from "../lib/types";
import { parseQuantity } from "../lib/quantity";

export const namespaceGuardrails: StackPolicy = {
    name: "namespace-guardrails",
    description: "Checks whether every namespace the stack creates also gets a LimitRange (default container requests/limits) and a ResourceQuota.",
    enforcementLevel: "mandatory",
    config: [],
    validateStack(resources) {
        // One pass to index which namespaces hold a LimitRange and a ResourceQuota: linear in the stack size.
        const covered: Record<string, Set<string>> = { LimitRange: new Set(), ResourceQuota: new Set() };
        for (const r of resources) {
            const kind = r.type === "kubernetes:core/v1:LimitRange" ? "LimitRange" : r.type === "kubernetes:core/v1:ResourceQuota" ? "ResourceQuota" : undefined;
            const ns = r.props?.metadata?.namespace;
            if (kind && typeof ns === "string") covered[kind].add(ns);
        }
        return resources
            .filter((r) => r.type === "kubernetes:core/v1:Namespace")
            .flatMap((ns) => {
                const name = ns.props?.metadata?.name ?? ns.name;
                const missing = ["LimitRange", "ResourceQuota"].filter((k) => !covered[k].has(name));
                return missing.length ? [{ resource: ns, message: `Namespace ${name} has no ${missing.join(" and no ")}; every namespace the platform creates carries both.` }] : [];
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

function resourceProblems(res: any): string[] {
    const out: string[] = [];
    for (const kind of ["requests", "limits"]) for (const r of ["cpu", "memory"]) if (parseQuantity(res?.[kind]?.[r]) === undefined) out.push(`${kind}.${r}`);
    return out;
}

/** Every `resources` object in a values tree, with its path. */
function findResources(values: any, path = ""): [string, any][] {
    if (!values || typeof values !== "object") return [];
    return Object.entries(values).flatMap(([k, v]) => {
        const p = path ? `${path}.${k}` : k;
        return /^(resources|.*Resources)$/.test(k) && v && typeof v === "object" ? [[p, v] as [string, any]] : findResources(v, p);
    });
}

export const helmWorkloadResources: StackPolicy = {
    name: "helm-workload-resources",
    description: "Checks whether every Helm release the platform installs sets CPU and memory requests and limits for each of its workloads (the chart's known workload paths, or every resources block for other charts).",
    enforcementLevel: "mandatory",
    config: [],
    validateStack(resources) {
        const out: { resource: PolicyResource; message: string }[] = [];
        for (const r of resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release" || x.type === "kubernetes:helm.sh/v4:Chart")) {
            const chart = String(r.props.chart ?? "");
            const values = r.props.values ?? {};
            const known = HELM_WORKLOAD_RESOURCES[chart];
            // A part the values switch off (`<part>.enabled: false`) renders no container.
            const on = (p: string) => !p.includes(".") || at(values, p.replace(/\.[^.]+$/, ".enabled")) !== false;
            const optional = (HELM_OPTIONAL_WORKLOAD_RESOURCES[chart] ?? []).filter((p) => at(values, p.replace(/\.[^.]+$/, ".enabled")) === true);
            const blocks: [string, any][] = known ? [...known.filter(on), ...optional].map((p) => [p, at(values, p)]) : findResources(values);
            if (blocks.length === 0) out.push({ resource: r, message: `Helm release ${r.props.name ?? r.name} (chart ${chart}) sets no resources for its workloads.` });
            for (const [p, res] of blocks) {
                const missing = resourceProblems(res);
                if (missing.length) out.push({ resource: r, message: `Helm release ${r.props.name ?? r.name} (chart ${chart}): ${p} must set ${missing.join(", ")}.` });
            }
        }
        return out;
    },
};
