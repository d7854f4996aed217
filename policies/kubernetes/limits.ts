/**
 * Resource requests and limits on every container, compared exactly (BigInt nano-units, as the API
 * server stores quantities): `9m` equals `0.009`. Zero (no limit to the kubelet), negative and
 * malformed values are violations that say why.
 */
import { formatNanos, parseQuantity, resourceQuantityProblem } from "../lib/quantity";
import type { PackConfig, ResourcePolicy } from "../lib/types";
import { carriesPodSpec, perContainer } from "../lib/workloads";

/** The configured maxima in nano-units (maxCpuCores cores, maxMemoryGiB GiB), exact. */
function maxima(cfg: PackConfig): Record<string, bigint | undefined> {
    const gib = parseQuantity(cfg.maxMemoryGiB);
    return { cpu: parseQuantity(cfg.maxCpuCores), memory: gib === undefined ? undefined : gib << 30n };
}

export const containerResources: ResourcePolicy = {
    name: "container-resources",
    description: "Checks whether every container and init container sets positive, well-formed CPU and memory requests and limits, requests <= limits, and limits <= the configured maxima (ephemeral containers cannot set resources); Patch resources are judged on the values they set.",
    enforcementLevel: "mandatory",
    resourceTypes: [],
    appliesTo: carriesPodSpec,
    validate: perContainer((w, c, cfg) => {
        const out: string[] = [];
        if (c.kind === "ephemeralContainer") return out;
        const max = maxima(cfg);
        const who = `${w.kind} ${w.name}: ${c.kind} ${c.container.name ?? c.path}`;
        const res = c.container.resources;
        if (res !== undefined && (res === null || typeof res !== "object" || Array.isArray(res))) return [`${who} resources must be an object with requests and limits.`];
        for (const resource of ["cpu", "memory"]) {
            const raw = { requests: res?.requests?.[resource], limits: res?.limits?.[resource] };
            const values: Record<string, bigint | undefined> = {};
            for (const kind of ["requests", "limits"] as const) {
                // A patch leaves unset values to the patched object; what it sets must be valid.
                if (w.patch && raw[kind] === undefined) continue;
                const problem = resourceQuantityProblem(raw[kind]);
                if (problem) out.push(`${who} resources.${kind}.${resource} ${problem}; set a positive quantity.`);
                else values[kind] = parseQuantity(raw[kind]);
            }
            const [req, lim] = [values.requests, values.limits];
            if (req !== undefined && lim !== undefined && req > lim) out.push(`${who} requests.${resource} (${raw.requests}) must not exceed limits.${resource} (${raw.limits}).`);
            const cap = max[resource];
            if (lim !== undefined && cap !== undefined && lim > cap) out.push(`${who} limits.${resource} (${raw.limits}) must not exceed the maximum ${resource === "cpu" ? `${formatNanos(cap)} cores` : `${cfg.maxMemoryGiB}Gi`}.`);
        }
        return out;
    }, { structural: true }),
};
