/**
 * Every AWS call `pulumi up` makes with the deploy role's credentials, per resource the stacks
 * register: the create call, the calls the provider makes after it (tags, rotation, reads), the
 * calls an update of each input makes, the delete calls, iam:PassRole for every role handed to a
 * service, and the KMS calls a service makes with the caller's permissions on a key it is given.
 *
 * Read from the Terraform provider `@pulumi/aws` 7.x wraps (hashicorp/terraform-provider-aws,
 * `internal/service/<service>/<file>.go`, the aws-sdk-go-v2 versions: Create/Read/Update/Delete
 * functions and the `@Tags` annotation, whose interceptor tags after create and on update) and,
 * for the KMS and PassRole requirements of a service, from that service's documentation. Each
 * entry names its source. test/aws/deploy-calls.test.ts evaluates every call with the deploy role's
 * policy (as bootstrap/ builds it) and, for keys, the key policy; a call it denies is a first
 * `pulumi up` (or a later update) that fails on AWS while every offline check is green.
 *
 * Services the deploy role holds whole (`<service>:*`) are listed by their main calls only; the
 * IAM, KMS and PassRole calls, which it holds action by action or which a resource policy also
 * decides, are listed completely.
 */
import type { RecordedResource } from "../offline/recorder";

export type Phase = "create" | "read" | "update" | "delete";

export interface TypeCalls {
    /** Calls of the create, including the provider's follow-ups (tag after create, rotation, waits). */
    create: string[];
    /** Calls of a refresh and of the read after every create/update. */
    read: string[];
    /** Calls an update makes, by the input whose change makes them (absent from ignoreChanges). */
    update?: Record<string, string[]>;
    /** Calls of a delete (not made for a resource with retainOnDelete). */
    delete: string[];
    /** Calls made at create when `tags` is non-empty (tag-on-create needs the tagging permission too). */
    tagOnCreate?: string[];
    /** Role ARNs in these inputs are passed to the service: iam:PassRole with iam:PassedToService. */
    passRole?: { input: string; service: string }[];
    /** KMS keys in these inputs are used by the service with the caller's permissions at create. */
    kmsKeys?: { input: string; actions: string[] }[];
    /** Where the calls were read. */
    source: string;
}

const TF = "hashicorp/terraform-provider-aws internal/service";
const IAM_ROLE_UPDATE = {
    assumeRolePolicy: ["iam:UpdateAssumeRolePolicy"],
    description: ["iam:UpdateRole"],
    maxSessionDuration: ["iam:UpdateRole"],
    permissionsBoundary: ["iam:PutRolePermissionsBoundary"],
    tags: ["iam:TagRole", "iam:UntagRole"],
};

