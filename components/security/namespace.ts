/**
 * GuardedNamespace: a namespace the platform creates, always with its guardrails: Pod Security
 * Admission labels, a LimitRange giving every container default requests/limits (and a ceiling),
 * and a ResourceQuota bounding what the namespace may consume.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceRef } from "../shared/helm";
import type { NamespaceQuota } from "./quota";

export type { NamespaceQuota } from "./quota";

export interface GuardedNamespaceArgs {
    /** Namespace name (DNS label). */
    name: string;
    /** Pod Security Standard enforced: `restricted` for applications, `baseline` or `privileged` for agents that need host access. Defaults to restricted. */
    podSecurity?: "restricted" | "baseline" | "privileged";
    quota: NamespaceQuota;
    /** Per-container ceiling in the LimitRange. Defaults to 4 CPU / 16Gi. */
    maxContainer?: { cpu: string; memory: string };
    /** Extra labels (e.g. `backup: hourly`). */
    labels?: Record<string, string>;
}

export class GuardedNamespace extends pulumi.ComponentResource {
    /** The name, and an output resolving once the namespace exists. */
    public readonly ref: NamespaceRef;

    constructor(name: string, args: GuardedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:security:Namespace", name, {}, opts);
        const level = args.podSecurity ?? "restricted";
        const ns = new k8s.core.v1.Namespace(name, {
            metadata: {
                name: args.name,
                labels: {
                    "pod-security.kubernetes.io/enforce": level,
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "app.kubernetes.io/managed-by": "pulumi",
                    ...args.labels,
                },
            },
        }, { parent: this });
        const child = { parent: this, dependsOn: [ns] };
        const max = args.maxContainer ?? { cpu: "4", memory: "16Gi" };
        new k8s.core.v1.LimitRange(`${name}-limits`, {
            metadata: { name: "default-limits", namespace: args.name },
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: { cpu: "50m", memory: "64Mi" },
                    default: { cpu: "500m", memory: "256Mi" },
                    max: { cpu: max.cpu, memory: max.memory },
                }],
            },
        }, child);
        const q = args.quota;
        new k8s.core.v1.ResourceQuota(`${name}-quota`, {
            metadata: { name: "compute", namespace: args.name },
            spec: {
                hard: {
                    "requests.cpu": q.requestsCpu,
                    "requests.memory": q.requestsMemory,
                    "limits.cpu": q.limitsCpu,
                    "limits.memory": q.limitsMemory,
                    persistentvolumeclaims: String(q.persistentVolumeClaims ?? 20),
                    "requests.storage": q.requestsStorage ?? "1Ti",
                },
            },
        }, child);
        this.ref = { name: args.name, ready: ns.metadata.name };
        this.registerOutputs({ name: this.ref.ready });
    }
}
