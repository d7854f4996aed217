/**
 * Image references: pinned by digest and from an allowed registry (offline rules; signature and
 * SBOM verification against the registry build on these).
 */
import type { ResourcePolicy } from "../lib/types";
import { carriesPodSpec, containerLabel, perContainer } from "../lib/workloads";

export interface ImageRef {
    /** Registry host (with port), docker.io when the reference has none. */
    registry: string;
    /** Repository path without the registry. */
    repository: string;
    tag?: string;
    digest?: string;
}

/** Spellings of Docker Hub that container runtimes resolve to docker.io. */
export const DOCKER_HUB_ALIASES = ["index.docker.io", "registry-1.docker.io"];

/** A registry host as runtimes identify it: lowercase, Docker Hub's aliases as docker.io. */
export function normalizeRegistry(host: string): string {
    const h = host.toLowerCase();
    return DOCKER_HUB_ALIASES.includes(h) ? "docker.io" : h;
}

const parsed = new Map<string, ImageRef | undefined>();

/** Empties the per-string parse cache (the mutation run's root hook, before each test). */
export function clearImageCache(): void {
    parsed.clear();
}

/** Parses an image reference the way the container runtime does (docker.io and library/ defaults). */
export function parseImage(image: string): ImageRef | undefined {
    let r = parsed.get(image);
    if (r === undefined && !parsed.has(image)) {
        if (parsed.size >= 4096) parsed.clear();
        r = parseImageUncached(image);
        if (r) Object.freeze(r); // shared by every caller
        parsed.set(image, r);
    }
    return r;
}

function parseImageUncached(image: string): ImageRef | undefined {
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
    // Host names are case-insensitive, and runtimes treat Docker Hub's other names as docker.io.
    const registry = normalizeRegistry(host ?? "docker.io");
    if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
    return { registry, repository, tag, digest };
}

/** A registry prefix as images are normalised: no trailing slash, its host lowercase and Docker Hub as docker.io. */
function normalizePrefix(p: string): string {
    const trimmed = p.replace(/\/+$/, "");
    const slash = trimmed.indexOf("/");
    return slash < 0 ? normalizeRegistry(trimmed) : `${normalizeRegistry(trimmed.slice(0, slash))}${trimmed.slice(slash)}`;
}
const normalizedPrefixes = new WeakMap<string[], string[]>();

/** True when `image` sits under one of the prefixes, matched on whole path segments. */
export function matchesRegistry(ref: ImageRef, prefixes: string[]): boolean {
    let normalized = normalizedPrefixes.get(prefixes);
    if (!normalized) normalizedPrefixes.set(prefixes, (normalized = prefixes.map(normalizePrefix)));
    const full = `${ref.registry}/${ref.repository}`;
    return normalized.some((prefix) => full === prefix || (full.startsWith(prefix) && full[prefix.length] === "/"));
}

export const imagePinning: ResourcePolicy = {
    name: "image-digest-and-registry",
    description: "Checks whether every container image is pinned by digest (@sha256:<64 hex>) and comes from an allowed registry [CIS EKS 5.1.4].",
    enforcementLevel: "mandatory",
    config: ["allowedRegistries"],
    resourceTypes: [],
    appliesTo: carriesPodSpec,
    validate: perContainer((w, c, cfg) => {
        const image = c.container.image;
        // A patch that names a container without an image keeps the patched object's image.
        if (w.patch && image === undefined) return [];
        const ref = typeof image === "string" ? parseImage(image) : undefined;
        if (!ref) return [`${containerLabel(w, c)} has an invalid image reference ${JSON.stringify(image)}.`];
        const out: string[] = [];
        if (!ref.digest) out.push(`${containerLabel(w, c)} image ${image} must be pinned by digest (@sha256:<64 hex>); a tag alone can move.`);
        if (!matchesRegistry(ref, cfg.allowedRegistries)) out.push(`${containerLabel(w, c)} image ${image} must come from an allowed registry (${cfg.allowedRegistries.join(", ")}) [CIS EKS 5.1.4].`);
        return out;
    }),
};
