/**
 * The `platform:account` and `platform:ci` blocks: account prerequisites (service-linked roles) and
 * the deploy path (in-VPC CodeBuild runner, the deploy and preview roles, the GitHub connection).
 * See docs/deploy.md. Kept apart from config-schema.ts so the deploy-path keys read as one block.
 */
import { z } from "zod";
import { githubRepository } from "./supply-chain-schema";

export const LINKED_SERVICES = ["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com"] as const;
/** The per-account, per-region quotas the platform consumes (lib/aws/account.ts names each one's Service Quotas code). */
export const QUOTA_KEYS = ["vpcsPerRegion", "internetGatewaysPerRegion", "elasticIpsPerRegion", "natGatewaysPerAz", "eksClustersPerRegion", "onDemandStandardVcpus", "spotStandardVcpus"] as const;
const quotaValue = z.number().int().min(1).max(1_000_000);
export const accountSchema = z.strictObject({
    /**
     * Services whose service-linked role exists in the account already (created by another stack of the account, or by
     * hand): not created here. One stack per account creates each role, the first one deployed (checked over every stack
     * of the repository by lib/aws/account.ts). Defaults to [].
     */
    existingServiceLinkedRoles: z.array(z.enum(LINKED_SERVICES)).default([]),
    /**
     * Quotas raised in the account, by region: `{ eu-west-1: { elasticIpsPerRegion: 10 } }`. Unset ones are AWS's defaults;
     * the stacks sharing an account and region must fit them together, and must state the same values. Defaults to {}.
     */
    quotas: z.record(
        z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1"),
        z.strictObject(Object.fromEntries(QUOTA_KEYS.map((k) => [k, quotaValue.optional()])) as Record<(typeof QUOTA_KEYS)[number], z.ZodOptional<typeof quotaValue>>),
    ).default({}),
});

/** IAM role names the bootstrap stack creates (bootstrap/) and the workflows assume; the cluster gives them access entries. */
export const CI_ROLE_NAME = z.string().regex(/^[\w+=,.@-]{1,64}$/, "must be an IAM role name (1-64 of letters, digits, +=,.@_-)");
/** Name of an IAM managed policy. */
export const IAM_POLICY_NAME = z.string().regex(/^[\w+=,.@-]{1,128}$/, "must be an IAM policy name (1-128 of letters, digits, +=,.@_-)");
/** IAM path of the platform's roles; `/` alone would put every role of the account in the deploy role's reach. */
export const IAM_ROLE_PATH = z.string().max(512).regex(/^\/(?:[\w+=,.@-]+\/)+$/, "must be an IAM path of one or more segments, starting and ending with / (e.g. /platform/); / alone is refused, it would cover every role of the account");
/** Defaults shared by the bootstrap stack and the platform stacks: both sides must name the same boundary and path. */
export const DEFAULT_BOUNDARY_NAME = "platform-boundary";
export const DEFAULT_ROLE_PATH = "/platform/";
/** arn:<partition>:codeconnections|codestar-connections:<region>:<account>:connection/<id>. */
export const CONNECTION_ARN = /^arn:(aws|aws-cn|aws-us-gov):(codeconnections|codestar-connections):([a-z]{2}(-gov)?-[a-z]+-\d):(\d{12}):connection\/[\w-]{1,64}$/;
export const ciSchema = z.strictObject({
    /** GitHub repository (owner/name) whose workflows deploy this stack: the CodeBuild runner's source, checked against github.repository by the workflows (scripts/ci-preflight.ts). Required, no default. */
    repository: githubRepository,
    /** Role the deploy jobs assume (`pulumi up`): cluster admin access entry. Defaults to platform-deploy. */
    deployRoleName: CI_ROLE_NAME.default("platform-deploy"),
    /**
     * Name of the permissions boundary policy the bootstrap stack creates (bootstrap:permissionsBoundaryName): every role
     * this stack creates carries it, and the deploy role may create or change roles only with it. Defaults to platform-boundary.
     */
    permissionsBoundaryName: IAM_POLICY_NAME.default(DEFAULT_BOUNDARY_NAME),
    /** IAM path of every role this stack creates (bootstrap:rolePath): the deploy role creates, changes and passes only roles under it. Defaults to /platform/. */
    rolePath: IAM_ROLE_PATH.default(DEFAULT_ROLE_PATH),
    /** Role the preview jobs assume (`pulumi preview`): read-only access entry (AmazonEKSAdminViewPolicy). Defaults to platform-preview. */
    previewRoleName: CI_ROLE_NAME.default("platform-preview"),
    /**
     * ARN of the CodeConnections connection to GitHub the runner authenticates with (CodeBuild source auth CODECONNECTIONS):
     * created once per account and region, AVAILABLE, with the AWS Connector GitHub App installed on the repository
     * (docs/deploy.md). Required, in the stack's region.
     */
    connectionArn: z.string().regex(CONNECTION_ARN, "must be a CodeConnections connection ARN, arn:<partition>:codeconnections:<region>:<account>:connection/<id> (or codestar-connections)"),
    /** CodeBuild compute type of the in-VPC runner. Defaults to BUILD_GENERAL1_MEDIUM. */
    runnerComputeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]).default("BUILD_GENERAL1_MEDIUM"),
});
