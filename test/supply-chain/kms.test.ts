/**
 * Cosign keys in AWS KMS as the policy pack uses them: GetPublicKey through the AWS SDK v3 against a
 * local KMS-protocol endpoint that checks Signature Version 4 (AWS_ENDPOINT_URL_KMS, the SDK's own
 * override), with the credential sources of the SDK's default chain (environment keys, a shared
 * credentials file with AWS_PROFILE, a credential_process profile), its retries, and registry-mode
 * verification of an image signed with that key in Debian's docker-registry; the generated policy
 * config naming the key and registry the stack creates.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluatePackAsync, parsePackConfig } from "../../policies/evaluate";
import { resetAwsClients } from "../../policies/supply-chain/aws";
import { fetchKmsPublicKey, KmsKeyError, parseKmsRef } from "../../policies/supply-chain/kms";
import { builtStack, promiseOf } from "../../lib/offline/stack";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { supplyChainPackEntries } from "../../scripts/lib/supply-chain-pack";
import { Handler, LocalAwsEndpoint, profileFiles, withAwsEnv } from "../harness/aws-endpoint";
import { TestRegistry } from "../harness/oci-registry";

describe("cosign KMS references", () => {
    it("take the region from the ARN, the endpoint host or AWS_REGION (else the SDK's), and refuse other schemes", () => {
        assert.deepEqual(parseKmsRef("awskms:///arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", {}), { keyId: "arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", region: "eu-west-1" });
        assert.deepEqual(parseKmsRef("awskms://kms.us-east-2.amazonaws.com/alias/x", {}), { keyId: "alias/x", region: "us-east-2", endpoint: "https://kms.us-east-2.amazonaws.com" });
        assert.equal(parseKmsRef("awskms:///alias/x", { AWS_REGION: "ap-south-1" }).region, "ap-south-1");
        assert.equal(parseKmsRef("awskms:///alias/x", { AWS_DEFAULT_REGION: "ap-south-2" }).region, "ap-south-2");
        assert.equal(parseKmsRef("awskms:///alias/x", {}).region, undefined, "left to the SDK: the profile's region");
        assert.throws(() => parseKmsRef("gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", {}), KmsKeyError);
    });
});

const KEYS = { AKIATEST: "s3cret", AKIAPROFILE: "profile-s3cret", AKIAPROCESS: "process-s3cret" };

/** The key every alias and id of the fake KMS resolves to. */
const KEY_UUID = "0a1b2c3d-0000-4000-8000-00000000c051";

/** GetPublicKey as KMS answers it for one key: the key's ARN as KeyId (whatever alias or id was asked), the DER public key; `keySpec` changes the key spec. */
const getPublicKey = (publicKey: KeyObject, opts: { keySpec?: string } = {}): Handler => (_body, req) => ({
    body: {
        KeyId: `arn:aws:kms:${req.region}:123456789012:key/${KEY_UUID}`, KeySpec: opts.keySpec ?? "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", SigningAlgorithms: ["ECDSA_SHA_256"],
        PublicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    },
});

/** The local endpoint answering GetPublicKey for one key. */
async function fakeKms(publicKey: KeyObject, opts: { keySpec?: string } = {}) {
    return (await LocalAwsEndpoint.start(KEYS)).on("TrentService.GetPublicKey", getPublicKey(publicKey, opts));
}

const REF = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";

