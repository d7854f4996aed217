/**
 * AwsBackup: a vault encrypted with its own KMS key, a plan with daily/weekly/monthly rules and
 * continuous backup (point-in-time recovery) for RDS, selection by the `backup` tag, the IAM role,
 * a copy of every recovery point to the DR region's vault when one is given, vault lock in
 * compliance mode when enabled, SNS notifications of job outcomes (current vault events) and of failed
 * jobs (EventBridge), and a restore testing plan that restores the latest RDS recovery point weekly
 * into the platform's network and validates it by connecting to it (RestoreValidation).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createKmsKey } from "../shared/kms";
import { managedPolicyArn, platformRole, serviceTrustPolicy } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { RestoreValidation } from "./restore-validation";

/**
 * Restore metadata overrides of an RDS restore test (AWS Backup developer guide, "Restore testing inferred
 * metadata"; keys are case-insensitive): the DB subnet group and the security groups, a JSON list.
 */
export function restoreOverrides(dbSubnetGroupName: pulumi.Input<string>, securityGroupId: pulumi.Input<string>): pulumi.Output<Record<string, string>> {
    return pulumi.all([dbSubnetGroupName, securityGroupId]).apply(([group, sg]): Record<string, string> => ({ dbSubnetGroupName: group, vpcSecurityGroupIds: JSON.stringify([sg]) }));
}

/** Resources tagged `backup = aws-backup` are selected by the plan. */
export const BACKUP_TAG = { key: "backup", value: "aws-backup" } as const;
/** Daily at 05:00 UTC: after the RDS backup window. */
export const DAILY_SCHEDULE = "cron(0 5 ? * * *)";

/**
 * Vault events AWS Backup sends to SNS today (AWS Backup developer guide, "Notification options"): the
 * older per-outcome names (BACKUP_JOB_FAILED, BACKUP_JOB_EXPIRED, RESTORE_JOB_FAILED, ...) are still in the
 * API's enum but deprecated, and nothing is published for them. test/aws checks this list against the facts.
 */
export const BACKUP_VAULT_EVENTS = ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED", "RECOVERY_POINT_MODIFIED"] as const;

/** EventBridge pattern of failed, aborted and expired backup, copy and restore jobs. */
export const BACKUP_FAILURE_EVENT_PATTERN = {
    source: ["aws.backup"],
    "detail-type": ["Backup Job State Change", "Copy Job State Change", "Restore Job State Change"],
    detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
};

export interface VaultLock { enabled: boolean; minRetentionDays: number; maxRetentionDays: number }

/** A protected, KMS-encrypted backup vault, locked in compliance mode when the lock is enabled. Used here and for the DR vault. */
export function backupVault(a: { resourceName: string; lockName: string; vaultName: string; kmsKeyArn: pulumi.Input<string>; lock: VaultLock; tags: Record<string, string> }, opts: pulumi.CustomResourceOptions): aws.backup.Vault {
    const vault = new aws.backup.Vault(a.resourceName, { name: a.vaultName, kmsKeyArn: a.kmsKeyArn, forceDestroy: false, tags: a.tags }, opts);
    if (a.lock.enabled) {
        // changeableForDays set = compliance mode: after 3 days nobody, root included, can shorten retention or delete points.
        new aws.backup.VaultLockConfiguration(a.lockName, {
            backupVaultName: vault.name, minRetentionDays: a.lock.minRetentionDays, maxRetentionDays: a.lock.maxRetentionDays, changeableForDays: 3,
        }, opts);
    }
    return vault;
}

