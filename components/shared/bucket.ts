/**
 * SecureBucket: an S3 bucket that cannot leak or silently lose data: KMS (SSE-KMS with a bucket
 * key), every public access path blocked, owner-enforced object ownership (no ACLs), versioning,
 * a TLS-only bucket policy, and lifecycle rules for current and noncurrent versions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement, policyDocument } from "./iam";

export interface SecureBucketArgs {
    /** Physical bucket name (globally unique): `<project>-<stack>-<purpose>-<account>` by convention. */
    bucketName: pulumi.Input<string>;
    /** KMS key encrypting every object. */
    kmsKeyArn: pulumi.Input<string>;
    /** Expire current objects after this many days; undefined keeps them (retention is the application's). */
    expireAfterDays?: number;
    /** Delete noncurrent versions after this many days. Defaults to 30: overwritten or deleted objects stay recoverable for a month. */
    noncurrentVersionDays?: number;
    /** Extra bucket policy statements (e.g. a replication role). */
    extraStatements?: PolicyStatement[];
    tags: Record<string, string>;
    /** Pulumi `protect` on the bucket. Defaults to true. */
    protect?: boolean;
}

export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    public readonly bucket: aws.s3.Bucket;
    /** The versioning resource: replication must wait for it. */
    public readonly versioning: aws.s3.BucketVersioning;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:storage:SecureBucket", name, {}, opts);
        const child = { parent: this };
        const bucket = (this.bucket = new aws.s3.Bucket(`${name}`, { bucket: args.bucketName, forceDestroy: false, tags: args.tags }, { parent: this, protect: args.protect ?? true }));
        new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        }, child);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.bucket,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }],
        }, child);
        this.versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: "Enabled" } }, child);
        const statements: PolicyStatement[] = [{
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": false } },
        }, ...(args.extraStatements ?? [])];
        new aws.s3.BucketPolicy(`${name}-policy`, { bucket: bucket.bucket, policy: policyDocument(statements) }, child);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.bucket,
            rules: [{
                id: "retention",
                status: "Enabled",
                filter: {},
                expiration: args.expireAfterDays ? { days: args.expireAfterDays } : undefined,
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? 30 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            }, {
                id: "expired-delete-markers",
                status: "Enabled",
                filter: {},
                expiration: { expiredObjectDeleteMarker: true },
            }],
        }, { parent: this, dependsOn: [this.versioning] });
        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }

    /** Read/write access to the objects (and the key) for a workload role. */
    public readWriteStatements(kmsKeyArn: pulumi.Input<string>): PolicyStatement[] {
        return bucketAccessStatements(this.arn, kmsKeyArn, true);
    }
}

/** Access to one bucket's objects and its KMS key, read-only or read/write (multipart uploads included). */
export function bucketAccessStatements(bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, write: boolean): PolicyStatement[] {
    return [
        { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
        { Effect: "Allow", Action: write ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] : ["s3:GetObject"], Resource: pulumi.interpolate`${bucketArn}/*` },
        { Effect: "Allow", Action: write ? ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"] : ["kms:Decrypt", "kms:DescribeKey"], Resource: kmsKeyArn },
    ];
}
