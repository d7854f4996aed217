/**
 * Registry-mode verification: fetches an image's cosign signatures and attestations from its OCI
 * registry (legacy `sha256-<hex>.sig` / `.att` tags, and Sigstore bundles attached as OCI 1.1
 * referrers, with the `sha256-<hex>` referrers-tag fallback for registries without the referrers
 * API) and verifies them with the configured keys. One lookup per image digest per process,
 * however many workloads use it. Unreachable registries fail closed.
 *
 * Bounded work: each request has a timeout, each image a total time budget and the whole run
 * another; manifests are capped at 4 MiB (what registries accept), blobs at 32 MiB, and at most 32
 * referrers (and 32 pages of the referrers list) are read per image. Past any limit the image fails closed with a message naming the
 * image and the limit.
 */
import type { KeyObject } from "node:crypto";
import { CONFIG_PROPERTIES, PackConfig } from "../lib/types";
import { basicAuthorization } from "./ecr-auth";
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
    /** Total time to verify one image (every request for it). Defaults to 60 s. */
    imageBudgetMs?: number;
    /** Total time for every registry lookup of the run (the process). Defaults to 300 s. */
    runBudgetMs?: number;
    /** Largest manifest or referrers index read. Defaults to 4 MiB, the registries' own cap. */
    maxManifestBytes?: number;
    /** Largest signature or attestation blob read. Defaults to 32 MiB. */
    maxBlobBytes?: number;
    /** Most referrers (Sigstore bundles) read per image. Defaults to 32. */
    maxReferrers?: number;
    /** Registry host -> `host:port` to connect to instead, as curl's --resolve (tests point an ECR host name at a local registry). */
    connectTo?: Record<string, string>;
}

const D = CONFIG_PROPERTIES;
/** Defaults: the registry properties' schema defaults (one source for the pack config and this client). */
export const REGISTRY_LIMITS = {
    timeoutMs: D.registryTimeoutSeconds.default * 1000,
    imageBudgetMs: D.registryImageBudgetSeconds.default * 1000,
    runBudgetMs: D.registryRunBudgetSeconds.default * 1000,
    maxManifestBytes: D.registryMaxManifestMiB.default * 2 ** 20,
    maxBlobBytes: D.registryMaxBlobMiB.default * 2 ** 20,
    maxReferrers: D.registryMaxReferrers.default,
};

/** The client options a policy config asks for (its registry properties, defaults applied). */
export function registryOptionsOf(cfg: PackConfig): RegistryOptions {
    return {
        insecureHosts: cfg.insecureRegistries,
        timeoutMs: cfg.registryTimeoutSeconds * 1000,
        imageBudgetMs: cfg.registryImageBudgetSeconds * 1000,
        runBudgetMs: cfg.registryRunBudgetSeconds * 1000,
        maxManifestBytes: cfg.registryMaxManifestMiB * 2 ** 20,
        maxBlobBytes: cfg.registryMaxBlobMiB * 2 ** 20,
        maxReferrers: cfg.registryMaxReferrers,
    };
}

