/**
 * AWS security baseline. Control ids refer to AWS Security Hub (FSBP / CIS) controls.
 */
import { awsBool, awsNumber, isAwsTrue, isCustomerKmsKey, mayBeAwsTrue } from "../lib/aws-values";
import { coveredFamilies, familyText, parseCidr, Range } from "../lib/cidr";
import type { PackConfig, ResourcePolicy } from "../lib/types";
import { securityGroupBaseline } from "./security-groups";


/** RDS checks that apply to a read replica as to any instance; the DR policies judge the replication itself. */
function rdsProblems(p: Record<string, any>, cfg: PackConfig, replica: boolean): string[] {
    const out: string[] = [];
    if (replica) {
        // A replica's storage follows its source's encryption; a key given for it (a cross-region replica must give one) must be a customer key.
        if (awsBool(p.storageEncrypted) === false || awsBool(p.storageEncrypted) === "invalid" || (p.kmsKeyId != null && !isCustomerKmsKey(p.kmsKeyId))) out.push("RDS read replica must keep storage encrypted, with a customer-managed KMS key where it names one (kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3].");
    } else if (!isAwsTrue(p.storageEncrypted) || !isCustomerKmsKey(p.kmsKeyId)) out.push("RDS instance must encrypt storage with a customer-managed KMS key (storageEncrypted, and kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3].");
    if (mayBeAwsTrue(p.publiclyAccessible)) out.push(`RDS ${replica ? "read replica" : "instance"} must not be publicly accessible [RDS.2].`);
    const retention = awsNumber(p.backupRetentionPeriod) ?? 0;
    if (!(retention >= cfg.minBackupRetentionDays)) out.push(`RDS ${replica ? "read replica" : "instance"} must keep automated backups for at least ${cfg.minBackupRetentionDays} days; has ${p.backupRetentionPeriod ?? 0} [RDS.11].`);
    if (!isAwsTrue(p.iamDatabaseAuthenticationEnabled)) out.push(`RDS ${replica ? "read replica" : "instance"} must enable IAM database authentication [RDS.10].`);
    const exported: unknown[] = Array.isArray(p.enabledCloudwatchLogsExports) ? p.enabledCloudwatchLogsExports : [];
    const missingLogs = p.engine === "postgres" || (replica && p.engine == null) ? ["postgresql", "upgrade"].filter((t) => !exported.includes(t)) : exported.length ? [] : ["any log type"];
    if (missingLogs.length > 0) out.push(`RDS ${replica ? "read replica" : "instance"} must export its logs to CloudWatch; missing ${missingLogs.join(", ")} [RDS.9].`);
    if (awsBool(p.autoMinorVersionUpgrade) === false || awsBool(p.autoMinorVersionUpgrade) === "invalid") out.push("RDS instance must enable automatic minor version upgrades [RDS.13].");
    if (p.password != null) out.push("RDS instance must not set a master password in Pulumi state; use manageMasterUserPassword.");
    if (cfg.environment === "prod") {
        if (!isAwsTrue(p.deletionProtection)) out.push(`RDS ${replica ? "read replica" : "instance"} in prod must have deletion protection [RDS.8].`);
        // A read replica is itself the standby; Multi-AZ and the final snapshot apply to the instances that hold the data.
        if (!replica && !isAwsTrue(p.multiAz)) out.push("RDS instance in prod must be Multi-AZ [RDS.5].");
        if (!replica && (awsBool(p.skipFinalSnapshot) !== false || !p.finalSnapshotIdentifier)) out.push("RDS instance in prod must take a final snapshot on deletion.");
    }
    return out;
}

export const rdsBaseline: ResourcePolicy = {
    name: "rds-baseline",
    description: "Checks whether RDS instances, read replicas included, are encrypted with a customer-managed KMS key [RDS.3], not public [RDS.2], keep backups [RDS.11], use IAM auth [RDS.10], export logs [RDS.9], and in prod have deletion protection [RDS.8] and (primaries) Multi-AZ [RDS.5] and a final snapshot; booleans and numbers given as strings are read as the provider coerces them.",
    enforcementLevel: "mandatory",
    config: ["environment", "minBackupRetentionDays"],
    resourceTypes: ["aws:rds/instance:Instance"],
    validate(r, cfg) {
        const p = r.props;
        const replica = p.replicateSourceDb !== undefined && p.replicateSourceDb !== null && p.replicateSourceDb !== "";
        const out = rdsProblems(p, cfg, replica);
        if (cfg.environment === "prod" && r.protect === false) out.push("RDS instance in prod must be protected with the Pulumi protect option.");
        return out;
    },
};

