/**
 * Validation of CanaryApp args, with messages that name the field and what is allowed. Kept apart so
 * the rules can be tested without building resources.
 */
import { parseQuantity } from "../../policies/lib/quantity";
import { parseImage } from "../../policies/supply-chain/images";
import type { CanaryAppArgs } from "./canary-app";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function validateCanaryArgs(args: CanaryAppArgs): string[] {
    const problems: string[] = [];
    if (!DNS_LABEL.test(args.name)) problems.push(`name "${args.name}" must be a DNS label (a-z, 0-9, -)`);
    if (!DNS_LABEL.test(args.namespace)) problems.push(`namespace "${args.namespace}" must be a DNS label (a-z, 0-9, -)`);
    // Parsed the way the policy pack and the container runtime read references.
    const image = parseImage(args.image);
    if (!image) problems.push(`image "${args.image}" is not a valid image reference`);
    else {
        if ((args.requireDigest ?? true) && !image.digest) problems.push(`image "${args.image}" must be pinned by digest (repo@sha256:<64 hex>); a tag alone is not allowed here`);
        if (image.tag === "latest") problems.push(`image "${args.image}" uses the mutable tag latest`);
    }
    const r = args.resources as Partial<CanaryAppArgs["resources"]> | undefined;
    for (const kind of ["requests", "limits"] as const) {
        for (const res of ["cpu", "memory"] as const) {
            if (!r?.[kind]?.[res]) problems.push(`resources.${kind}.${res} is required`);
        }
    }
    for (const res of ["cpu", "memory"] as const) {
        const req = r?.requests?.[res];
        const lim = r?.limits?.[res];
        if (!req || !lim) continue;
        const [q, l] = [parseQuantity(req), parseQuantity(lim)];
        if (q === undefined) problems.push(`resources.requests.${res} "${req}" is not a Kubernetes quantity`);
        else if (l === undefined) problems.push(`resources.limits.${res} "${lim}" is not a Kubernetes quantity`);
        else if (l < q) problems.push(`resources.limits.${res} (${lim}) is below resources.requests.${res} (${req})`);
    }
    const weights = args.weights ?? [10, 25, 50, 100];
    if (weights.some((w, i) => !Number.isInteger(w) || w < 1 || w > 100 || (i > 0 && w <= weights[i - 1])) || weights[weights.length - 1] !== 100) {
        problems.push(`weights ${JSON.stringify(weights)} must be increasing integers from 1 to 100 that end at 100`);
    }
    if (!Number.isInteger(args.port) || args.port < 1 || args.port > 65535) problems.push(`port ${args.port} must be 1..65535`);
    if (args.autoscaling && args.autoscaling.maxReplicas < (args.replicas ?? 3)) problems.push(`autoscaling.maxReplicas (${args.autoscaling.maxReplicas}) is below replicas (${args.replicas ?? 3})`);
    return problems;
}