const human = (bytes: number) => (bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes} bytes`);
const seconds = (ms: number) => `${ms / 1000} s`;

/** Reads a response body up to `max` bytes; a larger body (announced or streamed) is refused. */
async function readCapped(res: Response, max: number, what: string): Promise<Buffer> {
    const announced = Number(res.headers.get("content-length") ?? NaN);
    if (announced > max) {
        await res.body?.cancel().catch(() => undefined);
        throw new RegistryError(`${what} is ${announced} bytes, over the ${human(max)} limit; failing closed`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        total += chunk.length;
        // Leaving the loop cancels the stream (its iterator's return); the reader holds the lock, so cancel() here could not.
        if (total > max) throw new RegistryError(`${what} is over the ${human(max)} limit; failing closed`);
        chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
}

/** A minimal OCI distribution client: anonymous bearer tokens (ECR's Basic token, ./ecr-auth.ts), manifests, blobs, referrers. */
export class RegistryClient {
    /** Requests made, for tests of the one-lookup-per-digest rule. */
    public requests = 0;
    private readonly tokens = new Map<string, string>();
    /** Basic `Authorization` per registry host (ECR). */
    private readonly basic = new Map<string, string>();

    constructor(private readonly opts: RegistryOptions = {}) {}

    private base(host: string): string {
        return `${this.opts.insecureHosts?.includes(host) ? "http" : "https"}://${this.opts.connectTo?.[host] ?? (host === "docker.io" ? "registry-1.docker.io" : host)}`;
    }

    get limits() {
        return { ...REGISTRY_LIMITS, ...Object.fromEntries(Object.entries(this.opts).filter(([, v]) => v !== undefined)) } as typeof REGISTRY_LIMITS;
    }

    private signalFor(budget?: AbortSignal): AbortSignal {
        const timeout = AbortSignal.timeout(this.limits.timeoutMs);
        return budget ? AbortSignal.any([timeout, budget]) : timeout;
    }

    private async get(host: string, repo: string, path: string, accept?: string[], budget?: AbortSignal): Promise<Response | undefined> {
        if (budget?.aborted) throw budget.reason;
        const url = `${this.base(host)}/v2/${repo}/${path}`;
        const headers: Record<string, string> = accept ? { accept: accept.join(", ") } : {};
        const token = this.tokens.get(`${host}/${repo}`);
        const auth = token ? `Bearer ${token}` : this.basic.get(host);
        if (auth) headers.authorization = auth;
        this.requests++;
        let res: Response;
        try {
            res = await fetch(url, { headers, signal: this.signalFor(budget) });
        } catch (e) {
            if (budget?.aborted) throw budget.reason;
            const c = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
            const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (e as Error).message;
            throw new RegistryError(`registry ${host} is unreachable (${cause}); failing closed`);
        }
        if (res.status === 401 && !auth) {
            const challenge = res.headers.get("www-authenticate") ?? "";
            if (/^\s*basic\b/i.test(challenge)) {
                await res.body?.cancel().catch(() => undefined);
                this.basic.set(host, await this.basicAuth(host, budget));
                return this.get(host, repo, path, accept, budget);
            }
            const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
            if (!realm) throw new RegistryError(`registry ${host} requires authentication (${challenge || "no challenge"}); failing closed`);
            const service = /service="([^"]+)"/.exec(challenge)?.[1];
            const t = await fetch(`${realm}?${service ? `service=${encodeURIComponent(service)}&` : ""}scope=${encodeURIComponent(`repository:${repo}:pull`)}`, { signal: this.signalFor(budget) }).catch(() => undefined);
            if (budget?.aborted) throw budget.reason;
            const body = t?.ok ? (JSON.parse((await readCapped(t, 64 * 1024, `the token from ${realm}`).catch(() => Buffer.from("{}"))).toString("utf8") || "{}") as { token?: string; access_token?: string }) : undefined;
            if (!body?.token && !body?.access_token) throw new RegistryError(`registry ${host} refused an anonymous pull token for ${repo}; failing closed`);
            this.tokens.set(`${host}/${repo}`, (body.token ?? body.access_token)!);
            return this.get(host, repo, path, accept, budget);
        }
        if (res.status === 404) return undefined;
        if (!res.ok) throw new RegistryError(`registry ${host} answered ${res.status} for ${repo}/${path}; failing closed`);
        return res;
    }

    /** A Basic credential for the registry (ECR's token), as a RegistryError when there is none. */
    private async basicAuth(host: string, budget?: AbortSignal): Promise<string> {
        try {
            return await basicAuthorization(host, this.limits.timeoutMs);
        } catch (e) {
            if (budget?.aborted) throw budget.reason;
            throw new RegistryError((e as Error).message);
        }
    }

    async manifest(host: string, repo: string, reference: string, budget?: AbortSignal): Promise<{ digest: string; manifest: Manifest } | undefined> {
        const res = await this.get(host, repo, `manifests/${reference}`, MANIFEST_TYPES, budget);
        if (!res) return undefined;
        const bytes = await readCapped(res, this.limits.maxManifestBytes, `the manifest ${host}/${repo}:${reference}`);
        const digest = sha256(bytes);
        if (reference.startsWith("sha256:") && digest !== reference) throw new RegistryError(`registry ${host} returned a manifest whose digest ${digest} is not ${reference}; failing closed`);
        return { digest, manifest: parseJson(bytes, `the manifest ${host}/${repo}:${reference}`) as Manifest };
    }

    async blob(host: string, repo: string, digest: string, budget?: AbortSignal): Promise<Buffer> {
        const res = await this.get(host, repo, `blobs/${digest}`, undefined, budget);
        if (!res) throw new RegistryError(`blob ${digest} is missing from ${host}/${repo}`);
        const bytes = await readCapped(res, this.limits.maxBlobBytes, `the blob ${host}/${repo}@${digest}`);
        if (sha256(bytes) !== digest) throw new RegistryError(`blob ${digest} from ${host}/${repo} does not match its digest`);
        return bytes;
    }

    /**
     * Referrers of a digest: the referrers API, following its pages (`Link: <...>; rel="next"`, OCI
     * distribution spec), or the `sha256-<hex>` index where the API is missing. At most
     * `maxReferrers` pages are read, and reading stops once more than `maxReferrers` Sigstore
     * bundles are listed; `limit` then says why the list is partial. A next link that leaves this
     * repository's referrers endpoint, or loops, fails closed.
     */
    async referrers(host: string, repo: string, digest: string, budget?: AbortSignal): Promise<{ manifests: Descriptor[]; limit?: string; more?: boolean }> {
        const endpoint = `referrers/${digest}`;
        const what = `the referrers of ${host}/${repo}@${digest}`;
        const { maxReferrers, maxManifestBytes } = this.limits;
        const manifests: Descriptor[] = [];
        const seen = new Set<string>();
        let path = endpoint;
        for (let page = 1; ; page++) {
            const api = await this.get(host, repo, path, [INDEX_TYPE], budget);
            if (!api?.headers.get("content-type")?.includes(INDEX_TYPE)) {
                await api?.body?.cancel().catch(() => undefined);
                if (page > 1) throw new RegistryError(`${what}: page ${page} is ${api ? "not an image index" : "missing"}; failing closed`);
                const index = await this.manifest(host, repo, digest.replace(":", "-"), budget);
                return { manifests: Array.isArray(index?.manifest?.manifests) ? index.manifest.manifests : [] };
            }
            const index = parseJson(await readCapped(api, maxManifestBytes, what), what) as Manifest;
            if (Array.isArray(index?.manifests)) manifests.push(...index.manifests);
            const next = nextLink(api.headers.get("link"));
            if (!next) return { manifests };
            const bundles = manifests.filter((m) => m?.artifactType === BUNDLE_MEDIA_TYPE).length;
            if (bundles > maxReferrers) return { manifests, more: true };
            if (page >= maxReferrers) return { manifests, limit: `${what} has more than ${maxReferrers} pages; only the first ${maxReferrers} are read (the referrer limit)` };
            const url = new URL(next, `${this.base(host)}/v2/${repo}/${path}`);
            if (url.origin !== new URL(this.base(host)).origin || safeDecode(url.pathname) !== `/v2/${repo}/${endpoint}`) throw new RegistryError(`${what}: the next page link ${next} leaves ${this.base(host)}/v2/${repo}/${endpoint}; failing closed`);
            path = `${endpoint}${url.search}`;
            if (seen.has(path)) throw new RegistryError(`${what}: the next page link ${next} repeats an earlier page; failing closed`);
            seen.add(path);
        }
    }
}

