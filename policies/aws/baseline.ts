/**
 * AWS security baseline. Control ids refer to AWS Security Hub (FSBP / CIS) controls.
 */
import { isKmsArn } from "../lib/resources";
import type { PolicyResource, ResourcePolicy } from "../lib/types";
import { isUnknown } from "../lib/unknown";

/** A value the engine marks secret (wrapped with the protocol's secret signature) or the offline plan masks ("[secret]"). */
const isSecretValue = (v: unknown): boolean =>
    v === "[secret]" || (!!v && typeof v === "object" && (v as Record<string, unknown>)["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270");


export const rdsBaseline: ResourcePolicy = {
    name: "rds-baseline",
    description: "Checks whether RDS instances are encrypted with KMS [RDS.3], not public [RDS.2], keep backups [RDS.11], use IAM auth [RDS.10], export logs [RDS.9], and in prod have deletion protection [RDS.8] and Multi-AZ [RDS.5].",
    enforcementLevel: "mandatory",
    config: ["environment", "minBackupRetentionDays"],
    resourceTypes: ["aws:rds/instance:Instance"],
    validate(r, cfg) {
        const p = r.props;
        const out: string[] = [];
        if (p.replicateSourceDb) return out; // replicas inherit from their source; judged by the DR policies
        if (p.storageEncrypted !== true || !isKmsArn(p.kmsKeyId)) out.push("RDS instance must encrypt storage with a customer KMS key (storageEncrypted and kmsKeyId) [RDS.3].");
        if (p.publiclyAccessible === true) out.push("RDS instance must not be publicly accessible [RDS.2].");
        if ((p.backupRetentionPeriod ?? 0) < cfg.minBackupRetentionDays) out.push(`RDS instance must keep automated backups for at least ${cfg.minBackupRetentionDays} days; has ${p.backupRetentionPeriod ?? 0} [RDS.11].`);
        if (p.iamDatabaseAuthenticationEnabled !== true) out.push("RDS instance must enable IAM database authentication [RDS.10].");
        const exported: string[] = p.enabledCloudwatchLogsExports ?? [];
        const missingLogs = p.engine === "postgres" ? ["postgresql", "upgrade"].filter((t) => !exported.includes(t)) : exported.length ? [] : ["any log type"];
        if (missingLogs.length > 0) out.push(`RDS instance must export its logs to CloudWatch; missing ${missingLogs.join(", ")} [RDS.9].`);
        if (p.autoMinorVersionUpgrade === false) out.push("RDS instance must enable automatic minor version upgrades [RDS.13].");
        // A self-managed master password (needed for a cross-region replica: RDS refuses one of a source whose password
        // Secrets Manager manages) must be a Pulumi secret: encrypted in the state, never plaintext in config or code.
        if (p.password !== undefined && !isSecretValue(p.password) && !isUnknown(p.password)) out.push("RDS instance master password must be a Pulumi secret (generated, e.g. with @pulumi/random), never plaintext; or use manageMasterUserPassword.");
        if (cfg.environment === "prod") {
            if (p.deletionProtection !== true) out.push("RDS instance in prod must have deletion protection [RDS.8].");
            if (p.multiAz !== true) out.push("RDS instance in prod must be Multi-AZ [RDS.5].");
            if (p.skipFinalSnapshot !== false || !p.finalSnapshotIdentifier) out.push("RDS instance in prod must take a final snapshot on deletion.");
            if (r.protect === false) out.push("RDS instance in prod must be protected with the Pulumi protect option.");
        }
        return out;
    },
};

export const eksBaseline: ResourcePolicy = {
    name: "eks-baseline",
    description: "Checks whether EKS clusters encrypt secrets with KMS [EKS.3], keep the endpoint private or CIDR-restricted [EKS.1], log every control-plane type [EKS.8] and run a supported version [EKS.2].",
    enforcementLevel: "mandatory",
    config: ["supportedEksVersions"],
    resourceTypes: ["aws:eks/cluster:Cluster"],
    validate(r, cfg) {
        const p = r.props;
        const out: string[] = [];
        const enc = p.encryptionConfig;
        if (!enc || !(enc.resources ?? []).includes("secrets") || !isKmsArn(enc.provider?.keyArn)) out.push("EKS cluster must encrypt Kubernetes secrets with a KMS key [EKS.3].");
        const vpc = p.vpcConfig ?? {};
        const cidrs: string[] = vpc.publicAccessCidrs ?? [];
        if (vpc.endpointPublicAccess !== false && (cidrs.length === 0 || cidrs.includes("0.0.0.0/0"))) out.push("EKS cluster endpoint must be private or restricted to specific CIDRs, never 0.0.0.0/0 [EKS.1].");
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
        return r.props.enableKeyRotation === true ? [] : ["KMS key must enable automatic rotation [KMS.4]."];
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
        if ((r.props.metadataOptions?.httpPutResponseHopLimit ?? 2) > 1) out.push("Launch template must set the IMDS hop limit to 1 so pods cannot reach node credentials.");
        for (const m of r.props.blockDeviceMappings ?? []) {
            if (m.ebs && String(m.ebs.encrypted) !== "true") out.push(`Launch template volume ${m.deviceName} must be encrypted [EC2.7].`);
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
        if (!isKmsArn(r.props.kmsKeyId)) out.push("CloudWatch log group must be encrypted with a KMS key.");
        if (!r.props.retentionInDays) out.push("CloudWatch log group must set a retention (retentionInDays) [CloudWatch.16].");
        return out;
    },
};

export const securityGroupBaseline: ResourcePolicy = {
    name: "security-group-baseline",
    description: "Checks whether security groups admit traffic from 0.0.0.0/0 [EC2.18, EC2.19].",
    enforcementLevel: "mandatory",
    config: [],
    resourceTypes: ["aws:ec2/securityGroup:SecurityGroup", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    validate(r: PolicyResource) {
        const rules = r.type === "aws:ec2/securityGroup:SecurityGroup" ? (r.props.ingress ?? []) : [{ cidrBlocks: r.props.cidrIpv4 ? [r.props.cidrIpv4] : [] }];
        return rules.some((rule: any) => (rule.cidrBlocks ?? []).includes("0.0.0.0/0"))
            ? ["Security group must not admit ingress from 0.0.0.0/0 [EC2.18]."]
            : [];
    },
};

export const awsBaseline = [rdsBaseline, eksBaseline, kmsRotation, launchTemplateBaseline, logGroupBaseline, securityGroupBaseline];
