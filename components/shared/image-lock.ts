/**
 * images.lock.json: the digest of every platform chart image, written by `npm run images -- lock`
 * (which asks each registry) and committed. Charts get their digest fields from it through
 * helmRelease(); an image without a digest stays on its chart's tag and the plan reports it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CHART_IMAGES, ChartImage, splitRef } from "./platform-images";

export const LOCK_FILE = path.resolve(__dirname, "..", "..", "images.lock.json");

export interface LockEntry { digest: string | null; resolvedAt?: string }
export interface ImageLock { version: 1; comment?: string; images: Record<string, LockEntry> }

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class ImageLockError extends Error {}

/** Reads and checks a lock file (unknown version, malformed digests and unknown images are errors). */
export function readImageLock(file = LOCK_FILE): ImageLock {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new ImageLockError(`${file}: cannot read the image lock (${(e as Error).message.split("\n")[0]}); run npm run images -- lock`);
    }
    const lock = raw as ImageLock;
    if (!lock || lock.version !== 1 || typeof lock.images !== "object") throw new ImageLockError(`${file}: not an image lock of version 1`);
    for (const [ref, entry] of Object.entries(lock.images)) {
        if (entry.digest !== null && !DIGEST.test(entry.digest)) throw new ImageLockError(`${file}: ${ref} has digest ${JSON.stringify(entry.digest)}; expected sha256:<64 hex> or null`);
    }
    return lock;
}

let override: ImageLock | undefined;
let cached: ImageLock | undefined;

/** The lock charts are pinned from: the committed file, unless a test or tool installed another. */
export function activeImageLock(): ImageLock {
    return override ?? (cached ??= readImageLock());
}

/** Installs a lock in place of the file (tests, `npm run images`); undefined restores the file. */
export function useImageLock(lock: ImageLock | undefined): void {
    override = lock;
}

export function digestOf(ref: string, lock = activeImageLock()): string | undefined {
    return lock.images[ref]?.digest ?? undefined;
}

/** The values a pinned image sets in its chart: `sha: <hex>`, `sha: sha256:<hex>`, `digest: sha256:<hex>` or `tag: <tag>@sha256:<hex>`. */
export function pinValues(image: ChartImage, digest: string): Record<string, unknown> {
    const { tag } = splitRef(image.ref);
    const block: Record<string, unknown> =
        image.field === "sha" ? { sha: digest.slice("sha256:".length) }
        : image.field === "shaPrefixed" ? { sha: digest }
        : image.field === "digest" ? { digest } : { tag: `${tag}@${digest}` };
    if (image.setTag && image.field !== "tag") block.tag = tag;
    return block;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function getPath(values: Record<string, unknown>, dotted: string): unknown {
    return dotted.split(".").reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), values);
}

/** Merges the pins of every locked image of `chart` into its values (a copy; the caller's object is untouched). */
export function withPinnedImages(chart: string, values: Record<string, unknown>, lock = activeImageLock()): Record<string, unknown> {
    const out = structuredClone(values);
    for (const image of CHART_IMAGES.filter((i) => i.chart === chart)) {
        const digest = digestOf(image.ref, lock);
        if (!digest) continue;
        let node: Record<string, unknown> = out;
        for (const key of image.path.split(".")) {
            if (!isObject(node[key])) node[key] = {};
            node = node[key] as Record<string, unknown>;
        }
        Object.assign(node, pinValues(image, digest));
    }
    return out;
}

export interface ImageStatus { chart: string; path: string; ref: string; pinned: boolean; digest?: string }

/** The deployed images of a chart release, pinned or not, read from the values it was given. */
export function releaseImageStatus(chart: string, values: Record<string, unknown>): ImageStatus[] {
    return CHART_IMAGES.filter((i) => i.chart === chart && (!i.enabledBy || getPath(values, i.enabledBy) === true)).map((i) => {
        const block = getPath(values, i.path);
        const v = isObject(block) ? block : {};
        const digest = i.field === "sha" && typeof v.sha === "string" && /^[0-9a-f]{64}$/.test(v.sha) ? `sha256:${v.sha}`
            : i.field === "shaPrefixed" && typeof v.sha === "string" && DIGEST.test(v.sha) ? v.sha
            : i.field === "digest" && typeof v.digest === "string" && DIGEST.test(v.digest) ? v.digest
            : i.field === "tag" && typeof v.tag === "string" ? /@(sha256:[0-9a-f]{64})$/.exec(v.tag)?.[1] : undefined;
        return { chart, path: i.path, ref: i.ref, pinned: digest !== undefined, digest };
    });
}

/** Chart images with no digest in the lock (all of them, enabled or not: `requirePinned` wants a complete lock). */
export function unpinnedInLock(lock = activeImageLock()): string[] {
    return [...new Set(CHART_IMAGES.map((i) => i.ref))].filter((ref) => !digestOf(ref, lock));
}