/** The calls per resource type of the platform (a type missing here fails the test: add it). */
export const DEPLOY_CALLS: Record<string, TypeCalls> = {
    "aws:iam/role:Role": {
        create: ["iam:CreateRole"], tagOnCreate: ["iam:TagRole"],
        read: ["iam:GetRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"],
        update: IAM_ROLE_UPDATE,
        delete: ["iam:ListInstanceProfilesForRole", "iam:DeleteRole"],
        source: `${TF}/iam/role.go (CreateRole with Tags, Path, PermissionsBoundary; deleteRole)`,
    },
    "aws:iam/rolePolicy:RolePolicy": { create: ["iam:PutRolePolicy"], read: ["iam:GetRolePolicy"], update: { policy: ["iam:PutRolePolicy"] }, delete: ["iam:DeleteRolePolicy"], source: `${TF}/iam/role_policy.go` },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": { create: ["iam:AttachRolePolicy"], read: ["iam:ListAttachedRolePolicies"], delete: ["iam:DetachRolePolicy"], source: `${TF}/iam/role_policy_attachment.go` },
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": {
        create: ["iam:CreateServiceLinkedRole"], tagOnCreate: ["iam:TagRole"], read: ["iam:GetRole"],
        update: { description: ["iam:UpdateRole"], tags: ["iam:TagRole", "iam:UntagRole"] },
        delete: ["iam:DeleteServiceLinkedRole", "iam:GetServiceLinkedRoleDeletionStatus"],
        source: `${TF}/iam/service_linked_role.go (roleUpdateTags after CreateServiceLinkedRole; UpdateRole for description)`,
    },
    "aws:kms/key:Key": {
        create: ["kms:CreateKey", "kms:EnableKeyRotation", "kms:PutKeyPolicy"], tagOnCreate: ["kms:TagResource"],
        read: ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"],
        update: { description: ["kms:UpdateKeyDescription"], policy: ["kms:PutKeyPolicy"], enableKeyRotation: ["kms:EnableKeyRotation", "kms:DisableKeyRotation"], rotationPeriodInDays: ["kms:EnableKeyRotation"], tags: ["kms:TagResource", "kms:UntagResource"] },
        delete: ["kms:ScheduleKeyDeletion"],
        // kms:PutKeyPolicy at create: CreateKey's policy lockout safety check refuses a policy that would not let the caller PutKeyPolicy.
        source: `${TF}/kms/key.go (CreateKey with Policy and Tags, updateKeyRotationEnabled, waitKeyPolicyPropagated; KMS CreateKey: policy lockout safety check)`,
    },
    "aws:kms/alias:Alias": { create: ["kms:CreateAlias"], read: ["kms:ListAliases"], update: { targetKeyId: ["kms:UpdateAlias"] }, delete: ["kms:DeleteAlias"], source: `${TF}/kms/alias.go` },
    "aws:eks/cluster:Cluster": {
        create: ["eks:CreateCluster", "eks:DescribeCluster"], tagOnCreate: ["eks:TagResource"], read: ["eks:DescribeCluster"],
        update: { version: ["eks:UpdateClusterVersion"], vpcConfig: ["eks:UpdateClusterConfig"], enabledClusterLogTypes: ["eks:UpdateClusterConfig"], accessConfig: ["eks:UpdateClusterConfig"], deletionProtection: ["eks:UpdateClusterConfig"], tags: ["eks:TagResource", "eks:UntagResource"] },
        delete: ["eks:DeleteCluster"],
        passRole: [{ input: "roleArn", service: "eks.amazonaws.com" }],
        // EKS user guide, envelope encryption: the creating principal needs kms:CreateGrant and kms:DescribeKey on the key.
        kmsKeys: [{ input: "encryptionConfig.provider.keyArn", actions: ["kms:DescribeKey", "kms:CreateGrant"] }],
        source: `${TF}/eks/cluster.go; EKS User Guide (envelope encryption, cluster IAM role)`,
    },
    "aws:eks/nodeGroup:NodeGroup": {
        create: ["eks:CreateNodegroup", "eks:DescribeNodegroup"], tagOnCreate: ["eks:TagResource"], read: ["eks:DescribeNodegroup"],
        update: { scalingConfig: ["eks:UpdateNodegroupConfig"], launchTemplate: ["eks:UpdateNodegroupVersion"], labels: ["eks:UpdateNodegroupConfig"], taints: ["eks:UpdateNodegroupConfig"], tags: ["eks:TagResource", "eks:UntagResource"] },
        delete: ["eks:DeleteNodegroup"],
        passRole: [{ input: "nodeRoleArn", service: "eks.amazonaws.com" }],
        source: `${TF}/eks/node_group.go; EKS User Guide (managed node group IAM permissions)`,
    },
    "aws:eks/addon:Addon": {
        create: ["eks:CreateAddon", "eks:DescribeAddon"], read: ["eks:DescribeAddon"], update: { addonVersion: ["eks:UpdateAddon"], podIdentityAssociations: ["eks:UpdateAddon"] }, delete: ["eks:DeleteAddon"],
        passRole: [{ input: "podIdentityAssociations[].roleArn", service: "pods.eks.amazonaws.com" }],
        source: `${TF}/eks/addon.go; EKS User Guide (Pod Identity associations of add-ons)`,
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": {
        create: ["eks:CreatePodIdentityAssociation"], read: ["eks:DescribePodIdentityAssociation"], update: { roleArn: ["eks:UpdatePodIdentityAssociation"] }, delete: ["eks:DeletePodIdentityAssociation"],
        passRole: [{ input: "roleArn", service: "pods.eks.amazonaws.com" }],
        source: `${TF}/eks/pod_identity_association.go`,
    },
    "aws:eks/accessEntry:AccessEntry": { create: ["eks:CreateAccessEntry"], read: ["eks:DescribeAccessEntry"], delete: ["eks:DeleteAccessEntry"], source: `${TF}/eks/access_entry.go` },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { create: ["eks:AssociateAccessPolicy"], read: ["eks:ListAssociatedAccessPolicies"], delete: ["eks:DisassociateAccessPolicy"], source: `${TF}/eks/access_policy_association.go` },
    "aws:ec2/flowLog:FlowLog": {
        create: ["ec2:CreateFlowLogs"], read: ["ec2:DescribeFlowLogs"], delete: ["ec2:DeleteFlowLogs"],
        passRole: [{ input: "iamRoleArn", service: "vpc-flow-logs.amazonaws.com" }],
        source: `${TF}/ec2/vpc_flow_log.go; VPC User Guide (flow logs to CloudWatch Logs, iam:PassRole)`,
    },
    "aws:codebuild/project:Project": {
        create: ["codebuild:CreateProject"], read: ["codebuild:BatchGetProjects"], update: { serviceRole: ["codebuild:UpdateProject"] }, delete: ["codebuild:DeleteProject"],
        passRole: [{ input: "serviceRole", service: "codebuild.amazonaws.com" }],
        source: `${TF}/codebuild/project.go`,
    },
    "aws:codebuild/webhook:Webhook": { create: ["codebuild:CreateWebhook"], read: ["codebuild:BatchGetProjects"], delete: ["codebuild:DeleteWebhook"], source: `${TF}/codebuild/webhook.go` },
    "aws:rds/instance:Instance": {
        create: ["rds:CreateDBInstance", "rds:DescribeDBInstances"], tagOnCreate: ["rds:AddTagsToResource"], read: ["rds:DescribeDBInstances", "rds:ListTagsForResource"],
        update: { tags: ["rds:AddTagsToResource", "rds:RemoveTagsFromResource"] }, delete: ["rds:DeleteDBInstance"],
        passRole: [{ input: "monitoringRoleArn", service: "monitoring.rds.amazonaws.com" }],
        // RDS: encrypting with a customer managed key, and the master password secret in Secrets Manager under a key.
        kmsKeys: [{ input: "kmsKeyId", actions: ["kms:DescribeKey", "kms:CreateGrant"] }, { input: "masterUserSecretKmsKeyId", actions: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"] }, { input: "performanceInsightsKmsKeyId", actions: ["kms:DescribeKey", "kms:CreateGrant"] }],
        source: `${TF}/rds/instance.go; RDS User Guide (KMS key permissions, Enhanced Monitoring role)`,
    },
    "aws:backup/vault:Vault": {
        create: ["backup:CreateBackupVault", "backup-storage:MountCapsule"], read: ["backup:DescribeBackupVault"], delete: ["backup:DeleteBackupVault"],
        // AWS Backup: a vault under a customer managed key needs these on the key (kms:CreateGrant, DescribeKey, GenerateDataKey, Decrypt, RetireGrant).
        kmsKeys: [{ input: "kmsKeyArn", actions: ["kms:CreateGrant", "kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant"] }],
        source: `${TF}/backup/vault.go; AWS Backup Developer Guide (encryption of vaults)`,
    },
    "aws:backup/selection:Selection": {
        create: ["backup:CreateBackupSelection"], read: ["backup:GetBackupSelection"], delete: ["backup:DeleteBackupSelection"],
        passRole: [{ input: "iamRoleArn", service: "backup.amazonaws.com" }], source: `${TF}/backup/selection.go`,
    },
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
        create: ["backup:CreateRestoreTestingSelection"], read: ["backup:GetRestoreTestingSelection"], delete: ["backup:DeleteRestoreTestingSelection"],
        passRole: [{ input: "iamRoleArn", service: "backup.amazonaws.com" }], source: `${TF}/backup/restore_testing_selection.go`,
    },
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": {
        create: ["s3:PutReplicationConfiguration"], read: ["s3:GetReplicationConfiguration"], delete: ["s3:PutReplicationConfiguration"],
        passRole: [{ input: "role", service: "s3.amazonaws.com" }], source: `${TF}/s3/bucket_replication_configuration.go`,
    },
    "aws:opensearch/domain:Domain": {
        create: ["es:CreateDomain", "es:DescribeDomain"], read: ["es:DescribeDomain", "es:DescribeDomainConfig", "es:ListTags"], update: { tags: ["es:AddTags", "es:RemoveTags"] }, delete: ["es:DeleteDomain"],
        kmsKeys: [{ input: "encryptAtRest.kmsKeyId", actions: ["kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"] }],
        source: `${TF}/opensearch/domain.go; OpenSearch Service Developer Guide (encryption at rest)`,
    },
    // ECR: listed call by call because a repository policy decides who may write images (the deploy role's grant on them may be narrowed).
    "aws:ecr/repository:Repository": {
        create: ["ecr:CreateRepository", "ecr:DescribeRepositories"], tagOnCreate: ["ecr:TagResource"], read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"],
        update: { imageTagMutability: ["ecr:PutImageTagMutability"], imageScanningConfiguration: ["ecr:PutImageScanningConfiguration"], tags: ["ecr:TagResource", "ecr:UntagResource"] },
        delete: ["ecr:DeleteRepository"], source: `${TF}/ecr/repository.go`,
    },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": { create: ["ecr:SetRepositoryPolicy"], read: ["ecr:GetRepositoryPolicy"], update: { policy: ["ecr:SetRepositoryPolicy"] }, delete: ["ecr:DeleteRepositoryPolicy"], source: `${TF}/ecr/repository_policy.go` },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": { create: ["ecr:PutLifecyclePolicy"], read: ["ecr:GetLifecyclePolicy"], update: { policy: ["ecr:PutLifecyclePolicy"] }, delete: ["ecr:DeleteLifecyclePolicy"], source: `${TF}/ecr/lifecycle_policy.go` },
    "aws:fis/experimentTemplate:ExperimentTemplate": {
        create: ["fis:CreateExperimentTemplate"], tagOnCreate: ["fis:TagResource"], read: ["fis:GetExperimentTemplate"], update: { roleArn: ["fis:UpdateExperimentTemplate"], tags: ["fis:TagResource", "fis:UntagResource"] },
        delete: ["fis:DeleteExperimentTemplate"], passRole: [{ input: "roleArn", service: "fis.amazonaws.com" }], source: `${TF}/fis/experiment_template.go`,
    },
    // The restore validation function (components/backup/restore-validation.ts): in a VPC, so Lambda checks the caller may describe its network.
    "aws:lambda/function:Function": {
        create: ["lambda:CreateFunction", "lambda:GetFunction", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], tagOnCreate: ["lambda:TagResource"],
        read: ["lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction"],
        update: { code: ["lambda:UpdateFunctionCode"], role: ["lambda:UpdateFunctionConfiguration"], environment: ["lambda:UpdateFunctionConfiguration"], vpcConfig: ["lambda:UpdateFunctionConfiguration", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"], tags: ["lambda:TagResource", "lambda:UntagResource"] },
        delete: ["lambda:DeleteFunction"],
        passRole: [{ input: "role", service: "lambda.amazonaws.com" }],
        source: `${TF}/lambda/function.go`,
    },
    "aws:lambda/permission:Permission": { create: ["lambda:AddPermission", "lambda:GetPolicy"], read: ["lambda:GetPolicy"], delete: ["lambda:RemovePermission"], source: `${TF}/lambda/permission.go` },
    "aws:cloudwatch/eventTarget:EventTarget": { create: ["events:PutTargets"], read: ["events:ListTargetsByRule"], delete: ["events:RemoveTargets"], passRole: [{ input: "roleArn", service: "events.amazonaws.com" }], source: `${TF}/events/target.go` },
};

/** Services the deploy role holds whole: their resource types' own calls are `<service>:<Call>`, listed by main create and delete. */
const SERVICE_OF_MODULE: Record<string, string> = {
    ec2: "ec2", vpc: "ec2", eks: "eks", rds: "rds", kms: "kms", s3: "s3", backup: "backup", ecr: "ecr", codebuild: "codebuild",
    opensearch: "es", sns: "sns", secretsmanager: "secretsmanager", cloudwatch: "logs",
};
const SERVICE_OF_TYPE: Record<string, string> = {
    "aws:cloudwatch/eventRule:EventRule": "events", "aws:cloudwatch/eventTarget:EventTarget": "events", "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch",
};

/**
 * The calls of a type: its entry, or, for a type of a service the deploy role must hold whole, `<service>:*` (every call
 * of that service: the check then asks for the whole service, never for an invented action name).
 */
export function callsOf(type: string): TypeCalls | undefined {
    if (DEPLOY_CALLS[type]) return DEPLOY_CALLS[type];
    const [, module] = /^aws:([a-z0-9]+)\/[^:]+:\w+$/.exec(type) ?? [];
    const service = SERVICE_OF_TYPE[type] ?? SERVICE_OF_MODULE[module];
    if (!service || module === "iam") return undefined;
    return { create: [`${service}:*`], read: [], delete: [], source: `${TF}/${module} (the deploy role holds ${service}:* for it)` };
}

/**
 * Updates and deletes the deploy role is kept from making on purpose, each taken by an administrator instead (break glass):
 * the signing guard of the supply chain (components/supply-chain/guard.ts, docs/supply-chain.md "Break glass"). Never a
 * create: a first deploy from CI must go through. The test fails on a denied call not listed here, and on an entry here
 * that the deploy role is in fact allowed (the list cannot go stale).
 */
export const BREAK_GLASS: { resource: string; actions: string[]; why: string }[] = [
    { resource: "aws:iam/role:Role::ci-signing-role", actions: ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole"], why: "the CI signing role's trust decides who signs: rewriting or re-creating it is the administrator's (docs/supply-chain.md#break-glass)" },
    { resource: "aws:kms/alias:Alias::cosign-alias", actions: ["kms:UpdateAlias", "kms:DeleteAlias"], why: "repointing the signing key's alias is the administrator's (docs/supply-chain.md#break-glass)" },
];

export interface DeployCall {
    resource: string;
    phase: Phase;
    action: string;
    /** ARN the call acts on ("*" where the deploy role's grant does not depend on it). */
    arn: string;
    /** Request condition keys the call carries (iam:PermissionsBoundary, iam:PolicyARN, iam:PassedToService). */
    request: Record<string, string>;
    /** The KMS key whose key policy also decides the call, by the key resource's key. */
    key?: string;
}

export interface CallContext {
    /** ARN of a recorded resource (roles, service-linked roles, keys, aliases). */
    arnOf(r: RecordedResource): string | undefined;
    /** The role a RolePolicy/RolePolicyAttachment names (by name or id). */
    roleNamed(nameOrId: string): RecordedResource | undefined;
    /** The key resource with this ARN or key id, when the stack creates it. */
    keyFor(arnOrId: string): RecordedResource | undefined;
}

/** Values at `a.b[].c` in inputs. */
function at(inputs: unknown, p: string): unknown[] {
    return p.split(".").reduce<unknown[]>((vals, part) => vals.flatMap((v) => {
        const list = part.endsWith("[]");
        const x = v && typeof v === "object" ? (v as Record<string, unknown>)[list ? part.slice(0, -2) : part] : undefined;
        return x === undefined || x === null ? [] : list && Array.isArray(x) ? x : [x];
    }), [inputs]);
}

/** IAM actions whose request carries the target role's boundary as iam:PermissionsBoundary (Service Authorization Reference). */
const BOUNDARY_KEYED = new Set(["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"]);

/** Every call the deploy role makes for these resources (the stack as recorded under the mocks). */
export function deployCalls(resources: RecordedResource[], ctx: CallContext): { calls: DeployCall[]; unknownTypes: string[] } {
    const calls: DeployCall[] = [];
    const unknownTypes = new Set<string>();
    for (const r of resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
        const spec = callsOf(r.type);
        if (!spec) { unknownTypes.add(r.type); continue; }
        // The IAM role a call acts on, and the boundary it carries.
        const role = r.type === "aws:iam/role:Role" ? r : /^aws:iam\/role(Policy|PolicyAttachment):/.test(r.type) ? ctx.roleNamed(String(r.inputs.role)) : undefined;
        const target = role ? ctx.arnOf(role) : ctx.arnOf(r);
        const request = (action: string): Record<string, string> => {
            const req: Record<string, string> = {};
            if (role?.inputs.permissionsBoundary && BOUNDARY_KEYED.has(action)) req["iam:PermissionsBoundary"] = role.inputs.permissionsBoundary;
            if (/^iam:(Attach|Detach)RolePolicy$/.test(action)) req["iam:PolicyARN"] = String(r.inputs.policyArn);
            return req;
        };
        const key = r.type === "aws:kms/key:Key" ? r.key : r.type === "aws:kms/alias:Alias" ? ctx.keyFor(String(r.inputs.targetKeyId))?.key : undefined;
        const push = (phase: Phase, actions: string[]) => {
            for (const action of actions) {
                // CreateKey happens before the key (and its policy) exists: IAM alone decides it.
                calls.push({ resource: r.key, phase, action, arn: target ?? "*", request: request(action), key: action === "kms:CreateKey" ? undefined : key });
                // An alias call acts on the alias and on its key (both must allow it).
                if (r.type === "aws:kms/alias:Alias" && key) calls.push({ resource: r.key, phase, action, arn: ctx.arnOf(ctx.keyFor(String(r.inputs.targetKeyId))!) ?? "*", request: {}, key });
            }
        };
        push("create", spec.create);
        if (spec.tagOnCreate && Object.keys(r.inputs.tags ?? {}).length > 0) push("create", spec.tagOnCreate);
        push("read", spec.read);
        for (const [input, actions] of Object.entries(spec.update ?? {})) {
            const ignored = r.ignoreChanges.some((i) => i === input || i.startsWith(`${input}.`) || (input === "tags" && i === "tagsAll"));
            if (!ignored) push("update", actions);
        }
        if (!r.retainOnDelete) push("delete", spec.delete);
        for (const p of spec.passRole ?? []) {
            for (const arn of at(r.inputs, p.input)) calls.push({ resource: r.key, phase: "create", action: "iam:PassRole", arn: String(arn), request: { "iam:PassedToService": p.service } });
        }
        for (const k of spec.kmsKeys ?? []) {
            for (const ref of at(r.inputs, k.input)) {
                const keyRes = ctx.keyFor(String(ref));
                for (const action of k.actions) calls.push({ resource: r.key, phase: "create", action, arn: keyRes ? ctx.arnOf(keyRes) ?? String(ref) : String(ref), request: {}, key: keyRes?.key });
            }
        }
    }
    return { calls, unknownTypes: [...unknownTypes].sort() };
}
