/**
 * DeployIdentity: what CI needs in an account before the platform exists (the bootstrap stack in
 * bootstrap/): GitHub's OIDC provider, the deploy role (`pulumi up`) and the read-only preview role
 * (`pulumi preview`), each trusted only by this repository's workflows in the matching GitHub
 * environments, and, for a self-managed backend, an encrypted state bucket and the KMS key of the
 * `awskms://` secrets provider. No long-lived credential exists anywhere.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket, bucketAccessStatements } from "../shared/bucket";
import { createKmsKey } from "../shared/kms";
import { boundaryPolicyArn, managedPolicyArn, policyDocument, PolicyStatement } from "../shared/iam";
import { BoundaryArgs, boundaryStatements, deployRoleIamStatements } from "./boundary";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/**
 * Session lengths of the CI roles (MaxSessionDuration), in seconds. A first prod `pulumi up` (EKS, node groups, add-ons,
 * seven atomic Helm releases with 900 s timeouts, OpenSearch, a Multi-AZ database and its cross-region replica) can run
 * well past an hour: the deploy jobs ask for 3 hours (up.yml `role-duration-seconds`) and stop before (`timeout-minutes`),
 * so their credentials never expire mid-update. GitHub's OIDC token gives AssumeRoleWithWebIdentity directly (no role
 * chaining, which would cap the session at one hour). Previews are read-only and short.
 */
export const DEPLOY_SESSION_SECONDS = 3 * 3600;
export const PREVIEW_SESSION_SECONDS = 3600;

/**
 * Services the deploy role manages (the platform's resource types): its permissions are these
 * services' actions, minus what could let it widen its own access (docs/deploy.md lists both).
 */
export const DEPLOYER_SERVICES = ["ec2", "eks", "rds", "kms", "s3", "ecr", "logs", "cloudwatch", "backup", "backup-storage", "sns", "events", "es", "codebuild", "secretsmanager", "autoscaling", "elasticloadbalancing", "fis", "lambda"] as const;

export interface DeployIdentityArgs {
    /** No `iam`: the CI roles are the administrator's, outside the boundary they enforce. */
    ctx: Omit<PlatformContext, "iam">;
    accountId: pulumi.Input<string>;
    /** GitHub repository, owner/name. */
    repository: string;
    /** GitHub environments whose jobs may assume the deploy role (the up.yml jobs: dev, staging, prod). */
    deployEnvironments: string[];
    /** GitHub environments whose jobs may assume the preview role (the pull-request preview jobs: dev-preview, ...). */
    previewEnvironments: string[];
    deployRoleName: string;
    previewRoleName: string;
    /** The account's existing GitHub OIDC provider ARN (one per account); created here when unset. */
    existingOidcProviderArn?: string;
    /** Name of the managed permissions boundary policy every platform role carries (platform:ci.permissionsBoundaryName). */
    permissionsBoundaryName: string;
    /** IAM path of the platform's roles (platform:ci.rolePath): the deploy role creates, changes and passes roles only under it. */
    rolePath: string;
    /** `s3`: a state bucket and a secrets key here; `pulumi-cloud`: state in Pulumi Cloud, reached by OIDC (pulumi/auth-actions). */
    backend: "s3" | "pulumi-cloud";
}

export class DeployIdentity extends pulumi.ComponentResource {
    public readonly deployRoleArn: pulumi.Output<string>;
    public readonly previewRoleArn: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** The permissions boundary policy's ARN (the platform stacks compute the same from platform:ci.permissionsBoundaryName). */
    public readonly permissionsBoundaryArn: pulumi.Output<string>;
    /** `s3://<bucket>` for `pulumi login`, with the s3 backend. */
    public readonly backendUrl?: pulumi.Output<string>;
    /** `awskms://alias/...?region=...` for `pulumi stack init --secrets-provider`, with the s3 backend. */
    public readonly secretsProvider?: string;
    /** The state bucket and the key of its objects, with the s3 backend (bootstrap/state-dr.ts replicates them). */
    public readonly state?: { bucket: SecureBucket; kmsKeyArn: pulumi.Output<string> };
    /** The preview role's name (bootstrap/state-dr.ts grants it the DR copy). */
    public readonly previewRoleName: pulumi.Output<string>;

    constructor(name: string, args: DeployIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ci:DeployIdentity", name, {}, opts);
        const { ctx } = args;
        const tags = componentTags(ctx, "ci");
        const partition = partitionOf(ctx.region);
        const child = { parent: this };

        this.oidcProviderArn = args.existingOidcProviderArn
            ? pulumi.output(args.existingOidcProviderArn)
            : new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"], tags }, { parent: this, retainOnDelete: true }).arn;
        const trust = (environments: string[]) => policyDocument([{
            Effect: "Allow",
            Principal: { Federated: this.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
                // Only jobs of this repository running in these GitHub environments (their protection rules apply).
                StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: environments.map((e) => `repo:${args.repository}:environment:${e}`) },
            },
        }]);
        const deployRole = new aws.iam.Role(`${name}-deploy`, { name: args.deployRoleName, assumeRolePolicy: trust(args.deployEnvironments), maxSessionDuration: DEPLOY_SESSION_SECONDS, tags }, child);
        const previewRole = new aws.iam.Role(`${name}-preview`, { name: args.previewRoleName, assumeRolePolicy: trust(args.previewEnvironments), maxSessionDuration: PREVIEW_SESSION_SECONDS, tags }, child);
        this.deployRoleArn = deployRole.arn;
        this.previewRoleArn = previewRole.arn;
        this.previewRoleName = previewRole.name;

