/**
 * The permissions boundary of the platform's roles and the deploy role's IAM grants that depend on
 * it (docs/deploy.md, "Permissions boundary"). The deploy role may create and change roles only
 * under the platform's IAM path and only with this boundary set, so no role it makes can hold more
 * than the boundary allows, whatever policy it attaches; the boundary itself allows no IAM writes
 * and denies every escalation path explicitly, in case someone widens its allow list later.
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement } from "../shared/iam";
import { signingGuardStatements } from "../supply-chain/guard";

/**
 * Services whose actions the platform's roles may use (the ceiling; each role's own policy is the
 * least-privilege grant): the inline policies of every stack and the AWS managed policies in
 * MANAGED_POLICY_SERVICES must fall inside (test/ci/boundary.test.ts). Each is a service the deploy
 * role holds itself, so a role it makes gets nothing the deploy role could not do directly.
 */
export const BOUNDARY_SERVICES = [
    "ec2", "eks", "ecr", "s3", "kms", "logs", "cloudwatch", "events", "backup", "backup-storage", "rds", "elasticloadbalancing", "autoscaling",
] as const;
/** Single actions the roles need beyond those services: lookups, the runner's GitHub connection (both held by the deploy role too). */
export const BOUNDARY_ACTIONS = [
    "tag:GetResources", "sts:GetCallerIdentity",
    // The restore validation function reads the database's master credential (components/backup/restore-validation.ts).
    "secretsmanager:GetSecretValue",
    "codeconnections:GetConnectionToken", "codeconnections:GetConnection", "codeconnections:UseConnection",
    "codestar-connections:GetConnectionToken", "codestar-connections:GetConnection", "codestar-connections:UseConnection",
] as const;
/**
 * The only grants beyond what the deploy role holds, each for an agent AWS runs on the nodes or in
 * the session: the SSM agent (AmazonSSMManagedInstanceCore: its own channel and inventory calls, no
 * SendCommand or StartSession), the Pod Identity agent, and session tags (EKS and Pod Identity tag sessions).
 */
export const AGENT_ACTIONS = [
    "ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument", "ssm:DescribeDocument", "ssm:GetManifest",
    "ssm:GetParameter", "ssm:GetParameters", "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory", "ssm:PutComplianceItems",
    "ssm:PutConfigurePackageResult", "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus", "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    "ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
    "eks-auth:AssumeRoleForPodIdentity", "sts:TagSession",
] as const;

/**
 * The AWS managed policies the platform attaches and what their current versions grant that the
 * platform uses, from the AWS Managed Policy Reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/):
 * a service (every action must be allowed) or a single `service:Action`. A test fails when a stack
 * attaches a managed policy missing here, or when the boundary does not allow an entry.
 */
export const MANAGED_POLICY_SERVICES: Record<string, string[]> = {
    AmazonEKSClusterPolicy: ["autoscaling", "ec2", "elasticloadbalancing", "kms", "iam:CreateServiceLinkedRole"],
    AmazonEKSWorkerNodePolicy: ["ec2", "eks", "eks-auth:AssumeRoleForPodIdentity"],
    AmazonEKS_CNI_Policy: ["ec2"],
    AmazonEC2ContainerRegistryPullOnly: ["ecr"],
    AmazonSSMManagedInstanceCore: AGENT_ACTIONS.filter((a) => /^(ssm|ssmmessages|ec2messages):/.test(a)),
    "service-role/AmazonEBSCSIDriverPolicy": ["ec2"],
    "service-role/AmazonRDSEnhancedMonitoringRole": ["logs"],
    // The backup policies also grant other resource types' services (DynamoDB, EFS, FSx, ...) and, for
    // restores, iam:PassRole; the platform backs up and restores RDS, EBS and S3 only, so the boundary cuts those out on purpose.
    "service-role/AWSBackupServiceRolePolicyForBackup": ["backup", "rds", "ec2", "kms", "tag:GetResources", "iam:CreateServiceLinkedRole"],
    "service-role/AWSBackupServiceRolePolicyForRestores": ["backup", "rds", "ec2", "kms"],
    AWSBackupServiceRolePolicyForS3Backup: ["s3", "kms", "events", "cloudwatch"],
    AWSBackupServiceRolePolicyForS3Restore: ["s3", "kms"],
};

/**
 * Services the deploy role may pass platform roles to (iam:PassedToService): each platform role's
 * trust principal, plus `rds.amazonaws.com` for the Enhanced Monitoring role (passed in
 * CreateDBInstance, trusted by monitoring.rds). A test checks every platform role's trust principal is here.
 */
export const PASSED_TO_SERVICES = [
    "eks.amazonaws.com", "ec2.amazonaws.com", "pods.eks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "codebuild.amazonaws.com",
    "backup.amazonaws.com", "s3.amazonaws.com", "monitoring.rds.amazonaws.com", "rds.amazonaws.com",
    // EventBridge targets that deliver CloudWatch alarms to the alert receivers (components/observability/cloudwatch/delivery.ts).
    "events.amazonaws.com",
    // AWS FIS experiment roles (components/resilience), passed in CreateExperimentTemplate; their own actions (ec2, eks, rds, logs, tag) are in the services above.
    "fis.amazonaws.com",
    // The restore validation function (components/backup/restore-validation.ts).
    "lambda.amazonaws.com",
] as const;