describe("KMS GetPublicKey through the AWS SDK (local KMS endpoint)", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let kms: LocalAwsEndpoint;
    let restore: () => void = () => undefined;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kms-test-"));
    /** A new directory per profile: the SDK caches the shared files it read by path. */
    const fresh = () => fs.mkdtempSync(path.join(root, "p-"));
    before(async () => (kms = await fakeKms(publicKey)));
    after(async () => {
        await kms.close();
        fs.rmSync(root, { recursive: true, force: true });
    });
    /** The process environment for one test (the default chain reads process.env), fresh SDK clients. */
    const env = (vars: Record<string, string>) => {
        restore();
        resetAwsClients();
        restore = withAwsEnv({ AWS_ENDPOINT_URL_KMS: kms.url, ...vars });
    };
    afterEach(() => {
        restore();
        restore = () => undefined;
        resetAwsClients();
    });

    it("returns the key's public key, asked with a signed GetPublicKey for the key ARN (environment keys and session token)", async () => {
        env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_SESSION_TOKEN: "session" });
        const key = await fetchKmsPublicKey(REF);
        assert.ok(key.equals(publicKey));
        const last = kms.seen.at(-1)!;
        assert.deepEqual([last.target, last.accessKeyId, last.region, last.service, last.sessionToken], ["TrentService.GetPublicKey", "AKIATEST", "eu-west-1", "kms", "session"]);
        assert.deepEqual(last.body, { KeyId: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051" });
    });

    it("reads a profile: a shared credentials file with AWS_PROFILE (what `aws configure` or an SSO login leaves on a laptop), its region too", async () => {
        env(profileFiles(fresh(), "platform-dev", { accessKeyId: "AKIAPROFILE", secretAccessKey: "profile-s3cret" }, "eu-central-1"));
        const key = await fetchKmsPublicKey("awskms:///alias/platform-prod-cosign");
        assert.ok(key.equals(publicKey));
        const last = kms.seen.at(-1)!;
        assert.deepEqual([last.accessKeyId, last.region, last.body.KeyId], ["AKIAPROFILE", "eu-central-1", "alias/platform-prod-cosign"]);
    });

    it("reads a credential_process profile (an external credential helper)", async () => {
        const dir = fresh();
        const files = profileFiles(dir, "helper", { accessKeyId: "unused", secretAccessKey: "unused" });
        const helper = path.join(dir, "helper.cjs");
        fs.writeFileSync(helper, `process.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: "AKIAPROCESS", SecretAccessKey: "process-s3cret" }));\n`);
        fs.writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE, "");
        fs.writeFileSync(files.AWS_CONFIG_FILE, `[profile helper]\nregion = eu-west-1\ncredential_process = ${process.execPath} ${helper}\n`);
        env(files);
        assert.ok((await fetchKmsPublicKey(REF)).equals(publicKey));
        assert.equal(kms.seen.at(-1)!.accessKeyId, "AKIAPROCESS");
    });

    it("takes AWS_ENDPOINT_URL (every service) too; an endpoint host in the reference is used as given", async () => {
        env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret" });
        delete process.env.AWS_ENDPOINT_URL_KMS;
        process.env.AWS_ENDPOINT_URL = kms.url;
        const before = kms.seen.length;
        assert.ok((await fetchKmsPublicKey(REF)).equals(publicKey));
        assert.equal(kms.seen.length, before + 1);
        delete process.env.AWS_ENDPOINT_URL;
        resetAwsClients();
        await assert.rejects(fetchKmsPublicKey(`awskms://127.0.0.1:9/${REF.slice("awskms:///".length)}`, { timeoutMs: 2000 }), /KMS GetPublicKey failed: .*failing closed/);
    });

    it("retries throttling as the SDK does (standard mode, 3 attempts), then succeeds", async () => {
        const flaky = await LocalAwsEndpoint.start(KEYS);
        let calls = 0;
        const ok = getPublicKey(publicKey);
        flaky.on("TrentService.GetPublicKey", (body, req) => (++calls < 3 ? { status: 400, body: { __type: "ThrottlingException", message: "Rate exceeded" } } : ok(body, req)));
        try {
            env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_ENDPOINT_URL_KMS: flaky.url });
            assert.ok((await fetchKmsPublicKey(REF)).equals(publicKey));
            assert.equal(calls, 3);
        } finally {
            await flaky.close();
        }
    });

    it("fails closed without credentials, with the wrong secret, for a key that is not ECC_NIST_P256, for another key than the one named, or when KMS is unreachable", async () => {
        env({});
        await assert.rejects(fetchKmsPublicKey(REF), /no AWS credentials from the default chain .*failing closed/);
        env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "wrong" });
        await assert.rejects(fetchKmsPublicKey(REF), /400 InvalidSignatureException .*failing closed/);
        env({ AWS_ACCESS_KEY_ID: "AKIAUNKNOWN", AWS_SECRET_ACCESS_KEY: "x" });
        await assert.rejects(fetchKmsPublicKey(REF), /400 UnrecognizedClientException/);
        const rsa = await fakeKms(publicKey, { keySpec: "RSA_2048" });
        try {
            env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_ENDPOINT_URL_KMS: rsa.url });
            await assert.rejects(fetchKmsPublicKey(REF), /RSA_2048 SIGN_VERIFY key; cosign keys must be ECC_NIST_P256/);
        } finally {
            await rsa.close();
        }
        const other = await LocalAwsEndpoint.start(KEYS);
        other.on("TrentService.GetPublicKey", (body, req) => ({ body: { ...(getPublicKey(publicKey)(body, req).body as object), KeyId: "arn:aws:kms:eu-west-1:123456789012:key/ffffffff-0000-4000-8000-000000000000" } }));
        try {
            env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_REGION: "eu-west-1", AWS_ENDPOINT_URL_KMS: other.url });
            await assert.rejects(fetchKmsPublicKey(REF), /KMS answered for arn:aws:kms:eu-west-1:123456789012:key\/ffffffff-0000-4000-8000-000000000000, not the configured key; failing closed/);
            await assert.rejects(fetchKmsPublicKey(`awskms:///${KEY_UUID}`), /not the configured key/);
        } finally {
            await other.close();
        }
        env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" });
        await assert.rejects(fetchKmsPublicKey(REF, { timeoutMs: 2000 }), /KMS GetPublicKey failed: .*ECONNREFUSED.*failing closed/);
        env({ AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret" });
        await assert.rejects(fetchKmsPublicKey("awskms:///alias/no-region-here"), /no region/);
    });

    it("the tests' AWS environment is theirs alone: a [default] profile in the user's own ~/.aws (a platform engineer's laptop) does not answer", async () => {
        const home = fresh();
        fs.mkdirSync(path.join(home, ".aws"));
        fs.writeFileSync(path.join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIATEST\naws_secret_access_key = s3cret\n");
        fs.writeFileSync(path.join(home, ".aws", "config"), "[default]\nregion = eu-west-1\n");
        const saved = process.env.HOME;
        process.env.HOME = home;
        try {
            env({});
            const before = kms.seen.length;
            await assert.rejects(fetchKmsPublicKey(REF), /no AWS credentials from the default chain .*failing closed/);
            assert.equal(kms.seen.length, before, "nothing signed with the user's credentials");
        } finally {
            process.env.HOME = saved;
        }
    });
});

