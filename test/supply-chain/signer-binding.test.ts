/**
 * The deploy-time check binds a repository's signatures to the GitHub repository that built them,
 * as admission does: with `signerAnnotations`, an image signed by the right key but without (or
 * with another) platform.io/github-repository annotation fails, in Debian's docker-registry. The
 * generated policy config names each ECR repository's signer.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { evaluatePackAsync, parsePackConfig } from "../../policies/evaluate";
import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from "../../policies/supply-chain/cosign";
import { builtStack } from "../../lib/offline/stack";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { supplyChainPackEntries } from "../../scripts/lib/supply-chain-pack";
import { SIGNER_REPOSITORY_ANNOTATION } from "../../components/supply-chain/cosign";
import { dsseEnvelope, TestRegistry } from "../harness/oci-registry";

describe("the deploy-time check requires each repository's signer annotation", function () {
    this.timeout(60000);
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let registry: TestRegistry;
    const digests: Record<string, string> = {};

    async function pushSigned(repo: string, privateKey: KeyObject, optional: Record<string, string> | null) {
        const full = `platform-prod/${repo}`;
        const digest = (digests[repo] = await registry.pushImage(full, "1.0", repo));
        const payload = Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": `${registry.host}/${full}` }, image: { "docker-manifest-digest": digest }, type: "cosign container image signature" }, optional }));
        await registry.pushCosignTag(full, digest, "sig", [await registry.pushBlob(full, payload, SIMPLE_SIGNING_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": sign("sha256", payload, privateKey).toString("base64") })]);
        const env = dsseEnvelope(privateKey, `${registry.host}/${full}`, digest, "https://cyclonedx.org/bom", { bomFormat: "CycloneDX", specVersion: "1.5", components: [] });
        await registry.pushCosignTag(full, digest, "att", [await registry.pushBlob(full, Buffer.from(JSON.stringify(env)), DSSE_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": "", predicateType: "https://cyclonedx.org/bom" })]);
    }

    before(async () => {
        registry = await TestRegistry.start();
        await pushSigned("right", key.privateKey, { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/shop", "platform.io/github-ref": "refs/heads/main" });
        await pushSigned("unannotated", key.privateKey, null);
        await pushSigned("other-team", key.privateKey, { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/billing" });
    });
    after(() => registry?.stop());

    const judge = async (repo: string, bound = true) => {
        const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
        const signerAnnotations = bound ? ["right", "unannotated", "other-team"].map((r) => ({ repository: `${registry.host}/platform-prod/${r}`, annotations: { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/shop" } })) : [];
        const cfg = parsePackConfig({ verificationMode: "registry", allowedRegistries: [registry.host], signedRegistries: [`${registry.host}/platform-prod`], cosignPublicKeys: [pem], signerAnnotations, insecureRegistries: [registry.host], registryTimeoutSeconds: 5 });
        const pod = { urn: `pod::${repo}`, type: "kubernetes:core/v1:Pod", name: repo, props: { kind: "Pod", metadata: { name: repo, namespace: "apps" }, spec: { containers: [{ name: "app", image: `${registry.host}/platform-prod/${repo}@${digests[repo]}` }] } } };
        return (await evaluatePackAsync([pod], cfg)).filter((v) => v.policy === "image-signature-and-sbom").map((v) => v.message);
    };

    it("a signature annotated with the repository's signer passes", async () => assert.deepEqual(await judge("right"), []));
    it("the same key's signature without the annotation, or naming another repository, fails", async () => {
        assert.match((await judge("unannotated")).join("\n"), /not signed by a configured key: .*annotation platform\.io\/github-repository is null, not "example-org\/shop"/);
        assert.match((await judge("other-team")).join("\n"), /annotation platform\.io\/github-repository is "example-org\/billing", not "example-org\/shop"/);
    });
    it("without a binding for the repository, the key alone decides (other registries keep working)", async () => {
        assert.deepEqual(await judge("other-team", false), []);
    });
    it("a bound repository verifies with its own keys only: the globally configured key no longer signs for it", async () => {
        const pem = key.publicKey.export({ type: "spki", format: "pem" }).toString();
        const cfg = parsePackConfig({
            verificationMode: "registry", allowedRegistries: [registry.host], signedRegistries: [`${registry.host}/platform-prod`], cosignPublicKeys: [pem],
            signerAnnotations: [{ repository: `${registry.host}/platform-prod/right`, annotations: { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/shop" }, cosignKmsKeys: [] }],
            insecureRegistries: [registry.host], registryTimeoutSeconds: 5,
        });
        const pod = { urn: "pod::right", type: "kubernetes:core/v1:Pod", name: "right", props: { kind: "Pod", metadata: { name: "right", namespace: "apps" }, spec: { containers: [{ name: "app", image: `${registry.host}/platform-prod/right@${digests.right}` }] } } };
        const messages = (await evaluatePackAsync([pod], cfg)).filter((v) => v.policy === "image-signature-and-sbom").map((v) => v.message);
        assert.match(messages.join("\n"), /no signing key is recorded for .*platform-prod\/right .*signing\.keyArn/);
    });

    for (const stack of ["staging", "prod"]) {
        it(`${stack}: policies/config/${stack}.json binds each ECR repository to its signer, as admission does`, async () => {
            const s = await builtStack(stack);
            const derived = supplyChainPackEntries(s.config);
            const file = readPackConfigFile(packConfigFile(stack));
            assert.deepEqual(file["image-signature-and-sbom"].properties.signerAnnotations, derived.signerAnnotations, "regenerate with npm run policy -- config <stack>");
            assert.deepEqual(derived.signerAnnotations.map((b) => b.repository.split("/").slice(-2).join("/")).sort(), ["shop/api", "shop/web"]);
            for (const b of derived.signerAnnotations) {
                assert.deepEqual(b.annotations, { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/shop" });
                assert.deepEqual(b.cosignKmsKeys, [], "only the stack's key, once keyArn is recorded: never the other configured keys");
            }
        });
    }
});
