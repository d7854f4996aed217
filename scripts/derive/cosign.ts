/**
 * The project's own cosign / Sigstore test vectors, made here with node:crypto (nothing copied):
 * an image manifest, two P-256 keys (test only), a simple-signing signature in a `.sig` tag
 * manifest, DSSE in-toto SBOM attestations (CycloneDX and SPDX) in a `.att` tag manifest, Sigstore
 * v0.3 bundles as OCI 1.1 referrer manifests, and negative cases, each with the verdict the
 * verifier must give. ECDSA signatures are randomised, so each run gives new bytes with the same
 * verdicts.
 */
import { createHash, generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { Source } from "./provenance";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
const DSSE = "application/vnd.dsse.envelope.v1+json";
const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const IN_TOTO = "application/vnd.in-toto+json";
const STATEMENT_V1 = "https://in-toto.io/Statement/v1";

export interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string>; artifactType?: string }

/** One expected verdict: which verifier, on which vector, with which key. */
export interface VectorCase {
    name: string;
    verifier: "simpleSigning" | "dsse" | "bundle";
    /** Name of the vector under `vectors` (a payload+signature for simpleSigning, an envelope or a bundle otherwise). */
    vector: string;
    key: "signer" | "other";
    ok: boolean;
    predicateType?: string;
    /** A fragment of the reason the verifier must give when it refuses. */
    reason?: string;
}

export interface CosignVectors {
    source: Source;
    repository: string;
    image: { digest: string; manifest: string };
    /** Every blob any manifest here references (configs, layers, payloads, envelopes, bundles), by digest: push them to a registry as they are. */
    blobs: Record<string, string>;
    keys: { signer: { publicKey: string; privateKeyTestOnly: string }; other: { publicKey: string } };
    /** Exact bytes (as UTF-8 text) of every payload, envelope and bundle, by name. */
    vectors: Record<string, { payload?: string; signature?: string; envelope?: string; bundle?: string }>;
    /** OCI manifests as cosign lays them out: tag -> manifest text (legacy `.sig`/`.att`), digest -> bundle referrer manifest text. */
    manifests: { tags: Record<string, string>; referrers: Record<string, string> };
    cases: VectorCase[];
}

const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const paeOf = (type: string, body: Buffer) => Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);

