/**
 * The referrers API's pages (`Link: <...>; rel="next"`, OCI distribution spec) are followed: a
 * scripted registry serves the project's cosign vectors with the SBOM bundle on a later page than
 * the signature bundle, and with relative or absolute next links. Hostile pagination (a link to
 * another host or repository, a loop, endless pages, a page that is not an index) is bounded by the
 * referrer limit and fails closed.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { loadKeys } from "../../policies/supply-chain/cosign";
import { parsePackConfig } from "../../policies/evaluate";
import type { PackConfig } from "../../policies/lib/types";
import { ImageVerifier, RegistryClient, registryOptionsOf } from "../../policies/supply-chain/registry";
import { DATA } from "../harness/reference";
import type { CosignVectors } from "../../scripts/derive/cosign";

const INDEX = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const v = JSON.parse(fs.readFileSync(path.join(DATA, "cosign", "vectors.json"), "utf8")) as CosignVectors;
const keys = loadKeys([v.keys.signer.publicKey]);
const bundleDescriptors = Object.entries(v.manifests.referrers).map(([digest, m]) => ({ mediaType: OCI_MANIFEST, digest, size: Buffer.byteLength(m), artifactType: JSON.parse(m).artifactType as string, annotations: JSON.parse(m).annotations as Record<string, string> }));
const noise = (i: number) => ({ mediaType: OCI_MANIFEST, digest: `sha256:${i.toString(16).padStart(64, "e")}`, size: 1, artifactType: "application/vnd.example.other" });

/** How each repository pages its referrers: pages of descriptors, and the Link header of page i. */
type Paging = { pages: (i: number) => object[] | undefined; link: (i: number, host: string, repo: string) => string | undefined; contentType?: (i: number) => string };