        const selfArns = [deployRole.arn, previewRole.arn];
        // The boundary's ARN follows from its name, so its own statements and the deploy role's can name it before it exists.
        const bounds: BoundaryArgs = { partition, accountId: args.accountId, boundaryArn: boundaryPolicyArn(partition, args.accountId, args.permissionsBoundaryName), rolePath: args.rolePath, ciRoleArns: selfArns };
        const boundary = new aws.iam.Policy(`${name}-permissions-boundary`, {
            name: args.permissionsBoundaryName,
            description: "Permissions boundary of every role the platform stacks create (docs/deploy.md)",
            policy: policyDocument(boundaryStatements(bounds)),
            tags,
        }, child);
        this.permissionsBoundaryArn = boundary.arn;
        const deployStatements: PolicyStatement[] = [
            { Sid: "PlatformServices", Effect: "Allow", Action: DEPLOYER_SERVICES.map((s) => `${s}:*`), Resource: "*" },
            ...deployRoleIamStatements(bounds),
            { Sid: "NoAdminPolicies", Effect: "Deny", Action: "iam:AttachRolePolicy", Resource: "*", Condition: { ArnLike: { "iam:PolicyARN": ["arn:*:iam::aws:policy/AdministratorAccess", "arn:*:iam::aws:policy/IAMFullAccess", "arn:*:iam::aws:policy/PowerUserAccess"] } } },
            { Sid: "Identity", Effect: "Allow", Action: ["sts:GetCallerIdentity"], Resource: "*" },
            // The bootstrap guard (components/ci/bootstrap-guard.ts) lists what exists of a stack before a bootstrap run.
            { Sid: "BootstrapGuard", Effect: "Allow", Action: ["tag:GetResources"], Resource: "*" },
            // platform:ci.connectionArn may use either service name (codestar-connections is the older one); IAM checks the ARN's.
            { Sid: "GitHubConnection", Effect: "Allow", Action: ["codeconnections", "codestar-connections"].flatMap((p) => ["UseConnection", "GetConnection", "PassConnection", "GetConnectionToken"].map((a) => `${p}:${a}`)), Resource: "*" },
            // The CI roles are the bootstrap stack's: deployRoleIamStatements denies every write to them (DenyCiRoleChanges).
        ];
        const previewStatements: PolicyStatement[] = [];

        if (args.backend === "s3") {
            const secretsKey = createKmsKey(`${name}-secrets-key`, `${ctx.prefix}-pulumi-secrets`, {
                description: `${ctx.prefix} Pulumi state and config secrets (awskms secrets provider)`, accountId: args.accountId, region: ctx.region, tags,
            }, { parent: this, protect: true });
            const state = new SecureBucket(`${name}-state`, {
                bucketName: pulumi.interpolate`${ctx.prefix}-pulumi-state-${args.accountId}`, kmsKeyArn: secretsKey.arn, noncurrentVersionDays: 90, tags, protect: true,
            }, child);
            deployStatements.push(...bucketAccessStatements(state.arn, secretsKey.arn, true), { Sid: "Secrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: secretsKey.arn });
            // Preview reads state and decrypts config secrets; it writes only the backend's lock objects.
            previewStatements.push(
                ...bucketAccessStatements(state.arn, secretsKey.arn, false),
                { Sid: "Locks", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: pulumi.interpolate`${state.arn}/.pulumi/locks/*` },
                { Sid: "Secrets", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: secretsKey.arn },
            );
            this.backendUrl = pulumi.interpolate`s3://${state.bucketName}`;
            this.state = { bucket: state, kmsKeyArn: secretsKey.arn };
            this.secretsProvider = `awskms://alias/${ctx.prefix}-pulumi-secrets?region=${ctx.region}`;
        }
        new aws.iam.RolePolicy(`${name}-deploy-policy`, { role: deployRole.id, policy: policyDocument(deployStatements) }, child);
        new aws.iam.RolePolicyAttachment(`${name}-preview-readonly`, { role: previewRole.name, policyArn: managedPolicyArn(partition, "ReadOnlyAccess") }, child);
        if (previewStatements.length > 0) new aws.iam.RolePolicy(`${name}-preview-policy`, { role: previewRole.id, policy: policyDocument(previewStatements) }, child);
        this.registerOutputs({ permissionsBoundaryArn: this.permissionsBoundaryArn, deployRoleArn: this.deployRoleArn, previewRoleArn: this.previewRoleArn, oidcProviderArn: this.oidcProviderArn, backendUrl: this.backendUrl });
    }
}
