/**
 * Pod-spec extraction shared by every Kubernetes policy: finds every container (regular, init,
 * ephemeral) of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob and Argo
 * Rollout objects, whether they come from Pulumi resources (`kubernetes:apps/v1:Deployment`) or
 * from plain Kubernetes YAML (apiVersion/kind).
 */
import type { PackConfig, PolicyResource } from "./types";

/** Pulumi type tokens of every workload kind. */
export const WORKLOAD_TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
];

export interface ContainerRef {
    /** e.g. `spec.template.spec.initContainers[0]` */
    path: string;
    kind: "container" | "initContainer" | "ephemeralContainer";
    container: Record<string, any>;
}

export interface Workload {
    kind: string;
    name: string;
    namespace?: string;
    podSpec: Record<string, any>;
    podSpecPath: string;
    containers: ContainerRef[];
    /** Argo Rollouts `workloadRef`: the pod template lives in another object. */
    workloadRef?: { kind: string; name: string };
}

/** Where the pod spec sits in each workload kind. */
const POD_SPEC_PATHS: Record<string, string[]> = {
    Pod: ["spec"],
    Deployment: ["spec", "template", "spec"],
    StatefulSet: ["spec", "template", "spec"],
    DaemonSet: ["spec", "template", "spec"],
    ReplicaSet: ["spec", "template", "spec"],
    ReplicationController: ["spec", "template", "spec"],
    Job: ["spec", "template", "spec"],
    CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
    Rollout: ["spec", "template", "spec"],
    PodTemplate: ["template", "spec"],
};

/** Kind of a Pulumi type token (`kubernetes:apps/v1:Deployment` -> Deployment) or of a YAML object. */
export function kindOf(type: string | undefined, obj: Record<string, any>): string | undefined {
    if (obj && typeof obj.kind === "string") return obj.kind;
    const m = type?.match(/^kubernetes:[^:]+:(\w+)$/);
    return m?.[1];
}

export function extractWorkload(obj: Record<string, any>, type?: string): Workload | undefined {
    const kind = kindOf(type, obj);
    if (!kind || !POD_SPEC_PATHS[kind]) return undefined;
    if (kind === "Rollout" && obj.apiVersion && !String(obj.apiVersion).startsWith("argoproj.io/")) return undefined;
    const path = POD_SPEC_PATHS[kind];
    const podSpec = path.reduce<any>((node, k) => (node && typeof node === "object" ? node[k] : undefined), obj);
    const workloadRef = kind === "Rollout" && obj.spec?.workloadRef ? { kind: obj.spec.workloadRef.kind, name: obj.spec.workloadRef.name } : undefined;
    const podSpecPath = path.join(".");
    const containers: ContainerRef[] = [];
    if (podSpec && typeof podSpec === "object") {
        const lists: [string, ContainerRef["kind"]][] = [["containers", "container"], ["initContainers", "initContainer"], ["ephemeralContainers", "ephemeralContainer"]];
        for (const [field, k] of lists) {
            (Array.isArray(podSpec[field]) ? podSpec[field] : []).forEach((c: Record<string, any>, i: number) => containers.push({ path: `${podSpecPath}.${field}[${i}]`, kind: k, container: c ?? {} }));
        }
    }
    return { kind, name: obj.metadata?.name ?? "(unnamed)", namespace: obj.metadata?.namespace, podSpec: podSpec ?? {}, podSpecPath, containers, workloadRef };
}

/** Turns a per-container check into a policy's validate function (one walk for every workload policy). */
export function perContainer(check: (w: Workload, c: ContainerRef, cfg: PackConfig) => string[]) {
    return (r: PolicyResource, cfg: PackConfig): string[] => {
        const w = extractWorkload(r.props, r.type);
        return w ? w.containers.flatMap((c) => check(w, c, cfg)) : [];
    };
}
