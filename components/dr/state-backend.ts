/**
 * StateBackendReplica: the Pulumi state and its secrets provider, usable from the DR region when the
 * primary region is down (bootstrap/, `bootstrap:drRegion`).
 *
 * - A multi-region KMS key for the `awskms://` secrets provider: the primary key in the bootstrap's
 *   region and its replica in the DR region, both under the same alias. The provider URL carries no
 *   region (`awskms://alias/<name>`), so `AWS_REGION` picks the key: the stack's data key, encrypted
 *   by the primary, decrypts with the replica (same key id and material).
 * - The state bucket replicated (S3 replication with Replication Time Control, delete markers too,
 *   so released locks are released in the copy) into a versioned bucket of the DR region encrypted
 *   with the replica key. In an outage, `pulumi login s3://<copy>?region=<dr>` reads the same stacks.
 * - The preview role may read the copy, write its lock objects and decrypt with either key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "../shared/bucket";
import { PolicyStatement, policyDocument, RoleGuardrails } from "../shared/iam";
import { componentTags, partitionOf } from "../shared/naming";
import { BucketReplication } from "./bucket-replication";
import { drProviderArgs } from "./provider";

export interface StateBackendReplicaArgs {
    /** `platform-<bootstrap stack>`, the bootstrap's region and tags. */
    ctx: { prefix: string; environment: string; region: string; tags: Record<string, string> };
    accountId: pulumi.Input<string>;
    drRegion: string;
    /** The bootstrap stack's `aws:` settings other than the region: the DR provider carries them. */
    providerSettings: Record<string, unknown>;
    /** The state bucket (DeployIdentity) and the key its objects are encrypted with. */
    stateBucket: SecureBucket;
    stateKmsKeyArn: pulumi.Input<string>;
    /** The preview role (read-only plus locks): gets the copy and both keys. */
    previewRoleName: pulumi.Input<string>;
    /** Boundary and path of the replication role (the bootstrap's own boundary policy). */
    roles: RoleGuardrails;
}

/** The secrets provider URL of the multi-region key: no region, so AWS_REGION chooses the primary or the replica. */
export function multiRegionSecretsProvider(aliasName: string): string {
    return `awskms://${aliasName}`;
}

export class StateBackendReplica extends pulumi.ComponentResource {
    /** `s3://<copy>?region=<dr>`: the backend URL to log in to during an outage. */
    public readonly drBackendUrl: pulumi.Output<string>;
    /** `awskms://alias/<prefix>-pulumi-secrets-mr`. */
    public readonly secretsProvider: string;
    public readonly keyArn: pulumi.Output<string>;
    public readonly replicaKeyArn: pulumi.Output<string>;

    constructor(name: string, args: StateBackendReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:dr:StateBackendReplica", name, {}, opts);
        const tags = componentTags(args.ctx, "ci");
        const provider = new aws.Provider(`${name}-dr-provider`, drProviderArgs(args.providerSettings, args.drRegion, args.ctx.region), { parent: this });
        const aliasName = `alias/${args.ctx.prefix}-pulumi-secrets-mr`;
        const root = pulumi.interpolate`arn:${partitionOf(args.ctx.region)}:iam::${args.accountId}:root`;
        const policy = policyDocument([{ Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" }]);
        const key = new aws.kms.Key(`${name}-key`, {
            description: `${args.ctx.prefix} Pulumi secrets (awskms secrets provider), multi-region: replica in ${args.drRegion}`,
            multiRegion: true, enableKeyRotation: true, rotationPeriodInDays: 365, deletionWindowInDays: 30, policy, tags,
        }, { parent: this, protect: true });
        new aws.kms.Alias(`${name}-key-alias`, { name: aliasName, targetKeyId: key.keyId }, { parent: this });
        const replica = new aws.kms.ReplicaKey(`${name}-replica-key`, {
            primaryKeyArn: key.arn, description: `${args.ctx.prefix} Pulumi secrets (replica of the multi-region key)`, deletionWindowInDays: 30, policy, tags,
        }, { parent: this, provider, protect: true });
        new aws.kms.Alias(`${name}-replica-key-alias`, { name: aliasName, targetKeyId: replica.keyId }, { parent: this, provider });
        this.keyArn = key.arn;
        this.replicaKeyArn = replica.arn;
        this.secretsProvider = multiRegionSecretsProvider(aliasName);

        const copy = new BucketReplication(`${name}-state`, {
            source: args.stateBucket, sourceKmsKeyArn: args.stateKmsKeyArn,
            destinationBucketName: pulumi.interpolate`${args.ctx.prefix}-pulumi-state-dr-${args.accountId}`,
            destinationKmsKeyArn: replica.arn, drProvider: provider, replicationTimeControl: true, replicateDeletes: true,
            noncurrentVersionDays: 90, tags, roles: args.roles, protect: true,
        }, { parent: this });
        this.drBackendUrl = pulumi.interpolate`s3://${copy.destination.bucketName}?region=${args.drRegion}`;

        const read: PolicyStatement[] = [
            { Sid: "ReadStateCopy", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: copy.destination.arn },
            { Sid: "ReadStateCopyObjects", Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${copy.destination.arn}/*` },
            { Sid: "LocksInStateCopy", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: pulumi.interpolate`${copy.destination.arn}/.pulumi/locks/*` },
            { Sid: "SecretsMultiRegion", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: [key.arn, replica.arn] },
        ];
        new aws.iam.RolePolicy(`${name}-preview-policy`, { role: args.previewRoleName, policy: policyDocument(read) }, { parent: this });
        this.registerOutputs({ drBackendUrl: this.drBackendUrl, secretsProvider: this.secretsProvider, keyArn: this.keyArn, replicaKeyArn: this.replicaKeyArn });
    }
}