export interface AwsBackupArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** Days daily recovery points are kept. */
    dailyRetentionDays: number;
    /** Days weekly recovery points are kept; 0 disables the rule. */
    weeklyRetentionDays: number;
    /** Days monthly recovery points are kept; 0 disables the rule. */
    monthlyRetentionDays: number;
    /** Continuous backup (PITR up to 35 days) for supported resources (RDS). */
    continuous: boolean;
    /**
     * Retention of the continuous rule, days: the database's backupRetentionPeriod. Continuous backup takes over the RDS
     * automated backups and sets their retention to the rule's; any other value is a perpetual diff on the instance.
     */
    continuousRetentionDays: number;
    vaultLock: VaultLock;
    /** Restore the latest RDS recovery point weekly and validate it. */
    restoreTesting: boolean;
    /** The database restored by restore testing. */
    dbInstanceArn: pulumi.Input<string>;
    /** Where restore tests restore the database (the platform's network, not the default VPC) and what validates them. Required with restoreTesting. */
    restoreNetwork?: {
        vpcId: pulumi.Input<string>;
        /** Private subnets of the validation function. */
        privateSubnetIds: pulumi.Input<string>[];
        /** The database's DB subnet group (isolated subnets). */
        dbSubnetGroupName: pulumi.Input<string>;
        masterSecretArn: pulumi.Input<string>;
        databaseKmsKeyArn: pulumi.Input<string>;
        logRetentionDays: number;
    };
    /** The DR region's vault: daily, weekly and monthly points are copied there. */
    copyToVaultArn?: pulumi.Input<string>;
    /** Pulumi `protect` on the vault and its key. Defaults to true. */
    protect?: boolean;
}

export class AwsBackup extends pulumi.ComponentResource {
    public readonly vaultArn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    public readonly notificationTopicArn: pulumi.Output<string>;
    /** Minutes between copies to the DR vault (the daily rule), when copying. */
    public readonly copyIntervalMinutes?: number;