export const eksBaseline: ResourcePolicy = {
    name: "eks-baseline",
    description: "Checks whether EKS clusters encrypt secrets with a customer-managed KMS key [EKS.3], keep the endpoint private or restricted to CIDRs that together are not all of IPv4 or IPv6 [EKS.1], log every control-plane type [EKS.8] and run a supported version [EKS.2].",
    enforcementLevel: "mandatory",
    config: ["supportedEksVersions"],
    resourceTypes: ["aws:eks/cluster:Cluster"],
    validate(r, cfg) {
        const p = r.props;
        const out: string[] = [];
        const enc = Array.isArray(p.encryptionConfig) ? p.encryptionConfig[0] : p.encryptionConfig;
        if (!enc || !(Array.isArray(enc.resources) ? enc.resources : []).includes("secrets") || !isCustomerKmsKey(enc.provider?.keyArn)) out.push("EKS cluster must encrypt Kubernetes secrets with a customer-managed KMS key [EKS.3].");
        const vpc = p.vpcConfig ?? {};
        if (awsBool(vpc.endpointPublicAccess) !== false) {
            // The API defaults publicAccessCidrs to 0.0.0.0/0; the union of the ones given must not be a whole address family.
            const cidrs: unknown[] = Array.isArray(vpc.publicAccessCidrs) ? vpc.publicAccessCidrs : [];
            const ranges = cidrs.map(parseCidr);
            const open = coveredFamilies(ranges.filter((x): x is Range => x !== undefined));
            if (cidrs.length === 0 || open.length) out.push(`EKS cluster endpoint must be private or restricted to specific CIDRs; ${cidrs.length === 0 ? "no publicAccessCidrs means 0.0.0.0/0" : `publicAccessCidrs together admit ${open.map(familyText).join(" and ")}`} [EKS.1].`);
            for (const c of cidrs.filter((_, i) => ranges[i] === undefined)) out.push(`EKS cluster publicAccessCidrs entry ${JSON.stringify(c)} is not a CIDR block [EKS.1].`);
        }
        const logs: string[] = p.enabledClusterLogTypes ?? [];
        const missing = ["api", "audit", "authenticator", "controllerManager", "scheduler"].filter((t) => !logs.includes(t));
        if (missing.length > 0) out.push(`EKS cluster must enable every control-plane log type; missing ${missing.join(", ")} [EKS.8].`);
        if (!cfg.supportedEksVersions.includes(String(p.version))) out.push(`EKS cluster must run a supported Kubernetes version (${cfg.supportedEksVersions.join(", ")}); has ${p.version} [EKS.2].`);
        return out;
    },
};

export const kmsRotation: ResourcePolicy = {
    name: "kms-key-rotation",
    description: "Checks whether customer-managed symmetric KMS keys rotate automatically [KMS.4]; asymmetric and HMAC keys cannot rotate and are exempt.",
    enforcementLevel: "mandatory",
    config: [],
    resourceTypes: ["aws:kms/key:Key"],
    validate(r) {
        // KMS rotates only SYMMETRIC_DEFAULT encryption keys (the default spec); a signing key's public key is its identity.
        const spec = r.props.customerMasterKeySpec ?? r.props.keySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") return [];
        return isAwsTrue(r.props.enableKeyRotation) ? [] : ["KMS key must enable automatic rotation [KMS.4]."];
    },
};

export const launchTemplateBaseline: ResourcePolicy = {
    name: "launch-template-baseline",
    description: "Checks whether launch templates require IMDSv2 [EC2.170] and encrypt their EBS volumes [EC2.7].",
    enforcementLevel: "mandatory",
    config: [],
    resourceTypes: ["aws:ec2/launchTemplate:LaunchTemplate"],
    validate(r) {
        const out: string[] = [];
        if (r.props.metadataOptions?.httpTokens !== "required") out.push("Launch template must require IMDSv2 (metadataOptions.httpTokens = required) [EC2.170].");
        if (!((awsNumber(r.props.metadataOptions?.httpPutResponseHopLimit) ?? 2) <= 1)) out.push("Launch template must set the IMDS hop limit to 1 so pods cannot reach node credentials.");
        for (const m of r.props.blockDeviceMappings ?? []) {
            if (m.ebs && !isAwsTrue(m.ebs.encrypted)) out.push(`Launch template volume ${m.deviceName} must be encrypted [EC2.7].`);
        }
        return out;
    },
};

export const logGroupBaseline: ResourcePolicy = {
    name: "log-group-baseline",
    description: "Checks whether CloudWatch log groups are encrypted with KMS and have a bounded retention [CloudWatch.16].",
    enforcementLevel: "mandatory",
    config: [],
    resourceTypes: ["aws:cloudwatch/logGroup:LogGroup"],
    validate(r) {
        const out: string[] = [];
        if (!isCustomerKmsKey(r.props.kmsKeyId)) out.push("CloudWatch log group must be encrypted with a customer-managed KMS key.");
        if (!((awsNumber(r.props.retentionInDays) ?? 0) > 0)) out.push("CloudWatch log group must set a retention (retentionInDays) [CloudWatch.16].");
        return out;
    },
};

export const awsBaseline = [rdsBaseline, eksBaseline, kmsRotation, launchTemplateBaseline, logGroupBaseline, securityGroupBaseline];
