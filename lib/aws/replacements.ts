/**
 * Inputs whose change makes the provider replace a stateful resource (delete and recreate: the data
 * goes with the old one). From the CloudFormation resource schemas (lib/aws/facts.json,
 * `replacements`, "Update requires: Replacement") mapped to the Pulumi AWS provider's input names,
 * and from the provider's documentation where it differs. test/aws/replacements.test.ts checks that
 * every property AWS marks as replacing is either here or listed in PROVIDER_UPDATES_IN_PLACE.
 */

export interface ReplacingInput {
    /** Pulumi input path; a change at or below it replaces. */
    input: string;
    /** The CloudFormation property it corresponds to, when AWS marks it as replacing. */
    cfn?: string;
    /** Why, where the CloudFormation schema does not say it (provider-only ForceNew). */
    note?: string;
}

/** What is lost when each stateful type is replaced. */
export const DATA_AT_RISK: Record<string, string> = {
    "aws:rds/instance:Instance": "the database, its automated backups (unless retained) and point-in-time recovery",
    "aws:rds/parameterGroup:ParameterGroup": "nothing stored, but the instance using it restarts onto the new group",
    "aws:s3/bucket:Bucket": "every object and version in the bucket (a non-empty bucket cannot be deleted without forceDestroy)",
    "aws:kms/key:Key": "everything encrypted with the key once its deletion window ends (volumes, snapshots, buckets, secrets)",
    "aws:eks/cluster:Cluster": "the cluster and every Kubernetes object in it (restore from Velero)",
    "aws:opensearch/domain:Domain": "every index in the domain (stored traces)",
    "aws:backup/vault:Vault": "the vault's recovery points (a vault with points cannot be deleted; a locked vault never)",
    "aws:cloudwatch/logGroup:LogGroup": "the group's log events",
};

export const REPLACING_INPUTS: Record<string, ReplacingInput[]> = {
    "aws:rds/instance:Instance": [
        { input: "identifier", cfn: "DBInstanceIdentifier" },
        { input: "dbName", cfn: "DBName" },
        { input: "username", cfn: "MasterUsername" },
        { input: "kmsKeyId", cfn: "KmsKeyId" },
        { input: "storageEncrypted", cfn: "StorageEncrypted" },
        { input: "characterSetName", cfn: "CharacterSetName" },
        { input: "ncharCharacterSetName", cfn: "NcharCharacterSetName" },
        { input: "timezone", cfn: "Timezone" },
        { input: "customIamInstanceProfile", cfn: "CustomIAMInstanceProfile" },
        { input: "engine", note: "provider: engine is ForceNew (CloudFormation: may replace)" },
        { input: "availabilityZone", note: "provider: availability_zone is ForceNew (CloudFormation: may replace)" },
        { input: "snapshotIdentifier", note: "provider: restoring from another snapshot creates a new instance" },
        { input: "restoreToPointInTime", note: "provider: point-in-time restore creates a new instance" },
    ],
    "aws:rds/parameterGroup:ParameterGroup": [
        { input: "name", cfn: "DBParameterGroupName" },
        { input: "family", cfn: "Family" },
        { input: "description", cfn: "Description" },
    ],
    "aws:s3/bucket:Bucket": [
        { input: "bucket", cfn: "BucketName" },
        { input: "bucketPrefix", cfn: "BucketNamePrefix" },
        { input: "objectLockEnabled", cfn: "ObjectLockEnabled" },
    ],
    "aws:kms/key:Key": [
        { input: "keyUsage", note: "provider: key_usage is ForceNew (CloudFormation updates it by replacing the key too)" },
        { input: "customerMasterKeySpec", note: "provider: ForceNew" },
        { input: "multiRegion", note: "provider: ForceNew" },
        { input: "customKeyStoreId", note: "provider: ForceNew" },
        { input: "xksKeyId", note: "provider: ForceNew" },
    ],
    "aws:eks/cluster:Cluster": [
        { input: "name", cfn: "Name" },
        { input: "roleArn", cfn: "RoleArn" },
        { input: "encryptionConfig", cfn: "EncryptionConfig" },
        { input: "kubernetesNetworkConfig", cfn: "KubernetesNetworkConfig" },
        { input: "bootstrapSelfManagedAddons", cfn: "BootstrapSelfManagedAddons" },
        { input: "outpostConfig", cfn: "OutpostConfig" },
        { input: "accessConfig.bootstrapClusterCreatorAdminPermissions", note: "CloudFormation AccessConfig.BootstrapClusterCreatorAdminPermissions: Update requires Replacement" },
    ],
    "aws:opensearch/domain:Domain": [
        { input: "domainName", cfn: "DomainName" },
        { input: "encryptAtRest", note: "CloudFormation EncryptionAtRestOptions: changing it once set deletes and recreates the domain" },
    ],
    "aws:backup/vault:Vault": [
        { input: "name", cfn: "BackupVaultName" },
        { input: "kmsKeyArn", cfn: "EncryptionKeyArn" },
    ],
    "aws:cloudwatch/logGroup:LogGroup": [
        { input: "name", cfn: "LogGroupName" },
    ],
};

/** CloudFormation properties marked as replacing that the Pulumi provider updates in place (or that the platform never sets), with the reason. */
export const PROVIDER_UPDATES_IN_PLACE: Record<string, Record<string, string>> = {
    "aws:rds/instance:Instance": {
        Port: "provider modifies the instance (ModifyDBInstance DBPortNumber)",
        DBSubnetGroupName: "provider modifies the instance (moves it between subnet groups)",
        DBClusterIdentifier: "Aurora only; not used",
        SourceRegion: "not a provider input (replicateSourceDb takes an ARN)",
        BackupTarget: "Outposts only; not used",
        DBSystemId: "RDS Custom for Oracle only; not used",
    },
    "aws:opensearch/domain:Domain": {
        EngineMode: "not a provider input; not used",
    },
    "aws:s3/bucket:Bucket": {
        BucketNamespace: "not a provider input; not used",
    },
};

/** The replacing inputs among changed paths (`a.b[0].c`) of a resource of `type`. */
export function replacingPaths(type: string, paths: string[]): string[] {
    const table = REPLACING_INPUTS[type] ?? [];
    return paths.filter((p) => table.some((t) => p === t.input || p.startsWith(`${t.input}.`) || p.startsWith(`${t.input}[`)));
}
