/**
 * AppRepositories: ECR repositories for application images. Tags are immutable (a released tag
 * never moves), except cosign's `sha256-<hex>.sig` / `.att` tags, which cosign rewrites to add a
 * signature or attestation; every push is scanned; images are encrypted with a customer-managed
 * KMS key; lifecycle rules bound storage without touching recent tagged images; and the
 * repository policy lets only the CI signing role write, whatever IAM policies say.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../shared/iam";
import { createKmsKey } from "../shared/kms";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";

/** The ECR write actions only the CI role may perform (the repository policy denies them to everyone else). */
export const ECR_WRITE_ACTIONS = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchDeleteImage"] as const;
/** What pulling needs. */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;
/** cosign's signature and attestation tags (`sha256-<64 hex>.sig`, `.att`), excluded from tag immutability. */
export const COSIGN_TAG_FILTERS = ["sha256-*.sig", "sha256-*.att"] as const;

export interface AppRepositorySpec {
    /** Name under `<project>-<stack>/`. */
    name: string;
    /** Tagged images kept (older ones expire). */
    keepTaggedImages: number;
    /** Days before untagged images expire. */
    untaggedExpiryDays: number;
}

export interface AppRepositoriesArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    repositories: AppRepositorySpec[];
    /** The only principal allowed to push (and delete). */
    writerRoleArn: pulumi.Input<string>;
    /** Other accounts allowed to pull. Defaults to []. */
    pullAccountIds?: string[];
    /** Pulumi `protect` on repositories and key. Defaults to true. */
    protect?: boolean;
}

/** The lifecycle policy: expire untagged images after N days, keep the newest N images of any tag (cosign tags excluded). */
export function lifecyclePolicy(spec: AppRepositorySpec): string {
    return JSON.stringify({
        rules: [
            { rulePriority: 1, description: `expire untagged images after ${spec.untaggedExpiryDays} days`, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: spec.untaggedExpiryDays }, action: { type: "expire" } },
            // Wildcard rule over tagged images; cosign's sha256-* tags are never matched by it and go with their image.
            { rulePriority: 2, description: `keep the newest ${spec.keepTaggedImages} tagged images`, selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: spec.keepTaggedImages }, action: { type: "expire" } },
        ],
    });
}

export class AppRepositories extends pulumi.ComponentResource {
    /** Repository URL by configured name. */
    public readonly urls: Record<string, pulumi.Output<string>>;
    public readonly arns: pulumi.Output<string>[];
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: AppRepositoriesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:supply-chain:AppRepositories", name, {}, opts);
        const protect = args.protect ?? true;
        const tags = componentTags(args.ctx, "supply-chain");
        const key = createKmsKey(`${name}-key`, `${args.ctx.prefix}-ecr`, {
            description: `ECR application images (${args.ctx.prefix})`,
            accountId: args.accountId,
            region: args.ctx.region,
            tags,
        }, { parent: this, protect });
        this.kmsKeyArn = key.arn;
        const partition = partitionOf(args.ctx.region);
        this.urls = {};
        this.arns = [];
        for (const spec of args.repositories) {
            const logical = `${name}-${spec.name.replace(/[^a-z0-9]+/g, "-")}`;
            const repo = new aws.ecr.Repository(logical, {
                name: `${args.ctx.prefix}/${spec.name}`,
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: COSIGN_TAG_FILTERS.map((filter) => ({ filter, filterType: "WILDCARD" })),
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
                forceDelete: false,
                tags: { ...tags, repository: spec.name },
            }, { parent: this, protect });
            new aws.ecr.LifecyclePolicy(`${logical}-lifecycle`, { repository: repo.name, policy: lifecyclePolicy(spec) }, { parent: this });
            const pullers = (args.pullAccountIds ?? []).map((id) => `arn:${partition}:iam::${id}:root`);
            new aws.ecr.RepositoryPolicy(`${logical}-policy`, {
                repository: repo.name,
                policy: policyDocument([
                    ...(pullers.length > 0 ? [{ Sid: "PullFromListedAccounts", Effect: "Allow" as const, Principal: { AWS: pullers }, Action: [...ECR_PULL_ACTIONS] }] : []),
                    { Sid: "OnlyCiRoleWrites", Effect: "Deny", Principal: "*", Action: [...ECR_WRITE_ACTIONS], Condition: { ArnNotEquals: { "aws:PrincipalArn": args.writerRoleArn } } },
                ]),
            }, { parent: this });
            this.urls[spec.name] = repo.repositoryUrl;
            this.arns.push(repo.arn);
        }
        this.registerOutputs({ urls: this.urls, kmsKeyArn: this.kmsKeyArn });
    }
}
