/**
 * Cosign keys in AWS KMS as the policy pack uses them: Signature Version 4 against AWS's published
 * test-suite vectors, GetPublicKey against a local KMS-protocol endpoint (AWS_ENDPOINT_URL_KMS, the
 * SDKs' own override), registry-mode verification of an image signed with that key in Debian's
 * docker-registry, and the generated policy config naming the key and registry the stack creates.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync, KeyObject, sign } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import { evaluatePackAsync, parsePackConfig } from "../../policies/evaluate";
import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from "../../policies/supply-chain/cosign";
import { fetchKmsPublicKey, KmsKeyError, parseKmsRef, signV4 } from "../../policies/supply-chain/kms";
import { builtStack, promiseOf } from "../../lib/offline/stack";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { supplyChainPackEntries } from "../../scripts/lib/supply-chain-pack";
import { dsseEnvelope, simpleSigningPayload, TestRegistry } from "../harness/oci-registry";

const VECTOR_CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const VECTOR_DATE = new Date("2015-08-30T12:36:00Z");

describe("AWS Signature Version 4 (AWS test-suite vectors)", () => {
    for (const [method, signature] of [["GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"], ["POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"]]) {
        it(`${method.toLowerCase()}-vanilla`, () => {
            const h = signV4({ method, url: new URL("https://example.amazonaws.com/"), headers: {}, body: "", region: "us-east-1", service: "service", credentials: VECTOR_CREDS, now: VECTOR_DATE });
            assert.equal(h.authorization, `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`);
        });
    }
    it("a session token is sent and signed", () => {
        const h = signV4({ method: "GET", url: new URL("https://example.amazonaws.com/"), headers: {}, body: "", region: "us-east-1", service: "service", credentials: { ...VECTOR_CREDS, sessionToken: "tok" }, now: VECTOR_DATE });
        assert.equal(h["x-amz-security-token"], "tok");
        assert.match(h.authorization, /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
    });
});

describe("cosign KMS references", () => {
    it("take the region from the ARN, the endpoint host or AWS_REGION, and refuse other schemes", () => {
        assert.deepEqual(parseKmsRef("awskms:///arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", {}), { keyId: "arn:aws:kms:eu-west-1:123456789012:alias/platform-prod-cosign", region: "eu-west-1", endpoint: "https://kms.eu-west-1.amazonaws.com" });
        assert.equal(parseKmsRef("awskms://kms.us-east-2.amazonaws.com/alias/x", {}).region, "us-east-2");
        assert.equal(parseKmsRef("awskms:///alias/x", { AWS_REGION: "ap-south-1" }).endpoint, "https://kms.ap-south-1.amazonaws.com");
        assert.throws(() => parseKmsRef("awskms:///alias/x", {}), /no region/);
        assert.throws(() => parseKmsRef("gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", {}), KmsKeyError);
    });
});

/** A KMS-protocol endpoint on 127.0.0.1 answering GetPublicKey for one key, checking what a real KMS checks first. */
async function fakeKms(publicKey: KeyObject, opts: { keySpec?: string; secret?: string } = {}) {
    const seen: { target?: string; auth?: string; body?: string }[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            const auth = String(req.headers.authorization ?? "");
            seen.push({ target: String(req.headers["x-amz-target"]), auth, body });
            // Re-sign what arrived with the secret the server knows: a tampered body or wrong secret does not match.
            const headers: Record<string, string> = { "content-type": String(req.headers["content-type"]), "x-amz-target": String(req.headers["x-amz-target"]) };
            const resigned = signV4({ method: "POST", url: new URL(`http://${req.headers.host}/`), headers, body, region: "eu-west-1", service: "kms", credentials: { accessKeyId: "AKIATEST", secretAccessKey: opts.secret ?? "s3cret", sessionToken: req.headers["x-amz-security-token"] as string | undefined }, now: new Date(`${String(req.headers["x-amz-date"]).replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z")}`) });
            if (resigned.authorization !== auth) {
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({ __type: "InvalidSignatureException" }));
                return;
            }
            if (req.headers["x-amz-target"] !== "TrentService.GetPublicKey") {
                res.writeHead(400).end(JSON.stringify({ __type: "UnknownOperationException" }));
                return;
            }
            res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify({
                KeyId: JSON.parse(body).KeyId, KeySpec: opts.keySpec ?? "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", SigningAlgorithms: ["ECDSA_SHA_256"],
                PublicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
            }));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const REF = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";