/** IAM actions whose request carries `iam:PermissionsBoundary` (the boundary a role gets, or has): allowed only with ours. */
export const BOUNDED_ROLE_ACTIONS = [
    "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
    "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole",
] as const;
/** The same for users: the platform makes none, the boundary and the deploy role deny them without the boundary. */
const BOUNDED_USER_ACTIONS = ["iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy", "iam:DeleteUserPolicy", "iam:AttachUserPolicy", "iam:DetachUserPolicy"];
const BOUNDARY_REMOVAL = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"];
const POLICY_CHANGES = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy", "iam:UntagPolicy"];
/** Every write to a role: denied on the CI roles (the bootstrap stack's) for the boundary and the deploy role alike. */
const ROLE_WRITES = [...BOUNDED_ROLE_ACTIONS, "iam:DeleteRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"];

export interface BoundaryArgs {
    partition: string;
    accountId: pulumi.Input<string>;
    /** ARN of the boundary policy (its own ARN, for the statements that protect it). */
    boundaryArn: pulumi.Input<string>;
    /** IAM path of the platform's roles, e.g. `/platform/`. */
    rolePath: string;
    /** The deploy and preview roles: nothing bounded may change them. */
    ciRoleArns: pulumi.Input<string>[];
}

const rolesUnder = (a: BoundaryArgs) => pulumi.interpolate`arn:${a.partition}:iam::${a.accountId}:role${a.rolePath}*`;

/** Denies shared by the boundary and the deploy role: no role or user without the boundary, no boundary removal, no change to the boundary or the CI roles. */
function escalationDenies(a: BoundaryArgs): PolicyStatement[] {
    return [
        { Sid: "DenyRolesAndUsersWithoutBoundary", Effect: "Deny", Action: [...BOUNDED_ROLE_ACTIONS, ...BOUNDED_USER_ACTIONS], Resource: "*", Condition: { StringNotEquals: { "iam:PermissionsBoundary": a.boundaryArn } } },
        { Sid: "DenyBoundaryRemoval", Effect: "Deny", Action: BOUNDARY_REMOVAL, Resource: "*" },
        { Sid: "DenyBoundaryPolicyChanges", Effect: "Deny", Action: POLICY_CHANGES, Resource: a.boundaryArn },
        { Sid: "DenyCiRoleChanges", Effect: "Deny", Action: ROLE_WRITES, Resource: a.ciRoleArns },
        // Only the CI signing role may sign, against the deploy role and bounded roles too (docs/supply-chain.md).
        ...signingGuardStatements(a),
    ];
}

/** The boundary policy document's statements: the services' actions, service-linked roles, and the explicit denies. */
export function boundaryStatements(a: BoundaryArgs): PolicyStatement[] {
    return [
        { Sid: "PlatformServices", Effect: "Allow", Action: BOUNDARY_SERVICES.map((s) => `${s}:*`), Resource: "*" },
        { Sid: "PlatformActions", Effect: "Allow", Action: [...BOUNDARY_ACTIONS], Resource: "*" },
        { Sid: "Agents", Effect: "Allow", Action: [...AGENT_ACTIONS], Resource: "*" },
        // The EKS cluster and backup service policies create the ELB/Auto Scaling/Backup service-linked roles when missing.
        { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: pulumi.interpolate`arn:${a.partition}:iam::${a.accountId}:role/aws-service-role/*` },
        ...escalationDenies(a),
        // A platform role may hand on only platform roles (nothing needs to today; kept for a widened allow list).
        { Sid: "DenyPassRoleOutsidePlatform", Effect: "Deny", Action: "iam:PassRole", NotResource: rolesUnder(a) },
    ];
}

/** The deploy role's IAM statements: read anything, create and change roles only under the path and with the boundary, pass them only to the platform's services. */
export function deployRoleIamStatements(a: BoundaryArgs): PolicyStatement[] {
    const platformRoles = rolesUnder(a);
    return [
        {
            Sid: "IamRead", Effect: "Allow", Resource: "*",
            Action: ["iam:GetRole", "iam:ListRoleTags", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
                "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviders"],
        },
        { Sid: "BoundedPlatformRoles", Effect: "Allow", Action: [...BOUNDED_ROLE_ACTIONS], Resource: platformRoles, Condition: { StringEquals: { "iam:PermissionsBoundary": a.boundaryArn } } },
        { Sid: "TagPlatformRoles", Effect: "Allow", Action: ["iam:TagRole", "iam:UntagRole"], Resource: platformRoles },
        { Sid: "PassPlatformRoles", Effect: "Allow", Action: "iam:PassRole", Resource: platformRoles, Condition: { StringEquals: { "iam:PassedToService": [...PASSED_TO_SERVICES] } } },
        { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: pulumi.interpolate`arn:${a.partition}:iam::${a.accountId}:role/aws-service-role/*` },
        ...escalationDenies(a),
    ];
}
