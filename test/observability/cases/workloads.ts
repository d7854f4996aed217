/** Cases for alerts/workloads.ts: series as kube-state-metrics 2.20, the kubelet and the API server expose them. */
import { series, seriesLabels } from "../../harness/series";
import { Case, CaseFactory, fired, ruleOf } from "./types";

const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];
/** kube-state-metrics writes one kube_pod_status_phase series per phase, 1 for the current one. */
const phases = (pod: string, phase: string, ns = "apps", n = 40) =>
    PHASES.map((p) => series("kube_pod_status_phase", { namespace: ns, pod, phase: p, uid: `uid-${pod}` }, `${p === phase ? 1 : 0}x${n}`));
const ready = (pod: string, isReady: boolean, ns = "apps", n = 40) =>
    ["true", "false", "unknown"].map((c) => series("kube_pod_status_ready", { namespace: ns, pod, condition: c, uid: `uid-${pod}` }, `${(c === "true") === isReady && c !== "unknown" ? 1 : 0}x${n}`));

export const WORKLOAD_CASES: Record<string, CaseFactory> = {
    PodCrashLooping: (ctx) => {
        const rule = ruleOf(ctx, "PodCrashLooping");
        const looping = { namespace: "apps", pod: "web-1", container: "web", reason: "CrashLoopBackOff" };
        return [{
            name: "PodCrashLooping: fires after 15 minutes in CrashLoopBackOff, not for a container that is not waiting",
            series: [series("kube_pod_container_status_waiting_reason", looping, "1x40"), series("kube_pod_container_status_waiting_reason", { ...looping, pod: "web-2" }, "0x40")],
            alerts: [
                { at: "10m", alertname: "PodCrashLooping", expect: [] },
                { at: "25m", alertname: "PodCrashLooping", expect: [fired(seriesLabels("kube_pod_container_status_waiting_reason", looping), rule)] },
            ],
        }];
    },
    ContainerOOMKilled: (ctx) => {
        const rule = ruleOf(ctx, "ContainerOOMKilled");
        const c = { namespace: "apps", pod: "web-1", container: "web" };
        const oom = (reason: string, pod: string) => [
            series("kube_pod_container_status_restarts_total", { ...c, pod }, "0x5 1x20"),
            series("kube_pod_container_status_last_terminated_reason", { ...c, pod, reason }, "0x5 1x20"),
        ];
        return [{
            name: "ContainerOOMKilled: a restart after OOMKilled fires, a restart after Error does not",
            series: [...oom("OOMKilled", "web-1"), ...oom("Error", "web-2")],
            alerts: [
                { at: "3m", alertname: "ContainerOOMKilled", expect: [] },
                { at: "10m", alertname: "ContainerOOMKilled", expect: [fired(seriesLabels("kube_pod_container_status_restarts_total", c), rule)] },
            ],
        }];
    },
    PodNotReady: (ctx) => {
        const rule = ruleOf(ctx, "PodNotReady");
        const owner = (pod: string, kind: string) => series("kube_pod_owner", { namespace: "apps", pod, uid: `uid-${pod}`, owner_kind: kind, owner_name: kind === "Job" ? "migrate" : "web-6f7d8", owner_is_controller: "true" }, "1x40");
        return [
            {
                name: "PodNotReady: a Running pod whose readiness probe fails fires, as does a Pending one",
                series: [...phases("web-1", "Running"), ...ready("web-1", false), owner("web-1", "ReplicaSet"), ...phases("web-2", "Pending"), ...ready("web-2", false), owner("web-2", "ReplicaSet")],
                alerts: [
                    { at: "10m", alertname: "PodNotReady", expect: [] },
                    { at: "20m", alertname: "PodNotReady", expect: [fired({ namespace: "apps", pod: "web-1" }, rule), fired({ namespace: "apps", pod: "web-2" }, rule)] },
                ],
            },
            {
                name: "PodNotReady: ready pods, completed pods and failed Job pods (KubeJobFailed's) do not fire",
                series: [...phases("web-3", "Running"), ...ready("web-3", true), owner("web-3", "ReplicaSet"), ...phases("migrate-x", "Failed"), ...ready("migrate-x", false), owner("migrate-x", "Job"), ...phases("done-y", "Succeeded"), ...ready("done-y", false), owner("done-y", "Job")],
                alerts: [{ at: "30m", alertname: "PodNotReady", expect: [] }],
            },
        ];
    },
    KubeJobFailed: (ctx) => {
        const rule = ruleOf(ctx, "KubeJobFailed");
        const job = (name: string, failed: boolean) => ["true", "false", "unknown"].map((c) => series("kube_job_failed", { namespace: "apps", job_name: name, condition: c }, `${(c === "true") === failed && c !== "unknown" ? 1 : 0}x20`));
        return [{
            name: "KubeJobFailed: a failed Job fires after 5 minutes, a Job that did not fail does not",
            series: [...job("migrate", true), ...job("report", false)],
            alerts: [
                { at: "3m", alertname: "KubeJobFailed", expect: [] },
                { at: "10m", alertname: "KubeJobFailed", expect: [fired(seriesLabels("kube_job_failed", { namespace: "apps", job_name: "migrate", condition: "true" }), rule)] },
            ],
        }];
    },
    NodeNotReady: (ctx) => {
        const rule = ruleOf(ctx, "NodeNotReady");
        const node = (name: string, isReady: boolean) => ["true", "false", "unknown"].map((s) => series("kube_node_status_condition", { node: name, condition: "Ready", status: s }, `${(s === "true") === isReady && s !== "unknown" ? 1 : 0}x30`));
        const down = { node: "ip-10-40-3-9.eu-west-1.compute.internal", condition: "Ready", status: "true" };
        return [{
            name: "NodeNotReady: a node not Ready for 15 minutes fires, a Ready node does not",
            series: [...node(down.node, false), ...node("ip-10-40-3-5.eu-west-1.compute.internal", true)],
            alerts: [
                { at: "10m", alertname: "NodeNotReady", expect: [] },
                { at: "20m", alertname: "NodeNotReady", expect: [fired(seriesLabels("kube_node_status_condition", down), rule)] },
            ],
        }];
    },
    PersistentVolumeFillingUp: (ctx) => {
        const rule = ruleOf(ctx, "PersistentVolumeFillingUp");
        const pvc = (name: string) => ({ namespace: "apps", persistentvolumeclaim: name });
        return [{
            name: "PersistentVolumeFillingUp: 14% free and losing 10 MiB a minute fires after an hour; 14% free and steady does not",
            series: [
                series("kubelet_volume_stats_capacity_bytes", pvc("data"), "107374182400x200"),
                series("kubelet_volume_stats_available_bytes", pvc("data"), "15032385536-10485760x200"),
                series("kubelet_volume_stats_capacity_bytes", pvc("steady"), "107374182400x200"),
                series("kubelet_volume_stats_available_bytes", pvc("steady"), "15032385536x200"),
            ],
            alerts: [
                { at: "30m", alertname: "PersistentVolumeFillingUp", expect: [] },
                { at: "90m", alertname: "PersistentVolumeFillingUp", expect: [fired(seriesLabels("kubelet_volume_stats_available_bytes", pvc("data")), rule)] },
            ],
        }];
    },
    PersistentVolumeAlmostFull: (ctx) => {
        const rule = ruleOf(ctx, "PersistentVolumeAlmostFull");
        const pvc = (name: string) => ({ namespace: "apps", persistentvolumeclaim: name });
        return [{
            name: "PersistentVolumeAlmostFull: 2% free fires after 5 minutes, 14% free does not",
            series: [
                series("kubelet_volume_stats_capacity_bytes", pvc("full"), "100x20"), series("kubelet_volume_stats_available_bytes", pvc("full"), "2x20"),
                series("kubelet_volume_stats_capacity_bytes", pvc("fine"), "100x20"), series("kubelet_volume_stats_available_bytes", pvc("fine"), "14x20"),
            ],
            alerts: [
                { at: "3m", alertname: "PersistentVolumeAlmostFull", expect: [] },
                { at: "10m", alertname: "PersistentVolumeAlmostFull", expect: [fired(seriesLabels("kubelet_volume_stats_available_bytes", pvc("full")), rule)] },
            ],
        }];
    },
    KubeAPIErrorsHigh: (ctx) => {
        const rule = ruleOf(ctx, "KubeAPIErrorsHigh");
        const api = (code: string, perMinute: number) => series("apiserver_request_total", { code, verb: "LIST", resource: "pods", scope: "cluster" }, `0+${perMinute}x40`);
        return [
            { name: "KubeAPIErrorsHigh: 10% 5xx for 10 minutes fires", series: [api("200", 900), api("503", 100)], alerts: [{ at: "5m", alertname: "KubeAPIErrorsHigh", expect: [] }, { at: "20m", alertname: "KubeAPIErrorsHigh", expect: [fired({}, rule)] }] },
            { name: "KubeAPIErrorsHigh: 1% 5xx does not fire", series: [api("200", 990), api("503", 10)], alerts: [{ at: "30m", alertname: "KubeAPIErrorsHigh", expect: [] }] },
        ];
    },
    KubeletClientCertificateExpiring: (ctx) => {
        const rule = ruleOf(ctx, "KubeletClientCertificateExpiring");
        const node = (name: string) => ({ node: name, instance: `${name}:10250` });
        return [{
            name: "KubeletClientCertificateExpiring: 5 days left fires, 300 days left does not",
            series: [
                series("kubelet_certificate_manager_client_ttl_seconds", {}, "432000x5", node("ip-10-40-3-5.eu-west-1.compute.internal")),
                series("kubelet_certificate_manager_client_ttl_seconds", {}, "25920000x5", node("ip-10-40-3-6.eu-west-1.compute.internal")),
            ],
            alerts: [{ at: "2m", alertname: "KubeletClientCertificateExpiring", expect: [fired(seriesLabels("kubelet_certificate_manager_client_ttl_seconds", {}, node("ip-10-40-3-5.eu-west-1.compute.internal")), rule)] }],
        }, {
            name: "KubeletClientCertificateExpiring: a rotated certificate (300 days left) does not fire",
            series: [series("kubelet_certificate_manager_client_ttl_seconds", {}, "25920000x5", node("ip-10-40-3-6.eu-west-1.compute.internal"))],
            alerts: [{ at: "2m", alertname: "KubeletClientCertificateExpiring", expect: [] }],
        }];
    },
};

/** Cases that need more than one alert's rules at once are not needed here; every case above names its alert. */
export type { Case };
