/**
 * Container images the platform runs outside Helm charts, pinned by tag and digest. The digests were
 * taken from public manifests that pin the same tag; this machine cannot reach a registry, so they
 * are not verified here (README, "What is not verified offline"). Charts pin their own images by
 * chart version.
 */
export const IMAGES = {
    /** Grafana Alloy, the log agent. */
    alloy: "docker.io/grafana/alloy:v1.18.1@sha256:754409730f1a4ed9781f8a2ea3b6a8c55750ee125a267ecf8fb449f9a25c109a",
    /** podinfo, the example CanaryApp (exposes http_requests_total and the request duration histogram). */
    podinfo: "ghcr.io/stefanprodan/podinfo:6.11.0@sha256:5b789251f4b35f4ac6319c48b57eb6d29356d67471404c5fd3733db2eb8c11cf",
    /** Velero's AWS object store and EBS snapshot plugin, the release paired with Velero 1.18. */
    veleroAwsPlugin: "docker.io/velero/velero-plugin-for-aws:v1.14.2@sha256:0751144c1c8e52d52c48717fbd13ad5a3061e612ae4d7ad744a946cd5b139d1a",
} as const;
