/**
 * Registry-mode verification (policies/supply-chain/registry.ts, cosign.ts) on the answers a
 * registry can give that the other registry tests do not reach: a scripted HTTP registry (the
 * pattern of registry-budgets and registry-referrers) for protocol corner cases, the real
 * docker-registry (test/harness/oci-registry.ts) for what cosign leaves in a registry, and the
 * cosign verifier itself. Each test asserts the exact verdict or message (mutation testing, issue 23).
 */
import * as assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { CosignKeyError, loadKeys, pae, SIMPLE_SIGNING_MEDIA_TYPE, verifiesWithAny, verifyBundle, verifyDsse, verifySimpleSigning } from "../../policies/supply-chain/cosign";
import { ImageVerifier, RegistryClient, RegistryError, verifyImage } from "../../policies/supply-chain/registry";
import { dsseEnvelope, simpleSigningPayload, TestRegistry } from "../harness/oci-registry";

const digestOf = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";
const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
const manifest = (seed: string) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [], annotations: { seed } }));

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe("registry client: what a registry may answer (scripted HTTP registry)", function () {
    this.timeout(20000);
    let server: http.Server;
    let host = "";
    let route: Route = (_req, res) => void res.writeHead(404).end();
    const seen: string[] = [];
    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(req.url ?? "");
            route(req, res);
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => server.close());
    beforeEach(() => (seen.length = 0));
    const client = (opts = {}) => new RegistryClient({ insecureHosts: [host], timeoutMs: 5000, ...opts });

    it("a 401 without a challenge, or with a challenge that names no realm, fails closed quoting what was sent", async () => {
        route = (_req, res) => void res.writeHead(401).end();
        await assert.rejects(client().manifest(host, "org/app", "v1"), { name: "Error", message: `registry ${host} requires authentication (no challenge); failing closed` });
        route = (_req, res) => void res.writeHead(401, { "www-authenticate": 'Bearer service="registry"' }).end();
        await assert.rejects(client().manifest(host, "org/app", "v1"), { message: `registry ${host} requires authentication (Bearer service="registry"); failing closed` });
    });

    it("a Bearer challenge without a service asks the realm for the pull scope alone, then retries with the token", async () => {
        route = (req, res) => {
            if (req.url!.startsWith("/token")) return void res.writeHead(200).end(JSON.stringify({ access_token: "abc" }));
            if (req.headers.authorization !== "Bearer abc") return void res.writeHead(401, { "www-authenticate": `Bearer realm="http://${host}/token"` }).end();
            res.writeHead(404).end();
        };
        assert.equal(await client().manifest(host, "org/app", "v1"), undefined);
        assert.deepEqual(seen, ["/v2/org/app/manifests/v1", "/token?scope=repository%3Aorg%2Fapp%3Apull", "/v2/org/app/manifests/v1"]);
    });

    it("a manifest whose bytes do not hash to the digest asked for is refused", async () => {
        const body = manifest("swapped");
        const asked = digestOf("another manifest");
        route = (_req, res) => void res.writeHead(200, { "content-type": OCI_MANIFEST }).end(body);
        await assert.rejects(client().manifest(host, "org/app", asked), { message: `registry ${host} returned a manifest whose digest ${digestOf(body)} is not ${asked}; failing closed` });
        // By tag, whatever comes back is the tag's manifest, and its digest is computed.
        assert.deepEqual(await client().manifest(host, "org/app", "v1"), { digest: digestOf(body), manifest: JSON.parse(body.toString()) });
    });

    it("a missing blob, and a blob that does not hash to its digest, fail closed", async () => {
        const d = digestOf("the blob");
        route = (_req, res) => void res.writeHead(404).end();
        await assert.rejects(client().blob(host, "org/app", d), { message: `blob ${d} is missing from ${host}/org/app` });
        route = (_req, res) => void res.writeHead(200).end("another blob");
        await assert.rejects(client().blob(host, "org/app", d), { message: `blob ${d} from ${host}/org/app does not match its digest` });
        route = (_req, res) => void res.writeHead(200).end("the blob");
        assert.equal((await client().blob(host, "org/app", d)).toString(), "the blob");
    });

    it("a manifest that is not JSON fails closed", async () => {
        route = (_req, res) => void res.writeHead(200, { "content-type": OCI_MANIFEST }).end("<html>");
        await assert.rejects(client().manifest(host, "org/app", "v1"), (e: Error) => e instanceof RegistryError && e.message === `the manifest ${host}/org/app:v1 is not JSON; failing closed`);
    });

    it("a limit that is not a whole number of MiB is named in bytes", async () => {
        route = (_req, res) => void res.writeHead(200, { "content-type": OCI_MANIFEST, "content-length": "300" }).end(Buffer.alloc(300, 32));
        await assert.rejects(client({ maxManifestBytes: 100 }).manifest(host, "org/app", "v1"), { message: `the manifest ${host}/org/app:v1 is 300 bytes, over the 100 bytes limit; failing closed` });
    });

    it("a referrers answer without a content type is not the API: the sha256-<hex> referrers tag is read instead", async () => {
        const d = digestOf("subject");
        const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: d, size: 1, artifactType: BUNDLE }] }));
        route = (req, res) => {
            if (req.url!.includes("/referrers/")) return void res.writeHead(200).end("{}");
            if (req.url === `/v2/org/app/manifests/${d.replace(":", "-")}`) return void res.writeHead(200, { "content-type": INDEX }).end(index);
            res.writeHead(404).end();
        };
        assert.deepEqual(await client().referrers(host, "org/app", d), { manifests: JSON.parse(index.toString()).manifests });
        assert.deepEqual(seen, [`/v2/org/app/referrers/${d}`, `/v2/org/app/manifests/${d.replace(":", "-")}`]);
    });

    it("a referrers page after the first that is missing fails closed", async () => {
        const d = digestOf("subject");
        route = (req, res) => {
            if (req.url === `/v2/org/app/referrers/${d}`) return void res.writeHead(200, { "content-type": INDEX, link: `</v2/org/app/referrers/${d}?last=1>; rel="next"` }).end(JSON.stringify({ manifests: [] }));
            res.writeHead(404).end();
        };
        await assert.rejects(client().referrers(host, "org/app", d), { message: `the referrers of ${host}/org/app@${d}: page 2 is missing; failing closed` });
    });

    it("a token realm that does not answer within the request timeout, or not at all, is a refused token; past the image's budget the budget is named", async function () {
        this.timeout(10000);
        const hung: http.ServerResponse[] = [];
        route = (req, res) => {
            if (req.url!.startsWith("/token")) return void hung.push(res);
            res.writeHead(401, { "www-authenticate": `Bearer realm="http://${host}/token",service="s"` }).end();
        };
        try {
            await assert.rejects(client({ timeoutMs: 300 }).manifest(host, "org/app", "v1"), { message: `registry ${host} refused an anonymous pull token for org/app; failing closed` });
            const verdict = await new ImageVerifier(client({ timeoutMs: 5000, imageBudgetMs: 300 }), []).verify(host, "org/app", digestOf("x"));
            assert.equal(verdict.signature.reason, `verifying ${host}/org/app@${digestOf("x")} took over 0.3 s (the per-image limit); failing closed`);
            const closed = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
            route = (_req, res) => void res.writeHead(401, { "www-authenticate": `Bearer realm="http://127.0.0.1:${closed}/token"` }).end();
            await assert.rejects(client().manifest(host, "org/app", "v1"), { message: `registry ${host} refused an anonymous pull token for org/app; failing closed` });
        } finally {
            for (const res of hung) res.destroy();
        }
    });

    it("a body cut off part-way (the connection dropped) fails the image closed, naming the image and the error", async () => {
        const body = manifest("cut");
        route = (_req, res) => {
            res.writeHead(200, { "content-type": OCI_MANIFEST, "content-length": String(body.length) });
            res.write(body.subarray(0, 10), () => res.destroy());
        };
        const verdict = await new ImageVerifier(client(), []).verify(host, "org/cut", digestOf(body));
        const reason = `verification of ${host}/org/cut@${digestOf(body)} failed: terminated`;
        assert.deepEqual(verdict, { signature: { ok: false, reason }, sbom: { ok: false, reason } });
    });
});

