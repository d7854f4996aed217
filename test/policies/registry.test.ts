/**
 * Registry mode for real: a CNCF distribution registry on 127.0.0.1, images pushed over the
 * registry API, cosign-format signatures and attestations made with keys generated here. Plus the
 * project's own test vectors (test/data/cosign/vectors.json, `npm run derive -- cosign`) through the pure verifier.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, sign } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { evaluatePackAsync, parsePackConfig } from "../../policies/evaluate";
import { PackConfig, PolicyResource } from "../../policies/lib/types";
import { DSSE_MEDIA_TYPE, fromBase64, isSbomPredicate, loadKeys, pae, sha256, SIMPLE_SIGNING_MEDIA_TYPE, verifiesWithAny, verifyBundle, verifyDsse, verifySimpleSigning } from "../../policies/supply-chain/cosign";
import { verifierFor } from "../../policies/supply-chain/signatures";
import { RegistryClient, verifyImage } from "../../policies/supply-chain/registry";
import { dsseEnvelope, simpleSigningPayload, TestRegistry } from "../harness/oci-registry";
import { DATA } from "../harness/reference";
import type { CosignVectors } from "../../scripts/derive/cosign";

const CYCLONEDX = { bomFormat: "CycloneDX", specVersion: "1.5", components: [] };

describe("cosign test vectors (the project's own, test/data/cosign, node:crypto only)", () => {
    const file = path.join(DATA, "cosign", "vectors.json");
    if (!fs.existsSync(file)) throw new Error("derived data test/data/cosign/vectors.json is missing: npm run derive -- cosign");
    const v = JSON.parse(fs.readFileSync(file, "utf8")) as CosignVectors;
    const keys = { signer: loadKeys([v.keys.signer.publicKey]), other: loadKeys([v.keys.other.publicKey]) };
    const digest = v.image.digest;
    it("the image digest is the sha256 of its manifest, and every blob and referrer digest is the sha256 of its bytes", () => {
        assert.equal(sha256(v.image.manifest), digest);
        for (const [d, text] of Object.entries(v.blobs)) assert.equal(sha256(text), d);
        const manifests = [v.image.manifest, ...Object.values(v.manifests.tags), ...Object.values(v.manifests.referrers)];
        for (const m of manifests) for (const d of [JSON.parse(m).config, ...JSON.parse(m).layers]) assert.ok(d.digest in v.blobs, `blob ${d.digest}`);
        for (const [d, m] of Object.entries(v.manifests.referrers)) {
            assert.equal(sha256(m), d);
            assert.equal(JSON.parse(m).subject.digest, digest);
        }
        assert.deepEqual(Object.keys(v.manifests.tags).sort(), [`${digest.replace(":", "-")}.att`, `${digest.replace(":", "-")}.sig`]);
        assert.match(v.source.regenerate, /^npm run derive -- cosign$/);
    });
    it("the .sig tag's layer carries the simple-signing payload and its signature", () => {
        const layer = JSON.parse(v.manifests.tags[`${digest.replace(":", "-")}.sig`]).layers[0];
        assert.equal(layer.mediaType, SIMPLE_SIGNING_MEDIA_TYPE);
        assert.equal(verifySimpleSigning(Buffer.from(v.vectors["simple-signing"].payload!), layer.annotations["dev.cosignproject.cosign/signature"], digest, keys.signer).ok, true);
    });
    for (const c of v.cases) {
        it(`${c.name}: ${c.ok ? "verifies" : "refused"}`, () => {
            const vec = v.vectors[c.vector];
            const key = keys[c.key];
            const r = c.verifier === "simpleSigning" ? verifySimpleSigning(Buffer.from(vec.payload!), vec.signature!, digest, key)
                : c.verifier === "dsse" ? verifyDsse(JSON.parse(vec.envelope!), digest, key)
                : verifyBundle(JSON.parse(vec.bundle!), digest, key);
            assert.equal(r.ok, c.ok, r.reason);
            if (c.predicateType) assert.equal((r as { predicateType?: string }).predicateType, c.predicateType);
            if (c.reason) assert.ok(r.reason.includes(c.reason), `${r.reason} should say ${c.reason}`);
        });
    }
    it("SBOM predicates: the CycloneDX and SPDX attestations count as SBOMs, the provenance one does not", () => {
        const type = (name: string) => verifyDsse(JSON.parse(v.vectors[name].envelope!), digest, keys.signer).predicateType;
        assert.deepEqual(["sbom-cyclonedx", "sbom-spdx", "provenance-not-sbom"].map((n) => isSbomPredicate(type(n))), [true, true, false]);
    });
});

describe("cosign verifier (unit)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const keys = [publicKey];
    const digest = `sha256:${"a".repeat(64)}`;
    it("PAE is the DSSE pre-authentication encoding", () => {
        assert.equal(pae("application/vnd.in-toto+json", Buffer.from("{}")).toString(), "DSSEv1 28 application/vnd.in-toto+json 2 {}");
    });
    it("accepts standard and URL-safe base64, DER and IEEE-P1363 signatures", () => {
        assert.deepEqual(fromBase64("-_8"), Buffer.from([0xfb, 0xff]));
        const data = Buffer.from("x");
        assert.ok(verifiesWithAny(data, sign("sha256", data, privateKey), keys));
        assert.ok(verifiesWithAny(data, sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" }), keys));
        assert.ok(!verifiesWithAny(Buffer.from("y"), sign("sha256", data, privateKey), keys));
        assert.ok(!verifiesWithAny(data, Buffer.from("garbage"), keys));
    });
    it("recognises SBOM predicate types by prefix, not look-alikes", () => {
        for (const t of ["https://cyclonedx.org/bom", "https://cyclonedx.org/bom/v1.5", "https://cyclonedx.org/schema", "https://spdx.dev/Document", "https://spdx.dev/Document/v2.3"]) assert.ok(isSbomPredicate(t), t);
        for (const t of ["https://slsa.dev/provenance/v1", "https://cyclonedx.org/bomb", "https://spdx.dev/Documents", undefined]) assert.ok(!isSbomPredicate(t), String(t));
    });
    it("simple signing: explains a missing signature, a non-JSON payload and a wrong type", () => {
        const signed = (payload: string) => [Buffer.from(payload), sign("sha256", Buffer.from(payload), privateKey).toString("base64")] as const;
        assert.match(verifySimpleSigning(Buffer.from("{}"), "", digest, keys).reason, /no dev\.cosignproject\.cosign\/signature annotation/);
        assert.match(verifySimpleSigning(...signed("not json"), digest, keys).reason, /not JSON/);
        assert.match(verifySimpleSigning(...signed(JSON.stringify({ critical: { type: "other", image: { "docker-manifest-digest": digest } } })), digest, keys).reason, /has type "other"/);
        assert.equal(verifySimpleSigning(...signed(JSON.stringify({ Critical: { Type: "cosign container image signature", Image: { "Docker-manifest-digest": digest } } })), digest, keys).ok, true, "keys match case-insensitively");
    });
    it("DSSE and bundles: wrong payload type, not an envelope, subject of another image, not a bundle, a bundle without an envelope", () => {
        const env = (statement: unknown, payloadType = "application/vnd.in-toto+json") => {
            const body = Buffer.from(JSON.stringify(statement));
            return { payloadType, payload: body.toString("base64"), signatures: [{ sig: sign("sha256", pae(payloadType, body), privateKey).toString("base64") }] };
        };
        const stmt = (hex: string) => ({ predicateType: "https://spdx.dev/Document", subject: [{ name: "x", digest: { sha256: hex } }] });
        assert.equal(verifyDsse(env(stmt("a".repeat(64))), digest, keys).ok, true);
        assert.match(verifyDsse(env(stmt("a".repeat(64)), "text/plain"), digest, keys).reason, /payloadType is "text\/plain"/);
        assert.match(verifyDsse({}, digest, keys).reason, /not a DSSE envelope/);
        assert.match(verifyDsse(env(stmt("b".repeat(64))), digest, keys).reason, /subject does not name the image digest/);
        assert.match(verifyBundle({ mediaType: "application/json" }, digest, keys).reason, /not a Sigstore bundle/);
        assert.match(verifyBundle({ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json" }, digest, keys).reason, /no DSSE envelope/);
        assert.equal(verifyBundle({ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", dsseEnvelope: env(stmt("a".repeat(64))) }, digest, keys).predicateType, "https://spdx.dev/Document");
    });
});

describe("registry client protocol (a scripted HTTP registry)", () => {
    let server: http.Server;
    let host = "";
    const seen: string[] = [];
    let mode: "token" | "norealm" | "badtoken" | "error" | "referrers" = "token";
    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(`${req.url} ${req.headers.authorization ?? ""}`);
            if (req.url!.startsWith("/token")) {
                if (mode === "badtoken") return void res.writeHead(403).end();
                return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "t0k" }));
            }
            if (mode === "error") return void res.writeHead(500).end();
            if (mode === "referrers" && req.url!.includes("/referrers/")) {
                return void res.writeHead(200, { "content-type": "application/vnd.oci.image.index.v1+json" }).end(JSON.stringify({ manifests: [{ mediaType: "m", digest: "sha256:1", artifactType: "x" }] }));
            }
            if (req.headers.authorization !== "Bearer t0k" && mode !== "referrers") {
                const challenge = mode === "norealm" ? "Basic" : `Bearer realm="http://${host}/token",service="test"`;
                return void res.writeHead(401, { "www-authenticate": challenge }).end();
            }
            res.writeHead(404).end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => server.close());
    const client = () => new RegistryClient({ insecureHosts: [host], timeoutMs: 2000 });

    it("gets an anonymous pull token on a Bearer challenge and uses it", async () => {
        mode = "token";
        seen.length = 0;
        assert.equal(await client().manifest(host, "org/app", "v1"), undefined);
        assert.deepEqual(seen, ["/v2/org/app/manifests/v1 ", "/token?service=test&scope=repository%3Aorg%2Fapp%3Apull ", "/v2/org/app/manifests/v1 Bearer t0k"]);
        const v = await verifyImage(client(), host, "org/app", `sha256:${"c".repeat(64)}`, []);
        assert.match(v.signature.reason, /does not exist in the registry/);
    });
    it("fails closed on a challenge without a realm, a refused token, or a server error", async () => {
        mode = "norealm";
        await assert.rejects(client().manifest(host, "org/app", "v1"), /asks for Basic credentials, which the pack has only for Amazon ECR registries .*; failing closed/);
        mode = "badtoken";
        await assert.rejects(client().manifest(host, "org/app", "v1"), /refused an anonymous pull token for org\/app; failing closed/);
        mode = "error";
        await assert.rejects(client().blob(host, "org/app", "sha256:1"), /answered 500 for org\/app\/blobs\/sha256:1; failing closed/);
    });
    it("uses the referrers API when the registry has it", async () => {
        mode = "referrers";
        assert.deepEqual((await client().referrers(host, "org/app", "sha256:abc")).manifests, [{ mediaType: "m", digest: "sha256:1", artifactType: "x" }]);
    });
});

describe("registry mode against a real OCI registry", function () {
    this.timeout(60000);
    let registry: TestRegistry;
    let keyA: { privateKey: KeyObject; pem: string };
    let keyB: { privateKey: KeyObject; pem: string };
    const images: Record<string, string> = {};
    const ref = (repo: string) => `${registry.host}/example-org/${repo}@${images[repo]}`;
    const newKey = () => {
        const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        return { privateKey, pem: publicKey.export({ type: "spki", format: "pem" }).toString() };
    };
    const cfg = (over: Record<string, unknown> = {}) => parsePackConfig({
        verificationMode: "registry",
        allowedRegistries: [registry.host],
        signedRegistries: [`${registry.host}/example-org`],
        cosignPublicKeys: [keyA.pem],
        insecureRegistries: [registry.host],
        registryTimeoutSeconds: 5,
        ...over,
    });
    const pod = (name: string, image: string): PolicyResource => ({ urn: `pod::${name}`, type: "kubernetes:core/v1:Pod", name, props: { kind: "Pod", metadata: { name, namespace: "apps" }, spec: { containers: [{ name: "app", image }] } } });
    const messages = async (p: PolicyResource, c = cfg()) => (await evaluatePackAsync([p], c)).filter((v) => v.policy === "image-signature-and-sbom").map((v) => v.message);

    /** Pushes an image and, as asked, its legacy signature and attestation. */
    async function image(repo: string, opts: { sigKey?: KeyObject; sigDigest?: string; attKey?: KeyObject; predicateType?: string; tamper?: boolean } = {}) {
        const full = `example-org/${repo}`;
        const digest = (images[repo] = await registry.pushImage(full, "1.0", repo));
        if (opts.sigKey) {
            const payload = simpleSigningPayload(`${registry.host}/${full}`, opts.sigDigest ?? digest);
            const layer = await registry.pushBlob(full, payload, SIMPLE_SIGNING_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": sign("sha256", payload, opts.sigKey).toString("base64") });
            await registry.pushCosignTag(full, digest, "sig", [layer]);
        }
        if (opts.attKey) {
            const predicateType = opts.predicateType ?? "https://cyclonedx.org/bom";
            const env = dsseEnvelope(opts.attKey, `${registry.host}/${full}`, digest, predicateType, CYCLONEDX);
            if (opts.tamper) env.payload = Buffer.from(Buffer.from(env.payload, "base64").toString().replace("CycloneDX", "CycloneDY")).toString("base64");
            const layer = await registry.pushBlob(full, Buffer.from(JSON.stringify(env)), DSSE_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": "", predicateType });
            await registry.pushCosignTag(full, digest, "att", [layer]);
        }
    }

    before(async () => {
        registry = await TestRegistry.start();
        keyA = newKey();
        keyB = newKey();
        await image("good", { sigKey: keyA.privateKey, attKey: keyA.privateKey });
        await image("unsigned");
        await image("otherkey", { sigKey: keyB.privateKey, attKey: keyB.privateKey });
        await image("wrongdigest", { sigKey: keyA.privateKey, sigDigest: `sha256:${"0".repeat(64)}`, attKey: keyA.privateKey });
        await image("slsa", { sigKey: keyA.privateKey, attKey: keyA.privateKey, predicateType: "https://slsa.dev/provenance/v1" });
        await image("tampered", { sigKey: keyA.privateKey, attKey: keyA.privateKey, tamper: true });
        // cosign v3's default: bundles attached as referrers (found through the sha256-<hex> tag here).
        await image("bundles");
        const full = "example-org/bundles";
        const subject = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: images.bundles, size: 0 };
        const bundle = (predicateType: string, predicate: unknown) => ({
            mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
            verificationMaterial: { publicKey: { hint: "test" }, tlogEntries: [] },
            dsseEnvelope: dsseEnvelope(keyA.privateKey, `${registry.host}/${full}`, images.bundles, predicateType, predicate, "https://in-toto.io/Statement/v1"),
        });
        await registry.pushBundles(full, subject, [
            { bundle: bundle("https://sigstore.dev/cosign/sign/v1", {}), predicateType: "https://sigstore.dev/cosign/sign/v1" },
            { bundle: bundle("https://spdx.dev/Document", { spdxVersion: "SPDX-2.3" }), predicateType: "https://spdx.dev/Document" },
        ]);
    });
    after(() => registry?.stop());

    it("a signed and SBOM-attested image passes (legacy .sig/.att tags)", async () => assert.deepEqual(await messages(pod("p", ref("good"))), []));
    it("the project's cosign vectors pushed as they are: legacy tags, and bundles alone as referrers, verify with the vectors' key and fail with the other", async () => {
        const v = JSON.parse(fs.readFileSync(path.join(DATA, "cosign", "vectors.json"), "utf8")) as CosignVectors;
        const push = async (repo: string, withTags: boolean, withReferrers: boolean) => {
            for (const [d, text] of Object.entries(v.blobs)) assert.equal((await registry.pushBlob(repo, Buffer.from(text), "application/octet-stream")).digest, d);
            assert.equal((await registry.pushManifest(repo, v.image.digest, JSON.parse(v.image.manifest))).digest, v.image.digest);
            if (withTags) for (const [tag, m] of Object.entries(v.manifests.tags)) await registry.pushManifest(repo, tag, JSON.parse(m));
            if (!withReferrers) return;
            const manifests = [];
            for (const [d, m] of Object.entries(v.manifests.referrers)) {
                const desc = await registry.pushManifest(repo, d, JSON.parse(m));
                manifests.push({ ...desc, annotations: JSON.parse(m).annotations });
            }
            // distribution 2.8 has no referrers API: the index goes under the sha256-<hex> tag, as cosign does.
            await registry.pushManifest(repo, v.image.digest.replace(":", "-"), { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests });
        };
        await push("vectors/legacy", true, false);
        await push("vectors/bundles", false, true);
        const client = new RegistryClient({ insecureHosts: [registry.host], timeoutMs: 5000 });
        for (const repo of ["vectors/legacy", "vectors/bundles"]) {
            const good = await verifyImage(client, registry.host, repo, v.image.digest, loadKeys([v.keys.signer.publicKey]));
            assert.deepEqual([good.signature.ok, good.sbom.ok], [true, true], `${repo}: ${good.signature.reason}; ${good.sbom.reason}`);
            const other = await verifyImage(client, registry.host, repo, v.image.digest, loadKeys([v.keys.other.publicKey]));
            assert.deepEqual([other.signature.ok, other.sbom.ok], [false, false], repo);
        }
    });
    it("cosign v3 bundles (signature + SPDX attestation) pass through the referrers tag fallback", async () => assert.deepEqual(await messages(pod("p", ref("bundles"))), []));
    it("an unsigned image fails: no signature, no attestation", async () => {
        const m = await messages(pod("p", ref("unsigned")));
        assert.match(m[0], /is not signed by a configured key: no cosign signature found \(neither example-org\/unsigned:sha256-[0-9a-f]{64}\.sig nor a Sigstore bundle referrer\)/);
        assert.match(m[1], /has no verified SBOM attestation: no SBOM attestation found/);
    });
    it("an image signed by another key fails", async () => {
        const m = await messages(pod("p", ref("otherkey")));
        assert.match(m[0], /\.sig: the signature does not verify with any configured key/);
        assert.match(m[1], /\.att: the envelope signature does not verify with any configured key/);
    });
    it("a signature for another digest fails", async () => assert.match((await messages(pod("p", ref("wrongdigest"))))[0], /the signature is for sha256:0{64}, not the image digest sha256:[0-9a-f]{64}/));
    it("an attestation with a non-SBOM predicate fails", async () => assert.deepEqual(await messages(pod("p", ref("slsa"))), [`Pod p: container app image ${ref("slsa")} has no verified SBOM attestation: ${images.slsa.replace(":", "-")}.att: predicateType https://slsa.dev/provenance/v1 is not an SBOM (CycloneDX or SPDX).`]));
    it("a tampered attestation payload fails", async () => assert.match((await messages(pod("p", ref("tampered"))))[0], /\.att: the envelope signature does not verify .*tampered payload or another key/));
    it("a second key in the config accepts the other signer", async () => assert.deepEqual(await messages(pod("p", ref("otherkey")), cfg({ cosignPublicKeys: [keyA.pem, keyB.pem] })), []));
    it("an unreachable registry fails closed with a clear error", async () => {
        const port = await new Promise<number>((resolve) => { const s = net.createServer().listen(0, "127.0.0.1", () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
        const host = `127.0.0.1:${port}`;
        const m = await messages(pod("p", `${host}/example-org/app@sha256:${"1".repeat(64)}`), cfg({ signedRegistries: [`${host}/example-org`], insecureRegistries: [host], allowedRegistries: [host] }));
        assert.equal(m[0], `Pod p: container app image ${host}/example-org/app@sha256:${"1".repeat(64)} is not signed by a configured key: registry ${host} is unreachable (ECONNREFUSED); failing closed.`);
    });
    it("looks each digest up once per run, however many workloads use it", async () => {
        const c = cfg({ registryTimeoutSeconds: 6 });
        const client = verifierFor(c["image-signature-and-sbom"].properties as unknown as PackConfig).client;
        await evaluatePackAsync([pod("a", ref("good"))], c);
        const once = client.requests;
        await evaluatePackAsync([pod("b", ref("good")), pod("c", ref("good")), pod("d", ref("good"))], c);
        assert.ok(once > 0);
        assert.equal(client.requests, once);
    });
    it("images outside the signed registries and offline mode make no lookup", async () => {
        const realFetch = globalThis.fetch;
        let calls = 0;
        globalThis.fetch = ((...a: Parameters<typeof fetch>) => (calls++, realFetch(...a))) as typeof fetch;
        try {
            assert.deepEqual(await messages(pod("p", ref("unsigned")), cfg({ signedRegistries: ["ghcr.io/example-org"], registryTimeoutSeconds: 7 })), []);
            assert.deepEqual(await messages(pod("p", ref("unsigned")), cfg({ verificationMode: "offline", registryTimeoutSeconds: 8 })), []);
            assert.equal(calls, 0);
            await messages(pod("p", ref("unsigned")), cfg({ registryTimeoutSeconds: 9 }));
            assert.ok(calls > 0, "the counter sees lookups in registry mode");
        } finally {
            globalThis.fetch = realFetch;
        }
    });
});
