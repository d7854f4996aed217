/**
 * Storage baseline: S3 buckets (both the current `aws:s3/bucket:Bucket` and the older
 * `aws:s3/bucketV2:BucketV2` tokens, with their settings either inline or as the separate
 * resources, also under both tokens) and AWS Backup vaults. Bucket settings live in other
 * resources, so these are stack policies that tie each setting to its bucket (lib/links.ts: by
 * name, or by the property dependency while the name is unknown), indexed once per stack.
 *
 * S3 keeps one configuration of each kind per bucket: a second encryption configuration, public
 * access block, versioning or bucket policy on the same bucket overwrites the first, in an order
 * nobody controls. So every such setting is judged on its own (each must comply), and each bucket
 * must have at least one of each kind.
 */
import { awsNumber, isAwsTrue, isCustomerKmsKey } from "../lib/aws-values";
import { judgeSubject, Verdict } from "../lib/judge";
import { Links } from "../lib/links";
import { deniesInsecureTransport } from "../lib/tls-deny";
import { quietly } from "../lib/unknown";
import type { PolicyResource, StackFinding, StackPolicy } from "../lib/types";

export { deniesInsecureTransport };

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const SSE = ["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"];
const VERSIONING = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const PAB = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const POLICY = ["aws:s3/bucketPolicy:BucketPolicy"];
const BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function kmsRule(rule: any): boolean {
    const d = rule?.applyServerSideEncryptionByDefault ?? arr(rule?.applyServerSideEncryptionByDefaults)[0];
    // Past the algorithm test `d` is an object, so the key is read without an optional chain.
    return (d?.sseAlgorithm === "aws:kms" || d?.sseAlgorithm === "aws:kms:dsse") && isCustomerKmsKey(d.kmsMasterKeyId);
}

const sseRules = (r: PolicyResource) => arr(r.props.rules ?? r.props.rule);
const inlineSse = (b: PolicyResource) => arr(b.props.serverSideEncryptionConfiguration ?? b.props.serverSideEncryptionConfigurations).flatMap((c: any) => arr(c?.rule ?? c?.rules));
const inlineVersioning = (b: PolicyResource) => arr(b.props.versioning ?? b.props.versionings);

const KMS = "encrypted with a customer-managed KMS key (sseAlgorithm aws:kms and kmsMasterKeyId a key or alias ARN outside alias/aws/) [S3.17]";
const BLOCKED = "block all public access (blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true) [S3.8]";
const VERSIONED = "have versioning enabled so overwritten and deleted objects stay recoverable [S3.14]";
const TLS = "have a bucket policy that denies every request without TLS (Deny, every principal, s3:*, the bucket and its objects, only the condition Bool aws:SecureTransport false) [S3.5]";

/** The name a setting gives for its bucket, for messages. */
const targetOf = (r: PolicyResource) => quietly(() => (typeof r.props.bucket === "string" ? r.props.bucket : "(its bucket)"));

/** Each setting judged on its own: a second configuration of the same kind replaces the first, so every one must comply. */
function settingProblems(r: PolicyResource): Verdict[] {
    const on = `${r.name} (bucket ${targetOf(r)})`;
    if (SSE.includes(r.type)) {
        const rules = sseRules(r);
        return rules.length > 0 && rules.every(kmsRule) ? [] : [`S3 encryption configuration ${on} must have every rule ${KMS}.`];
    }
    if (PAB.includes(r.type)) return BLOCKS.every((k) => isAwsTrue(r.props[k])) ? [] : [`S3 public access block ${on} must ${BLOCKED}; S3 keeps one block per bucket, so a permissive one opens it.`];
    // VERSIONING: the only other type validateStack passes.
    return r.props.versioningConfiguration?.status === "Enabled" ? [] : [`S3 versioning ${on} must set status Enabled [S3.14]; S3 keeps one versioning state per bucket.`];
}