describe("registry client: where requests go and why they fail (fetch observed in process)", () => {
    const realFetch = globalThis.fetch;
    afterEach(() => (globalThis.fetch = realFetch));
    /** fetch as the network answers when it fails: rejects with `error`; the URLs asked are kept. */
    const failingFetch = (error: unknown) => {
        const urls: string[] = [];
        globalThis.fetch = (async (url: string | URL) => {
            urls.push(String(url));
            throw error;
        }) as typeof fetch;
        return urls;
    };

    it("an answer announcing more than the limit is refused unread, also when it carries no body stream", async () => {
        globalThis.fetch = (async () => new Response(null, { status: 200, headers: { "content-length": String(5 * 2 ** 20) } })) as typeof fetch;
        await assert.rejects(new RegistryClient({ insecureHosts: ["r.example"] }).manifest("r.example", "org/app", "v1"), { message: `the manifest r.example/org/app:v1 is ${5 * 2 ** 20} bytes, over the 4 MiB limit; failing closed` });
    });

    it("Docker Hub is asked at registry-1.docker.io over HTTPS", async () => {
        const urls = failingFetch(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }));
        await assert.rejects(new RegistryClient().manifest("docker.io", "library/nginx", "latest"), { message: "registry docker.io is unreachable (ENOTFOUND); failing closed" });
        assert.deepEqual(urls, ["https://registry-1.docker.io/v2/library/nginx/manifests/latest"]);
    });

    it("the reason names the cause's code, else the code of its first error, else its message, else the error's message", async () => {
        const cases: [unknown, string][] = [
            [Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })], "all failed")) }), "ECONNREFUSED"],
            [Object.assign(new TypeError("fetch failed"), { cause: { errors: [], message: "no address" } }), "no address"],
            [Object.assign(new TypeError("fetch failed"), { cause: { message: "socket hang up" } }), "socket hang up"],
            [new TypeError("fetch failed"), "fetch failed"],
        ];
        for (const [error, why] of cases) {
            failingFetch(error);
            await assert.rejects(new RegistryClient({ insecureHosts: ["r.example"] }).manifest("r.example", "org/app", "v1"), { message: `registry r.example is unreachable (${why}); failing closed` });
        }
    });

    it("a registry not listed as insecure is spoken to over HTTPS (a plain-HTTP port refuses the TLS client)", async () => {
        const server = http.createServer((_req, res) => void res.writeHead(200).end("{}"));
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
        try {
            await assert.rejects(new RegistryClient({ timeoutMs: 5000 }).manifest(host, "org/app", "v1"), (e: Error) => e instanceof RegistryError && e.message.startsWith(`registry ${host} is unreachable (`) && !e.message.includes("URL"));
            assert.ok(await new RegistryClient({ insecureHosts: [host], timeoutMs: 5000 }).manifest(host, "org/app", "v1"));
        } finally {
            server.close();
        }
    });
});

