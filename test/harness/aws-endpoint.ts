/**
 * A local AWS endpoint on 127.0.0.1 speaking the AWS JSON 1.1 protocol (KMS, ECR) for the calls a
 * test registers, as a real service would see them: it checks each request's Signature Version 4
 * against the secret of the access key it names (recomputed with @smithy/signature-v4 over the
 * headers the request says it signed) and answers UnrecognizedClientException /
 * InvalidSignatureException first, then dispatches on `X-Amz-Target`. Every request is recorded.
 * Point the SDK at it with AWS_ENDPOINT_URL_KMS / AWS_ENDPOINT_URL_ECR.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac, Hash, Hmac } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";

export interface SeenRequest { target: string; accessKeyId: string; region: string; service: string; sessionToken?: string; body: any }
export type Handler = (body: any, req: SeenRequest) => { status?: number; body: unknown };

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array => (typeof d === "string" ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

/** The checksum constructor SignatureV4 asks for (sha256, HMAC when given a secret), on node:crypto. */
class Sha256 {
    private readonly h: Hash | Hmac;
    constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
        this.h = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
    }
    update(data: string | ArrayBuffer | ArrayBufferView): void {
        this.h.update(bytes(data));
    }
    async digest(): Promise<Uint8Array> {
        return this.h.digest();
    }
}

const json = (res: http.ServerResponse, status: number, body: unknown): void => void res.writeHead(status, { "content-type": "application/x-amz-json-1.1" }).end(JSON.stringify(body));

export class LocalAwsEndpoint {
    readonly seen: SeenRequest[] = [];
    private readonly handlers = new Map<string, Handler>();

    private constructor(private readonly server: http.Server, readonly url: string, private readonly secrets: Record<string, string>) {}

    /** Starts the endpoint; `secrets` maps the access key ids it knows to their secret keys. */
    static async start(secrets: Record<string, string>): Promise<LocalAwsEndpoint> {
        const server = http.createServer();
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const self = new LocalAwsEndpoint(server, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, secrets);
        server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => void self.handle(req, Buffer.concat(chunks).toString("utf8"), res));
        });
        return self;
    }

    /** Answers `X-Amz-Target: <target>` (e.g. TrentService.GetPublicKey) with the handler. */
    on(target: string, handler: Handler): this {
        this.handlers.set(target, handler);
        return this;
    }

    close(): Promise<void> {
        return new Promise((r) => this.server.close(() => r()));
    }

    private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
        const auth = String(req.headers.authorization ?? "");
        const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
        if (!m) return json(res, 400, { __type: "IncompleteSignatureException", message: "no SigV4 authorization" });
        const [, accessKeyId, , region, service, signedHeaders] = m;
        const secret = this.secrets[accessKeyId];
        if (!secret) return json(res, 400, { __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." });
        const sessionToken = req.headers["x-amz-security-token"] as string | undefined;
        const headers = Object.fromEntries(signedHeaders.split(";").map((h) => [h, String(req.headers[h] ?? "")]));
        const [host, port] = String(req.headers.host).split(":");
        const amzDate = String(req.headers["x-amz-date"]);
        const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
        // applyChecksum off: only the headers the request signed are signed again (no x-amz-content-sha256 added).
        const signer = new SignatureV4({ service, region, credentials: { accessKeyId, secretAccessKey: secret, sessionToken }, sha256: Sha256, applyChecksum: false });
        const signed = await signer.sign({ method: req.method!, protocol: "http:", hostname: host, port: Number(port), path: req.url!, query: {}, headers, body }, { signingDate });
        if (signed.headers.authorization !== auth) return json(res, 400, { __type: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided." });
        const target = String(req.headers["x-amz-target"] ?? "");
        const seen: SeenRequest = { target, accessKeyId, region, service, ...(sessionToken ? { sessionToken } : {}), body: body ? JSON.parse(body) : {} };
        this.seen.push(seen);
        const handler = this.handlers.get(target);
        if (!handler) return json(res, 400, { __type: "UnknownOperationException", message: target });
        const out = handler(seen.body, seen);
        json(res, out.status ?? 200, out.body);
    }
}

/** A temporary shared credentials and config file with one profile (what `aws configure --profile` writes). */
export function profileFiles(dir: string, profile: string, creds: { accessKeyId: string; secretAccessKey: string }, region = "eu-west-1"): Record<string, string> {
    const credentials = `${dir}/credentials`;
    const config = `${dir}/config`;
    fs.writeFileSync(credentials, `[${profile}]\naws_access_key_id = ${creds.accessKeyId}\naws_secret_access_key = ${creds.secretAccessKey}\n`);
    fs.writeFileSync(config, `[profile ${profile}]\nregion = ${region}\n`);
    return { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: config, AWS_PROFILE: profile };
}

/** The AWS variables the default credential chain reads; tests clear them all before setting their own. */
export const AWS_ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_STS", "AWS_EC2_METADATA_DISABLED", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"];

/**
 * Shared config and credentials files that do not exist: without them the default chain reads the
 * user's own `~/.aws/credentials` and `~/.aws/config`, and on a laptop with a `[default]` profile a
 * test meant to have no credential would sign with the engineer's.
 */
export const NO_AWS_FILES = { AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws/credentials", AWS_CONFIG_FILE: "/nonexistent/aws/config" };

/**
 * Replaces the process's AWS environment with `vars` (IMDS off, so a missing credential fails at
 * once instead of probing 169.254.169.254; no shared files unless `vars` names them, so the user's
 * own ~/.aws never answers) and returns a function restoring it.
 */
export function withAwsEnv(vars: Record<string, string>): () => void {
    const saved = Object.fromEntries(AWS_ENV.map((k) => [k, process.env[k]]));
    for (const k of AWS_ENV) delete process.env[k];
    Object.assign(process.env, { AWS_EC2_METADATA_DISABLED: "true", ...NO_AWS_FILES, ...vars });
    return () => {
        for (const k of AWS_ENV) delete process.env[k];
        for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
    };
}

/**
 * Mocha hooks for a describe block that mocks the pack's AWS clients: before each test the pack's
 * cached clients and ECR tokens are dropped (`resets`) and mock credentials set; after it, both are
 * undone. `env(vars)` replaces the environment within a test (the mock credentials plus `vars`).
 */
export function isolatedAwsClients(resets: Array<() => void>): { env(vars: Record<string, string>): void } {
    const MOCK = { AWS_ACCESS_KEY_ID: "AKIAMOCK", AWS_SECRET_ACCESS_KEY: "mock" };
    let restore: () => void = () => undefined;
    beforeEach(() => {
        for (const reset of resets) reset();
        restore = withAwsEnv(MOCK);
    });
    afterEach(() => {
        restore();
        for (const reset of resets) reset();
    });
    return {
        env(vars) {
            restore();
            restore = withAwsEnv({ ...MOCK, ...vars });
        },
    };
}
