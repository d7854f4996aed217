/**
 * Registry mode does bounded work against a hostile registry (a scripted local HTTP server): an
 * oversized manifest (announced or streamed), a flood of referrers, slow answers past the per-image
 * and the per-run budget. Each fails closed with a message naming the image and the limit; a
 * well-behaved image under the same limits is unaffected.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { ImageVerifier, RegistryClient, RegistryOptions } from "../../policies/supply-chain/registry";

const digestOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const manifestBody = (seed: string) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [], annotations: { seed } }));
const INDEX = "application/vnd.oci.image.index.v1+json";
const BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";

describe("registry mode: budgets and caps (a hostile registry)", function () {
    this.timeout(30000);
    let server: http.Server;
    let host = "";
    const images: Record<string, Buffer> = Object.fromEntries(["big", "chunked", "many", "slow", "slow2", "fine"].map((r) => [r, manifestBody(r)]));
    const digest = (repo: string) => digestOf(images[repo]);
    const hits: Record<string, number> = {};
    before(async () => {
        server = http.createServer((req, res) => {
            const [, repo, kind, ref] = /^\/v2\/org\/([a-z0-9]+)\/(manifests|blobs|referrers)\/(.+)$/.exec(req.url ?? "") ?? [];
            const name = repo ?? "";
            hits[name] = (hits[name] ?? 0) + 1;
            const reply = () => {
                if (!repo) return void res.writeHead(req.url === "/v2/" ? 200 : 404).end();
                if (kind === "manifests" && ref === digest(name)) {
                    if (name === "big") {
                        // Announces 5 MiB: refused before reading.
                        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(5 * 2 ** 20) });
                        return void res.end(Buffer.alloc(5 * 2 ** 20, 32));
                    }
                    if (name === "chunked") {
                        // No length, then more than 4 MiB streamed: refused while reading.
                        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
                        for (let i = 0; i < 6; i++) res.write(Buffer.alloc(2 ** 20, 32));
                        return void res.end();
                    }
                    return void res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" }).end(images[name]);
                }
                if (kind === "referrers" && name === "many") {
                    const manifests = Array.from({ length: 100 }, (_, i) => ({ mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: BUNDLE, digest: `sha256:${i.toString(16).padStart(64, "0")}`, size: 1 }));
                    return void res.writeHead(200, { "content-type": INDEX }).end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests }));
                }
                res.writeHead(404).end();
            };
            if (name.startsWith("slow")) setTimeout(reply, 300);
            else reply();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => server.close());
    const verifier = (opts: RegistryOptions = {}) => new ImageVerifier(new RegistryClient({ insecureHosts: [host], timeoutMs: 5000, ...opts }), []);
    const image = (repo: string) => `${host}/org/${repo}@${digest(repo)}`;

    it("a manifest announced over 4 MiB is refused unread; one streamed past 4 MiB is cut off", async () => {
        const v = verifier();
        const big = await v.verify(host, "org/big", digest("big"));
        assert.equal(big.signature.ok, false);
        assert.equal(big.signature.reason, `the manifest ${image("big").replace("@", ":")} is ${5 * 2 ** 20} bytes, over the 4 MiB limit; failing closed`);
        const chunked = await v.verify(host, "org/chunked", digest("chunked"));
        assert.equal(chunked.sbom.reason, `the manifest ${image("chunked").replace("@", ":")} is over the 4 MiB limit; failing closed`);
    });
    it("reads at most 32 of 100 listed referrers and says so", async () => {
        hits.many = 0;
        const r = await verifier().verify(host, "org/many", digest("many"));
        assert.equal(r.signature.ok, false);
        assert.match(r.signature.reason, new RegExp(`${image("many").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} lists 100 Sigstore bundle referrers; only the first 32 are read \\(the referrer limit\\)`));
        // image manifest, .sig, .att, the referrers list, then at most 32 referrer manifests.
        assert.ok(hits.many <= 4 + 32, `${hits.many} requests`);
        assert.equal(hits.many, 36);
    });
    it("an image whose lookups take longer than its budget fails closed (per-image limit)", async () => {
        const t = Date.now();
        const r = await verifier({ imageBudgetMs: 500 }).verify(host, "org/slow", digest("slow"));
        assert.equal(r.signature.reason, `verifying ${image("slow")} took over 0.5 s (the per-image limit); failing closed`);
        // A functional bound, kept on purpose: the product's per-image budget is a wall-clock limit,
        // and this checks that verify() returns once it fires instead of waiting for the lookups.
        assert.ok(Date.now() - t < 2000, `${Date.now() - t} ms`);
    });
    it("past the run's budget every image not verified yet fails closed (per-run limit)", async () => {
        const v = verifier({ runBudgetMs: 700 });
        const first = await v.verify(host, "org/slow", digest("slow"));
        assert.match(first.signature.reason, /took over 0\.7 s \(the per-run limit\); every image not verified by then fails closed/);
        hits.slow2 = 0;
        const second = await v.verify(host, "org/slow2", digest("slow2"));
        assert.match(second.sbom.reason, /per-run limit/);
        assert.equal(hits.slow2, 0, "refused without a request");
    });
    it("a well-behaved image under the same limits is judged on its content (no signature found), not on a limit", async () => {
        const r = await verifier({ imageBudgetMs: 500, runBudgetMs: 700 }).verify(host, "org/fine", digest("fine"));
        assert.match(r.signature.reason, /^no cosign signature found/);
    });
});