describe("image verification: what cosign may leave in a registry (docker-registry)", function () {
    this.timeout(60000);
    let registry: TestRegistry;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const client = () => new RegistryClient({ insecureHosts: [registry.host], timeoutMs: 5000 });
    const images: Record<string, string> = {};
    const bundleDigests: string[] = [];
    const failingDigests: string[] = [];
    before(async () => {
        registry = await TestRegistry.start();
        // A .sig layer without its signature annotation.
        images.bare = await registry.pushImage("org/bare", "1.0", "bare");
        const payload = simpleSigningPayload(`${registry.host}/org/bare`, images.bare);
        await registry.pushCosignTag("org/bare", images.bare, "sig", [await registry.pushBlob("org/bare", payload, SIMPLE_SIGNING_MEDIA_TYPE)]);
        // Bundles only: a signature and an SLSA provenance attestation (no SBOM).
        images.bundles = await registry.pushImage("org/bundles", "1.0", "bundles");
        const bundle = (predicateType: string) => ({
            bundle: { mediaType: BUNDLE, verificationMaterial: { publicKey: { hint: "k" } }, dsseEnvelope: dsseEnvelope(privateKey, `${registry.host}/org/bundles`, images.bundles, predicateType, {}, "https://in-toto.io/Statement/v1") },
            predicateType,
        });
        await registry.pushBundles("org/bundles", { mediaType: OCI_MANIFEST, digest: images.bundles, size: 0 }, [bundle("https://sigstore.dev/cosign/sign/v1"), bundle("https://slsa.dev/provenance/v1")]);
        const index = await client().manifest(registry.host, "org/bundles", images.bundles.replace(":", "-"));
        bundleDigests.push(...(index!.manifest.manifests ?? []).map((m) => m.digest));
        // Bundles that fail: a signature and an SBOM for another image, a signature by another key.
        images.failing = await registry.pushImage("org/failing", "1.0", "failing");
        const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
        const failing = (predicateType: string, key = privateKey, subject = digestOf("another image")) => ({
            bundle: { mediaType: BUNDLE, verificationMaterial: { publicKey: { hint: "k" } }, dsseEnvelope: dsseEnvelope(key, `${registry.host}/org/failing`, subject, predicateType, {}, "https://in-toto.io/Statement/v1") },
            predicateType,
        });
        await registry.pushBundles("org/failing", { mediaType: OCI_MANIFEST, digest: images.failing, size: 0 }, [failing("https://sigstore.dev/cosign/sign/v1"), failing("https://spdx.dev/Document"), failing("https://sigstore.dev/cosign/sign/v1", other, images.failing)]);
        const failingIndex = await client().manifest(registry.host, "org/failing", images.failing.replace(":", "-"));
        failingDigests.push(...(failingIndex!.manifest.manifests ?? []).map((m) => m.digest));
    });
    after(() => registry?.stop());

    it("an image that is not in the registry fails both checks", async () => {
        const missing = digestOf("no such image");
        assert.deepEqual(await verifyImage(client(), registry.host, "org/bare", missing, [publicKey]), {
            signature: { ok: false, reason: `the image ${registry.host}/org/bare@${missing} does not exist in the registry` },
            sbom: { ok: false, reason: "no image" },
        });
    });

    it("bundles that fail are reported under the check their predicate belongs to: SBOM failures as SBOM, the rest as signature", async () => {
        const v = await verifyImage(client(), registry.host, "org/failing", images.failing, [publicKey]);
        const [sigOther, sbomOther, sigKey] = failingDigests.map((d) => `bundle ${d.slice(0, 19)}`);
        const subject = `the statement's subject does not name the image digest ${images.failing}`;
        assert.deepEqual(v, {
            signature: { ok: false, reason: `${sigOther}: ${subject}; ${sigKey}: the envelope signature does not verify with any configured key (tampered payload or another key)` },
            sbom: { ok: false, reason: `${sbomOther}: ${subject}` },
        });
    });

    it("a .sig layer without the signature annotation is reported as such", async () => {
        const v = await verifyImage(client(), registry.host, "org/bare", images.bare, [publicKey]);
        assert.equal(v.signature.reason, `${images.bare.replace(":", "-")}.sig: the signature layer has no dev.cosignproject.cosign/signature annotation`);
    });

    it("bundles: a signature where annotations are required, and a provenance attestation that is no SBOM, are both named", async () => {
        const v = await verifyImage(client(), registry.host, "org/bundles", images.bundles, [publicKey], undefined, { team: "shop", env: "prod" });
        const [sig, prov] = bundleDigests.map((d) => `bundle ${d.slice(0, 19)}`);
        assert.deepEqual(v, {
            signature: { ok: false, reason: `${sig}: a bundle signature carries no annotations, and this repository requires team, env` },
            sbom: { ok: false, reason: `${prov}: predicateType https://slsa.dev/provenance/v1 is not an SBOM (CycloneDX or SPDX)` },
        });
        const plain = await verifyImage(client(), registry.host, "org/bundles", images.bundles, [publicKey]);
        assert.deepEqual(plain.signature, { ok: true, reason: "bundle signature verified" });
    });

    it("one verifier keeps a verdict per image and required annotations: a plain pass is not reused where annotations are required", async () => {
        const verifier = new ImageVerifier(client(), [publicKey]);
        assert.equal((await verifier.verify(registry.host, "org/bundles", images.bundles)).signature.ok, true);
        assert.equal((await verifier.verify(registry.host, "org/bundles", images.bundles, { team: "shop" })).signature.ok, false);
        assert.equal((await verifier.verify(registry.host, "org/bundles", images.bundles)).signature.ok, true);
    });
});

