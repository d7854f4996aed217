/**
 * Registry-mode verification of images in Amazon ECR (issue 26, point 3): ECR answers with a
 * `Basic` challenge and takes the GetAuthorizationToken credential. Tested against Debian's
 * docker-registry protected by htpasswd (the same challenge), reached under an ECR host name, with
 * the token call going through the AWS SDK to a local ECR-protocol endpoint (AWS_ENDPOINT_URL_ECR)
 * that checks Signature Version 4, with a profile-based credential (AWS_PROFILE); the signing key
 * is read from a local KMS endpoint the same way.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetAwsClients } from "../../policies/supply-chain/aws";
import { basicAuthorization, ecrRegistryOf, resetEcrTokens } from "../../policies/supply-chain/ecr-auth";
import { fetchKmsPublicKey } from "../../policies/supply-chain/kms";
import { ImageVerifier, RegistryClient } from "../../policies/supply-chain/registry";
import { LocalAwsEndpoint, profileFiles, withAwsEnv } from "../harness/aws-endpoint";
import { BASIC_USER, TestRegistry } from "../harness/oci-registry";

describe("ECR registry hosts", () => {
    it("are recognised in every partition and endpoint form, with their account and region", () => {
        assert.deepEqual(ecrRegistryOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com"), { account: "123456789012", region: "eu-west-1", fips: false, dualstack: false });
        assert.deepEqual(ecrRegistryOf("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"), { account: "123456789012", region: "us-gov-west-1", fips: true, dualstack: false });
        assert.deepEqual(ecrRegistryOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"), { account: "123456789012", region: "cn-north-1", fips: false, dualstack: false });
        assert.deepEqual(ecrRegistryOf("123456789012.dkr-ecr.ap-southeast-2.on.aws"), { account: "123456789012", region: "ap-southeast-2", fips: false, dualstack: true });
        assert.deepEqual(ecrRegistryOf("123456789012.DKR.ECR.us-east-1.amazonaws.com:443"), { account: "123456789012", region: "us-east-1", fips: false, dualstack: false });
    });
    it("and nothing else: ECR Public, look-alikes and other registries keep the anonymous flow", () => {
        for (const host of ["public.ecr.aws", "ghcr.io", "docker.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example", "evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com", "12345.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.co"]) {
            assert.equal(ecrRegistryOf(host), undefined, host);
        }
    });
});

const ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const KEYS = { AKIAPROFILE: "profile-s3cret" };
const token = (password: string) => Buffer.from(`AWS:${password}`).toString("base64");

describe("registry mode against an ECR registry (htpasswd docker-registry, local ECR and KMS endpoints, AWS_PROFILE)", function () {
    this.timeout(60000);
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let registry: TestRegistry;
    let aws: LocalAwsEndpoint;
    let restore: () => void;
    let password = BASIC_USER.password;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-auth-test-"));
    const images: Record<string, string> = {};

    async function pushSigned(repo: string, key: KeyObject) {
        images[repo] = await registry.pushSigned(repo, key, ECR_HOST);
    }

    before(async () => {
        registry = await TestRegistry.start({ basicAuth: true });
        aws = await LocalAwsEndpoint.start(KEYS);
        aws.on("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", () => ({
            body: { authorizationData: [{ authorizationToken: token(password), expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600, proxyEndpoint: `https://${ECR_HOST}` }] },
        }));
        aws.on("TrentService.GetPublicKey", (body) => ({ body: { KeyId: body.KeyId, KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PublicKey: signer.publicKey.export({ type: "spki", format: "der" }).toString("base64") } }));
        resetAwsClients();
        resetEcrTokens();
        restore = withAwsEnv({ ...profileFiles(dir, "platform-prod", { accessKeyId: "AKIAPROFILE", secretAccessKey: "profile-s3cret" }), AWS_ENDPOINT_URL_ECR: aws.url, AWS_ENDPOINT_URL_KMS: aws.url });
        await pushSigned("platform-prod/shop/api", signer.privateKey);
        await pushSigned("platform-prod/shop/web", signer.privateKey);
    });
    after(async () => {
        restore?.();
        resetAwsClients();
        resetEcrTokens();
        registry?.stop();
        await aws?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => resetEcrTokens());

    const client = () => new RegistryClient({ insecureHosts: [ECR_HOST], connectTo: { [ECR_HOST]: registry.host }, timeoutMs: 5000 });
    const tokenCalls = () => aws.seen.filter((r) => r.target.endsWith(".GetAuthorizationToken"));

    it("verifies signed images with the ECR token, fetched once with the profile's credentials in the registry's region, and the KMS key", async () => {
        const key = await fetchKmsPublicKey("awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051");
        const verifier = new ImageVerifier(client(), [key]);
        const before = tokenCalls().length;
        for (const repo of ["platform-prod/shop/api", "platform-prod/shop/web"]) {
            const verdict = await verifier.verify(ECR_HOST, repo, images[repo]);
            assert.equal(verdict.signature.ok, true, verdict.signature.reason);
            assert.equal(verdict.sbom.ok, true, verdict.sbom.reason);
        }
        const calls = tokenCalls().slice(before);
        assert.equal(calls.length, 1, "one token for the registry, reused across repositories and images");
        assert.deepEqual([calls[0].accessKeyId, calls[0].region, calls[0].service], ["AKIAPROFILE", "eu-west-1", "ecr"]);
    });

    it("fails closed when the registry refuses the token, and when GetAuthorizationToken fails", async () => {
        password = "not-the-password";
        try {
            const verdict = await new ImageVerifier(client(), [signer.publicKey]).verify(ECR_HOST, "platform-prod/shop/api", images["platform-prod/shop/api"]);
            assert.match(verdict.signature.reason, /registry 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com answered 401 .*failing closed/);
        } finally {
            password = BASIC_USER.password;
            resetEcrTokens();
        }
        const denied = await LocalAwsEndpoint.start(KEYS);
        denied.on("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", () => ({ status: 400, body: { __type: "AccessDeniedException", message: "not authorized to perform: ecr:GetAuthorizationToken" } }));
        process.env.AWS_ENDPOINT_URL_ECR = denied.url;
        resetAwsClients();
        try {
            const verdict = await new ImageVerifier(client(), [signer.publicKey]).verify(ECR_HOST, "platform-prod/shop/api", images["platform-prod/shop/api"]);
            assert.match(verdict.signature.reason, /is Amazon ECR and needs a GetAuthorizationToken credential, which failed: 400 AccessDeniedException .*failing closed/);
        } finally {
            process.env.AWS_ENDPOINT_URL_ECR = aws.url;
            resetAwsClients();
            await denied.close();
        }
    });

    it("a Basic challenge from a registry that is not ECR gets no credential: it fails closed and no token is asked for", async () => {
        const before = tokenCalls().length;
        const plain = new RegistryClient({ insecureHosts: [registry.host], timeoutMs: 5000 });
        const verdict = await new ImageVerifier(plain, [signer.publicKey]).verify(registry.host, "platform-prod/shop/api", images["platform-prod/shop/api"]);
        assert.match(verdict.signature.reason, /asks for Basic credentials, which the pack has only for Amazon ECR registries/);
        assert.equal(tokenCalls().length, before);
    });

    it("a token is kept for its lifetime and fetched again shortly before it expires", async () => {
        const before = tokenCalls().length;
        const header = await basicAuthorization(ECR_HOST, 5000);
        assert.equal(header, `Basic ${token(BASIC_USER.password)}`);
        await basicAuthorization(ECR_HOST, 5000, () => Date.now() + 11 * 3600 * 1000);
        assert.equal(tokenCalls().length, before + 1, "still valid 11 hours later");
        await basicAuthorization(ECR_HOST, 5000, () => Date.now() + 12 * 3600 * 1000 - 60 * 1000);
        assert.equal(tokenCalls().length, before + 2, "renewed within the last 5 minutes");
    });
});
