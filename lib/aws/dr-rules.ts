/**
 * Backup and DR rules over a built stack that the mocks cannot see but AWS enforces (issue 22,
 * point 4). Each returns findings (empty = pass); test/aws/dr-rules.test.ts runs them on every stack,
 * on the failover plan, and on fixtures that break each one.
 */
import type { RecordedResource } from "../offline/recorder";

const RDS = "aws:rds/instance:Instance";

/** Tags AWS Backup selects by: the tags of the instance must hold every STRINGEQUALS condition. */
function selects(selection: RecordedResource, tags: Record<string, string> | undefined): boolean {
    const conditions = (selection.inputs.selectionTags ?? []) as { type: string; key: string; value: string }[];
    return conditions.length > 0 && conditions.every((c) => c.type === "STRINGEQUALS" && tags?.[c.key] === c.value);
}

/**
 * Continuous backup takes over the RDS automated backups and sets their retention to the continuous
 * rule's: an instance a plan with a continuous rule selects must ask for that same retention, or
 * every `pulumi up` changes it back and AWS Backup changes it again (a perpetual diff).
 */
export function continuousRetentionFindings(resources: RecordedResource[]): string[] {
    const findings: string[] = [];
    for (const plan of resources.filter((r) => r.type === "aws:backup/plan:Plan")) {
        const continuous = ((plan.inputs.rules ?? []) as any[]).filter((rule) => rule.enableContinuousBackup === true);
        if (continuous.length === 0) continue;
        const selections = resources.filter((r) => r.type === "aws:backup/selection:Selection" && r.inputs.planId !== undefined);
        for (const db of resources.filter((r) => r.type === RDS && !r.inputs.replicateSourceDb)) {
            if (!selections.some((s) => selects(s, db.inputs.tags))) continue;
            for (const rule of continuous) {
                const days = rule.lifecycle?.deleteAfter;
                if (db.inputs.backupRetentionPeriod !== days) {
                    findings.push(`${db.name}: backupRetentionPeriod ${db.inputs.backupRetentionPeriod ?? "(unset)"} but the continuous rule ${rule.ruleName} of ${plan.name} keeps ${days ?? "(unset)"} days: AWS Backup sets the instance's retention to the rule's, a perpetual diff`);
                }
            }
        }
    }
    return findings;
}

/** DeleteDBInstance refuses FinalDBSnapshotIdentifier for a read replica: a replica that asks for one cannot be deleted. */
export function replicaFinalSnapshotFindings(resources: RecordedResource[]): string[] {
    return resources.filter((r) => r.type === RDS && r.inputs.replicateSourceDb && (r.inputs.finalSnapshotIdentifier !== undefined || r.inputs.skipFinalSnapshot !== true))
        .map((r) => `${r.name}: a read replica with ${r.inputs.finalSnapshotIdentifier !== undefined ? `finalSnapshotIdentifier ${r.inputs.finalSnapshotIdentifier}` : "skipFinalSnapshot not true"}; RDS refuses a final snapshot of a replica, so its deletion fails`);
}

/** A provider input as the engine records it: objects and lists arrive JSON-encoded, scalars as strings. */
function providerValue(v: unknown): unknown {
    if (typeof v !== "string") return v;
    try {
        return JSON.parse(v);
    } catch {
        return v;
    }
}

/**
 * Every explicit AWS provider carries the stack's `aws:` settings (`settings`, as stacks/dr-checks.ts
 * decodes them): the account guard, the default tags (the provider may add its own) and the rest.
 */
export function providerSettingFindings(resources: RecordedResource[], settings: Record<string, unknown>): string[] {
    const findings: string[] = [];
    for (const p of resources.filter((r) => r.type === "pulumi:providers:aws")) {
        for (const [key, want] of Object.entries(settings)) {
            const have = providerValue(p.inputs[key]);
            if (key === "defaultTags") {
                const wantTags = (want as { tags?: Record<string, string> })?.tags ?? {};
                const haveTags = (have as { tags?: Record<string, string> } | undefined)?.tags ?? {};
                const missing = Object.entries(wantTags).filter(([k, v]) => haveTags[k] !== v).map(([k]) => k);
                if (missing.length) findings.push(`provider ${p.name}: default tags ${missing.join(", ")} of aws:defaultTags missing`);
            } else if (JSON.stringify(have) !== JSON.stringify(want) && String(have) !== String(want)) {
                findings.push(`provider ${p.name}: ${key} is ${JSON.stringify(have) ?? "(unset)"}, the stack's aws:${key} is ${JSON.stringify(want)}`);
            }
        }
    }
    return findings;
}

/**
 * An RDS restore test restores into the default VPC and security group unless its metadata overrides
 * name the DB subnet group and security groups (keys are case-insensitive); both must be the stack's.
 */