describe("registry mode with the stack's KMS key (docker-registry + local KMS endpoint)", function () {
    this.timeout(60000);
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let registry: TestRegistry;
    let kms: LocalAwsEndpoint;
    let restore: () => void;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kms-registry-test-"));
    const images: Record<string, string> = {};

    async function pushSigned(repo: string, key: KeyObject) {
        images[repo] = await registry.pushSigned(`platform-prod/${repo}`, key, registry.host, repo);
    }

    before(async () => {
        registry = await TestRegistry.start();
        kms = await fakeKms(signer.publicKey);
        // A laptop's set-up: a named profile in the shared files, no key in the environment.
        resetAwsClients();
        restore = withAwsEnv({ ...profileFiles(dir, "platform-prod", { accessKeyId: "AKIAPROFILE", secretAccessKey: "profile-s3cret" }), AWS_ENDPOINT_URL_KMS: kms.url });
        await pushSigned("signed", signer.privateKey);
        await pushSigned("stranger", stranger.privateKey);
    });
    after(async () => {
        restore?.();
        resetAwsClients();
        registry?.stop();
        await kms?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const judge = async (repo: string, kmsRef = REF) => {
        const cfg = parsePackConfig({ verificationMode: "registry", allowedRegistries: [registry.host], signedRegistries: [`${registry.host}/platform-prod`], cosignKmsKeys: [kmsRef], insecureRegistries: [registry.host], registryTimeoutSeconds: 5 });
        const pod = { urn: `pod::${repo}`, type: "kubernetes:core/v1:Pod", name: repo, props: { kind: "Pod", metadata: { name: repo, namespace: "apps" }, spec: { containers: [{ name: "app", image: `${registry.host}/platform-prod/${repo}@${images[repo]}` }] } } };
        return (await evaluatePackAsync([pod], cfg)).filter((v) => v.policy === "image-signature-and-sbom").map((v) => v.message);
    };

    it("an image signed and attested through the KMS key passes with only the KMS reference configured, read with a profile-based credential (AWS_PROFILE)", async () => {
        assert.deepEqual(await judge("signed"), []);
        assert.equal(kms.seen.at(-1)!.accessKeyId, "AKIAPROFILE");
    });
    it("an image signed by another key fails; an unreadable KMS key fails closed", async () => {
        const m = await judge("stranger");
        assert.equal(m.length, 2);
        assert.match(m.join("\n"), /not signed by a configured key/);
        assert.match((await judge("signed", "awskms://127.0.0.1:9/arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c052")).join("\n"), /signing keys could not be read: .*KMS GetPublicKey failed: .*failing closed/);
    });
    it("a KMS key named through an alias is refused, whatever key the alias points at (the deploy-time check pins the key)", async () => {
        for (const alias of ["awskms:///arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", "awskms:///alias/platform-prod-cosign"]) {
            assert.match((await judge("signed", alias)).join("\n"), /cosignKmsKeys must name each key by its ARN .*never an alias/, alias);
        }
    });
});

describe("the generated policy config stays in step with the stack's key and registry", () => {
    for (const stack of ["staging", "prod"]) {
        it(`${stack}: policies/config/${stack}.json trusts only the key ARN recorded in signing.keyArn (none yet), never the alias, and names the stack's ECR prefix`, async () => {
            const s = await builtStack(stack);
            const derived = supplyChainPackEntries(s.config);
            const file = readPackConfigFile(packConfigFile(stack));
            const signatures = file["image-signature-and-sbom"].properties;
            assert.deepEqual(signatures.cosignKmsKeys, derived.cosignKmsKeys, "regenerate with npm run policy -- config <stack>");
            assert.deepEqual(derived.cosignKmsKeys, [], "the committed configs record no key ARN yet (the key exists only after the first deploy)");
            assert.deepEqual(signatures.signedRegistries, derived.signedRegistries);
            assert.deepEqual(file["admission-sbom-rule"].properties.signedRegistries, derived.signedRegistries);
            // Once recorded, the entry is the stack's own key by ARN: the same key the stack outputs and admission pins.
            const key = s.get("aws:kms/key:Key", "cosign-key");
            const keyArn = await promiseOf<string>((key.resource as any).arn);
            const pinned = supplyChainPackEntries({ ...s.config, supplyChain: { ...s.config.supplyChain, signing: { ...s.config.supplyChain.signing, keyArn } } });
            assert.deepEqual(pinned.cosignKmsKeys, [`awskms:///${keyArn}`]);
            assert.equal(pinned.cosignKmsKeys[0], await promiseOf<string>(s.platform.outputs.cosignKeyRef as any));
            const vi = s.ofType("kubernetes:kyverno.io/v1:ClusterPolicy")[0].inputs.spec.rules[0].verifyImages[0];
            for (const registry of derived.signedRegistries) assert.ok(vi.imageReferences.includes(`${registry}/*`), registry);
        });
    }
});
