/**
 * LogAgent: Grafana Alloy as a DaemonSet tailing every pod's log files on its node and shipping them
 * to Loki with exactly three labels, namespace, pod and container (plus the node-independent
 * `job`), never pod uids, IPs or label sets that would explode Loki's index.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { NamespaceRef, Placement, resources } from "../shared/helm";
import { IMAGES } from "../shared/images";

/** Alloy's storage path on each node: read positions survive pod restarts and updates. */
export const POSITIONS_HOST_PATH = "/var/lib/alloy";

export interface LogAgentArgs {
    /** Namespace of the agent; it mounts /var/log from the host, so it is a system namespace. */
    namespace: NamespaceRef;
    /** Loki push base URL (the gateway). */
    lokiUrl: string;
    /** Defaults to the pinned Alloy image. */
    image?: string;
    /** The resource installing the monitoring CRDs (the Prometheus release); the PodMonitor waits for it. */
    monitoringCrds: pulumi.Resource;
    /** Tolerations so it runs on every node (defaults to tolerate everything). */
    tolerations?: Placement["tolerations"];
}

/** The Alloy pipeline: discover this node's pods, tail their CRI log files, label, push to Loki. */
export function alloyConfig(lokiUrl: string): string {
    return `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("NODE_NAME")
  }
}

discovery.relabel "pods" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "job"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pods" {
  path_targets = discovery.relabel.pods.output
}

loki.source.file "pods" {
  targets    = local.file_match.pods.targets
  forward_to = [loki.process.pods.receiver]
}

loki.process "pods" {
  stage.cri {}
  forward_to = [loki.write.loki.receiver]
}

loki.write "loki" {
  endpoint {
    url = "${lokiUrl}/loki/api/v1/push"
  }
}
`;
}

export class LogAgent extends pulumi.ComponentResource {
    constructor(name: string, args: LogAgentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:LogAgent", name, {}, opts);
        const child = { parent: this };
        const ns = args.namespace.ready;
        const labels = { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": name };
        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: "alloy", namespace: ns } }, child);
        const role = new k8s.rbac.v1.ClusterRole(`${name}-role`, {
            metadata: { name: `${name}-alloy` },
            rules: [{ apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
        }, child);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, {
            metadata: { name: `${name}-alloy` },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: args.namespace.name }],
        }, child);
        const config = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: { name: "alloy-config", namespace: ns }, data: { "config.alloy": alloyConfig(args.lokiUrl) } }, child);
        new k8s.apps.v1.DaemonSet(`${name}-daemonset`, {
            metadata: { name: "alloy", namespace: ns, labels },
            spec: {
                selector: { matchLabels: labels },
                updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
                template: {
                    metadata: { labels, annotations: { "checksum/config": createHash("sha256").update(alloyConfig(args.lokiUrl)).digest("hex") } },
                    spec: {
                        serviceAccountName: sa.metadata.name,
                        priorityClassName: "system-node-critical",
                        tolerations: args.tolerations ?? [{ operator: "Exists" }],
                        containers: [{
                            name: "alloy",
                            image: args.image ?? IMAGES.alloy,
                            args: ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data", "--server.http.listen-addr=0.0.0.0:12345", "--stability.level=generally-available"],
                            env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                            ports: [{ name: "http-metrics", containerPort: 12345 }],
                            readinessProbe: { httpGet: { path: "/-/ready", port: 12345 }, initialDelaySeconds: 10 },
                            resources: resources("50m", "128Mi", "500m", "512Mi"),
                            // Root is needed to read the kubelet's 0640 log files; nothing else is granted.
                            securityContext: {
                                runAsUser: 0,
                                runAsNonRoot: false,
                                readOnlyRootFilesystem: true,
                                allowPrivilegeEscalation: false,
                                capabilities: { drop: ["ALL"], add: ["DAC_READ_SEARCH"] },
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            volumeMounts: [
                                { name: "config", mountPath: "/etc/alloy" },
                                { name: "varlog", mountPath: "/var/log", readOnly: true },
                                { name: "data", mountPath: "/var/lib/alloy/data" },
                            ],
                        }],
                        volumes: [
                            { name: "config", configMap: { name: config.metadata.name } },
                            { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
                            // Read positions (loki.source.file) live under --storage.path: on the node, so a restarted or
                            // updated pod resumes where the last one stopped instead of re-shipping every log file.
                            { name: "data", hostPath: { path: POSITIONS_HOST_PATH, type: "DirectoryOrCreate" } },
                        ],
                    },
                },
            },
        }, child);
        new k8s.apiextensions.CustomResource(`${name}-podmonitor`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PodMonitor",
            metadata: { name: "alloy", namespace: ns },
            spec: { selector: { matchLabels: labels }, podMetricsEndpoints: [{ port: "http-metrics", interval: "30s" }] },
        }, { parent: this, dependsOn: [args.monitoringCrds] });
        this.registerOutputs({});
    }
}
