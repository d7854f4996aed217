/**
 * Registry-mode verification: fetches an image's cosign signatures and attestations from its OCI
 * registry (legacy `sha256-<hex>.sig` / `.att` tags, and Sigstore bundles attached as OCI 1.1
 * referrers, with the `sha256-<hex>` referrers-tag fallback for registries without the referrers
 * API) and verifies them with the configured keys. One lookup per image digest per process,
 * however many workloads use it. Unreachable registries fail closed.
 */
import type { KeyObject } from "node:crypto";
import { BUNDLE_MEDIA_TYPE, Check, COSIGN_SIGN_PREDICATE, DSSE_MEDIA_TYPE, isSbomPredicate, sha256, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, verifyBundle, verifyDsse, verifySimpleSigning } from "./cosign";

const MANIFEST_TYPES = ["application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

export class RegistryError extends Error {}

interface Descriptor { mediaType: string; digest: string; size?: number; artifactType?: string; annotations?: Record<string, string> }
interface Manifest { mediaType?: string; artifactType?: string; layers?: Descriptor[]; manifests?: Descriptor[]; annotations?: Record<string, string> }

export interface RegistryOptions {
    /** Registry hosts spoken to over plain HTTP (a local test registry); all others use HTTPS. */
    insecureHosts?: string[];
    /** Per-request timeout. Defaults to 10 s. */
    timeoutMs?: number;
}

/** A minimal OCI distribution client: anonymous bearer tokens, manifests, blobs, referrers. */
export class RegistryClient {
    /** Requests made, for tests of the one-lookup-per-digest rule. */
    public requests = 0;
    private readonly tokens = new Map<string, string>();

    constructor(private readonly opts: RegistryOptions = {}) {}

    private base(host: string): string {
        return `${(this.opts.insecureHosts ?? []).includes(host) ? "http" : "https"}://${host === "docker.io" ? "registry-1.docker.io" : host}`;
    }

    private async get(host: string, repo: string, path: string, accept?: string[]): Promise<Response | undefined> {
        const url = `${this.base(host)}/v2/${repo}/${path}`;
        const headers: Record<string, string> = accept ? { accept: accept.join(", ") } : {};
        const token = this.tokens.get(`${host}/${repo}`);
        if (token) headers.authorization = `Bearer ${token}`;
        this.requests++;
        let res: Response;
        try {
            res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10000) });
        } catch (e) {
            const c = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
            const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (e as Error).message;
            throw new RegistryError(`registry ${host} is unreachable (${cause}); failing closed`);
        }
        if (res.status === 401 && !token) {
            const challenge = res.headers.get("www-authenticate") ?? "";
            const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
            if (!realm) throw new RegistryError(`registry ${host} requires authentication (${challenge || "no challenge"}); failing closed`);
            const service = /service="([^"]+)"/.exec(challenge)?.[1];
            const t = await fetch(`${realm}?${service ? `service=${encodeURIComponent(service)}&` : ""}scope=${encodeURIComponent(`repository:${repo}:pull`)}`, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10000) }).catch(() => undefined);
            const body = t?.ok ? ((await t.json()) as { token?: string; access_token?: string }) : undefined;
            if (!body?.token && !body?.access_token) throw new RegistryError(`registry ${host} refused an anonymous pull token for ${repo}; failing closed`);
            this.tokens.set(`${host}/${repo}`, (body.token ?? body.access_token)!);
            return this.get(host, repo, path, accept);
        }
        if (res.status === 404) return undefined;
        if (!res.ok) throw new RegistryError(`registry ${host} answered ${res.status} for ${repo}/${path}; failing closed`);
        return res;
    }

    async manifest(host: string, repo: string, reference: string): Promise<{ digest: string; manifest: Manifest } | undefined> {
        const res = await this.get(host, repo, `manifests/${reference}`, MANIFEST_TYPES);
        if (!res) return undefined;
        const bytes = Buffer.from(await res.arrayBuffer());
        const digest = sha256(bytes);
        if (reference.startsWith("sha256:") && digest !== reference) throw new RegistryError(`registry ${host} returned a manifest whose digest ${digest} is not ${reference}; failing closed`);
        return { digest, manifest: JSON.parse(bytes.toString("utf8")) as Manifest };
    }

    async blob(host: string, repo: string, digest: string): Promise<Buffer> {
        const res = await this.get(host, repo, `blobs/${digest}`);
        if (!res) throw new RegistryError(`blob ${digest} is missing from ${host}/${repo}`);
        const bytes = Buffer.from(await res.arrayBuffer());
        if (sha256(bytes) !== digest) throw new RegistryError(`blob ${digest} from ${host}/${repo} does not match its digest`);
        return bytes;
    }

    /** Referrers of a digest: the referrers API, or the `sha256-<hex>` index where the API is missing. */
    async referrers(host: string, repo: string, digest: string): Promise<Descriptor[]> {
        const api = await this.get(host, repo, `referrers/${digest}`, ["application/vnd.oci.image.index.v1+json"]);
        if (api && (api.headers.get("content-type") ?? "").includes("application/vnd.oci.image.index.v1+json")) return ((await api.json()) as Manifest).manifests ?? [];
        const index = await this.manifest(host, repo, digest.replace(":", "-"));
        return index?.manifest.manifests ?? [];
    }
}