export const s3Baseline: StackPolicy = {
    name: "s3-baseline",
    description: "Checks whether every S3 bucket is encrypted with a customer-managed KMS key [S3.17], blocks all public access at bucket level [S3.8], has versioning enabled [S3.14] and a bucket policy denying requests without TLS [S3.5]; every encryption configuration, public access block, versioning and bucket policy in the stack must comply (S3 keeps one of each per bucket); handles the Bucket and BucketV2 type tokens.",
    enforcementLevel: "mandatory",
    config: ["environment"],
    validateStack(resources, cfg) {
        const of = (types: string[]) => resources.filter((r) => types.includes(r.type));
        const buckets = of(BUCKETS);
        const bucketName = (b: PolicyResource) => b.props.bucket;
        const link = (types: string[]) => new Links(buckets, bucketName, of(types), "bucket");
        const [sse, pab, versioning, policies] = [link(SSE), link(PAB), link(VERSIONING), link(POLICY)];
        const out: StackFinding[] = [];
        for (const s of of([...SSE, ...PAB, ...VERSIONING])) out.push(...judgeSubject(s, () => settingProblems(s)));
        for (const p of of(POLICY)) {
            // A bucket policy must deny insecure transport for the bucket it is attached to.
            out.push(...judgeSubject(p, (): Verdict[] => {
                const bucket = p.props.bucket;
                if (typeof bucket !== "string") return [];
                return deniesInsecureTransport(p.props.policy, bucket) ? [] : [`S3 bucket policy ${p.name} (bucket ${bucket}) must deny every request without TLS for that bucket and its objects; S3 keeps one policy per bucket, so it replaces any other [S3.5].`];
            }));
        }
        for (const b of buckets) {
            const label = quietly(() => String(typeof b.props.bucket === "string" ? b.props.bucket : b.name));
            const need = (links: Links, inline: boolean, what: string): Verdict[] => {
                if (inline) return [];
                const { linked, floating } = links.of(b);
                if (linked.length) return [];
                const message = `S3 bucket ${label} must ${what}; it has none.`;
                return [floating.length ? { message, undecided: floating } : message];
            };
            out.push(...judgeSubject(b, (): Verdict[] => {
                const problems: Verdict[] = [];
                const inSse = inlineSse(b);
                if (inSse.length && !inSse.every(kmsRule)) problems.push(`S3 bucket ${label} must be ${KMS}: its inline encryption rules are not.`);
                problems.push(...need(sse, inSse.length > 0, `be ${KMS}`));
                problems.push(...need(pab, false, BLOCKED));
                const inVersioning = inlineVersioning(b);
                if (inVersioning.length && !inVersioning.every((v: any) => isAwsTrue(v?.enabled))) problems.push(`S3 bucket ${label} must ${VERSIONED}: its inline versioning is not enabled.`);
                problems.push(...need(versioning, inVersioning.length > 0, VERSIONED));
                // A bucket's own `policy` (BucketV2 inline, or the live policy in a stack export's outputs); "" is none.
                const inlinePolicy = b.props.policy === "" ? undefined : b.props.policy;
                if (inlinePolicy !== undefined && inlinePolicy !== null) {
                    const name = b.props.bucket;
                    if (typeof name !== "string" || !deniesInsecureTransport(inlinePolicy, name)) problems.push(`S3 bucket ${label} must ${TLS}: its inline policy does not.`);
                }
                problems.push(...need(policies, inlinePolicy !== undefined && inlinePolicy !== null, TLS));
                if (cfg.environment === "prod" && b.protect === false) problems.push(`S3 bucket ${label} in prod must be protected with the Pulumi protect option.`);
                return problems;
            }));
        }
        return out;
    },
};

/** AWS Backup vault lock in compliance mode: changeableForDays set (3 to 36500 days; AWS refuses fewer than 3). */
function complianceMode(lock: PolicyResource): boolean {
    const days = awsNumber(lock.props.changeableForDays) as number; // undefined and NaN are not integers
    return Number.isInteger(days) && days >= 3 && days <= 36500;
}

export const backupVaultBaseline: StackPolicy = {
    name: "backup-vault-baseline",
    description: "Checks whether every AWS Backup vault encrypts recovery points with a customer-managed KMS key [Backup.1] and, in prod, is locked in compliance mode (every vault lock sets changeableForDays, 3 or more; without it the lock is governance mode) so recovery points cannot be deleted early.",
    enforcementLevel: "mandatory",
    config: ["environment"],
    validateStack(resources, cfg) {
        const vaults = resources.filter((r) => r.type === "aws:backup/vault:Vault");
        const locks = resources.filter((r) => r.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
        const links = new Links(vaults, (v) => v.props.name, locks, "backupVaultName");
        const out: StackFinding[] = [];
        if (cfg.environment === "prod") {
            // A vault has one lock configuration; a second one replaces the first, so each must be compliance mode.
            for (const l of locks) out.push(...judgeSubject(l, () => (complianceMode(l) ? [] : [`Backup vault lock ${l.name} (vault ${quietly(() => String(l.props.backupVaultName))}) must be compliance mode: set changeableForDays (3 or more); without it the lock is governance mode, which an administrator can remove.`])));
        }
        for (const v of vaults) {
            const name = quietly(() => String(v.props.name ?? v.name));
            out.push(...judgeSubject(v, (): Verdict[] => {
                const problems: Verdict[] = [];
                if (!isCustomerKmsKey(v.props.kmsKeyArn)) problems.push(`Backup vault ${name} must encrypt recovery points with a customer-managed KMS key (kmsKeyArn) [Backup.1].`);
                if (cfg.environment === "prod") {
                    const { linked, floating } = links.of(v);
                    if (linked.length === 0) {
                        const message = `Backup vault ${name} in prod must have a vault lock in compliance mode (aws.backup.VaultLockConfiguration with changeableForDays).`;
                        problems.push(floating.length ? { message, undecided: floating } : message);
                    }
                    if (v.protect === false) problems.push(`Backup vault ${name} in prod must be protected with the Pulumi protect option.`);
                }
                return problems;
            }));
        }
        return out;
    },
};
