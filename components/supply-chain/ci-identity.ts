/**
 * CiSigningIdentity: the IAM role GitHub Actions jobs assume (OIDC, no stored keys) to push images
 * to the platform's ECR repositories and sign them with the cosign KMS key. The trust policy takes
 * only tokens for audience sts.amazonaws.com whose subject names one of the configured
 * repositories (by name, or in GitHub's immutable `owner@id/repo@id` form), one of its exact refs,
 * and the platform's build-sign.yml at a configured ref as the job's workflow (the repositories'
 * subject template includes `job_workflow_ref`; AWS reads no other custom claim). Pull requests,
 * environment subjects, forks, other branches and any other workflow get nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, policyDocument, PolicyStatement } from "../shared/iam";
import { componentTags, PlatformContext } from "../shared/naming";
import { SIGNING_ROLE_SUFFIX } from "./guard";

/** GitHub's OIDC issuer host (the provider URL without https://). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface SignerRule {
    /** `owner/name`. */
    repository: string;
    /** The owner's numeric GitHub id. */
    ownerId: string;
    /** The repository's numeric GitHub id. */
    repositoryId: string;
    /** `refs/heads/<branch>` or `refs/tags/<name>[*]`. */
    refs: string[];
}

/** The reusable workflow that alone may sign: `<repository>/.github/workflows/build-sign.yml@<ref>`. */
export interface BuildSignWorkflow {
    /** `owner/name` of the repository holding build-sign.yml. */
    repository: string;
    /** Refs (`refs/heads/..`, `refs/tags/..[*]`) or commit SHAs callers use. */
    refs: string[];
}

/** The path of the reusable signing workflow in its repository. */
export const BUILD_SIGN_WORKFLOW_PATH = ".github/workflows/build-sign.yml";
/** A subject with two job_workflow_ref parts (a workflow file name crafted to embed one) is never trusted. */
export const DOUBLE_WORKFLOW_REF = "*:job_workflow_ref:*:job_workflow_ref:*";

export interface CiSigningIdentityArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** The account's GitHub OIDC provider ARN (bootstrap/ creates it); when unset it is looked up by URL. Never created here. */
    oidcProviderArn?: string;
    /** Who may assume the role. At least one rule. */
    signers: SignerRule[];
    /** The build-sign workflow the signers' jobs must run. */
    workflow: BuildSignWorkflow;
}

/**
 * The `sub` claims a job of build-sign.yml gets in each allowed repository and ref, with the
 * subject template `{"include_claim_keys": ["repo", "context", "job_workflow_ref"]}`: the name form
 * `repo:<owner>/<repo>:ref:<ref>:job_workflow_ref:<workflow>@<ref>` and GitHub's immutable form
 * `repo:<owner>@<owner id>/<repo>@<repo id>:...` (repositories created, renamed or transferred
 * since 2026-07-15, or opted in).
 */
export function githubSubjects(signers: SignerRule[], workflow: BuildSignWorkflow): string[] {
    const workflows = workflow.refs.map((r) => `${workflow.repository}/${BUILD_SIGN_WORKFLOW_PATH}@${r}`);
    return signers.flatMap((s) => {
        const [owner, repo] = s.repository.split("/");
        const prefixes = [`repo:${owner}/${repo}`, `repo:${owner}@${s.ownerId}/${repo}@${s.repositoryId}`];
        return prefixes.flatMap((p) => s.refs.flatMap((ref) => workflows.map((w) => `${p}:ref:${ref}:job_workflow_ref:${w}`)));
    });
}

/** The trust policy's statements (exported for the config check of its size and for tests). */
export function signingTrustStatements(providerArn: pulumi.Input<string>, signers: SignerRule[], workflow: BuildSignWorkflow): PolicyStatement[] {
    return [{
        Sid: "BuildSignWorkflowOfConfiguredRefsOnly",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
            StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(signers, workflow) },
            StringNotLike: { [`${GITHUB_OIDC_HOST}:sub`]: DOUBLE_WORKFLOW_REF },
        },
    }];
}

/** IAM's default quota "Role trust policy length" (characters, whitespace not counted; adjustable to 4,096). */
export const TRUST_POLICY_DEFAULT_QUOTA = 2048;

/** The trust policy's length as IAM counts it, for a provider ARN in `accountId`'s partition. */
export function signingTrustPolicyLength(signers: SignerRule[], workflow: BuildSignWorkflow, partition = "aws"): number {
    const provider = `arn:${partition}:iam::123456789012:oidc-provider/${GITHUB_OIDC_HOST}`;
    return JSON.stringify({ Version: "2012-10-17", Statement: signingTrustStatements(provider, signers, workflow) }).length;
}

export class CiSigningIdentity extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    private readonly baseName: string;

    constructor(name: string, args: CiSigningIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:supply-chain:CiSigningIdentity", name, {}, opts);
        if (args.signers.length === 0) throw new Error(`${name}: at least one signer (repository with refs) is required`);
        this.baseName = name;
        const tags = componentTags(args.ctx, "supply-chain");
        // The account's GitHub provider belongs to bootstrap/ (one per URL per account): looked up, never created here.
        this.oidcProviderArn = args.oidcProviderArn
            ? pulumi.output(args.oidcProviderArn)
            : aws.iam.getOpenIdConnectProviderOutput({ url: `https://${GITHUB_OIDC_HOST}` }, { parent: this }).arn;
        const trust = policyDocument(signingTrustStatements(this.oidcProviderArn, args.signers, args.workflow));
        this.role = platformRole(`${name}-role`, args.ctx.iam, {
            name: `${args.ctx.prefix}${SIGNING_ROLE_SUFFIX}`,
            description: "GitHub Actions: push to the platform ECR repositories and sign with the cosign KMS key",
            assumeRolePolicy: trust,
            maxSessionDuration: 3600,
            tags,
        }, { parent: this });
        this.roleArn = this.role.arn;
        this.registerOutputs({ roleArn: this.roleArn, oidcProviderArn: this.oidcProviderArn });
    }

    /**
     * The role's only permissions: sign with (and read) the signing key, and push to the given
     * repositories (plus the account-wide ECR login, which has no resource scope).
     */
    allowSigningAndPush(signingKeyArn: pulumi.Input<string>, repositoryArns: pulumi.Input<string>[]): aws.iam.RolePolicy {
        const statements: PolicyStatement[] = [
            { Sid: "SignWithCosignKey", Effect: "Allow", Action: ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"], Resource: signingKeyArn },
        ];
        if (repositoryArns.length > 0) {
            statements.push(
                { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                {
                    Sid: "PushToPlatformRepositories",
                    Effect: "Allow",
                    Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
                    Resource: repositoryArns,
                },
            );
        }
        return new aws.iam.RolePolicy(`${this.baseName}-policy`, { role: this.role.name, policy: policyDocument(statements) }, { parent: this });
    }
}
