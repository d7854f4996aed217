/**
 * The supply-chain policies and the pack's AWS access on inputs the other tests do not reach:
 * image-signature-and-sbom before any lookup, admission-sbom-rule on malformed or audit-mode rules,
 * the SDK clients' endpoint settings, AWS error sentences, KMS and ECR answers with fields missing
 * (aws-sdk-client-mock on the pack's own clients, as test/supply-chain/aws-errors.test.ts). Each
 * test asserts the exact result (mutation testing, issue 23).
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mockClient } from "aws-sdk-client-mock";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import type { PackConfig, PolicyResource } from "../../policies/lib/types";
import { describeAwsError, ecrClient, kmsClient, resetAwsClients } from "../../policies/supply-chain/aws";
import { basicAuthorization, resetEcrTokens } from "../../policies/supply-chain/ecr-auth";
import { fetchKmsPublicKey, parseKmsRef } from "../../policies/supply-chain/kms";
import { parseImage } from "../../policies/supply-chain/images";
import { imageSignatures } from "../../policies/supply-chain/signatures";
import { UNKNOWN } from "../../policies/lib/unknown";
import { isolatedAwsClients } from "../harness/aws-endpoint";

const PEM = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
const pod = (image: string): PolicyResource => ({ urn: "pod::p", type: "kubernetes:core/v1:Pod", name: "p", props: { kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: { containers: [{ name: "app", image }] } } });
const view = (flat: Record<string, unknown>) => parsePackConfig(flat)["image-signature-and-sbom"].properties as unknown as PackConfig;

describe("image-signature-and-sbom before any registry lookup", () => {
    const registry = { verificationMode: "registry", signedRegistries: ["ghcr.io/example-org"] };

    it("without any key it asks for cosignPublicKeys or cosignKmsKeys", () => {
        assert.deepEqual(imageSignatures.validate(pod(`ghcr.io/example-org/app@sha256:${"1".repeat(64)}`), view(registry)), ["Pod p: registry verification needs cosignPublicKeys or cosignKmsKeys in the policy config."]);
    });

    it("a repository's signer binding applies to that repository only, its trailing slashes ignored", async () => {
        const digest = `@sha256:${"2".repeat(64)}`;
        const cfg = view({ ...registry, cosignPublicKeys: [PEM], signerAnnotations: [{ repository: "ghcr.io/example-org/other", annotations: {}, cosignKmsKeys: [] }, { repository: "ghcr.io/example-org/app//", annotations: {}, cosignKmsKeys: [] }] });
        assert.deepEqual(await imageSignatures.validate(pod(`ghcr.io/example-org/app${digest}`), cfg), [`Pod p: container app image ghcr.io/example-org/app${digest} cannot be verified: no signing key is recorded for ghcr.io/example-org/app// (set platform:supplyChain.signing.keyArn to the stack output cosignKeyRef's ARN and regenerate the policy config).`]);
    });

    it("an image from a registry that is not allowed names every allowed one", () => {
        const pinning = evaluatePack([pod(`quay.io/org/app@sha256:${"3".repeat(64)}`)], parsePackConfig({ allowedRegistries: ["ghcr.io/example-org", "public.ecr.aws/example"] })).filter((v) => v.policy === "image-digest-and-registry").map((v) => v.message);
        assert.deepEqual(pinning, [`Pod p: container app image quay.io/org/app@sha256:${"3".repeat(64)} must come from an allowed registry (ghcr.io/example-org, public.ecr.aws/example) [CIS EKS 5.1.4].`]);
    });

    it("an image of a signed registry without a digest cannot be verified (no lookup is made)", async () => {
        assert.deepEqual(await imageSignatures.validate(pod("ghcr.io/example-org/app:1.0"), view({ ...registry, cosignPublicKeys: [PEM] })), ["Pod p: container app image ghcr.io/example-org/app:1.0 cannot be verified without a digest."]);
    });
});

describe("image-digest-and-registry on references it cannot read", () => {
    it("localhost is a registry host even without a port (as docker decides); another bare first component is a repository path", () => {
        assert.deepEqual({ ...parseImage("localhost/team/app:1.0") }, { registry: "localhost", repository: "team/app", tag: "1.0", digest: undefined });
        assert.deepEqual({ ...parseImage("team/app:1.0") }, { registry: "docker.io", repository: "team/app", tag: "1.0", digest: undefined });
    });

    it("an image reference that is not one, or not a string, is named as invalid", () => {
        const pinning = (image: unknown) => evaluatePack([{ ...pod(""), props: { kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "app", image }] } } }], parsePackConfig({ allowedRegistries: ["ghcr.io"] })).filter((v) => v.policy === "image-digest-and-registry").map((v) => v.message);
        assert.deepEqual(pinning("Ghcr.io/Org/App:1.0!"), ['Pod p: container app has an invalid image reference "Ghcr.io/Org/App:1.0!".']);
        assert.deepEqual(pinning(5), ["Pod p: container app has an invalid image reference 5."]);
    });

    it("a Patch naming a container without an image keeps the patched object's image: nothing to judge; with one, it is judged", () => {
        const patch = (container: Record<string, unknown>): PolicyResource => ({ urn: "patch::d", type: "kubernetes:apps/v1:DeploymentPatch", name: "d", props: { metadata: { name: "d" }, spec: { template: { spec: { containers: [{ name: "app", ...container }] } } } } });
        const pinning = (r: PolicyResource) => evaluatePack([r], parsePackConfig({ allowedRegistries: ["ghcr.io"] })).filter((v) => v.policy === "image-digest-and-registry").map((v) => v.message);
        assert.deepEqual(pinning(patch({ env: [{ name: "X", value: "1" }] })), []);
        assert.equal(pinning(patch({ image: "ghcr.io/org/app:1.0" })).length, 1);
    });
});

describe("admission-sbom-rule on rules as written", () => {
    const policy = (verifyImages: unknown, extra: Record<string, unknown> = {}): PolicyResource => ({ urn: "cp::verify", type: "kubernetes:kyverno.io/v1:ClusterPolicy", name: "verify", props: { spec: { rules: [{ verifyImages }], ...extra } } });
    const attestor = [{ entries: [{ keys: { publicKeys: PEM } }] }];
    const messages = (resources: PolicyResource[], admission: "enforce" | "audit") =>
        evaluatePack(resources, parsePackConfig({ signedRegistries: ["ghcr.io/example-org"], admission })).filter((v) => v.policy === "admission-sbom-rule").map((v) => v.message);
    const WEAK = "The admission rule for ghcr.io/example-org must require a signature by a configured key and a signed SBOM attestation (CycloneDX or SPDX)";

    it("in audit mode a rule without an SBOM attestation is named without the enforce clause", () => {
        assert.deepEqual(messages([policy([{ imageReferences: ["ghcr.io/example-org/*"], attestors: attestor }])], "audit"), [`${WEAK}.`]);
        assert.deepEqual(messages([policy([{ imageReferences: ["ghcr.io/example-org/*"], attestors: attestor }])], "enforce"), [`${WEAK}, with failureAction Enforce and failurePolicy Fail.`]);
    });

    const NONE = "No admission rule verifies images from ghcr.io/example-org: add a Kyverno ClusterPolicy verifyImages with imageReferences ghcr.io/example-org/* (components/security/image-verification.ts).";
    const good = (over: Record<string, unknown> = {}) => ({ imageReferences: ["ghcr.io/example-org/*"], failureAction: "Enforce", attestors: attestor, attestations: [{ predicateType: "https://spdx.dev/Document", attestors: attestor }], ...over });

    it("coverage: the registry's own pattern or a wider one covers it; a single image, another registry, or a non-string entry does not", () => {
        assert.deepEqual(messages([policy([good()])], "enforce"), []);
        assert.deepEqual(messages([policy([good({ imageReferences: ["quay.io/*", "ghcr.io/*"] })])], "enforce"), []);
        assert.deepEqual(messages([policy([good({ imageReferences: [5, "ghcr.io/example-org/*"] })])], "enforce"), []);
        for (const imageReferences of [["ghcr.io/example-org/app"], ["ghcr.io/example-org/x"], ["ghcr.io/example-org-two/*"], ["quay.io/example-org/*"], [5], "ghcr.io/example-org/*"]) {
            assert.deepEqual(messages([policy([good({ imageReferences })])], "enforce"), [NONE], JSON.stringify(imageReferences));
        }
        // A ClusterPolicy without a spec, or another kind, verifies nothing (and breaks nothing).
        assert.deepEqual(messages([{ ...policy([]), props: {} }, { ...policy([good()]), type: "kubernetes:kyverno.io/v1:Policy" }], "audit"), [NONE]);
    });

    it("no signed registry: nothing is required, even of rules unknown in a preview; a registry's trailing slashes are ignored", () => {
        const unknownRules: PolicyResource = { urn: "cp::u", type: "kubernetes:kyverno.io/v1:ClusterPolicy", name: "u", props: { spec: { rules: UNKNOWN } } };
        assert.deepEqual(evaluatePack([unknownRules], parsePackConfig({ signedRegistries: [] })).filter((v) => v.policy === "admission-sbom-rule"), []);
        assert.deepEqual(evaluatePack([policy([good()])], parsePackConfig({ signedRegistries: ["ghcr.io/example-org//"], admission: "enforce" })).filter((v) => v.policy === "admission-sbom-rule"), []);
        assert.deepEqual(evaluatePack([], parsePackConfig({ signedRegistries: ["ghcr.io/example-org//"] })).filter((v) => v.policy === "admission-sbom-rule").map((v) => v.message), ["No admission rule verifies images from ghcr.io/example-org//: add a Kyverno ClusterPolicy verifyImages with imageReferences ghcr.io/example-org/* (components/security/image-verification.ts)."]);
    });

    it("skipped images: a skip that reaches the registry disqualifies the entry (named), one for elsewhere does not", () => {
        assert.deepEqual(messages([policy([good({ imageReferences: ["quay.io/*"], skipImageReferences: ["ghcr.io/example-org/*"] })])], "enforce"), [NONE], "a skip in an entry for another registry is no skip of this one");
        assert.deepEqual(messages([policy([good({ skipImageReferences: ["ghcr.io/example-org/debug*", 7, "ghcr.io/other/*", "quay.io/*", "*/example-org/*"] })])], "enforce"), ['The admission rule for ghcr.io/example-org skips images of that registry (skipImageReferences "ghcr.io/example-org/debug*", "*/example-org/*"): they would run unverified; remove them.']);
        assert.deepEqual(messages([policy([good({ skipImageReferences: ["quay.io/*"] })])], "enforce"), []);
        // Another entry without skips still covers the registry.
        assert.deepEqual(messages([policy([good({ skipImageReferences: ["ghcr.io/*"] }), good()])], "enforce"), []);
    });

    it("enforce mode needs failureAction Enforce and a failurePolicy other than Ignore; audit mode needs neither", () => {
        const weak = `${WEAK}, with failureAction Enforce and failurePolicy Fail.`;
        assert.deepEqual(messages([policy([good({ failureAction: "Audit" })])], "enforce"), [weak]);
        assert.deepEqual(messages([policy([good()], { failurePolicy: "Ignore" })], "enforce"), [weak]);
        assert.deepEqual(messages([policy([good()], { failurePolicy: "Fail" })], "enforce"), []);
        assert.deepEqual(messages([policy([good({ failureAction: "Audit" })], { failurePolicy: "Ignore" })], "audit"), []);
    });

    it("attestors count only with a PEM public key: keyless or secret-referenced entries do not; null entries are skipped", () => {
        const only = (entries: unknown[]) => [{ entries }];
        assert.deepEqual(messages([policy([good({ attestors: [null, { entries: [null, { keys: { publicKeys: PEM } }] }] })])], "enforce"), []);
        assert.deepEqual(messages([policy([null, good()])], "enforce"), [], "a null verifyImages entry is skipped");
        assert.deepEqual(messages([policy([good({ attestations: [null, { type: "https://cyclonedx.org/bom", attestors: attestor }] })])], "enforce"), [], "a null attestation is skipped; type names the predicate too");
        assert.deepEqual(messages([policy([good({ attestors: [] }), good()])], "enforce"), [], "one complete entry among covering ones is enough");
        for (const attestors of [only([{ keyless: { subject: "x" } }]), only([{ keys: { publicKeys: "k8s://ns/cosign-pub" } }]), only([{ keys: { publicKeys: 5 } }]), only([{ keys: {} }])]) {
            assert.deepEqual(messages([policy([good({ attestors })])], "audit"), [`${WEAK}.`], JSON.stringify(attestors));
        }
    });

    it("malformed lists (attestors, entries, attestations that are not lists) count as absent, not as a crash", () => {
        const complete = (over: Record<string, unknown>) => ({ imageReferences: ["ghcr.io/example-org/*"], attestors: attestor, attestations: [{ type: "https://cyclonedx.org/bom", attestors: attestor }], ...over });
        assert.deepEqual(messages([policy([complete({})])], "audit"), []);
        for (const over of [{ attestors: { entries: attestor[0].entries } }, { attestors: [{ entries: { keys: { publicKeys: PEM } } }] }, { attestations: { type: "https://cyclonedx.org/bom", attestors: attestor } }]) {
            assert.deepEqual(messages([policy([complete(over)])], "audit"), [`${WEAK}.`], JSON.stringify(over));
        }
    });
});

describe("the pack's AWS clients and error sentences", () => {
    isolatedAwsClients([resetAwsClients, resetEcrTokens]);

    it("an ECR FIPS or dual-stack registry gets a client on the FIPS or dual-stack endpoint; others on neither", async () => {
        const settings = async (o: { useFipsEndpoint?: boolean; useDualstackEndpoint?: boolean }) => {
            const c = await ecrClient({ region: "us-gov-west-1", timeoutMs: 1000, ...o });
            return [await c.config.useFipsEndpoint(), await c.config.useDualstackEndpoint()];
        };
        assert.deepEqual(await settings({ useFipsEndpoint: true }), [true, false]);
        assert.deepEqual(await settings({ useDualstackEndpoint: true }), [false, true]);
        assert.deepEqual(await settings({}), [false, false]);
        assert.equal(await (await kmsClient({ region: "eu-west-1", timeoutMs: 1000, useFipsEndpoint: true })).config.useFipsEndpoint(), true);
    });

    it("an error is described by its name (Error when it has none), code and message; a service error whose message is its name says it once", () => {
        assert.equal(describeAwsError({ message: "socket closed" }), "Error: socket closed");
        assert.equal(describeAwsError(new TypeError("bad input")), "TypeError: bad input");
        assert.equal(describeAwsError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })), "Error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9");
        assert.equal(describeAwsError(Object.assign(new Error("AccessDeniedException"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 403, attempts: 1 } })), "403 AccessDeniedException");
    });

    it("KMS: an answer without key spec and usage, without a public key, or without a key id fails closed, naming what is missing", async () => {
        const REF = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";
        const der = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
        const mock = mockClient(await kmsClient({ region: "eu-west-1", timeoutMs: 10000 }));
        mock.onAnyCommand().resolvesOnce({}).resolvesOnce({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }).resolvesOnce({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PublicKey: new Uint8Array(der) });
        await assert.rejects(fetchKmsPublicKey(REF), { message: `${REF}: is a ? ? key; cosign keys must be ECC_NIST_P256 SIGN_VERIFY` });
        await assert.rejects(fetchKmsPublicKey(REF), { message: `${REF}: KMS returned no public key` });
        await assert.rejects(fetchKmsPublicKey(REF), { message: `${REF}: KMS answered for no key id, not the configured key; failing closed` });
    });

    it("KMS: a key named by id gets the answer for its ARN; a reference that is not awskms:// is refused with the forms it takes", async () => {
        process.env.AWS_REGION = "eu-west-1";
        const der = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
        const mock = mockClient(await kmsClient({ region: "eu-west-1", timeoutMs: 10000 }));
        mock.onAnyCommand().resolves({ KeyId: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051", KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PublicKey: new Uint8Array(der) });
        assert.ok(await fetchKmsPublicKey("awskms:///0a1b2c3d-0000-4000-8000-00000000c051"));
        await assert.rejects(fetchKmsPublicKey("awskms:///0a1b2c3d-0000-4000-8000-00000000ffff"), { message: "awskms:///0a1b2c3d-0000-4000-8000-00000000ffff: KMS answered for arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051, not the configured key; failing closed" });
        assert.throws(() => parseKmsRef("gcpkms://projects/p/keys/k", {}), { message: "gcpkms://projects/p/keys/k is not a cosign AWS KMS reference (awskms:///<key ARN, alias ARN, key id or alias/name>)" });
    });

    const ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    const ecr = async () => mockClient(await ecrClient({ region: "eu-west-1", timeoutMs: 5000 }));

    it("ECR: a token without an expiry is kept for an hour (less the renewal margin), then fetched again", async () => {
        const mock = await ecr();
        mock.onAnyCommand().resolvesOnce({ authorizationData: [{ authorizationToken: "b25l" }] }).resolves({ authorizationData: [{ authorizationToken: "dHdv" }] });
        const t0 = Date.now();
        assert.equal(await basicAuthorization(ECR_HOST, 5000, () => t0), "Basic b25l");
        assert.equal(await basicAuthorization(ECR_HOST, 5000, () => t0 + 50 * 60 * 1000), "Basic b25l", "50 minutes on: still the first token");
        assert.equal(await basicAuthorization(ECR_HOST, 5000, () => t0 + 56 * 60 * 1000), "Basic dHdv", "56 minutes on: within 5 minutes of the hour, renewed");
        assert.equal(mock.calls().length, 2);
    });

    it("ECR: a caller waiting on a token request that fails asks again instead of sharing the failure", async () => {
        const mock = await ecr();
        mock.onAnyCommand().rejectsOnce(Object.assign(new Error("AccessDenied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } })).resolves({ authorizationData: [{ authorizationToken: "b2s=", expiresAt: new Date(Date.now() + 12 * 3600 * 1000) }] });
        const [first, second] = await Promise.allSettled([basicAuthorization(ECR_HOST, 5000), basicAuthorization(ECR_HOST, 5000)]);
        assert.equal(first.status, "rejected");
        assert.deepEqual(second, { status: "fulfilled", value: "Basic b2s=" });
    });
});
