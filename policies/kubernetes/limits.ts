/**
 * Resource requests and limits on every container, compared exactly (BigInt nano-units, as the API
 * server stores quantities): `9m` equals `0.009`. Zero (no limit to the kubelet), negative and
 * malformed values are violations that say why.
 */
import { formatNanos, parseQuantity, resourceQuantity } from "../lib/quantity";
import type { PackConfig, ResourcePolicy } from "../lib/types";
import { carriesPodSpec, containerLabel, perContainer } from "../lib/workloads";

const RESOURCES = ["cpu", "memory"] as const;

const maximaOf = new WeakMap<PackConfig, Record<string, bigint | undefined>>();
/** The configured maxima in nano-units (maxCpuCores cores, maxMemoryGiB GiB), exact; once per config. */
function maxima(cfg: PackConfig): Record<string, bigint | undefined> {
    let m = maximaOf.get(cfg);
    if (!m) {
        const gib = parseQuantity(cfg.maxMemoryGiB);
        maximaOf.set(cfg, (m = { cpu: parseQuantity(cfg.maxCpuCores), memory: gib === undefined ? undefined : gib << 30n }));
    }
    return m;
}

export const containerResources: ResourcePolicy = {
    name: "container-resources",
    description: "Checks whether every container and init container sets positive, well-formed CPU and memory requests and limits, requests <= limits, and limits <= the configured maxima (ephemeral containers cannot set resources); Patch resources are judged on the values they set.",
    enforcementLevel: "mandatory",
    config: ["maxCpuCores", "maxMemoryGiB"],
    resourceTypes: [],
    appliesTo: carriesPodSpec,
    validate: perContainer((w, c, cfg) => {
        const out: string[] = [];
        if (c.kind === "ephemeralContainer") return out;
        const max = maxima(cfg);
        const res = c.container.resources;
        if (res !== undefined && (res === null || typeof res !== "object" || Array.isArray(res))) return [`${containerLabel(w, c)} resources must be an object with requests and limits.`];
        for (const resource of RESOURCES) {
            const rawReq = res?.requests?.[resource];
            const rawLim = res?.limits?.[resource];
            // A patch leaves unset values to the patched object; what it sets must be valid.
            const req = w.patch && rawReq === undefined ? undefined : resourceQuantity(rawReq);
            const lim = w.patch && rawLim === undefined ? undefined : resourceQuantity(rawLim);
            if (req?.problem !== undefined) out.push(`${containerLabel(w, c)} resources.requests.${resource} ${req.problem}; set a positive quantity.`);
            if (lim?.problem !== undefined) out.push(`${containerLabel(w, c)} resources.limits.${resource} ${lim.problem}; set a positive quantity.`);
            if (req?.nanos !== undefined && lim?.nanos !== undefined && req.nanos > lim.nanos) out.push(`${containerLabel(w, c)} requests.${resource} (${rawReq}) must not exceed limits.${resource} (${rawLim}).`);
            const cap = max[resource];
            if (lim?.nanos !== undefined && cap !== undefined && lim.nanos > cap) out.push(`${containerLabel(w, c)} limits.${resource} (${rawLim}) must not exceed the maximum ${resource === "cpu" ? `${formatNanos(cap)} cores` : `${cfg.maxMemoryGiB}Gi`}.`);
        }
        return out;
    }, { structural: true }),
};
