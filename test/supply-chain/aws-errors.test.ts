/**
 * The pack's AWS calls when AWS says no, with the SDK's mocking library (aws-sdk-client-mock) on
 * the very client instances the pack uses: expired or refused credentials, a key looked up in the
 * wrong region, throttling that outlasts the retries, an ECR answer without a token. Each fails
 * closed with a message that names the call and AWS's error. (Retries themselves run in the SDK's
 * middleware, which a mocked `send` skips: test/supply-chain/kms.test.ts shows them against a
 * local endpoint.)
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mockClient } from "aws-sdk-client-mock";
import { ecrClient, kmsClient, resetAwsClients } from "../../policies/supply-chain/aws";
import { basicAuthorization, resetEcrTokens } from "../../policies/supply-chain/ecr-auth";
import { fetchKmsPublicKey } from "../../policies/supply-chain/kms";
import { REPO_ROOT } from "../../lib/offline/stack";
import { isolatedAwsClients, NO_AWS_FILES } from "../harness/aws-endpoint";

/** An error as the SDK raises a service error: name, message, HTTP status and attempts in $metadata. */
function serviceError(name: string, message: string, status = 400, attempts = 1): Error {
    return Object.assign(new Error(message), { name, $fault: "client", $metadata: { httpStatusCode: status, attempts } });
}

const KEY = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";
const ECR_HOST = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

describe("AWS errors reach the user as fail-closed findings (aws-sdk-client-mock)", () => {
    const aws = isolatedAwsClients([resetAwsClients, resetEcrTokens]);
    // The pack's clients: the same options fetchKmsPublicKey and the ECR token use.
    const kms = async () => mockClient(await kmsClient({ region: "eu-west-1", timeoutMs: 10000 }));
    const ecr = async () => mockClient(await ecrClient({ region: "eu-west-1", timeoutMs: 5000 }));

    it("KMS: expired session credentials", async () => {
        const mock = await kms();
        mock.onAnyCommand().rejects(serviceError("ExpiredTokenException", "The security token included in the request is expired"));
        await assert.rejects(fetchKmsPublicKey(KEY), /KMS GetPublicKey failed: 400 ExpiredTokenException \(The security token included in the request is expired\); failing closed/);
        assert.deepEqual(mock.call(0).args[0].input, { KeyId: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051" });
    });

    it("KMS: an alias looked up in the wrong region (the region of the profile, not the key's)", async () => {
        aws.env({ AWS_REGION: "us-east-1" });
        const mock = mockClient(await kmsClient({ region: "us-east-1", timeoutMs: 10000 }));
        mock.onAnyCommand().rejects(serviceError("NotFoundException", "Alias arn:aws:kms:us-east-1:123456789012:alias/platform-prod-cosign is not found."));
        await assert.rejects(fetchKmsPublicKey("awskms:///alias/platform-prod-cosign"), /400 NotFoundException \(Alias arn:aws:kms:us-east-1:.* is not found\.\); failing closed/);
    });

    it("KMS: throttling that outlasts the SDK's retries, and access denied by the key policy", async () => {
        const mock = await kms();
        mock.onAnyCommand().rejectsOnce(serviceError("ThrottlingException", "Rate exceeded", 400, 3)).rejectsOnce(serviceError("AccessDeniedException", "User is not authorized to perform: kms:GetPublicKey", 400));
        await assert.rejects(fetchKmsPublicKey(KEY), /400 ThrottlingException \(Rate exceeded\) after 3 attempts; failing closed/);
        await assert.rejects(fetchKmsPublicKey(KEY), /400 AccessDeniedException \(User is not authorized to perform: kms:GetPublicKey\)/);
    });

    it("ECR: refused credentials, and an answer without a token", async () => {
        const mock = await ecr();
        mock.onAnyCommand().rejectsOnce(serviceError("UnrecognizedClientException", "The security token included in the request is invalid.")).resolvesOnce({ authorizationData: [] });
        await assert.rejects(basicAuthorization(ECR_HOST, 5000), /is Amazon ECR and needs a GetAuthorizationToken credential, which failed: 400 UnrecognizedClientException \(The security token included in the request is invalid\.\); failing closed/);
        await assert.rejects(basicAuthorization(ECR_HOST, 5000), /GetAuthorizationToken returned no token; failing closed/);
        assert.equal(mock.calls().length, 2, "a failed token is not cached");
    });
});

describe("the pack loads the AWS SDK only when registry mode needs it", () => {
    it("offline mode (the default) and registry mode with PEM keys and no ECR image never load it; registry mode with a KMS key does (the check can fail)", function () {
        this.timeout(120000);
        const pem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
        const pemOnly = { verificationMode: "registry", signedRegistries: ["127.0.0.1:9/platform-prod"], insecureRegistries: ["127.0.0.1:9"], cosignPublicKeys: [pem], registryTimeoutSeconds: 2 };
        const registry = { verificationMode: "registry", signedRegistries: ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod"], cosignKmsKeys: ["awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051"] };
        // One fresh process: evaluatePackAsync on one pod under each config, printing whether any @aws-sdk module is loaded after each.
        const script = `
            const { evaluatePackAsync, parsePackConfig } = require("./policies/evaluate");
            const pod = { urn: "p", type: "kubernetes:core/v1:Pod", name: "p", props: { kind: "Pod", metadata: { name: "p", namespace: "apps" }, spec: { containers: [{ name: "app", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-prod/app@sha256:${"a".repeat(64)}" }] } } };
            const loaded = () => Object.keys(require.cache).some((f) => f.includes("@aws-sdk"));
            (async () => {
                await evaluatePackAsync([pod], parsePackConfig({ verificationMode: "offline" }));
                const offline = loaded();
                const local = structuredClone(pod);
                local.props.spec.containers[0].image = "127.0.0.1:9/platform-prod/app@sha256:${"a".repeat(64)}";
                const v = await evaluatePackAsync([local], parsePackConfig(${JSON.stringify(pemOnly)}));
                if (!v.some((x) => x.policy === "image-signature-and-sbom")) throw new Error("the PEM registry-mode check did not run: " + JSON.stringify(v));
                const pemOnly = loaded();
                await evaluatePackAsync([pod], parsePackConfig(${JSON.stringify(registry)}));
                console.log(JSON.stringify([offline, pemOnly, loaded()]));
            })();`;
        const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...NO_AWS_FILES, AWS_ACCESS_KEY_ID: "", AWS_PROFILE: "", AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" }, timeout: 100000 });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout.trim()), [false, false, true]);
    });
});