    constructor(name: string, args: AwsBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:backup:AwsBackup", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "backup");
        const partition = partitionOf(ctx.region);
        const protect = args.protect ?? true;
        const child = { parent: this };
        const key = createKmsKey(`${name}-key`, `${ctx.prefix}-backup`, {
            description: `${ctx.prefix} AWS Backup vault and notifications`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["backup", "sns", "events"], tags,
        }, { parent: this, protect });
        const vault = backupVault({ resourceName: `${name}-vault`, lockName: `${name}-lock`, vaultName: `${ctx.prefix}-vault`, kmsKeyArn: key.arn, lock: args.vaultLock, tags }, { parent: this, protect });
        this.vaultArn = vault.arn;
        this.vaultName = vault.name;

        const topic = new aws.sns.Topic(`${name}-notifications`, { name: `${ctx.prefix}-backup-events`, kmsMasterKeyId: key.arn, tags }, child);
        new aws.sns.TopicPolicy(`${name}-notifications-policy`, {
            arn: topic.arn,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "BackupPublishes", Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "SNS:Publish", Resource: topic.arn, Condition: { StringEquals: { "aws:SourceAccount": args.accountId } } },
                    { Sid: "EventBridgePublishes", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "SNS:Publish", Resource: topic.arn, Condition: { StringEquals: { "aws:SourceAccount": args.accountId } } },
                    { Sid: "TlsOnly", Effect: "Deny", Principal: "*", Action: "SNS:Publish", Resource: topic.arn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ],
            }),
        }, child);
        // Only events AWS Backup still sends (BACKUP_VAULT_EVENTS); the job's outcome is the `State` message attribute,
        // so a subscription filters failures with {"State": [{"anything-but": "COMPLETED"}]}.
        new aws.backup.VaultNotifications(`${name}-vault-events`, {
            backupVaultName: vault.name,
            snsTopicArn: topic.arn,
            backupVaultEvents: [...BACKUP_VAULT_EVENTS],
        }, child);
        // Failures regardless of the vault (and of the SNS event set): EventBridge job state changes.
        const failures = new aws.cloudwatch.EventRule(`${name}-job-failures`, {
            name: `${ctx.prefix}-backup-job-failures`,
            description: "AWS Backup, copy and restore jobs that failed, aborted or expired",
            eventPattern: JSON.stringify(BACKUP_FAILURE_EVENT_PATTERN),
            tags,
        }, child);
        new aws.cloudwatch.EventTarget(`${name}-job-failures-to-sns`, { rule: failures.name, arn: topic.arn }, child);
        this.notificationTopicArn = topic.arn;

        const role = platformRole(`${name}-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("backup.amazonaws.com"), tags }, child);
        ["service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores", "AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore"].forEach((p, i) =>
            new aws.iam.RolePolicyAttachment(`${name}-role-${i}`, { role: role.name, policyArn: managedPolicyArn(partition, p) }, child));

        const copy = (days: number) => (args.copyToVaultArn ? [{ destinationVaultArn: args.copyToVaultArn, lifecycle: { deleteAfter: days } }] : undefined);
        const rules: aws.types.input.backup.PlanRule[] = [
            { ruleName: "daily", targetVaultName: vault.name, schedule: DAILY_SCHEDULE, startWindow: 60, completionWindow: 360, lifecycle: { deleteAfter: args.dailyRetentionDays }, copyActions: copy(args.dailyRetentionDays), recoveryPointTags: tags },
        ];
        if (args.weeklyRetentionDays > 0) rules.push({ ruleName: "weekly", targetVaultName: vault.name, schedule: "cron(0 6 ? * SUN *)", startWindow: 60, completionWindow: 480, lifecycle: { deleteAfter: args.weeklyRetentionDays }, copyActions: copy(args.weeklyRetentionDays), recoveryPointTags: tags });
        if (args.monthlyRetentionDays > 0) rules.push({ ruleName: "monthly", targetVaultName: vault.name, schedule: "cron(0 7 1 * ? *)", startWindow: 60, completionWindow: 720, lifecycle: { deleteAfter: args.monthlyRetentionDays, coldStorageAfter: args.monthlyRetentionDays >= 180 ? 90 : undefined }, copyActions: copy(args.monthlyRetentionDays), recoveryPointTags: tags });
        if (args.continuous) rules.push({ ruleName: "continuous", targetVaultName: vault.name, schedule: "cron(0 4 ? * * *)", enableContinuousBackup: true, lifecycle: { deleteAfter: args.continuousRetentionDays }, recoveryPointTags: tags });
        this.copyIntervalMinutes = args.copyToVaultArn ? 1440 : undefined;
        const plan = new aws.backup.Plan(`${name}-plan`, { name: `${ctx.prefix}-plan`, rules, tags }, child);
        new aws.backup.Selection(`${name}-selection`, {
            name: `${ctx.prefix}-tagged`,
            planId: plan.id,
            iamRoleArn: role.arn,
            selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TAG.key, value: BACKUP_TAG.value }],
        }, child);

        if (args.restoreTesting) {
            if (!args.restoreNetwork) throw new Error(`${name}: restoreTesting needs restoreNetwork (restores go to the platform's network, never the default VPC)`);
            const net = args.restoreNetwork;
            const validation = new RestoreValidation(`${name}-restore-validation`, {
                ctx, accountId: args.accountId, vpcId: net.vpcId, subnetIds: net.privateSubnetIds, masterSecretArn: net.masterSecretArn, databaseKmsKeyArn: net.databaseKmsKeyArn, logRetentionDays: net.logRetentionDays,
            }, child);
            const testing = new aws.backup.RestoreTestingPlan(`${name}-restore-testing`, {
                name: `${ctx.prefix.replace(/-/g, "_")}_restore_testing`,
                scheduleExpression: "cron(0 8 ? * MON *)",
                startWindowHours: 8,
                recoveryPointSelection: { algorithm: "LATEST_WITHIN_WINDOW", includeVaults: [vault.arn], recoveryPointTypes: ["SNAPSHOT", "CONTINUOUS"], selectionWindowDays: 7 },
                tags,
            }, child);
            new aws.backup.RestoreTestingSelection(`${name}-restore-testing-rds`, {
                name: "latest_rds",
                restoreTestingPlanName: testing.name,
                protectedResourceType: "RDS",
                protectedResourceArns: [args.dbInstanceArn],
                iamRoleArn: role.arn,
                // Without these AWS Backup restores into the default VPC and security group (or fails where there is none).
                restoreMetadataOverrides: restoreOverrides(net.dbSubnetGroupName, validation.restoredSecurityGroupId),
                // The restored copy is deleted after the validation window; meanwhile the validation function checks it.
                validationWindowHours: 4,
            }, child);
            validation.watch(testing.arn);
        }
        this.registerOutputs({ vaultArn: this.vaultArn, vaultName: this.vaultName, notificationTopicArn: this.notificationTopicArn });
    }
}
