/**
 * Signer and verifiers agree (issue 26, point 6): the workflow's cosign writes the layout
 * admission's Kyverno type reads, the admission key is the public key of the signing key named
 * by its ARN (not its alias), and each ECR repository accepts signatures only from the GitHub
 * repository configured for it (the annotation build-sign.yml writes).
 */
import * as assert from "node:assert/strict";
import { BuiltStack, builtStack, promiseOf } from "../../lib/offline/stack";
import { mockPublicKey } from "../../lib/offline/mocks";
import { COSIGN_LAYOUT, KYVERNO_VERIFY_TYPE, SIGNER_REPOSITORY_ANNOTATION } from "../../components/supply-chain/cosign";

describe("one cosign layout and key for signer, admission and the deploy-time check", function () {
    this.timeout(60000);
    let prod: BuiltStack;
    before(async () => (prod = await builtStack("prod")));
    const imagePolicy = () => prod.ofType("kubernetes:kyverno.io/v1:ClusterPolicy").find((p) => p.inputs.metadata.name === "require-signed-images-with-sbom")!;

    it(`admission reads the layout build-sign.yml writes (${COSIGN_LAYOUT}: Kyverno type ${KYVERNO_VERIFY_TYPE})`, () => {
        const vis = imagePolicy().inputs.spec.rules[0].verifyImages;
        assert.ok(vis.length >= 1);
        for (const vi of vis) assert.equal(vi.type, KYVERNO_VERIFY_TYPE);
    });

    it("admission's key is the public key KMS returns for the signing key's ARN, the key the stack outputs as cosignKeyRef", async () => {
        const keyArn = await promiseOf<string>((prod.get("aws:kms/key:Key", "cosign-key").resource as any).arn);
        assert.match(keyArn, /:key\//);
        assert.equal(await promiseOf(prod.platform.outputs.cosignKeyRef as any), `awskms:///${keyArn}`);
        const pem = mockPublicKey(keyArn);
        const vi = imagePolicy().inputs.spec.rules[0].verifyImages[0];
        assert.ok(vi.attestors[0].entries.some((e: any) => e.keys.publicKeys === pem), "the attestor holds GetPublicKey(<key ARN>)");
        const alias = await promiseOf<string>((prod.get("aws:kms/alias:Alias", "cosign-alias").resource as any).arn);
        assert.ok(!vi.attestors[0].entries.some((e: any) => e.keys.publicKeys === mockPublicKey(alias)), "never the alias's key");
    });

    it("each ECR repository accepts only the stack's key (not the other configured keys) and signatures annotated with its signer repository", async () => {
        const vis = imagePolicy().inputs.spec.rules[0].verifyImages.slice(1);
        const prefix = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod";
        for (const repo of ["shop/api", "shop/web"]) {
            const vi = vis.find((v: any) => v.imageReferences.includes(`${prefix}/${repo}@*`));
            assert.ok(vi, repo);
            assert.ok(vi.imageReferences.includes(`${prefix}/${repo}:*`));
            const pem = await promiseOf<string>(prod.platform.outputs.cosignPublicKey as any);
            assert.deepEqual(vi.attestors[0].entries.map((e: any) => [e.keys.publicKeys, e.annotations]), [[pem, { [SIGNER_REPOSITORY_ANNOTATION]: "example-org/shop" }]], "the stack's key only, with the signer annotation");
            assert.deepEqual(vi.attestations[0].attestors[0].entries.map((e: any) => e.keys.publicKeys), [pem], "the SBOM attested by the stack's key only");
            assert.equal(vi.failureAction, "Enforce");
        }
    });
});
