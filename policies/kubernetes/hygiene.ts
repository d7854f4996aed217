/**
 * Workload hygiene (advisory unless configured mandatory): non-root, no privileged containers or
 * privilege escalation, read-only root filesystems, and no host namespaces or hostPath volumes
 * outside the system namespaces [CIS EKS 4.2.1-4.2.5, 4.5.2].
 */
import type { PackConfig, PolicyResource, ResourcePolicy } from "../lib/types";
import { carriesPodSpec, containerLabel, extractWorkloads, namespaceOf, Workload } from "../lib/workloads";

export const workloadHygiene: ResourcePolicy = {
    name: "workload-hygiene",
    description: "Checks whether workloads run as non-root, without privileged containers or privilege escalation, with read-only root filesystems, and without hostNetwork/hostPID/hostIPC or hostPath volumes outside system namespaces [CIS EKS 4.2.1-4.2.5]; and not in the default namespace [CIS EKS 4.5.2].",
    enforcementLevel: "advisory",
    config: ["systemNamespaces"],
    resourceTypes: [],
    appliesTo: carriesPodSpec,
    validate(r: PolicyResource, cfg: PackConfig): string[] {
        return extractWorkloads(r.props, r.type).flatMap((w) => hygieneOf(w, cfg));
    },
};

/** A patch is judged on what it sets: an insecure value it sets is a violation, a field it leaves out is the patched object's. */
function hygieneOf(w: Workload, cfg: PackConfig): string[] {
    const who = `${w.kind} ${w.name}`; // workload-level messages
    const namespace = namespaceOf(w);
    const system = namespace !== undefined && cfg.systemNamespaces.includes(namespace);
    const out: string[] = [];
    const pod = w.podSpec;
    if (namespace === "default") out.push(`${who} runs in the default namespace [CIS EKS 4.5.2].`);
    if (!system) {
        for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[k] === true) out.push(`${who} uses ${k} outside the system namespaces [CIS EKS 4.2.2-4.2.4].`);
        for (const v of Array.isArray(pod.volumes) ? pod.volumes : []) if (v?.hostPath) out.push(`${who} mounts hostPath ${v.hostPath.path} (volume ${v.name}) outside the system namespaces.`);
    }
    for (const c of w.containers) {
        const sc = c.container.securityContext && typeof c.container.securityContext === "object" ? c.container.securityContext : {};
        if (sc.privileged === true) out.push(`${containerLabel(w, c)} is privileged [CIS EKS 4.2.1].`);
        if (sc.allowPrivilegeEscalation !== false && !(w.patch && sc.allowPrivilegeEscalation === undefined)) out.push(`${containerLabel(w, c)} must set allowPrivilegeEscalation: false [CIS EKS 4.2.5].`);
        if (c.kind !== "ephemeralContainer" && sc.readOnlyRootFilesystem !== true && !(w.patch && sc.readOnlyRootFilesystem === undefined)) out.push(`${containerLabel(w, c)} must set readOnlyRootFilesystem: true.`);
        const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
        if (nonRoot !== true && !system && !(w.patch && nonRoot === undefined)) out.push(`${containerLabel(w, c)} must run as non-root (runAsNonRoot: true).`);
    }
    return out;
}
