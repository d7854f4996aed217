/**
 * CiSigningIdentity: the IAM role GitHub Actions jobs assume (OIDC, no stored keys) to push images
 * to the platform's ECR repositories and sign them with the cosign KMS key. The trust policy takes
 * only tokens for audience sts.amazonaws.com whose subject is one of the configured repositories'
 * exact refs or environments; pull requests, forks and other branches get nothing.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, policyDocument, PolicyStatement } from "../shared/iam";
import { componentTags, PlatformContext } from "../shared/naming";

/** GitHub's OIDC issuer host (the provider URL without https://). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface SignerRule {
    /** `owner/name`. */
    repository: string;
    /** `refs/heads/<branch>` or `refs/tags/<name>[*]`. */
    refs: string[];
    /** GitHub environment names. */
    environments: string[];
}

export interface CiSigningIdentityArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** The account's GitHub OIDC provider ARN (bootstrap/ creates it); when unset it is looked up by URL. Never created here. */
    oidcProviderArn?: string;
    /** Who may assume the role. At least one rule. */
    signers: SignerRule[];
}

/** The `sub` claims GitHub puts in a job's token for each allowed ref and environment. */
export function githubSubjects(signers: SignerRule[]): string[] {
    return signers.flatMap((s) => [
        ...s.refs.map((ref) => `repo:${s.repository}:ref:${ref}`),
        ...s.environments.map((env) => `repo:${s.repository}:environment:${env}`),
    ]);
}

export class CiSigningIdentity extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly roleArn: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    private readonly baseName: string;

    constructor(name: string, args: CiSigningIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:supply-chain:CiSigningIdentity", name, {}, opts);
        if (args.signers.length === 0) throw new Error(`${name}: at least one signer (repository with refs or environments) is required`);
        this.baseName = name;
        const tags = componentTags(args.ctx, "supply-chain");
        // The account's GitHub provider belongs to bootstrap/ (one per URL per account): looked up, never created here.
        this.oidcProviderArn = args.oidcProviderArn
            ? pulumi.output(args.oidcProviderArn)
            : aws.iam.getOpenIdConnectProviderOutput({ url: `https://${GITHUB_OIDC_HOST}` }, { parent: this }).arn;
        const trust = policyDocument([{
            Sid: "GitHubActionsConfiguredRefsOnly",
            Effect: "Allow",
            Principal: { Federated: this.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com" },
                StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(args.signers) },
            },
        }]);
        this.role = platformRole(`${name}-role`, args.ctx.iam, {
            name: `${args.ctx.prefix}-ci-signing`,
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
