/**
 * The admission ClusterPolicies are accepted by Kyverno 1.19.0 (chart 3.9.0) in every admission
 * mode: the CRD schema (test/data/crds) and the webhook's own verifyImages rules
 * (test/harness/kyverno-rules.ts), for the image policy and the publisher policy, enforce and audit.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { buildStack, builtStack } from "../../lib/offline/stack";
import { imagePolicySpec, publisherPolicySpec } from "../../components/security/image-verification";
import { SIGNING_PUBLISHERS } from "../../components/shared/platform-images";
import { validateCustomResource } from "../harness/reference";
import { kyvernoVerifyImagesErrors } from "../harness/kyverno-rules";

const PEM = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8S15IvnYBTts5a+8dWtA3wHp/lyn\n4vGmuQQvT6tC3w8SxzOWVYPkXX77Q8GTGwLJW+3OfUUmPwnF1TJQ1AeFMg==\n-----END PUBLIC KEY-----\n";
const policy = (name: string, spec: unknown) => ({ apiVersion: "kyverno.io/v1", kind: "ClusterPolicy", metadata: { name }, spec });
const accepted = (obj: { spec: unknown } & Record<string, any>) => [...validateCustomResource(obj as any), ...kyvernoVerifyImagesErrors(obj.spec)];

describe("Kyverno 1.19 accepts the admission policies in every mode", function () {
    this.timeout(60000);
    for (const mode of ["enforce", "audit"] as const) {
        it(`${mode}: the signature+SBOM policy and the publisher policy pass the CRD schema and Kyverno's verifyImages rules`, () => {
            const spec = imagePolicySpec({ signedRegistries: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod"], cosignPublicKeys: [PEM], mode });
            assert.deepEqual(accepted(policy("require-signed-images-with-sbom", spec)), []);
            assert.deepEqual(accepted(policy("verify-upstream-publisher-signatures", publisherPolicySpec(SIGNING_PUBLISHERS, mode))), []);
        });
    }

    it("audit admits without rewriting tags (Kyverno refuses mutateDigest with Audit); enforce rewrites tags to the verified digest", () => {
        const vi = (mode: "enforce" | "audit") => (imagePolicySpec({ signedRegistries: ["ghcr.io/example-org"], cosignPublicKeys: [PEM], mode }) as any).rules[0].verifyImages[0];
        assert.equal(vi("audit").mutateDigest, false);
        assert.equal(vi("audit").failureAction, "Audit");
        assert.equal(vi("enforce").mutateDigest, true);
        assert.equal(vi("enforce").failureAction, "Enforce");
    });

    it("the rules port catches what Kyverno refuses (so the checks above can fail)", () => {
        assert.match(kyvernoVerifyImagesErrors({ rules: [{ verifyImages: [{ imageReferences: ["x/*"], failureAction: "Audit", attestors: [{ entries: [{ keys: { publicKeys: PEM } }] }] }] }] }).join(), /mutateDigest must be set to false/);
        assert.match(kyvernoVerifyImagesErrors({ rules: [{ verifyImages: [{ imageReferences: ["x/*"], mutateDigest: true, attestors: [{ entries: [{ keys: { publicKeys: PEM } }] }] }] }] }).join(), /mutateDigest/, "no failureAction: the spec's default (Audit) applies");
        assert.match(kyvernoVerifyImagesErrors({ rules: [{ verifyImages: [{ imageReferences: ["x/*"], failureAction: "Enforce", attestors: [{ count: 2, entries: [{ keys: { publicKeys: PEM } }] }] }] }] }).join(), /Count cannot exceed/);
    });

    // Each stack as configured (dev audits, staging and prod enforce), and prod switched to audit.
    for (const [stack, admission] of [["dev", undefined], ["staging", undefined], ["prod", undefined], ["prod", "audit"]] as const) {
        it(`${stack}${admission ? ` with admission: ${admission}` : ""}: every ClusterPolicy the stack builds is accepted`, async () => {
            const built = admission ? await buildStack(stack, { mutate: (v) => (v["platform:supplyChain"].admission = admission) }) : await builtStack(stack);
            const policies = built.ofType("kubernetes:kyverno.io/v1:ClusterPolicy");
            assert.ok(policies.length > 0);
            for (const p of policies) {
                const obj = await new Promise<any>((resolve) => pulumi.output({ apiVersion: p.inputs.apiVersion, kind: p.inputs.kind, metadata: p.inputs.metadata, spec: p.inputs.spec }).apply(resolve));
                assert.deepEqual(accepted(obj), [], p.name);
            }
        });
    }
});
