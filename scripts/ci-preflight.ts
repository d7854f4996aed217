/**
 * CI preflight (first step of up.yml and of the preview job): the GitHub side must match the stack
 * it deploys, or the job stops with the key to fix before touching AWS.
 *   node --import tsx scripts/ci-preflight.ts <stack> <deploy|preview>
 * Environment: GITHUB_REPOSITORY (GitHub sets it), AWS_REGION and ROLE_ARN (the job passes the
 * GitHub environment's variables vars.AWS_REGION and vars.AWS_DEPLOY_ROLE_ARN / vars.AWS_PREVIEW_ROLE_ARN).
 */
import { parsePlatformConfig, PlatformConfig } from "../stacks/config";
import { partitionOf } from "../components/shared/naming";
import { PROJECT, readStackConfig, withPlaceholderSecrets } from "../lib/offline/stack";

export interface PreflightEnv {
    GITHUB_REPOSITORY?: string;
    AWS_REGION?: string;
    ROLE_ARN?: string;
}

/** Problems between the stack's config and the job's GitHub context; empty when they agree. */
export function preflightProblems(cfg: PlatformConfig, role: "deploy" | "preview", env: PreflightEnv): string[] {
    const problems: string[] = [];
    const file = `Pulumi.${cfg.stack}.yaml`;
    if (env.GITHUB_REPOSITORY !== cfg.ci.repository) {
        problems.push(`${file}: platform:ci.repository is ${JSON.stringify(cfg.ci.repository)} but this workflow runs in ${JSON.stringify(env.GITHUB_REPOSITORY ?? "")}; set platform:ci.repository to the repository that deploys the stack (the runner's source and the roles' trust use it)`);
    }
    const varPrefix = role === "deploy" ? cfg.stack : `${cfg.stack}-preview`;
    if (env.AWS_REGION !== cfg.region) {
        problems.push(`GitHub environment ${varPrefix}: variable AWS_REGION is ${JSON.stringify(env.AWS_REGION ?? "")} but ${file} deploys to aws:region ${cfg.region}`);
    }
    const roleName = role === "deploy" ? cfg.ci.deployRoleName : cfg.ci.previewRoleName;
    const partition = partitionOf(cfg.region);
    const roleArn = new RegExp(`^arn:${partition}:iam::\\d{12}:role/${roleName.replace(/[.+]/g, "\\$&")}$`);
    if (!roleArn.test(env.ROLE_ARN ?? "")) {
        const key = role === "deploy" ? "AWS_DEPLOY_ROLE_ARN" : "AWS_PREVIEW_ROLE_ARN";
        problems.push(`GitHub environment ${varPrefix}: variable ${key} is ${JSON.stringify(env.ROLE_ARN ?? "")}; it must be arn:${partition}:iam::<account>:role/${roleName} (the bootstrap stack's ${role}RoleArn output; platform:ci.${role}RoleName)`);
    }
    return problems;
}

/** The stack's config as the program reads it (secrets are not needed here). */
export function stackConfig(stack: string): PlatformConfig {
    const values = readStackConfig(stack) as Record<string, unknown>;
    withPlaceholderSecrets(values);
    return parsePlatformConfig({ project: PROJECT, stack, values });
}

if (require.main === module) {
    const [stack, role] = process.argv.slice(2);
    if (!stack || (role !== "deploy" && role !== "preview")) {
        console.error("usage: ci-preflight <stack> <deploy|preview>");
        process.exit(2);
    }
    const problems = preflightProblems(stackConfig(stack), role, process.env);
    for (const p of problems) console.error(`::error::${p}`);
    if (problems.length > 0) process.exit(1);
    console.log(`preflight ${stack} (${role}): repository, region and role match the stack`);
}
