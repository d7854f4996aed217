/**
 * Resource requests and limits on every container.
 */
import { parseQuantity } from "../lib/quantity";
import type { ResourcePolicy } from "../lib/types";
import { extractWorkload } from "../lib/workloads";

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

export const containerResources: ResourcePolicy = {
    name: "container-resources",
    description: "Checks whether every container (including init and ephemeral containers) sets CPU and memory requests and limits, requests <= limits, and limits <= the configured maxima.",
    enforcementLevel: "mandatory",
    resourceTypes: WORKLOAD_TYPES,
    validate(r, cfg) {
        const w = extractWorkload(r.props, r.type);
        if (!w) return [];
        const out: string[] = [];
        const max: Record<string, number> = { cpu: cfg.maxCpuCores, memory: cfg.maxMemoryGiB * 2 ** 30 };
        for (const c of w.containers) {
            if (c.kind === "ephemeralContainer") continue; // the API forbids resources on ephemeral containers
            const name = `${c.kind} ${c.container.name ?? c.path}`;
            const res = c.container.resources ?? {};
            for (const resource of ["cpu", "memory"]) {
                const req = parseQuantity(res.requests?.[resource]);
                const lim = parseQuantity(res.limits?.[resource]);
                if (req === undefined) out.push(`${w.kind} ${w.name}: ${name} must set a valid resources.requests.${resource}.`);
                if (lim === undefined) out.push(`${w.kind} ${w.name}: ${name} must set a valid resources.limits.${resource}.`);
                if (req !== undefined && lim !== undefined && req > lim) out.push(`${w.kind} ${w.name}: ${name} requests.${resource} (${res.requests[resource]}) must not exceed limits.${resource} (${res.limits[resource]}).`);
                if (lim !== undefined && lim > max[resource]) out.push(`${w.kind} ${w.name}: ${name} limits.${resource} (${res.limits[resource]}) must not exceed the maximum ${resource === "cpu" ? `${cfg.maxCpuCores} cores` : `${cfg.maxMemoryGiB}Gi`}.`);
            }
        }
        return out;
    },
};
