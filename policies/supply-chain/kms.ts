/**
 * Cosign keys held in AWS KMS (`awskms://[endpoint]/<key id | alias/name | key ARN | alias ARN>`,
 * cosign's own syntax): the public key is fetched once per process with KMS GetPublicKey through
 * the AWS SDK v3 client (./aws.ts: default credential chain, retries, endpoint overrides). The key
 * must be an ECC_NIST_P256 SIGN_VERIFY key, and a reference that names a key (ARN or id) must get
 * that key back: the `KeyId` KMS returns is compared with it. Any failure fails closed with a
 * message naming the key.
 */
import { createPublicKey, KeyObject } from "node:crypto";
import { describeAwsError, kmsClient } from "./aws";

export class KmsKeyError extends Error {}

export interface KmsRef {
    keyId: string;
    /** From the ARN, the endpoint host, or AWS_REGION / AWS_DEFAULT_REGION; otherwise the SDK's (the profile's region). */
    region?: string;
    /** `https://<host>` when the reference names an endpoint host; otherwise the SDK picks it (AWS_ENDPOINT_URL_KMS applies). */
    endpoint?: string;
}

/** Parses a cosign `awskms://` reference. */
export function parseKmsRef(ref: string, env: NodeJS.ProcessEnv = process.env): KmsRef {
    const m = /^awskms:\/\/([^/]*)\/(.+)$/.exec(ref);
    if (!m) throw new KmsKeyError(`${ref} is not a cosign AWS KMS reference (awskms:///<key ARN, alias ARN, key id or alias/name>)`);
    const [, host, keyId] = m;
    const arnRegion = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/.exec(keyId)?.[1];
    const hostRegion = /^kms(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$/.exec(host)?.[1];
    const region = arnRegion ?? hostRegion ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
    return { keyId, ...(region ? { region } : {}), ...(host ? { endpoint: `https://${host}` } : {}) };
}

/** KMS GetPublicKey for a cosign reference; the key must be an ECDSA P-256 signing key. */
export async function fetchKmsPublicKey(ref: string, opts: { timeoutMs?: number } = {}): Promise<KeyObject> {
    const k = parseKmsRef(ref);
    let out: { KeyId?: string; PublicKey?: Uint8Array; KeySpec?: string; KeyUsage?: string };
    try {
        const client = await kmsClient({ region: k.region, endpoint: k.endpoint, timeoutMs: opts.timeoutMs ?? 10000 });
        const { GetPublicKeyCommand } = await import("@aws-sdk/client-kms");
        out = await client.send(new GetPublicKeyCommand({ KeyId: k.keyId }));
    } catch (e) {
        const why = /region is missing/i.test((e as Error).message) ? "no region (use a key ARN, or set AWS_REGION or the profile's region)" : `KMS GetPublicKey failed: ${describeAwsError(e)}`;
        throw new KmsKeyError(`${ref}: ${why}; failing closed`);
    }
    if (out.KeyUsage !== "SIGN_VERIFY" || out.KeySpec !== "ECC_NIST_P256") throw new KmsKeyError(`${ref}: is a ${out.KeySpec ?? "?"} ${out.KeyUsage ?? "?"} key; cosign keys must be ECC_NIST_P256 SIGN_VERIFY`);
    if (!out.PublicKey) throw new KmsKeyError(`${ref}: KMS returned no public key`);
    // KMS answers with the key's ARN; a key named by ARN or id must be the one answered for.
    const named = /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?((?:mrk-)?[0-9a-f-]{32,36})$/.exec(k.keyId)?.[1];
    if (named && out.KeyId !== k.keyId && !out.KeyId?.endsWith(`:key/${named}`)) throw new KmsKeyError(`${ref}: KMS answered for ${out.KeyId ?? "no key id"}, not the configured key; failing closed`);
    return createPublicKey({ key: Buffer.from(out.PublicKey), format: "der", type: "spki" });
}
