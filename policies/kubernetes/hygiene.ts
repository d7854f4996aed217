/**
 * Workload hygiene (advisory unless configured mandatory): non-root, no privileged containers or
 * privilege escalation, read-only root filesystems, and no host namespaces or hostPath volumes
 * outside the system namespaces [CIS EKS 4.2.1-4.2.5, 4.5.2].
 */
import type { PackConfig, PolicyResource, ResourcePolicy } from "../lib/types";
import { extractWorkload, WORKLOAD_TYPES } from "../lib/workloads";

export const workloadHygiene: ResourcePolicy = {
    name: "workload-hygiene",
    description: "Checks whether workloads run as non-root, without privileged containers or privilege escalation, with read-only root filesystems, and without hostNetwork/hostPID/hostIPC or hostPath volumes outside system namespaces [CIS EKS 4.2.1-4.2.5]; and not in the default namespace [CIS EKS 4.5.2].",
    enforcementLevel: "advisory",
    config: ["systemNamespaces"],
    resourceTypes: WORKLOAD_TYPES,
    validate(r: PolicyResource, cfg: PackConfig): string[] {
        const w = extractWorkload(r.props, r.type);
        if (!w) return [];
        const who = `${w.kind} ${w.name}`;
        const system = w.namespace !== undefined && cfg.systemNamespaces.includes(w.namespace);
        const out: string[] = [];
        const pod = w.podSpec;
        if (w.namespace === "default") out.push(`${who} runs in the default namespace [CIS EKS 4.5.2].`);
        if (!system) {
            for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[k] === true) out.push(`${who} uses ${k} outside the system namespaces [CIS EKS 4.2.2-4.2.4].`);
            for (const v of pod.volumes ?? []) if (v?.hostPath) out.push(`${who} mounts hostPath ${v.hostPath.path} (volume ${v.name}) outside the system namespaces.`);
        }
        for (const c of w.containers) {
            const sc = c.container.securityContext ?? {};
            const name = `${who}: ${c.kind} ${c.container.name ?? c.path}`;
            if (sc.privileged === true) out.push(`${name} is privileged [CIS EKS 4.2.1].`);
            if (sc.allowPrivilegeEscalation !== false) out.push(`${name} must set allowPrivilegeEscalation: false [CIS EKS 4.2.5].`);
            if (c.kind !== "ephemeralContainer" && sc.readOnlyRootFilesystem !== true) out.push(`${name} must set readOnlyRootFilesystem: true.`);
            const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
            if (nonRoot !== true && !system) out.push(`${name} must run as non-root (runAsNonRoot: true).`);
        }
        return out;
    },
};