describe("registry mode: the referrers API's pages are followed, within the limits", function () {
    this.timeout(20000);
    let server: http.Server;
    let host = "";
    const hits: Record<string, string[]> = {};
    const rel = (repo: string, i: number) => `</v2/${repo}/referrers/${v.image.digest}?n=1&last=${i}>; rel="next"`;
    const REPOS: Record<string, Paging> = {
        // Signature bundle on page 1 with noise, the SBOM bundle alone on page 3; relative links.
        relative: { pages: (i) => [[noise(1), bundleDescriptors[0]], [noise(2)], [bundleDescriptors[1]]][i], link: (i, _h, repo) => (i < 2 ? rel(repo, i) : undefined) },
        // A percent-encoded digest in the link is the same endpoint.
        encoded: { pages: (i) => [[bundleDescriptors[0]], [bundleDescriptors[1]]][i], link: (i, _h, repo) => (i === 0 ? `</v2/${repo}/referrers/${v.image.digest.replace(":", "%3A")}?last=0>; rel="next"` : undefined) },
        // Absolute links, other parameters around rel, several links in one header.
        absolute: { pages: (i) => [[bundleDescriptors[1]], [bundleDescriptors[0]]][i], link: (i, h, repo) => (i === 0 ? `<http://${h}/v2/${repo}/referrers/${v.image.digest}?last=a>; rel=prev, <http://${h}/v2/${repo}/referrers/${v.image.digest}?last=b>; type="x"; rel="next"` : undefined) },
        elsewhere: { pages: () => [bundleDescriptors[0]], link: (i, h) => (i === 0 ? `<http://127.0.0.2:${h.split(":")[1]}/v2/org/elsewhere/referrers/${v.image.digest}?last=1>; rel="next"` : undefined) },
        otherrepo: { pages: () => [bundleDescriptors[0]], link: (i) => (i === 0 ? `</v2/org/relative/referrers/${v.image.digest}?last=1>; rel="next"` : undefined) },
        // 10 (unsigned, fake) bundles a page, endlessly: reading stops once more than 32 are listed.
        bundles: { pages: (i) => Array.from({ length: 10 }, (_, k) => ({ ...noise(i * 10 + k), artifactType: bundleDescriptors[0].artifactType })), link: (i, _h, repo) => rel(repo, i) },
        loop: { pages: () => [noise(1)], link: (_i, _h, repo) => rel(repo, 1) },
        endless: { pages: (i) => [noise(i)], link: (i, _h, repo) => rel(repo, i) },
        notindex: { pages: () => [bundleDescriptors[0]], link: (_i, _h, repo) => rel(repo, 1), contentType: (i) => (i === 0 ? INDEX : "text/html") },
    };
    before(async () => {
        server = http.createServer((req, res) => {
            const url = new URL(req.url ?? "/", "http://x");
            const [, repo, kind, ref] = /^\/v2\/org\/([a-z]+)\/(manifests|blobs|referrers)\/(.+)$/.exec(decodeURIComponent(url.pathname)) ?? [];
            (hits[repo ?? ""] ??= []).push(`${kind} ${ref}${url.search}`);
            const paging = REPOS[repo ?? ""];
            if (!paging) return void res.writeHead(404).end();
            if (kind === "manifests" && ref === v.image.digest) return void res.writeHead(200, { "content-type": OCI_MANIFEST }).end(v.image.manifest);
            if (kind === "manifests" && v.manifests.referrers[ref]) return void res.writeHead(200, { "content-type": OCI_MANIFEST }).end(v.manifests.referrers[ref]);
            if (kind === "blobs" && v.blobs[ref]) return void res.writeHead(200).end(v.blobs[ref]);
            if (kind === "referrers" && ref === v.image.digest) {
                const i = Number(url.searchParams.get("last") ?? -1) + 1;
                const page = paging.pages(Number.isNaN(i) ? 1 : i);
                if (!page) return void res.writeHead(404).end();
                const link = paging.link(Number.isNaN(i) ? 1 : i, host, `org/${repo}`);
                return void res.writeHead(200, { "content-type": paging.contentType?.(i) ?? INDEX, ...(link ? { link } : {}) }).end(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: page }));
            }
            res.writeHead(404).end();
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
        host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    });
    after(() => server.close());
    const verify = (repo: string) => new ImageVerifier(new RegistryClient({ insecureHosts: [host], timeoutMs: 5000 }), keys).verify(host, `org/${repo}`, v.image.digest);
    const referrerRequests = (repo: string) => hits[repo].filter((h) => h.startsWith("referrers"));

    it("a signature bundle on page 1 and the SBOM bundle on page 3 (relative links) both verify", async () => {
        const r = await verify("relative");
        assert.deepEqual([r.signature.ok, r.sbom.ok], [true, true], `${r.signature.reason}; ${r.sbom.reason}`);
        assert.deepEqual(referrerRequests("relative"), [`referrers ${v.image.digest}`, `referrers ${v.image.digest}?n=1&last=0`, `referrers ${v.image.digest}?n=1&last=1`]);
    });
    it("a link with the digest percent-encoded names the same endpoint and is followed", async () => {
        const r = await verify("encoded");
        assert.deepEqual([r.signature.ok, r.sbom.ok], [true, true], `${r.signature.reason}; ${r.sbom.reason}`);
    });
    it("absolute next links among other links and parameters are followed", async () => {
        const r = await verify("absolute");
        assert.deepEqual([r.signature.ok, r.sbom.ok], [true, true], `${r.signature.reason}; ${r.sbom.reason}`);
        assert.deepEqual(referrerRequests("absolute"), [`referrers ${v.image.digest}`, `referrers ${v.image.digest}?last=b`]);
    });
    it("a next link to another host or another repository fails closed, without following it", async () => {
        for (const repo of ["elsewhere", "otherrepo"]) {
            const r = await verify(repo);
            assert.deepEqual([r.signature.ok, r.sbom.ok], [false, false], repo);
            assert.match(r.signature.reason, new RegExp(`the next page link \\S+ leaves http://${host.replace(/\./g, "\\.")}/v2/org/${repo}/referrers/sha256:[0-9a-f]{64}; failing closed`), r.signature.reason);
            assert.equal(referrerRequests(repo).length, 1);
        }
        assert.equal(hits.relative.length > 0, true);
    });
    it("a loop, a page that is not an index: fail closed after two requests", async () => {
        const loop = await verify("loop");
        assert.match(loop.signature.reason, /the next page link \S+ repeats an earlier page; failing closed/);
        assert.equal(referrerRequests("loop").length, 2);
        const notindex = await verify("notindex");
        assert.match(notindex.sbom.reason, /page 2 is not an image index; failing closed/);
    });
    it("more than 32 bundles over several pages: listing stops at 40, 32 are read, and the reason says so", async () => {
        const r = await verify("bundles");
        assert.equal(referrerRequests("bundles").length, 4);
        assert.match(r.signature.reason, /lists at least 40 Sigstore bundle referrers; only the first 32 are read \(the referrer limit\)/);
        assert.equal(hits.bundles.filter((h) => h.startsWith("manifests sha256:e")).length, 32);
    });
    it("endless pages stop at the referrer limit (32 pages) and say so; the image fails closed", async () => {
        const r = await verify("endless");
        assert.equal(referrerRequests("endless").length, 32);
        assert.equal(r.signature.ok, false);
        assert.match(r.signature.reason, /has more than 32 pages; only the first 32 are read \(the referrer limit\)/);
        assert.match(r.sbom.reason, /the referrer limit/);
    });
    it("the pack config's registryMaxReferrers bounds the pages too (3 here)", async () => {
        hits.endless = [];
        const cfg = parsePackConfig({ insecureRegistries: [host], registryMaxReferrers: 3 })["image-signature-and-sbom"].properties as unknown as PackConfig;
        const r = await new ImageVerifier(new RegistryClient(registryOptionsOf(cfg)), keys).verify(host, "org/endless", v.image.digest);
        assert.equal(referrerRequests("endless").length, 3);
        assert.match(r.signature.reason, /has more than 3 pages; only the first 3 are read/);
    });
});
