/**
 * Cases the mutation run found unjudged in policies/aws/storage.ts (s3-baseline and
 * backup-vault-baseline): every inline rule must comply, not one of them; a bucket's own inline
 * policy is judged for the TLS deny; a bucket policy without a bucket name of its own is judged
 * through its bucket; vault locks are judged in prod only, with the compliance-mode bounds exactly.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import type { PolicyResource } from "../../policies/lib/types";

const prod = parsePackConfig({ environment: "prod" });
const dev = parsePackConfig({ environment: "dev" });
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
let n = 0;
const res = (type: string, props: Record<string, any>): PolicyResource => ({ urn: `urn:${type}::s${++n}`, type, name: `s${n}`, props, protect: true });
const messages = (rs: PolicyResource[], policy: string, cfg = prod) => evaluatePack(rs, cfg).filter((v) => v.policy === policy).map((v) => v.message);

const TLS_DENY = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
const KMS_RULE = { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } };
const PAB = () => res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { bucket: "b1", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
/** A BucketV2 with its settings inline (encryption, versioning, policy) and a separate public access block. */
const inline = (over: Record<string, unknown>) => [res("aws:s3/bucketV2:BucketV2", { bucket: "b1", serverSideEncryptionConfigurations: [{ rules: [KMS_RULE] }], versionings: [{ enabled: true }], policy: TLS_DENY, ...over }), PAB()];
const s3 = (rs: PolicyResource[]) => messages(rs, "s3-baseline");

describe("mutation-found cases: s3-baseline", () => {
    it("a compliant bucket with inline settings passes", () => {
        assert.deepEqual(s3(inline({})), []);
    });

    it("every inline encryption rule must be KMS with a customer key: one AES256 rule beside a KMS rule fails", () => {
        const rules = [KMS_RULE, { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
        assert.deepEqual(s3(inline({ serverSideEncryptionConfigurations: [{ rules }] })), ["S3 bucket b1 must be encrypted with a customer-managed KMS key (sseAlgorithm aws:kms and kmsMasterKeyId a key or alias ARN outside alias/aws/) [S3.17]: its inline encryption rules are not."]);
        assert.deepEqual(s3(inline({ serverSideEncryptionConfigurations: [{ rules: [{}] }] })).length, 1, "a rule without a default is not KMS");
    });

    it("every inline versioning entry must be enabled: a disabled or empty entry beside an enabled one fails", () => {
        const expected = ["S3 bucket b1 must have versioning enabled so overwritten and deleted objects stay recoverable [S3.14]: its inline versioning is not enabled."];
        assert.deepEqual(s3(inline({ versionings: [{ enabled: true }, { enabled: false }] })), expected);
        assert.deepEqual(s3(inline({ versionings: [{ enabled: true }, null] })), expected);
    });

    it("a bucket's own inline policy must deny requests without TLS", () => {
        const allow = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b1/*" }] });
        assert.deepEqual(s3(inline({ policy: allow })), ["S3 bucket b1 must have a bucket policy that denies every request without TLS (Deny, every principal, s3:*, the bucket and its objects, only the condition Bool aws:SecureTransport false) [S3.5]: its inline policy does not."]);
        assert.deepEqual(s3(inline({ policy: "" })), ["S3 bucket b1 must have a bucket policy that denies every request without TLS (Deny, every principal, s3:*, the bucket and its objects, only the condition Bool aws:SecureTransport false) [S3.5]; it has none."], '"" is no policy');
    });

    it("a bucket policy whose bucket is not a name is not judged on its own (its bucket is, through the links)", () => {
        const policy = res("aws:s3/bucketPolicy:BucketPolicy", { bucket: 42, policy: JSON.stringify({ Statement: [] }) });
        assert.deepEqual(s3([...inline({}), policy]), []);
    });
});

describe("mutation-found cases: backup-vault-baseline", () => {
    const vault = () => res("aws:backup/vault:Vault", { name: "v", kmsKeyArn: KEY });
    const lock = (changeableForDays: unknown) => res("aws:backup/vaultLockConfiguration:VaultLockConfiguration", { backupVaultName: "v", minRetentionDays: 7, maxRetentionDays: 3650, changeableForDays });
    const vaults = (rs: PolicyResource[], cfg = prod) => messages(rs, "backup-vault-baseline", cfg);

    it("compliance mode is changeableForDays an integer from 3 to 36500, and the message names the lock and its vault", () => {
        for (const days of [3, 36500, "3"]) assert.deepEqual(vaults([vault(), lock(days)]), [], String(days));
        for (const days of [2, 3.5, 36501, Number.NaN]) {
            const l = lock(days);
            assert.deepEqual(vaults([vault(), l]), [`Backup vault lock ${l.name} (vault v) must be compliance mode: set changeableForDays (3 or more); without it the lock is governance mode, which an administrator can remove.`], String(days));
        }
    });

    it("outside prod a governance-mode lock (or none) is not a finding", () => {
        assert.deepEqual(vaults([vault(), lock(undefined)], dev), []);
        assert.deepEqual(vaults([vault()], dev), []);
    });
});