export interface ImageVerdict { signature: Check; sbom: Check }

/** Verifies one image (registry, repository, digest) against the keys. */
export async function verifyImage(client: RegistryClient, host: string, repo: string, digest: string, keys: KeyObject[]): Promise<ImageVerdict> {
    const tag = digest.replace(":", "-");
    const image = await client.manifest(host, repo, digest);
    if (!image) return { signature: { ok: false, reason: `the image ${host}/${repo}@${digest} does not exist in the registry` }, sbom: { ok: false, reason: "no image" } };
    const sigReasons: string[] = [];
    const attReasons: string[] = [];
    let signature: Check | undefined;
    let sbom: Check | undefined;

    const sig = await client.manifest(host, repo, `${tag}.sig`);
    for (const layer of sig?.manifest.layers ?? []) {
        if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) continue;
        const c = verifySimpleSigning(await client.blob(host, repo, layer.digest), layer.annotations?.[SIGNATURE_ANNOTATION] ?? "", digest, keys);
        if (c.ok) signature = c;
        else sigReasons.push(`${tag}.sig: ${c.reason}`);
    }
    const att = await client.manifest(host, repo, `${tag}.att`);
    for (const layer of att?.manifest.layers ?? []) {
        if (layer.mediaType !== DSSE_MEDIA_TYPE) continue;
        const c = verifyDsse(JSON.parse((await client.blob(host, repo, layer.digest)).toString("utf8")), digest, keys);
        if (!c.ok) attReasons.push(`${tag}.att: ${c.reason}`);
        else if (!isSbomPredicate(c.predicateType)) attReasons.push(`${tag}.att: predicateType ${c.predicateType} is not an SBOM (CycloneDX or SPDX)`);
        else sbom = { ok: true, reason: `SBOM attestation ${c.predicateType} verified` };
    }
    if (!signature || !sbom) {
        for (const ref of await client.referrers(host, repo, digest)) {
            if ((ref.artifactType ?? "") !== BUNDLE_MEDIA_TYPE) continue;
            const m = await client.manifest(host, repo, ref.digest);
            const layer = m?.manifest.layers?.find((l) => l.mediaType === BUNDLE_MEDIA_TYPE);
            if (!layer) continue;
            const c = verifyBundle(JSON.parse((await client.blob(host, repo, layer.digest)).toString("utf8")), digest, keys);
            const where = `bundle ${ref.digest.slice(0, 19)}`;
            if (!c.ok) (c.predicateType && isSbomPredicate(c.predicateType) ? attReasons : sigReasons).push(`${where}: ${c.reason}`);
            else if (c.predicateType === COSIGN_SIGN_PREDICATE) signature ??= { ok: true, reason: "bundle signature verified" };
            else if (isSbomPredicate(c.predicateType)) sbom ??= { ok: true, reason: `SBOM bundle ${c.predicateType} verified` };
            else attReasons.push(`${where}: predicateType ${c.predicateType} is not an SBOM (CycloneDX or SPDX)`);
        }
    }
    return {
        signature: signature ?? { ok: false, reason: sigReasons.length ? sigReasons.join("; ") : `no cosign signature found (neither ${repo}:${tag}.sig nor a Sigstore bundle referrer)` },
        sbom: sbom ?? { ok: false, reason: attReasons.length ? attReasons.join("; ") : `no SBOM attestation found (neither ${repo}:${tag}.att nor a Sigstore bundle referrer)` },
    };
}

/** Verdicts cached per image digest for the life of the process (one lookup per digest per run). */
export class ImageVerifier {
    private readonly cache = new Map<string, Promise<ImageVerdict>>();

    constructor(readonly client: RegistryClient, private readonly keys: KeyObject[]) {}

    verify(host: string, repo: string, digest: string): Promise<ImageVerdict> {
        const key = `${host}/${repo}@${digest}`;
        let p = this.cache.get(key);
        if (!p) {
            p = verifyImage(this.client, host, repo, digest, this.keys).catch((e: unknown) => {
                const reason = e instanceof RegistryError ? e.message : `verification failed: ${(e as Error).message}`;
                return { signature: { ok: false, reason }, sbom: { ok: false, reason } };
            });
            this.cache.set(key, p);
        }
        return p;
    }
}