export function generateCosignVectors(regenerate: string): CosignVectors {
    const repository = "registry.example.test/team/app";
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = (k: KeyObject, type: "spki" | "pkcs8") => k.export({ type, format: "pem" }).toString();
    const blobs: Record<string, string> = {};
    /** A descriptor of `data`, recorded among the blobs (manifests are not blobs: pass `blob: false`). */
    const descriptor = (mediaType: string, data: string, extra: Partial<Descriptor> = {}, blob = true): Descriptor => {
        if (blob) blobs[sha256(data)] = data;
        return { mediaType, digest: sha256(data), size: Buffer.byteLength(data), ...extra };
    };

    // The image: a config and one layer, and its manifest; the manifest's sha256 is the image digest.
    const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
    const layer = "platform test image layer";
    const manifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(OCI_CONFIG, config), layers: [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)] });
    const digest = sha256(manifest);
    const hex = digest.slice("sha256:".length);
    const anotherDigest = sha256(`${manifest} (another image)`);

    const simpleSigning = (imageDigest: string) => JSON.stringify({ critical: { identity: { "docker-reference": repository }, image: { "docker-manifest-digest": imageDigest }, type: "cosign container image signature" }, optional: null });
    const signed = (data: Buffer, key: KeyObject = signer.privateKey) => sign("sha256", data, key).toString("base64");
    const statement = (predicateType: string, predicate: unknown, subjectHex = hex) =>
        JSON.stringify({ _type: STATEMENT_V1, subject: [{ name: repository, digest: { sha256: subjectHex } }], predicateType, predicate });
    const envelope = (body: string, key: KeyObject = signer.privateKey) =>
        JSON.stringify({ payloadType: IN_TOTO, payload: Buffer.from(body).toString("base64"), signatures: [{ keyid: "", sig: signed(paeOf(IN_TOTO, Buffer.from(body)), key) }] });
    const bundleOf = (env: string) => JSON.stringify({ mediaType: BUNDLE, verificationMaterial: { publicKey: { hint: "" } }, dsseEnvelope: JSON.parse(env) });

    const cyclonedx = { bomFormat: "CycloneDX", specVersion: "1.6", version: 1, components: [{ type: "library", name: "example-lib", version: "1.0.0" }] };
    const spdx = { spdxVersion: "SPDX-2.3", dataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", name: "app", packages: [] };
    const provenance = { buildDefinition: { buildType: "https://example.test/build/v1" }, runDetails: {} };

    const payload = simpleSigning(digest);
    const wrongDigestPayload = simpleSigning(anotherDigest);
    const cdx = envelope(statement("https://cyclonedx.org/bom", cyclonedx));
    const spdxEnv = envelope(statement("https://spdx.dev/Document", spdx));
    const tampered = (() => {
        const e = JSON.parse(cdx);
        e.payload = Buffer.from(statement("https://cyclonedx.org/bom", { ...cyclonedx, components: [] })).toString("base64");
        return JSON.stringify(e);
    })();
    const signatureStatement = envelope(statement("https://sigstore.dev/cosign/sign/v1", {}));
    const vectors: CosignVectors["vectors"] = {
        "simple-signing": { payload, signature: signed(Buffer.from(payload)) },
        "simple-signing-other-key": { payload, signature: signed(Buffer.from(payload), other.privateKey) },
        "simple-signing-wrong-digest": { payload: wrongDigestPayload, signature: signed(Buffer.from(wrongDigestPayload)) },
        "sbom-cyclonedx": { envelope: cdx },
        "sbom-spdx": { envelope: spdxEnv },
        "sbom-tampered": { envelope: tampered },
        "sbom-other-subject": { envelope: envelope(statement("https://cyclonedx.org/bom", cyclonedx, anotherDigest.slice(7))) },
        "provenance-not-sbom": { envelope: envelope(statement("https://slsa.dev/provenance/v1", provenance)) },
        "bundle-signature": { bundle: bundleOf(signatureStatement) },
        "bundle-sbom": { bundle: bundleOf(cdx) },
        "bundle-message-signature": { bundle: JSON.stringify({ mediaType: BUNDLE, verificationMaterial: { publicKey: { hint: "" } }, messageSignature: { messageDigest: { algorithm: "SHA2_256", digest: Buffer.from(hex, "hex").toString("base64") }, signature: signed(Buffer.from(hex, "hex")) } }) },
    };

    // Legacy tags: sha256-<hex>.sig with the simple-signing layer, sha256-<hex>.att with the DSSE layers.
    const tagManifest = (layers: Descriptor[]) => {
        const cfg = JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } });
        return JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(OCI_CONFIG, cfg), layers });
    };
    const tag = `sha256-${hex}`;
    const tags = {
        [`${tag}.sig`]: tagManifest([descriptor(SIMPLE_SIGNING, payload, { annotations: { "dev.cosignproject.cosign/signature": vectors["simple-signing"].signature! } })]),
        [`${tag}.att`]: tagManifest([descriptor(DSSE, cdx, { annotations: { predicateType: "https://cyclonedx.org/bom" } }), descriptor(DSSE, spdxEnv, { annotations: { predicateType: "https://spdx.dev/Document" } })]),
    };
    // Sigstore bundles as OCI 1.1 referrers of the image (subject = the image manifest).
    const empty = "{}";
    const referrers: Record<string, string> = {};
    for (const [name, predicateType] of [["bundle-signature", "https://sigstore.dev/cosign/sign/v1"], ["bundle-sbom", "https://cyclonedx.org/bom"]] as const) {
        const m = JSON.stringify({
            schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: BUNDLE,
            config: descriptor("application/vnd.oci.empty.v1+json", empty), layers: [descriptor(BUNDLE, vectors[name].bundle!)],
            subject: descriptor(OCI_MANIFEST, manifest, {}, false),
            annotations: { "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": predicateType },
        });
        referrers[sha256(m)] = m;
    }

    const cases: VectorCase[] = [
        { name: "simple signing with the signer's key", verifier: "simpleSigning", vector: "simple-signing", key: "signer", ok: true },
        { name: "simple signing checked with another key", verifier: "simpleSigning", vector: "simple-signing", key: "other", ok: false, reason: "does not verify with any configured key" },
        { name: "simple signing made by another key", verifier: "simpleSigning", vector: "simple-signing-other-key", key: "signer", ok: false, reason: "does not verify with any configured key" },
        { name: "simple signing of another digest", verifier: "simpleSigning", vector: "simple-signing-wrong-digest", key: "signer", ok: false, reason: `is for ${anotherDigest}` },
        { name: "CycloneDX attestation", verifier: "dsse", vector: "sbom-cyclonedx", key: "signer", ok: true, predicateType: "https://cyclonedx.org/bom" },
        { name: "SPDX attestation", verifier: "dsse", vector: "sbom-spdx", key: "signer", ok: true, predicateType: "https://spdx.dev/Document" },
        { name: "attestation checked with another key", verifier: "dsse", vector: "sbom-cyclonedx", key: "other", ok: false, reason: "does not verify" },
        { name: "attestation with a payload changed after signing", verifier: "dsse", vector: "sbom-tampered", key: "signer", ok: false, reason: "does not verify" },
        { name: "attestation of another image", verifier: "dsse", vector: "sbom-other-subject", key: "signer", ok: false, reason: "subject does not name the image digest" },
        { name: "provenance attestation (valid, not an SBOM)", verifier: "dsse", vector: "provenance-not-sbom", key: "signer", ok: true, predicateType: "https://slsa.dev/provenance/v1" },
        { name: "bundle with the cosign signature statement", verifier: "bundle", vector: "bundle-signature", key: "signer", ok: true, predicateType: "https://sigstore.dev/cosign/sign/v1" },
        { name: "bundle with the SBOM attestation", verifier: "bundle", vector: "bundle-sbom", key: "signer", ok: true, predicateType: "https://cyclonedx.org/bom" },
        { name: "bundle checked with another key", verifier: "bundle", vector: "bundle-sbom", key: "other", ok: false, reason: "does not verify" },
        { name: "message-signature bundle (not an image signature)", verifier: "bundle", vector: "bundle-message-signature", key: "signer", ok: false, reason: "no DSSE envelope" },
    ];

    return {
        source: { project: "this repository (generated, not upstream)", version: "1", file: "scripts/derive/cosign.ts", blob: "", regenerate },
        repository,
        image: { digest, manifest },
        blobs,
        keys: { signer: { publicKey: pem(signer.publicKey, "spki"), privateKeyTestOnly: pem(signer.privateKey, "pkcs8") }, other: { publicKey: pem(other.publicKey, "spki") } },
        vectors,
        manifests: { tags, referrers },
        cases,
    };
}
