/**
 * Every image the platform's charts deploy, where its digest goes in the chart's values, and which
 * upstream publishers sign theirs. Facts taken from each pinned chart's default values (image
 * blocks, and the digest key each chart offers, in the form its template prints it: `sha` = bare
 * hex where the template adds `@sha256:`, `shaPrefixed` = `sha: sha256:<hex>` where it prints the
 * value after `@` (kube-state-metrics), `digest` = sha256:<hex>, none = `tag: <tag>@sha256:<hex>`);
 * tags are the chart's defaults (appVersion where the chart leaves the tag empty). The template
 * facts behind each form: test/data/image-templates.json. images.lock.json holds the digests; `npm run images -- lock` resolves them.
 */
import type { CHARTS } from "./helm";

export type ChartKey = keyof typeof CHARTS;

/**
 * How a chart takes a digest: `sha` (hex without sha256:, the template adds `@sha256:`),
 * `shaPrefixed` (the `sha` key holding sha256:<hex>, printed after `@`), `digest` (sha256:<hex>),
 * or appended to `tag`.
 */
export type DigestField = "sha" | "shaPrefixed" | "digest" | "tag";

/** The values key a digest field writes. */
export function digestKey(field: DigestField): "sha" | "digest" | "tag" {
    return field === "shaPrefixed" ? "sha" : field;
}

export interface ChartImage {
    chart: ChartKey;
    /** Dot path of the image block in the release values (subchart keys included). */
    path: string;
    /** Upstream reference, `registry/repository:tag`. */
    ref: string;
    field: DigestField;
    /** Dot path of a values flag that must be true for the image to be deployed (absent: always deployed with its chart). */
    enabledBy?: string;
    /** Also set the block's `tag` (the chart would otherwise derive it, e.g. from the cluster version). */
    setTag?: boolean;
}

export const CHART_IMAGES: ChartImage[] = [
    { chart: "kubePrometheusStack", path: "prometheusOperator.image", ref: "quay.io/prometheus-operator/prometheus-operator:v0.93.1", field: "sha" },
    { chart: "kubePrometheusStack", path: "prometheusOperator.prometheusConfigReloader.image", ref: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1", field: "sha" },
    { chart: "kubePrometheusStack", path: "prometheusOperator.admissionWebhooks.patch.image", ref: "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7", field: "sha" },
    { chart: "kubePrometheusStack", path: "prometheus.prometheusSpec.image", ref: "quay.io/prometheus/prometheus:v3.14.0-distroless", field: "sha" },
    { chart: "kubePrometheusStack", path: "alertmanager.alertmanagerSpec.image", ref: "quay.io/prometheus/alertmanager:v0.34.0", field: "sha" },
    { chart: "kubePrometheusStack", path: "kube-state-metrics.image", ref: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0", field: "shaPrefixed" },
    { chart: "kubePrometheusStack", path: "prometheus-node-exporter.image", ref: "quay.io/prometheus/node-exporter:v1.12.1", field: "digest" },
    { chart: "grafana", path: "image", ref: "docker.io/grafana/grafana:13.2.0", field: "sha" },
    { chart: "grafana", path: "sidecar.image", ref: "quay.io/kiwigrid/k8s-sidecar:2.10.1", field: "sha" },
    { chart: "loki", path: "loki.image", ref: "docker.io/grafana/loki:3.7.6", field: "digest" },
    { chart: "loki", path: "gateway.image", ref: "docker.io/nginxinc/nginx-unprivileged:1.31-alpine", field: "digest" },
    { chart: "loki", path: "memcached.image", ref: "docker.io/library/memcached:1.6.45-alpine", field: "tag", enabledBy: "chunksCache.enabled" },
    { chart: "loki", path: "memcachedExporter.image", ref: "docker.io/prom/memcached-exporter:v0.17.0", field: "tag", enabledBy: "chunksCache.enabled" },
    { chart: "loki", path: "sidecar.image", ref: "docker.io/kiwigrid/k8s-sidecar:2.10.1", field: "sha" },
    { chart: "jaeger", path: "jaeger.image", ref: "docker.io/jaegertracing/jaeger:2.19.0", field: "digest" },
    { chart: "jaeger", path: "esIndexCleaner.image", ref: "docker.io/jaegertracing/jaeger-es-index-cleaner:2.19.0", field: "digest", enabledBy: "esIndexCleaner.enabled" },
    { chart: "argoRollouts", path: "controller.image", ref: "quay.io/argoproj/argo-rollouts:v1.9.0", field: "tag" },
    { chart: "argoRollouts", path: "dashboard.image", ref: "quay.io/argoproj/kubectl-argo-rollouts:v1.9.0", field: "tag", enabledBy: "dashboard.enabled" },
    { chart: "velero", path: "image", ref: "docker.io/velero/velero:v1.18.1", field: "digest" },
    { chart: "velero", path: "kubectl.image", ref: "registry.k8s.io/kubectl:v1.35.0", field: "digest", setTag: true },
    { chart: "kyverno", path: "admissionController.container.image", ref: "reg.kyverno.io/kyverno/kyverno:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "admissionController.initContainer.image", ref: "reg.kyverno.io/kyverno/kyvernopre:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "backgroundController.image", ref: "reg.kyverno.io/kyverno/background-controller:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "cleanupController.image", ref: "reg.kyverno.io/kyverno/cleanup-controller:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "reportsController.image", ref: "reg.kyverno.io/kyverno/reports-controller:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "crds.migration.image", ref: "reg.kyverno.io/kyverno/kyverno-cli:v1.19.0", field: "tag" },
    { chart: "kyverno", path: "webhooksCleanup.image", ref: "ghcr.io/kyverno/readiness-checker:v1.19.0", field: "tag" },
];

/**
 * Upstream publishers that sign their images with cosign keyless, and the identity admission
 * requires (from each publisher's documentation). Kyverno signs its images too, but its own
 * namespace is outside admission (it cannot verify itself before it runs); see docs/supply-chain.md.
 */
export const SIGNING_PUBLISHERS = [
    {
        name: "Argo Rollouts",
        imageReferences: ["quay.io/argoproj/argo-rollouts*", "quay.io/argoproj/kubectl-argo-rollouts*"],
        issuer: "https://token.actions.githubusercontent.com",
        subjectRegExp: "^https://github\\.com/argoproj/argo-rollouts/\\.github/workflows/image-reuse\\.yaml@refs/tags/v",
    },
    {
        name: "Kubernetes release engineering (registry.k8s.io)",
        imageReferences: ["registry.k8s.io/kube-state-metrics/*", "registry.k8s.io/kubectl*"],
        issuer: "https://accounts.google.com",
        subject: "krel-trust@k8s-releng-prod.iam.gserviceaccount.com",
    },
] as const;

/** `registry/repository` and tag of a `registry/repository:tag` reference. */
export function splitRef(ref: string): { name: string; tag: string } {
    const i = ref.lastIndexOf(":");
    return { name: ref.slice(0, i), tag: ref.slice(i + 1) };
}
