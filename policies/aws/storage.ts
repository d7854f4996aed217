/**
 * Storage baseline: S3 buckets (both the current `aws:s3/bucket:Bucket` and the older
 * `aws:s3/bucketV2:BucketV2` tokens, with their settings either inline or as the separate
 * resources, also under both tokens) and AWS Backup vaults. Bucket settings live in other
 * resources, so these are stack policies that correlate them by bucket name.
 */
import { isKmsArn } from "../lib/resources";
import type { PolicyResource, StackPolicy } from "../lib/types";

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE = ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const PAB = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function kmsRule(rule: any): boolean {
    const d = rule?.applyServerSideEncryptionByDefault ?? arr(rule?.applyServerSideEncryptionByDefaults)[0];
    return (d?.sseAlgorithm === "aws:kms" || d?.sseAlgorithm === "aws:kms:dsse") && isKmsArn(d?.kmsMasterKeyId);
}

/** True when a bucket policy document denies any request without TLS. */
export function deniesInsecureTransport(policy: unknown): boolean {
    let doc: any = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return false;
        }
    }
    return arr(doc?.Statement).some((s: any) => {
        const value = s?.Condition?.Bool?.["aws:SecureTransport"];
        return s?.Effect === "Deny" && (s.Principal === "*" || s.Principal?.AWS === "*") && arr(s.Action).some((a: string) => a === "s3:*" || a === "*") && (value === false || value === "false");
    });
}

export const s3Baseline: StackPolicy = {
    name: "s3-baseline",
    description: "Checks whether every S3 bucket is encrypted with a KMS key [S3.17], blocks all public access at bucket level [S3.8], has versioning enabled [S3.14] and a bucket policy denying requests without TLS [S3.5]; handles the Bucket and BucketV2 type tokens.",
    enforcementLevel: "mandatory",
    config: ["environment"],
    validateStack(resources, cfg) {
        const of = (types: string[]) => resources.filter((r) => types.includes(r.type));
        const byBucket = (types: string[], name: string) => of(types).filter((r) => r.props.bucket === name);
        const out: { resource: PolicyResource; message: string }[] = [];
        for (const b of of(BUCKETS)) {
            const name = b.props.bucket;
            // A bucket without a known name (auto-named, unknown at preview) cannot be correlated; its own inline settings still count.
            const at = (msg: string) => out.push({ resource: b, message: `S3 bucket ${name ?? b.name} ${msg}` });
            const inlineSse = arr(b.props.serverSideEncryptionConfiguration ?? b.props.serverSideEncryptionConfigurations).flatMap((c: any) => arr(c?.rule ?? c?.rules));
            const sse = [...inlineSse, ...(name ? byBucket(SSE, name).flatMap((r) => arr(r.props.rules ?? r.props.rule)) : [])];
            if (!sse.some(kmsRule)) at("must be encrypted with a KMS key (sseAlgorithm aws:kms and kmsMasterKeyId) [S3.17].");
            const pab = name ? byBucket(PAB, name)[0] : undefined;
            if (!pab || !["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => pab.props[k] === true)) {
                at("must have a public access block with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true [S3.8].");
            }
            const inlineVersioning = arr(b.props.versioning ?? b.props.versionings).some((v: any) => v?.enabled === true);
            const versioned = inlineVersioning || (name ? byBucket(VERSIONING, name).some((r) => r.props.versioningConfiguration?.status === "Enabled") : false);
            if (!versioned) at("must have versioning enabled so overwritten and deleted objects stay recoverable [S3.14].");
            const tls = (name ? byBucket(POLICY, name) : []).some((p) => deniesInsecureTransport(p.props.policy)) || deniesInsecureTransport(b.props.policy);
            if (!tls) at("must have a bucket policy that denies requests without TLS (aws:SecureTransport false) [S3.5].");
            if (cfg.environment === "prod" && b.protect === false) at("in prod must be protected with the Pulumi protect option.");
        }
        return out;
    },
};

export const backupVaultBaseline: StackPolicy = {
    name: "backup-vault-baseline",
    description: "Checks whether every AWS Backup vault encrypts recovery points with a KMS key [Backup.1] and, in prod, is locked in compliance mode (a vault lock with changeableForDays) so recovery points cannot be deleted early.",
    enforcementLevel: "mandatory",
    config: ["environment"],
    validateStack(resources, cfg) {
        const locks = resources.filter((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
        const out: { resource: PolicyResource; message: string }[] = [];
        for (const v of resources.filter((r) => r.type === "aws:backup/vault:Vault")) {
            const name = v.props.name ?? v.name;
            if (!isKmsArn(v.props.kmsKeyArn)) out.push({ resource: v, message: `Backup vault ${name} must encrypt recovery points with a KMS key (kmsKeyArn) [Backup.1].` });
            if (cfg.environment === "prod") {
                const lock = locks.find((l) => l.props.backupVaultName === v.props.name);
                if (!lock) out.push({ resource: v, message: `Backup vault ${name} in prod must have a vault lock (aws.backup.VaultLockConfiguration).` });
                else if (lock.props.changeableForDays === undefined) out.push({ resource: v, message: `Backup vault ${name} in prod must be locked in compliance mode (set changeableForDays); governance mode can be removed by an administrator.` });
            }
            if (cfg.environment === "prod" && v.protect === false) out.push({ resource: v, message: `Backup vault ${name} in prod must be protected with the Pulumi protect option.` });
        }
        return out;
    },
};
