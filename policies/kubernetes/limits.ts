/**
 * Resource requests and limits on every container.
 */
import { parseQuantity } from "../lib/quantity";
import type { ResourcePolicy } from "../lib/types";
import { perContainer, WORKLOAD_TYPES } from "../lib/workloads";

export const containerResources: ResourcePolicy = {
    name: "container-resources",
    description: "Checks whether every container and init container sets CPU and memory requests and limits, requests <= limits, and limits <= the configured maxima (ephemeral containers cannot set resources).",
    enforcementLevel: "mandatory",
    config: ["maxCpuCores", "maxMemoryGiB"],
    resourceTypes: WORKLOAD_TYPES,
    validate: perContainer((w, c, cfg) => {
        const out: string[] = [];
        const max: Record<string, number> = { cpu: cfg.maxCpuCores, memory: cfg.maxMemoryGiB * 2 ** 30 };
        if (c.kind !== "ephemeralContainer") {
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
    }),
};
