/**
 * Cosign keys held in AWS KMS (`awskms://[endpoint]/<key id | alias/name | key ARN | alias ARN>`,
 * cosign's own syntax): the public key is fetched once per process with KMS GetPublicKey, signed
 * with AWS Signature Version 4 from the credentials in the environment (what
 * aws-actions/configure-aws-credentials and `pulumi up` in CI provide). The key must be an
 * ECC_NIST_P256 SIGN_VERIFY key. Any failure fails closed with a message naming the key.
 */
import { createHash, createHmac, createPublicKey, KeyObject } from "node:crypto";

export class KmsKeyError extends Error {}

export interface AwsCredentials { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

export interface KmsRef { keyId: string; region: string; endpoint: string }

const hex = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** Parses a cosign `awskms://` reference; the region comes from the ARN, the endpoint host, or AWS_REGION. */
export function parseKmsRef(ref: string, env: NodeJS.ProcessEnv = process.env): KmsRef {
    const m = /^awskms:\/\/([^/]*)\/(.+)$/.exec(ref);
    if (!m) throw new KmsKeyError(`${ref} is not a cosign AWS KMS reference (awskms:///<key ARN, alias ARN, key id or alias/name>)`);
    const [, host, keyId] = m;
    const arnRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/.exec(keyId)?.[1];
    const hostRegion = /^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$/.exec(host)?.[1];
    const region = arnRegion ?? hostRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new KmsKeyError(`${ref}: no region (use a key or alias ARN, or set AWS_REGION)`);
    const override = env.AWS_ENDPOINT_URL_KMS ?? env.AWS_ENDPOINT_URL;
    const endpoint = override ?? (host ? `https://${host}` : `https://kms.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`);
    return { keyId, region, endpoint: endpoint.replace(/\/+$/, "") };
}

/** The environment's AWS credentials (static or session), or undefined. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): AwsCredentials | undefined {
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
    return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

export interface SignInput {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body: string;
    region: string;
    service: string;
    credentials: AwsCredentials;
    now: Date;
}

/** AWS Signature Version 4: returns the headers to send (x-amz-date, security token, authorization added). */
export function signV4(input: SignInput): Record<string, string> {
    const amzDate = input.now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...input.headers, host: input.url.host, "x-amz-date": amzDate };
    if (input.credentials.sessionToken) headers["x-amz-security-token"] = input.credentials.sessionToken;
    const names = Object.keys(headers).map((h) => h.toLowerCase()).sort();
    const value = (name: string) => String(Object.entries(headers).find(([k]) => k.toLowerCase() === name)![1]).trim().replace(/\s+/g, " ");
    const signedHeaders = names.join(";");
    const query = [...input.url.searchParams.entries()].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join("&");
    const canonical = [input.method, input.url.pathname || "/", query, ...names.map((n) => `${n}:${value(n)}`), "", signedHeaders, hex(input.body)].join("\n");
    const scope = `${date}/${input.region}/${input.service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, date), input.region), input.service), "aws4_request");
    const signature = createHmac("sha256", key).update(toSign).digest("hex");
    return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
}

/** KMS GetPublicKey for a cosign reference; the key must be an ECDSA P-256 signing key. */
export async function fetchKmsPublicKey(ref: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; now?: Date } = {}): Promise<KeyObject> {
    const env = opts.env ?? process.env;
    const k = parseKmsRef(ref, env);
    const credentials = credentialsFromEnv(env);
    if (!credentials) throw new KmsKeyError(`${ref}: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY[, AWS_SESSION_TOKEN]) to read the public key; failing closed`);
    const url = new URL(`${k.endpoint}/`);
    const body = JSON.stringify({ KeyId: k.keyId });
    const headers = signV4({ method: "POST", url, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "TrentService.GetPublicKey" }, body, region: k.region, service: "kms", credentials, now: opts.now ?? new Date() });
    let res: Response;
    try {
        res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10000) });
    } catch (e) {
        throw new KmsKeyError(`${ref}: KMS at ${k.endpoint} is unreachable (${(e as Error).message}); failing closed`);
    }
    const text = await res.text();
    if (!res.ok) {
        let type = "";
        try { type = String((JSON.parse(text) as { __type?: string }).__type ?? "").split("#").pop() ?? ""; } catch { /* not JSON */ }
        throw new KmsKeyError(`${ref}: KMS GetPublicKey answered ${res.status}${type ? ` ${type}` : ""}; failing closed`);
    }
    const out = JSON.parse(text) as { PublicKey?: string; KeySpec?: string; KeyUsage?: string };
    if (out.KeyUsage !== "SIGN_VERIFY" || out.KeySpec !== "ECC_NIST_P256") throw new KmsKeyError(`${ref}: is a ${out.KeySpec ?? "?"} ${out.KeyUsage ?? "?"} key; cosign keys must be ECC_NIST_P256 SIGN_VERIFY`);
    if (!out.PublicKey) throw new KmsKeyError(`${ref}: KMS returned no public key`);
    return createPublicKey({ key: Buffer.from(out.PublicKey, "base64"), format: "der", type: "spki" });
}
