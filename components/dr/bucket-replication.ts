/**
 * BucketReplication: a bucket in the DR region (its own DR-region KMS key, versioned, private,
 * TLS-only) and the replication of a source bucket into it: KMS-encrypted objects re-encrypted with
 * the DR key, Replication Time Control (15-minute SLA) when asked. Delete markers are by default
 * NOT replicated: a deletion in the primary (an operator mistake, ransomware, or the application's
 * own retention) never removes the DR copy, which expires by its own lifecycle instead (a state
 * bucket replicates them, so that released locks are released in the copy; versions stay).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../shared/bucket";
import { platformRole, policyDocument, RoleGuardrails, serviceTrustPolicy } from "../shared/iam";

export interface BucketReplicationArgs {
    source: SecureBucket;
    /** KMS key of the source objects (replication decrypts with it). */
    sourceKmsKeyArn: pulumi.Input<string>;
    /** Physical name of the DR bucket. */
    destinationBucketName: pulumi.Input<string>;
    /** DR-region KMS key for the replicas. */
    destinationKmsKeyArn: pulumi.Input<string>;
    /** The DR region's provider. */
    drProvider: aws.Provider;
    /** Days the DR copies are kept (the source's retention). Undefined keeps them. */
    expireAfterDays?: number;
    /** S3 Replication Time Control. */
    replicationTimeControl: boolean;
    /** Replicate delete markers too (a state bucket's released locks). Defaults to false: a deletion never reaches the copy. */
    replicateDeletes?: boolean;
    /** Days noncurrent versions of the copy are kept. Defaults to SecureBucket's 30. */
    noncurrentVersionDays?: number;
    tags: Record<string, string>;
    /** Path and permissions boundary of the replication role. */
    roles: RoleGuardrails;
    protect: boolean;
}

export class BucketReplication extends pulumi.ComponentResource {
    public readonly destination: SecureBucket;

    constructor(name: string, args: BucketReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dr:BucketReplication", name, {}, opts);
        this.destination = new SecureBucket(`${name}-replica`, {
            bucketName: args.destinationBucketName, kmsKeyArn: args.destinationKmsKeyArn, expireAfterDays: args.expireAfterDays, noncurrentVersionDays: args.noncurrentVersionDays, tags: args.tags, protect: args.protect,
        }, { parent: this, providers: [args.drProvider] });
        const src = args.source.arn;
        const dst = this.destination.arn;
        const role = platformRole(`${name}-role`, args.roles, { assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com"), tags: args.tags }, { parent: this });
        new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: policyDocument([
                { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: src },
                { Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: pulumi.interpolate`${src}/*` },
                // s3:ReplicateDelete only where delete markers replicate (S3 User Guide, "Setting up permissions for live replication").
                { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags", ...(args.replicateDeletes ? ["s3:ReplicateDelete"] : [])], Resource: pulumi.interpolate`${dst}/*` },
                { Effect: "Allow", Action: "kms:Decrypt", Resource: args.sourceKmsKeyArn },
                { Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: args.destinationKmsKeyArn },
            ]),
        }, { parent: this });
        new aws.s3.BucketReplicationConfig(`${name}-config`, {
            bucket: args.source.bucketName,
            role: role.arn,
            rules: [{
                id: "to-dr-region",
                status: "Enabled",
                priority: 1,
                filter: {},
                deleteMarkerReplication: { status: args.replicateDeletes ? "Enabled" : "Disabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: {
                    bucket: dst,
                    storageClass: "STANDARD",
                    encryptionConfiguration: { replicaKmsKeyId: args.destinationKmsKeyArn },
                    replicationTime: args.replicationTimeControl ? { status: "Enabled", time: { minutes: 15 } } : undefined,
                    metrics: args.replicationTimeControl ? { status: "Enabled", eventThreshold: { minutes: 15 } } : undefined,
                },
            }],
        }, { parent: this, dependsOn: [args.source.versioning, this.destination.versioning] });
        this.registerOutputs({ destination: this.destination.bucketName });
    }
}
