/**
 * Image references: pinned by digest and from an allowed registry (offline rules; signature and
 * SBOM verification against the registry build on these).
 */
import type { ResourcePolicy } from "../lib/types";
import { perContainer, WORKLOAD_TYPES } from "../lib/workloads";

export interface ImageRef {
    /** Registry host (with port), docker.io when the reference has none. */
    registry: string;
    /** Repository path without the registry. */
    repository: string;
    tag?: string;
    digest?: string;
}

/** Parses an image reference the way the container runtime does (docker.io and library/ defaults). */
export function parseImage(image: string): ImageRef | undefined {
    const m = image.match(/^(?:([a-zA-Z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?([a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/);
    if (!m) return undefined;
    let [, host, repository] = m;
    const [, , , tag, digest] = m;
    // The first component is a registry only if it has a dot or port, or is localhost (as docker decides).
    if (host && !/[.:]/.test(host) && host !== "localhost") {
        if (/[A-Z]/.test(host)) return undefined; // repository names are lowercase
        repository = `${host}/${repository}`;
        host = undefined as unknown as string;
    }
    const registry = host ?? "docker.io";
    if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
    return { registry, repository, tag, digest };
}

/** True when `image` sits under one of the prefixes, matched on whole path segments. */
export function matchesRegistry(ref: ImageRef, prefixes: string[]): boolean {
    const full = `${ref.registry}/${ref.repository}`;
    return prefixes.some((p) => {
        const prefix = p.replace(/\/+$/, "");
        return full === prefix || full.startsWith(`${prefix}/`);
    });
}

export const imagePinning: ResourcePolicy = {
    name: "image-digest-and-registry",
    description: "Checks whether every container image is pinned by digest (@sha256:<64 hex>) and comes from an allowed registry [CIS EKS 5.1.4].",
    enforcementLevel: "mandatory",
    config: ["allowedRegistries"],
    resourceTypes: WORKLOAD_TYPES,
    validate: perContainer((w, c, cfg) => {
        const image = c.container.image;
        const who = `${w.kind} ${w.name}: ${c.kind} ${c.container.name ?? c.path}`;
        const ref = typeof image === "string" ? parseImage(image) : undefined;
        if (!ref) return [`${who} has an invalid image reference ${JSON.stringify(image)}.`];
        const out: string[] = [];
        if (!ref.digest) out.push(`${who} image ${image} must be pinned by digest (@sha256:<64 hex>); a tag alone can move.`);
        if (!matchesRegistry(ref, cfg.allowedRegistries)) out.push(`${who} image ${image} must come from an allowed registry (${cfg.allowedRegistries.join(", ")}) [CIS EKS 5.1.4].`);
        return out;
    }),
};
