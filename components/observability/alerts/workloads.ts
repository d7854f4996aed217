/**
 * Alerts on what Kubernetes runs: pods, Jobs, nodes, volumes, the API server and kubelet
 * certificates. Series come from kube-state-metrics (job="kube-state-metrics", honorLabels, so the
 * object's namespace is kept), the kubelet (job="kubelet") and the API server (job="apiserver").
 */
import { alertRule } from "./runbooks";
import { RuleGroup } from "./types";

const KSM = 'job="kube-state-metrics"';

export function workloadRuleGroups(runbookBase: string): RuleGroup[] {
    const alert = alertRule.bind(null, runbookBase);
    return [
        {
            name: "platform-workloads",
            rules: [
                alert({
                    alert: "PodCrashLooping", severity: "warning", for: "15m",
                    expr: `max_over_time(kube_pod_container_status_waiting_reason{${KSM}, reason="CrashLoopBackOff"}[5m]) >= 1`,
                    summary: "Container is crash looping",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} has been in CrashLoopBackOff for 15 minutes.",
                }),
                alert({
                    alert: "ContainerOOMKilled", severity: "warning",
                    expr: `increase(kube_pod_container_status_restarts_total{${KSM}}[15m]) > 0\nand on (namespace, pod, container)\nkube_pod_container_status_last_terminated_reason{${KSM}, reason="OOMKilled"} == 1`,
                    summary: "Container was OOM-killed",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} restarted after exceeding its memory limit.",
                }),
                alert({
                    // Not ready = a phase other than Running/Succeeded, or Running with a failing readiness probe.
                    // Pods of Jobs are left to KubeJobFailed (a failed Job's pods stay Failed until the Job is removed).
                    alert: "PodNotReady", severity: "warning", for: "15m",
                    expr: [
                        "(",
                        `  max by (namespace, pod) (kube_pod_status_phase{${KSM}, phase=~"Pending|Unknown|Failed"}) == 1`,
                        "  or",
                        `  (max by (namespace, pod) (kube_pod_status_ready{${KSM}, condition="false"}) == 1`,
                        `   and on (namespace, pod) max by (namespace, pod) (kube_pod_status_phase{${KSM}, phase="Running"}) == 1)`,
                        ")",
                        `unless on (namespace, pod) kube_pod_owner{${KSM}, owner_kind="Job"}`,
                    ].join("\n"),
                    summary: "Pod has not been ready for 15 minutes",
                    description: "{{ $labels.namespace }}/{{ $labels.pod }} has not been ready for 15 minutes: it is Pending, Unknown or Failed, or Running while its readiness probe fails.",
                }),
                alert({
                    alert: "KubeJobFailed", severity: "warning", for: "5m",
                    expr: `kube_job_failed{${KSM}, condition="true"} == 1`,
                    summary: "Job failed",
                    description: "Job {{ $labels.namespace }}/{{ $labels.job_name }} failed (backoff limit or deadline reached). The alert clears when the Job is removed or succeeds on a retry.",
                }),
            ],
        },
        {
            name: "platform-nodes",
            rules: [
                alert({
                    alert: "NodeNotReady", severity: "warning", for: "15m",
                    expr: `kube_node_status_condition{${KSM}, condition="Ready", status="true"} == 0`,
                    summary: "Node is not ready",
                    description: "Node {{ $labels.node }} has not been Ready for 15 minutes.",
                }),
            ],
        },
        {
            name: "platform-storage",
            rules: [
                alert({
                    alert: "PersistentVolumeFillingUp", severity: "warning", for: "1h",
                    expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.15\nand\npredict_linear(kubelet_volume_stats_available_bytes{job="kubelet"}[6h], 4 * 24 * 3600) < 0',
                    summary: "Volume will fill up within four days",
                    description: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free and, at the current rate, fills up within four days.",
                }),
                alert({
                    alert: "PersistentVolumeAlmostFull", severity: "critical", for: "5m",
                    expr: 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"} < 0.03',
                    summary: "Volume is almost full",
                    description: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has only {{ $value | humanizePercentage }} free.",
                }),
            ],
        },
        {
            name: "platform-control-plane",
            rules: [
                alert({
                    alert: "KubeAPIErrorsHigh", severity: "critical", for: "10m",
                    expr: 'sum(rate(apiserver_request_total{job="apiserver", code=~"5.."}[5m])) / sum(rate(apiserver_request_total{job="apiserver"}[5m])) > 0.05',
                    summary: "Kubernetes API server returns many errors",
                    description: "{{ $value | humanizePercentage }} of API server requests failed with 5xx over 10 minutes.",
                }),
            ],
        },
        {
            // No alert on served TLS certificates: nothing the platform serves uses a certificate it manages
            // (EKS, RDS and OpenSearch rotate AWS-managed ones; Kyverno and the operator's webhook renew their own),
            // so a probe_ssl_earliest_cert_expiry alert would need a blackbox exporter with nothing to probe.
            name: "platform-certificates",
            rules: [
                alert({
                    alert: "KubeletClientCertificateExpiring", severity: "warning",
                    expr: 'kubelet_certificate_manager_client_ttl_seconds{job="kubelet"} < 7 * 24 * 3600',
                    summary: "Kubelet client certificate expires within 7 days",
                    description: "The client certificate of the kubelet on {{ $labels.node }} expires in {{ $value | humanizeDuration }} and has not been rotated.",
                }),
            ],
        },
    ];
}