describe("KMS GetPublicKey", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let kms: Awaited<ReturnType<typeof fakeKms>>;
    before(async () => (kms = await fakeKms(publicKey)));
    after(() => kms.close());
    const env = (over: Record<string, string> = {}) => ({ AWS_ENDPOINT_URL_KMS: kms.url, AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_SESSION_TOKEN: "session", ...over });

    it("returns the key's public key, asked with a signed GetPublicKey for the key ARN", async () => {
        const key = await fetchKmsPublicKey(REF, { env: env() });
        assert.ok(key.equals(publicKey));
        const last = kms.seen.at(-1)!;
        assert.equal(last.target, "TrentService.GetPublicKey");
        assert.deepEqual(JSON.parse(last.body!), { KeyId: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051" });
        assert.match(last.auth!, /Credential=AKIATEST\/\d{8}\/eu-west-1\/kms\/aws4_request/);
    });
    it("fails closed without credentials, with the wrong secret, or for a key that is not ECC_NIST_P256", async () => {
        await assert.rejects(fetchKmsPublicKey(REF, { env: { AWS_ENDPOINT_URL_KMS: kms.url } }), /no AWS credentials/);
        await assert.rejects(fetchKmsPublicKey(REF, { env: env({ AWS_SECRET_ACCESS_KEY: "wrong" }) }), /400 InvalidSignatureException; failing closed/);
        const rsa = await fakeKms(publicKey, { keySpec: "RSA_2048" });
        try {
            await assert.rejects(fetchKmsPublicKey(REF, { env: { ...env(), AWS_ENDPOINT_URL_KMS: rsa.url } }), /RSA_2048 SIGN_VERIFY key; cosign keys must be ECC_NIST_P256/);
        } finally {
            await rsa.close();
        }
        await assert.rejects(fetchKmsPublicKey(REF, { env: env({ AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:9" }), timeoutMs: 2000 }), /unreachable/);
    });
});

describe("registry mode with the stack's KMS key (docker-registry + local KMS endpoint)", function () {
    this.timeout(60000);
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
    let registry: TestRegistry;
    let kms: Awaited<ReturnType<typeof fakeKms>>;
    const saved: Record<string, string | undefined> = {};
    const ENV = { AWS_ENDPOINT_URL_KMS: "", AWS_ACCESS_KEY_ID: "AKIATEST", AWS_SECRET_ACCESS_KEY: "s3cret", AWS_SESSION_TOKEN: "" };
    const images: Record<string, string> = {};

    async function pushSigned(repo: string, key: KeyObject) {
        const full = `platform-prod/${repo}`;
        const digest = (images[repo] = await registry.pushImage(full, "1.0", repo));
        const payload = simpleSigningPayload(`${registry.host}/${full}`, digest);
        await registry.pushCosignTag(full, digest, "sig", [await registry.pushBlob(full, payload, SIMPLE_SIGNING_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": sign("sha256", payload, key).toString("base64") })]);
        const env = dsseEnvelope(key, `${registry.host}/${full}`, digest, "https://cyclonedx.org/bom", { bomFormat: "CycloneDX", specVersion: "1.5", components: [] });
        await registry.pushCosignTag(full, digest, "att", [await registry.pushBlob(full, Buffer.from(JSON.stringify(env)), DSSE_MEDIA_TYPE, { "dev.cosignproject.cosign/signature": "", predicateType: "https://cyclonedx.org/bom" })]);
    }

    before(async () => {
        registry = await TestRegistry.start();
        kms = await fakeKms(signer.publicKey);
        for (const [k, v] of Object.entries({ ...ENV, AWS_ENDPOINT_URL_KMS: kms.url })) {
            saved[k] = process.env[k];
            if (v) process.env[k] = v;
            else delete process.env[k];
        }
        await pushSigned("signed", signer.privateKey);
        await pushSigned("stranger", stranger.privateKey);
    });
    after(async () => {
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
        registry?.stop();
        await kms?.close();
    });

    const judge = async (repo: string, kmsRef = REF) => {
        const cfg = parsePackConfig({ verificationMode: "registry", allowedRegistries: [registry.host], signedRegistries: [`${registry.host}/platform-prod`], cosignKmsKeys: [kmsRef], insecureRegistries: [registry.host], registryTimeoutSeconds: 5 });
        const pod = { urn: `pod::${repo}`, type: "kubernetes:core/v1:Pod", name: repo, props: { kind: "Pod", metadata: { name: repo, namespace: "apps" }, spec: { containers: [{ name: "app", image: `${registry.host}/platform-prod/${repo}@${images[repo]}` }] } } };
        return (await evaluatePackAsync([pod], cfg)).filter((v) => v.policy === "image-signature-and-sbom").map((v) => v.message);
    };

    it("an image signed and attested through the KMS key passes with only the KMS reference configured", async () => {
        assert.deepEqual(await judge("signed"), []);
    });
    it("an image signed by another key fails; an unreadable KMS key fails closed", async () => {
        const m = await judge("stranger");
        assert.equal(m.length, 2);
        assert.match(m.join("\n"), /not signed by a configured key/);
        assert.match((await judge("signed", "awskms:///0a1b2c3d-0000-4000-8000-00000000c052")).join("\n"), /signing keys could not be read: .*no region/);
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
