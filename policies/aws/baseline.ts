/**
 * AWS security baseline. Control ids refer to AWS Security Hub (FSBP / CIS) controls.
 */
import { awsBool, awsNumber, isAwsTrue, isCustomerKmsKey, mayBeAwsTrue } from "../lib/aws-values";
import { coveredFamilies, familyText, parseCidr, Range } from "../lib/cidr";
import { eachCheck } from "../lib/judge";
import type { PackConfig, ResourcePolicy } from "../lib/types";
import { isUnjudgeable, quietly } from "../lib/unknown";
import { securityGroupBaseline } from "./security-groups";


/** RDS checks, each on its own (see eachCheck); they apply to a read replica as to any instance, the DR policies judging the replication itself. */
function rdsChecks(p: Record<string, any>, cfg: PackConfig, replica: boolean): (() => string[])[] {
    const what = replica ? "read replica" : "instance";
    const when = (cond: boolean, message: string) => (cond ? [message] : []);
    return [
        // A replica's storage follows its source's encryption; a key given for it (a cross-region replica must give one) must be a customer key.
        () => (replica
            ? when(awsBool(p.storageEncrypted) === false || awsBool(p.storageEncrypted) === "invalid" || (p.kmsKeyId != null && !isCustomerKmsKey(p.kmsKeyId)), "RDS read replica must keep storage encrypted, with a customer-managed KMS key where it names one (kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3].")
            : when(!isAwsTrue(p.storageEncrypted) || !isCustomerKmsKey(p.kmsKeyId), "RDS instance must encrypt storage with a customer-managed KMS key (storageEncrypted, and kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3].")),
        () => when(mayBeAwsTrue(p.publiclyAccessible), `RDS ${what} must not be publicly accessible [RDS.2].`),
        () => when(!((awsNumber(p.backupRetentionPeriod) ?? 0) >= cfg.minBackupRetentionDays), `RDS ${what} must keep automated backups for at least ${cfg.minBackupRetentionDays} days; has ${p.backupRetentionPeriod ?? 0} [RDS.11].`),
        () => when(!isAwsTrue(p.iamDatabaseAuthenticationEnabled), `RDS ${what} must enable IAM database authentication [RDS.10].`),
        () => {
            const exported: unknown[] = Array.isArray(p.enabledCloudwatchLogsExports) ? p.enabledCloudwatchLogsExports : [];
            const missing = p.engine === "postgres" || (replica && p.engine == null) ? ["postgresql", "upgrade"].filter((t) => !exported.includes(t)) : exported.length ? [] : ["any log type"];
            return when(missing.length > 0, `RDS ${what} must export its logs to CloudWatch; missing ${missing.join(", ")} [RDS.9].`);
        },
        () => when(awsBool(p.autoMinorVersionUpgrade) === false || awsBool(p.autoMinorVersionUpgrade) === "invalid", "RDS instance must enable automatic minor version upgrades [RDS.13]."),
        // No rule on `password`: a self-managed master password is what a cross-region replica needs (RDS refuses one of a
        // source whose password Secrets Manager manages), the provider's schema keeps it a secret in the state, and the engine
        // hands policies secrets unwrapped, so a check could not tell a generated secret from a plaintext one.
        () => when(cfg.environment === "prod" && !isAwsTrue(p.deletionProtection), `RDS ${what} in prod must have deletion protection [RDS.8].`),
        // A read replica is itself the standby; Multi-AZ and the final snapshot apply to the instances that hold the data.
        () => when(cfg.environment === "prod" && !replica && !isAwsTrue(p.multiAz), "RDS instance in prod must be Multi-AZ [RDS.5]."),
        () => when(cfg.environment === "prod" && !replica && (awsBool(p.skipFinalSnapshot) !== false || !p.finalSnapshotIdentifier), "RDS instance in prod must take a final snapshot on deletion."),
    ];
}