export function restoreOverrideFindings(resources: RecordedResource[]): string[] {
    const findings: string[] = [];
    const subnetGroups = new Set(resources.filter((r) => r.type === "aws:rds/subnetGroup:SubnetGroup").map((r) => r.inputs.name));
    for (const s of resources.filter((r) => r.type === "aws:backup/restoreTestingSelection:RestoreTestingSelection" && r.inputs.protectedResourceType === "RDS")) {
        const overrides = Object.fromEntries(Object.entries((s.inputs.restoreMetadataOverrides ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
        const group = overrides.dbsubnetgroupname;
        if (!group) findings.push(`${s.name}: no dbSubnetGroupName override: the restore goes to the default VPC (or fails where there is none)`);
        else if (!subnetGroups.has(group)) findings.push(`${s.name}: dbSubnetGroupName ${group} is not a DB subnet group of the stack`);
        let groups: unknown;
        try {
            groups = JSON.parse(overrides.vpcsecuritygroupids ?? "null");
        } catch {
            groups = undefined;
        }
        if (!Array.isArray(groups) || groups.length === 0 || groups.some((g) => typeof g !== "string" || !g.startsWith("sg-"))) {
            findings.push(`${s.name}: vpcSecurityGroupIds override ${JSON.stringify(overrides.vpcsecuritygroupids ?? null)} is not a JSON list of security group ids: the restore gets the default security group`);
        }
    }
    return findings;
}

/**
 * Subnets are in zones pinned in config (`pinned`: region -> zones, subnet index i in zone i), never
 * in the live "available" list, which shifts when a zone is impaired and would replace subnets.
 */
export function pinnedZoneFindings(resources: RecordedResource[], pinned: Record<string, string[] | undefined>): string[] {
    const findings: string[] = [];
    for (const s of resources.filter((r) => r.type === "aws:ec2/subnet:Subnet")) {
        const zones = pinned[s.region ?? ""];
        const index = Number(/-(\d+)$/.exec(s.name)?.[1]);
        if (!zones) findings.push(`${s.name}: no zones pinned in config for ${s.region}`);
        else if (s.inputs.availabilityZone !== zones[index]) findings.push(`${s.name}: in ${s.inputs.availabilityZone}, the zone pinned for index ${index} is ${zones[index]}`);
    }
    return findings;
}

/**
 * Types of which AWS keeps one per parent, and whose delete is keyed by that parent, so the engine's default
 * replacement (create the new one, then delete the old) breaks them: each needs `deleteBeforeReplace`.
 * - automated backups replication: one replication of an instance per destination region; the provider's delete
 *   calls StopDBInstanceAutomatedBackupsReplication with the source instance's ARN only (terraform-provider-aws
 *   internal/service/rds/instance_automated_backups_replication.go), so deleting the old resource after creating
 *   the new one stops the new replication too, and every input is ForceNew (a retention or key change replaces it).
 */
export const ONE_PER_PARENT: Record<string, string> = {
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": "one backups replication per source instance and region; its delete stops replication by source ARN, so a create-first replacement stops the new one",
};

export function replaceOrderFindings(resources: RecordedResource[]): string[] {
    return resources.filter((r) => r.type in ONE_PER_PARENT && !r.deleteBeforeReplace)
        .map((r) => `${r.name}: replaced create-first (no deleteBeforeReplace): ${ONE_PER_PARENT[r.type]}`);
}

/** A statement's actions, as a list. */
const actionsOf = (s: { Action?: string | string[] }) => [s.Action ?? []].flat();

/**
 * The permissions S3 replication needs from its role (S3 User Guide, "Setting up permissions for live replication"):
 * read the source's replication configuration and object versions, replicate objects and tags into the destination,
 * `s3:ReplicateDelete` when delete markers are replicated, and, for SSE-KMS objects, decrypt with the source key and
 * encrypt with the replica key. The role's policy is the RolePolicy beside the configuration (same parent component).
 */
export function replicationRoleFindings(resources: RecordedResource[]): string[] {
    const findings: string[] = [];
    for (const config of resources.filter((r) => r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
        const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.parent === config.parent && typeof r.inputs.policy === "string");
        const statements = policies.flatMap((p) => (JSON.parse(p.inputs.policy).Statement ?? []) as { Effect: string; Action?: string | string[] }[]).filter((s) => s.Effect === "Allow");
        const allowed = new Set(statements.flatMap(actionsOf));
        const need = new Set(["s3:GetReplicationConfiguration", "s3:ListBucket", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:ReplicateObject", "s3:ReplicateTags"]);
        for (const rule of (config.inputs.rules ?? []) as any[]) {
            if (rule.deleteMarkerReplication?.status === "Enabled") need.add("s3:ReplicateDelete");
            if (rule.sourceSelectionCriteria?.sseKmsEncryptedObjects?.status === "Enabled") need.add("kms:Decrypt");
            if (rule.destination?.encryptionConfiguration?.replicaKmsKeyId) need.add("kms:Encrypt");
        }
        const missing = [...need].filter((a) => !allowed.has(a));
        if (missing.length) findings.push(`${config.name}: the replication role's policy lacks ${missing.join(", ")}`);
    }
    return findings;
}