const PEM_OF = (k: import("node:crypto").KeyObject) => k.export({ type: "spki", format: "pem" }).toString();

describe("cosign verifier: payloads signed by a trusted key that are not what they should be", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const digest = `sha256:${"a".repeat(64)}`;
    const envelope = (payload: string) => {
        const type = "application/vnd.in-toto+json";
        return { payloadType: type, payload: Buffer.from(payload).toString("base64"), signatures: [{ sig: sign("sha256", pae(type, Buffer.from(payload)), privateKey).toString("base64") }] };
    };

    it("simple signing: a signed payload that is not JSON, null, or has no or another type is refused (ok false, exact reason)", () => {
        const check = (payload: string) => verifySimpleSigning(Buffer.from(payload), sign("sha256", Buffer.from(payload), privateKey).toString("base64"), digest, [publicKey]);
        assert.deepEqual(check("not json"), { ok: false, reason: "the signed payload is not JSON" });
        assert.deepEqual(check("null"), { ok: false, reason: 'the signed payload has type undefined, not "cosign container image signature"' });
        assert.deepEqual(check("{}"), { ok: false, reason: 'the signed payload has type undefined, not "cosign container image signature"' });
        assert.deepEqual(check(JSON.stringify({ critical: { type: "other" } })), { ok: false, reason: 'the signed payload has type "other", not "cosign container image signature"' });
    });

    it("DSSE: something that is not an envelope, or an envelope of another payload type, is refused (ok false, exact reason)", () => {
        assert.deepEqual(verifyDsse({ payload: "e30=" }, digest, [publicKey]), { ok: false, reason: "the attestation is not a DSSE envelope" });
        assert.deepEqual(verifyDsse({ ...envelope("{}"), payloadType: "text/plain" }, digest, [publicKey]), { ok: false, reason: 'the envelope payloadType is "text/plain", not application/vnd.in-toto+json' });
    });

    it("a configured key that is not a PEM public key is a config error naming its index and OpenSSL's code", () => {
        assert.throws(() => loadKeys([PEM_OF(publicKey), "not a key"]), (e: Error) => e instanceof CosignKeyError && /^cosignPublicKeys\[1\] is not a PEM public key \(ERR_OSSL_[A-Z_]+\); use the cosign\.pub of the signing key$/.test(e.message));
    });

    it("a signed envelope whose payload is not JSON", () => {
        assert.deepEqual(verifyDsse(envelope("not json"), digest, [publicKey]), { ok: false, reason: "the envelope payload is not a JSON in-toto statement" });
    });

    it("a signed statement that is null, or whose subject is not a list, names no image (refused, not a crash)", () => {
        const reason = `the statement's subject does not name the image digest ${digest}`;
        assert.deepEqual(verifyDsse(envelope("null"), digest, [publicKey]), { ok: false, reason, predicateType: undefined });
        const stmt = { predicateType: "https://spdx.dev/Document", subject: { name: "x", digest: { sha256: "a".repeat(64) } } };
        assert.deepEqual(verifyDsse(envelope(JSON.stringify(stmt)), digest, [publicKey]), { ok: false, reason, predicateType: "https://spdx.dev/Document" });
        assert.deepEqual(verifyDsse(envelope(JSON.stringify({ ...stmt, subject: [stmt.subject] })), digest, [publicKey]), { ok: true, reason: "envelope verified", predicateType: "https://spdx.dev/Document" });
    });

    it("a bundle whose mediaType is not a string is not a bundle", () => {
        assert.deepEqual(verifyBundle({ mediaType: ["application/vnd.dev.sigstore.bundle.v0.3+json"], dsseEnvelope: envelope("{}") }, digest, [publicKey]), { ok: false, reason: "the referrer is not a Sigstore bundle" });
    });

    it("a configured key node:crypto cannot use with SHA-256 (Ed25519) verifies nothing, and the other keys are still tried", () => {
        const data = Buffer.from("payload");
        const ed = generateKeyPairSync("ed25519").publicKey;
        const sig = sign("sha256", data, privateKey);
        assert.equal(verifiesWithAny(data, sig, [ed]), false);
        assert.equal(verifiesWithAny(data, sig, [ed, publicKey]), true);
    });
});

