/**
 * Cosign signature and attestation verification with node:crypto only (key-based, offline from
 * Rekor, like `cosign verify --insecure-ignore-tlog`): the legacy simple-signing payload, DSSE
 * envelopes over their PAE encoding with in-toto statements, and Sigstore v0.3 bundles.
 * Test vectors: test/data/cosign/vectors.json (`npm run derive -- cosign`).
 */
import { createHash, createPublicKey, KeyObject, verify } from "node:crypto";

export interface Check { ok: boolean; reason: string }

export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const DSSE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
export const BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
/** Predicate type of the statement cosign v3 signs for an image signature. */
export const COSIGN_SIGN_PREDICATE = "https://sigstore.dev/cosign/sign/v1";
/** SBOM predicate types, matched by prefix (versioned variants such as .../bom/v1.5 exist). */
export const SBOM_PREDICATE_PREFIXES = ["https://cyclonedx.org/bom", "https://cyclonedx.org/schema", "https://spdx.dev/Document"];

export function isSbomPredicate(type: unknown): boolean {
    return typeof type === "string" && SBOM_PREDICATE_PREFIXES.some((p) => type === p || type.startsWith(`${p}/`));
}

/** A configured key that is not a usable public key (a config error, reported as such). */
export class CosignKeyError extends Error {}

export function loadKeys(pems: string[]): KeyObject[] {
    return pems.map((pem, i) => {
        try {
            return createPublicKey(pem);
        } catch (e) {
            throw new CosignKeyError(`cosignPublicKeys[${i}] is not a PEM public key (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); use the cosign.pub of the signing key`);
        }
    });
}

export function sha256(data: Buffer | string): string {
    return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** ECDSA P-256 / SHA-256 with any of the keys; DER signatures, and IEEE-P1363 r||s as cosign accepts. */
export function verifiesWithAny(data: Buffer, signature: Buffer, keys: KeyObject[]): boolean {
    return keys.some((key) => {
        try {
            return verify("sha256", data, key, signature) || verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
        }
        // Stryker disable next-line BlockStatement: an empty catch returns undefined, which some() counts as false, like the false returned.
        catch {
            return false;
        }
    });
}

/** Base64 in either alphabet (DSSE verifiers must accept both). */
export function fromBase64(s: string): Buffer {
    return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function pae(payloadType: string, body: Buffer): Buffer {
    const type = Buffer.from(payloadType, "utf8");
    return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

const lowerKeys = (o: unknown): any =>
    o && typeof o === "object" && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)])) : o;

/**
 * A legacy `.sig` layer: the signature over the raw payload, and the payload naming this image
 * digest; with `required`, the payload's `optional` annotations (cosign sign -a) must hold each.
 */
export function verifySimpleSigning(payload: Buffer, signatureB64: string, imageDigest: string, keys: KeyObject[], required: Record<string, string> = {}): Check {
    if (!signatureB64) return { ok: false, reason: "the signature layer has no dev.cosignproject.cosign/signature annotation" };
    if (!verifiesWithAny(payload, fromBase64(signatureB64), keys)) return { ok: false, reason: "the signature does not verify with any configured key" };
    let doc: any;
    try {
        doc = lowerKeys(JSON.parse(payload.toString("utf8")));
    } catch {
        return { ok: false, reason: "the signed payload is not JSON" };
    }
    if (doc?.critical?.type !== "cosign container image signature") return { ok: false, reason: `the signed payload has type ${JSON.stringify(doc?.critical?.type)}, not "cosign container image signature"` };
    const signed = doc?.critical?.image?.["docker-manifest-digest"];
    if (signed !== imageDigest) return { ok: false, reason: `the signature is for ${signed}, not the image digest ${imageDigest}` };
    // Annotation keys are case-sensitive: read them from the payload as signed, not lowercased.
    const optional = (JSON.parse(payload.toString("utf8")) as { optional?: Record<string, unknown> | null }).optional ?? {};
    for (const [k, v] of Object.entries(required)) {
        if (optional[k] !== v) return { ok: false, reason: `the signature's annotation ${k} is ${JSON.stringify(optional[k] ?? null)}, not ${JSON.stringify(v)}` };
    }
    return { ok: true, reason: "signature verified" };
}

export interface Statement { predicateType: string; subject: { name?: string; digest?: Record<string, string> }[] }

/** A DSSE envelope: PAE signature by a key, in-toto payload, a subject with the image digest. */
export function verifyDsse(envelope: unknown, imageDigest: string, keys: KeyObject[]): Check & { predicateType?: string } {
    const env = envelope as { payloadType?: string; payload?: string; signatures?: { sig?: string }[] };
    if (!env || typeof env.payload !== "string" || !Array.isArray(env.signatures)) return { ok: false, reason: "the attestation is not a DSSE envelope" };
    if (env.payloadType !== "application/vnd.in-toto+json") return { ok: false, reason: `the envelope payloadType is ${JSON.stringify(env.payloadType)}, not application/vnd.in-toto+json` };
    const body = fromBase64(env.payload);
    const signed = env.signatures.some((s) => typeof s.sig === "string" && verifiesWithAny(pae(env.payloadType!, body), fromBase64(s.sig), keys));
    if (!signed) return { ok: false, reason: "the envelope signature does not verify with any configured key (tampered payload or another key)" };
    let statement: Statement | null;
    try {
        statement = JSON.parse(body.toString("utf8"));
    } catch {
        return { ok: false, reason: "the envelope payload is not a JSON in-toto statement" };
    }
    const hex = imageDigest.replace(/^sha256:/, "");
    // A signed payload that is JSON but no statement (null, a subject that is not a list) names no image.
    if (!(Array.isArray(statement?.subject) && statement.subject.some((s) => s?.digest?.sha256 === hex))) return { ok: false, reason: `the statement's subject does not name the image digest ${imageDigest}`, predicateType: statement?.predicateType };
    return { ok: true, reason: "envelope verified", predicateType: statement!.predicateType };
}

/** A Sigstore v0.3 bundle (cosign v3): its DSSE envelope, verified as above. */
export function verifyBundle(bundle: unknown, imageDigest: string, keys: KeyObject[]): Check & { predicateType?: string } {
    const b = bundle as { mediaType?: string; dsseEnvelope?: { payloadType?: string; payload?: string; signatures?: { sig?: string }[] } };
    if (!b || typeof b !== "object" || typeof b.mediaType !== "string" || !b.mediaType.startsWith("application/vnd.dev.sigstore.bundle")) return { ok: false, reason: "the referrer is not a Sigstore bundle" };
    if (!b.dsseEnvelope) return { ok: false, reason: "the bundle has no DSSE envelope (message-signature bundles are not image signatures)" };
    return verifyDsse(b.dsseEnvelope, imageDigest, keys);
}
