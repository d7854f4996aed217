/**
 * Helm charts the platform installs: one pinned table (chart, repository, version) and one factory,
 * so every release gets the same safe options (atomic upgrade, cleanup on failure, bounded history).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { withPinnedImages } from "./image-lock";

export interface ChartPin {
    chart: string;
    repo: string;
    version: string;
}

/** Pinned chart versions. Their default values are in ../shared/reference/helm-charts and the tests check every key we set against them. */
export const CHARTS = {
    kubePrometheusStack: { chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
    loki: { chart: "loki", repo: "https://grafana-community.github.io/helm-charts", version: "18.11.0" },
    grafana: { chart: "grafana", repo: "https://grafana-community.github.io/helm-charts", version: "12.11.1" },
    jaeger: { chart: "jaeger", repo: "https://jaegertracing.github.io/helm-charts", version: "4.11.1" },
    argoRollouts: { chart: "argo-rollouts", repo: "https://argoproj.github.io/argo-helm", version: "2.41.0" },
    velero: { chart: "velero", repo: "https://vmware-tanzu.github.io/helm-charts", version: "12.1.0" },
    kyverno: { chart: "kyverno", repo: "https://kyverno.github.io/kyverno", version: "3.9.0" },
} as const satisfies Record<string, ChartPin>;

/** A container's resources; every chart workload gets one (the policy pack checks it). */
export interface ContainerResources {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/** Requests and limits in one call: `resources("100m", "128Mi", "500m", "256Mi")`. */
export function resources(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string): ContainerResources {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * The container security context of the workload hygiene rule: no privilege escalation, read-only
 * root filesystem, no capabilities, non-root. Charts that accept a container context get it.
 */
export const RESTRICTED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } } as const;

/** Where a workload may run: node selector and tolerations (the tainted observability nodes in prod). */
export interface Placement {
    nodeSelector?: Record<string, string>;
    tolerations?: { key: string; operator: "Equal" | "Exists"; value?: string; effect: string }[];
}

/** A namespace to install into: its name, and an output that resolves once it exists (use it in `metadata.namespace` so objects wait for the namespace). */
export interface NamespaceRef {
    name: string;
    ready: pulumi.Output<string>;
}

/** The Helm release of a pinned chart; `resourceName` (defaults to the release name) must be unique in the stack. */
export function helmRelease(name: string, pin: ChartPin, namespace: pulumi.Input<string>, values: pulumi.Input<Record<string, unknown>>, opts: pulumi.CustomResourceOptions, resourceName = name): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(resourceName, {
        name,
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: pin.repo },
        namespace,
        // Digests from images.lock.json go into each chart's own digest fields (platform-images.ts).
        values: pulumi.output(values).apply((v) => withPinnedImages(chartKeyOf(pin), v as Record<string, unknown>)),
        atomic: true,
        cleanupOnFail: true,
        maxHistory: 10,
        timeout: 900,
        createNamespace: false,
    }, opts);
}

/** The CHARTS key of a pin (`kyverno`, `kubePrometheusStack`, ...). */
export function chartKeyOf(pin: ChartPin): string {
    return Object.entries(CHARTS).find(([, p]) => p.chart === pin.chart && p.repo === pin.repo)?.[0] ?? pin.chart;
}
