/**
 * A real OCI registry for the registry-mode tests: Debian's docker-registry (CNCF distribution)
 * started on 127.0.0.1, and a few plain registry-HTTP-API helpers to push images, cosign
 * signatures and attestations (legacy tags) and Sigstore bundles (referrers tag scheme).
 */
import { ChildProcess, spawn } from "node:child_process";
import { createHash, KeyObject, sign } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { DSSE_MEDIA_TYPE, pae, SIMPLE_SIGNING_MEDIA_TYPE } from "../../policies/supply-chain/cosign";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export interface Descriptor { mediaType: string; digest: string; size: number; artifactType?: string; annotations?: Record<string, string> }

async function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const srv = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

/** A user of an htpasswd-protected test registry: the bcrypt hash (cost 4, made once with libxcrypt) is of `password`. */
export const BASIC_USER = { user: "AWS", password: "ecr-test-password-1", bcrypt: "$2b$04$Ntu7a0Gb.kDTDRE81O7cPu83jVfaSsygENQmWYIHN4ybrX5y4F.tO" };

export class TestRegistry {
    private constructor(readonly host: string, private readonly proc: ChildProcess, private readonly dir: string, private readonly authorization?: string) {}

    /**
     * Starts docker-registry; fails with the package to install when the binary is missing. With
     * `basicAuth` it requires BASIC_USER through htpasswd (a `Basic` challenge, as Amazon ECR sends).
     */
    static async start(opts: { basicAuth?: boolean } = {}): Promise<TestRegistry> {
        const port = await freePort();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "oci-registry-"));
        let auth = "";
        if (opts.basicAuth) {
            fs.writeFileSync(path.join(dir, "htpasswd"), `${BASIC_USER.user}:${BASIC_USER.bcrypt}\n`);
            auth = `auth:\n  htpasswd:\n    realm: basic-realm\n    path: ${dir}/htpasswd\n`;
        }
        fs.writeFileSync(path.join(dir, "config.yml"), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
        const proc = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: "ignore" });
        const spawnError = new Promise<never>((_, reject) => proc.on("error", (e) => reject(new Error(`docker-registry could not start (${(e as NodeJS.ErrnoException).code}): install the Debian package docker-registry; .ci/run does this`))));
        const authorization = opts.basicAuth ? `Basic ${Buffer.from(`${BASIC_USER.user}:${BASIC_USER.password}`).toString("base64")}` : undefined;
        const registry = new TestRegistry(`127.0.0.1:${port}`, proc, dir, authorization);
        const ready = (async () => {
            for (let i = 0; i < 100; i++) {
                const ok = await fetch(`http://${registry.host}/v2/`, { headers: registry.headers() }).then((r) => r.ok, () => false);
                if (ok) return registry;
                await new Promise((r) => setTimeout(r, 100));
            }
            throw new Error("docker-registry did not answer on /v2/ within 10 s");
        })();
        return Promise.race([ready, spawnError]);
    }

    /** The headers every push sends (the Basic credential of a protected registry). */
    private headers(extra: Record<string, string> = {}): Record<string, string> {
        return { ...extra, ...(this.authorization ? { authorization: this.authorization } : {}) };
    }

    stop(): void {
        this.proc.kill();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    async pushBlob(repo: string, data: Buffer, mediaType: string, annotations?: Record<string, string>): Promise<Descriptor> {
        const digest = digestOf(data);
        const start = await fetch(`http://${this.host}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: this.headers() });
        if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
        const location = new URL(start.headers.get("location")!, `http://${this.host}`);
        location.searchParams.set("digest", digest);
        const put = await fetch(location, { method: "PUT", body: data, headers: this.headers({ "content-type": "application/octet-stream" }) });
        if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
        return { mediaType, digest, size: data.length, ...(annotations ? { annotations } : {}) };
    }

    async pushManifest(repo: string, reference: string, manifest: Record<string, unknown>): Promise<Descriptor> {
        const body = Buffer.from(JSON.stringify(manifest));
        const mediaType = String(manifest.mediaType);
        const res = await fetch(`http://${this.host}/v2/${repo}/manifests/${reference}`, { method: "PUT", body, headers: this.headers({ "content-type": mediaType }) });
        if (res.status !== 201) throw new Error(`manifest ${repo}:${reference}: ${res.status} ${await res.text()}`);
        return { mediaType, digest: digestOf(body), size: body.length, ...(manifest.artifactType ? { artifactType: String(manifest.artifactType) } : {}) };
    }

    /** A small image (one layer); returns its manifest digest. */
    async pushImage(repo: string, tag: string, seed: string): Promise<string> {
        const config = await this.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, seed })), "application/vnd.oci.image.config.v1+json");
        const layer = await this.pushBlob(repo, Buffer.from(`layer of ${seed}`), "application/vnd.oci.image.layer.v1.tar+gzip");
        return (await this.pushManifest(repo, tag, { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] })).digest;
    }

    /** cosign's legacy `.sig`/`.att` tag manifest holding the given layers. */
    async pushCosignTag(repo: string, digest: string, suffix: "sig" | "att", layers: Descriptor[]): Promise<void> {
        const config = await this.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: "", os: "", config: {}, rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } })), "application/vnd.oci.image.config.v1+json");
        await this.pushManifest(repo, `${digest.replace(":", "-")}.${suffix}`, { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers });
    }

    /**
     * An image signed and attested the way `cosign sign` and `cosign attest --type cyclonedx` leave
     * it (legacy `.sig` and `.att` tags), with `key`; the signed reference names the image as
     * `<referenceHost>/<repo>` (a registry reached under another name, e.g. an ECR host). Returns
     * its digest.
     */
    async pushSigned(repo: string, key: KeyObject, referenceHost = this.host, seed = repo): Promise<string> {
        const digest = await this.pushImage(repo, "1.0", seed);
        const payload = simpleSigningPayload(`${referenceHost}/${repo}`, digest);
        await this.pushCosignTag(repo, digest, "sig", [await this.pushBlob(repo, payload, SIMPLE_SIGNING_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": sign("sha256", payload, key).toString("base64") })]);
        const env = dsseEnvelope(key, `${referenceHost}/${repo}`, digest, "https://cyclonedx.org/bom", { bomFormat: "CycloneDX", specVersion: "1.5", components: [] });
        await this.pushCosignTag(repo, digest, "att", [await this.pushBlob(repo, Buffer.from(JSON.stringify(env)), DSSE_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": "", predicateType: "https://cyclonedx.org/bom" })]);
        return digest;
    }

    /** Sigstore bundles as referrers, listed in the `sha256-<hex>` referrers tag (no referrers API in distribution 2.8). */
    async pushBundles(repo: string, subject: Descriptor, bundles: { bundle: unknown; predicateType: string }[]): Promise<void> {
        const empty = await this.pushBlob(repo, Buffer.from("{}"), "application/vnd.oci.empty.v1+json");
        const manifests: Descriptor[] = [];
        for (const b of bundles) {
            const layer = await this.pushBlob(repo, Buffer.from(JSON.stringify(b.bundle)), "application/vnd.dev.sigstore.bundle.v0.3+json");
            const m = { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json", config: empty, layers: [layer], subject, annotations: { "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": b.predicateType } };
            const desc = await this.pushManifest(repo, digestOf(Buffer.from(JSON.stringify(m))), m);
            manifests.push({ ...desc, annotations: m.annotations });
        }
        await this.pushManifest(repo, subject.digest.replace(":", "-"), { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests });
    }
}

/** The simple-signing payload cosign signs for an image. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
    return Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": dockerReference }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional: null }));
}

/** A DSSE envelope over an in-toto statement, signed over PAE with the key. */
export function dsseEnvelope(key: KeyObject, subjectName: string, digest: string, predicateType: string, predicate: unknown, statementType = "https://in-toto.io/Statement/v0.1") {
    const payload = Buffer.from(JSON.stringify({ _type: statementType, predicateType, subject: [{ name: subjectName, digest: { sha256: digest.replace(/^sha256:/, "") } }], predicate }));
    const type = "application/vnd.in-toto+json";
    return { payloadType: type, payload: payload.toString("base64"), signatures: [{ keyid: "", sig: sign("sha256", pae(type, payload), key).toString("base64") }] };
}