const INDEX_TYPE = "application/vnd.oci.image.index.v1+json";

/** A URL path with percent-escapes decoded (`sha256%3A...` is `sha256:...`); undecodable stays as it is. */
function safeDecode(p: string): string {
    try {
        return decodeURIComponent(p);
    }
    // Stryker disable next-line BlockStatement: an undecodable path keeps a malformed %-escape, so it can never equal the expected path (which has none); undefined fails that comparison the same way.
    catch {
        return p;
    }
}

/** The target of a `Link` header's `rel="next"` entry (RFC 8288), if any. */
function nextLink(header: string | null): string | undefined {
    if (!header) return undefined;
    for (const [, target, params] of header.matchAll(/<([^>]*)>([^<]*)/g)) {
        const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
        if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes("next")) return target;
    }
    return undefined;
}

function parseJson(bytes: Buffer, what: string): unknown {
    try {
        return JSON.parse(bytes.toString("utf8"));
    } catch {
        throw new RegistryError(`${what} is not JSON; failing closed`);
    }
}

export interface ImageVerdict { signature: Check; sbom: Check }

/** Verifies one image (registry, repository, digest) against the keys; `required`: annotations its signature must carry. */
export async function verifyImage(client: RegistryClient, host: string, repo: string, digest: string, keys: KeyObject[], budget?: AbortSignal, required: Record<string, string> = {}): Promise<ImageVerdict> {
    const tag = digest.replace(":", "-");
    const image = await client.manifest(host, repo, digest, budget);
    if (!image) return { signature: { ok: false, reason: `the image ${host}/${repo}@${digest} does not exist in the registry` }, sbom: { ok: false, reason: "no image" } };
    const sigReasons: string[] = [];
    const attReasons: string[] = [];
    let signature: Check | undefined;
    let sbom: Check | undefined;

    const layersOf = (m: { manifest: Manifest } | undefined) => (Array.isArray(m?.manifest?.layers) ? m.manifest.layers.slice(0, client.limits.maxReferrers) : []);
    const sig = await client.manifest(host, repo, `${tag}.sig`, budget);
    for (const layer of layersOf(sig)) {
        if (layer?.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) continue;
        const c = verifySimpleSigning(await client.blob(host, repo, layer.digest, budget), layer.annotations?.[SIGNATURE_ANNOTATION] ?? "", digest, keys, required);
        if (c.ok) signature = c;
        else sigReasons.push(`${tag}.sig: ${c.reason}`);
    }
    const att = await client.manifest(host, repo, `${tag}.att`, budget);
    for (const layer of layersOf(att)) {
        if (layer?.mediaType !== DSSE_MEDIA_TYPE) continue;
        const c = verifyDsse(parseJson(await client.blob(host, repo, layer.digest, budget), `the attestation ${layer.digest}`), digest, keys);
        if (!c.ok) attReasons.push(`${tag}.att: ${c.reason}`);
        else if (!isSbomPredicate(c.predicateType)) attReasons.push(`${tag}.att: predicateType ${c.predicateType} is not an SBOM (CycloneDX or SPDX)`);
        else sbom = { ok: true, reason: `SBOM attestation ${c.predicateType} verified` };
    }
    if (!signature || !sbom) {
        const referrers = await client.referrers(host, repo, digest, budget);
        const bundles = referrers.manifests.filter((ref) => ref?.artifactType === BUNDLE_MEDIA_TYPE && typeof ref.digest === "string");
        const max = client.limits.maxReferrers;
        if (referrers.limit) for (const reasons of [sigReasons, attReasons]) reasons.push(referrers.limit);
        if (bundles.length > max) for (const reasons of [sigReasons, attReasons]) reasons.push(`${host}/${repo}@${digest} lists ${referrers.more ? "at least " : ""}${bundles.length} Sigstore bundle referrers; only the first ${max} are read (the referrer limit)`);
        for (const ref of bundles.slice(0, max)) {
            if (signature && sbom) break;
            const m = await client.manifest(host, repo, ref.digest, budget);
            const layer = Array.isArray(m?.manifest?.layers) ? m.manifest.layers.find((l) => l?.mediaType === BUNDLE_MEDIA_TYPE) : undefined;
            if (!layer) continue;
            const c = verifyBundle(parseJson(await client.blob(host, repo, layer.digest, budget), `the bundle ${ref.digest}`), digest, keys);
            const where = `bundle ${ref.digest.slice(0, 19)}`;
            if (!c.ok) (c.predicateType && isSbomPredicate(c.predicateType) ? attReasons : sigReasons).push(`${where}: ${c.reason}`);
            else if (c.predicateType === COSIGN_SIGN_PREDICATE && Object.keys(required).length > 0) sigReasons.push(`${where}: a bundle signature carries no annotations, and this repository requires ${Object.keys(required).join(", ")}`);
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
    private run?: AbortController;

    constructor(readonly client: RegistryClient, private readonly keys: KeyObject[]) {}

    /** Aborts with `reason` after `ms`, without keeping the process alive. */
    private static deadline(ms: number, reason: () => Error): AbortController {
        const c = new AbortController();
        setTimeout(() => c.abort(reason()), ms).unref();
        return c;
    }

    verify(host: string, repo: string, digest: string, required: Record<string, string> = {}): Promise<ImageVerdict> {
        const key = `${host}/${repo}@${digest}${Object.keys(required).length ? ` ${JSON.stringify(required)}` : ""}`;
        let p = this.cache.get(key);
        if (!p) {
            const { imageBudgetMs, runBudgetMs } = this.client.limits;
            // The run's budget starts with its first lookup; each image has its own on top.
            this.run ??= ImageVerifier.deadline(runBudgetMs, () => new RegistryError(`registry lookups of this run took over ${seconds(runBudgetMs)} (the per-run limit); every image not verified by then fails closed`));
            const image = ImageVerifier.deadline(imageBudgetMs, () => new RegistryError(`verifying ${key} took over ${seconds(imageBudgetMs)} (the per-image limit); failing closed`));
            const budget = AbortSignal.any([image.signal, this.run.signal]);
            p = verifyImage(this.client, host, repo, digest, this.keys, budget, required)
                .catch((e: unknown) => {
                    const reason = e instanceof RegistryError ? e.message : `verification of ${key} failed: ${(e as Error).message}`;
                    return { signature: { ok: false, reason }, sbom: { ok: false, reason } };
                })
                .finally(() => image.abort());
            this.cache.set(key, p);
        }
        return p;
    }
}