export const rdsBaseline: ResourcePolicy = {
    name: "rds-baseline",
    description: "Checks whether RDS instances, read replicas included, are encrypted with a customer-managed KMS key [RDS.3], not public [RDS.2], keep backups [RDS.11], use IAM auth [RDS.10], export logs [RDS.9], and in prod have deletion protection [RDS.8] and (primaries) Multi-AZ [RDS.5] and a final snapshot; booleans and numbers given as strings are read as the provider coerces them.",
    enforcementLevel: "mandatory",
    config: ["environment", "minBackupRetentionDays"],
    resourceTypes: ["aws:rds/instance:Instance"],
    validate(r, cfg) {
        const p = r.props;
        // Whether it is a replica: set at all (an unknown source in a preview is a replica of something).
        const replica = quietly(() => p.replicateSourceDb !== undefined && p.replicateSourceDb !== null && p.replicateSourceDb !== "");
        return eachCheck(...rdsChecks(p, cfg, replica), () => (cfg.environment === "prod" && r.protect === false ? ["RDS instance in prod must be protected with the Pulumi protect option."] : []));
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
        return eachCheck(
            () => {
                const enc = Array.isArray(p.encryptionConfig) ? p.encryptionConfig[0] : p.encryptionConfig;
                return !enc || !(Array.isArray(enc.resources) && enc.resources.includes("secrets")) || !isCustomerKmsKey(enc.provider?.keyArn) ? ["EKS cluster must encrypt Kubernetes secrets with a customer-managed KMS key [EKS.3]."] : [];
            },
            () => {
                const vpc = p.vpcConfig ?? {};
                if (awsBool(vpc.endpointPublicAccess) === false) return [];
                // The API defaults publicAccessCidrs to 0.0.0.0/0; the union of the ones given must not be a whole address family.
                const cidrs: unknown[] = Array.isArray(vpc.publicAccessCidrs) ? vpc.publicAccessCidrs : [];
                const ranges = cidrs.map(parseCidr);
                const open = coveredFamilies(ranges.filter((x): x is Range => x !== undefined));
                const out = cidrs.length === 0 || open.length ? [`EKS cluster endpoint must be private or restricted to specific CIDRs; ${cidrs.length === 0 ? "no publicAccessCidrs means 0.0.0.0/0" : `publicAccessCidrs together admit ${open.map(familyText).join(" and ")}`} [EKS.1].`] : [];
                for (const c of cidrs.filter((x, i) => ranges[i] === undefined && !isUnjudgeable(x))) out.push(`EKS cluster publicAccessCidrs entry ${JSON.stringify(c)} is not a CIDR block [EKS.1].`);
                return out;
            },
            () => {
                const logs: unknown = p.enabledClusterLogTypes;
                const missing = ["api", "audit", "authenticator", "controllerManager", "scheduler"].filter((t) => !(Array.isArray(logs) && logs.includes(t)));
                return missing.length > 0 ? [`EKS cluster must enable every control-plane log type; missing ${missing.join(", ")} [EKS.8].`] : [];
            },
            () => (cfg.supportedEksVersions.includes(String(p.version)) ? [] : [`EKS cluster must run a supported Kubernetes version (${cfg.supportedEksVersions.join(", ")}); has ${p.version} [EKS.2].`]),
        );
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
        const mappings = r.props.blockDeviceMappings;
        if (Array.isArray(mappings)) {
            for (const m of mappings) if (m?.ebs && !isAwsTrue(m.ebs.encrypted)) out.push(`Launch template volume ${m.deviceName} must be encrypted [EC2.7].`);
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
        return eachCheck(
            () => (isCustomerKmsKey(r.props.kmsKeyId) ? [] : ["CloudWatch log group must be encrypted with a customer-managed KMS key."]),
            () => ((awsNumber(r.props.retentionInDays) ?? 0) > 0 ? [] : ["CloudWatch log group must set a retention (retentionInDays) [CloudWatch.16]."]),
        );
    },
};

export const awsBaseline = [rdsBaseline, eksBaseline, kmsRotation, launchTemplateBaseline, logGroupBaseline, securityGroupBaseline];
