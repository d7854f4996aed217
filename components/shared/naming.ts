/**
 * Naming and tagging shared by every component: physical names are `<project>-<stack>-<logical>`,
 * and every taggable AWS resource carries the same base tags.
 */
import type { RoleGuardrails } from "./iam";

/** Where a component runs; passed down explicitly, never read from Pulumi config by components. */
export interface PlatformContext {
    /** `<project>-<stack>`, the prefix of every physical name. */
    prefix: string;
    /** dev, staging or prod; used for tags only, never to switch behaviour. */
    environment: string;
    /** AWS region of the provider the component uses. */
    region: string;
    /** Tags added to every taggable resource. */
    tags: Record<string, string>;
    /** Path and permissions boundary of every IAM role the component creates (`platformRole`). */
    iam: RoleGuardrails;
}

/** Tags for one component's resources: base tags plus `component` and any extra. */
export function componentTags(ctx: Pick<PlatformContext, "tags" | "environment">, component: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...ctx.tags, environment: ctx.environment, component, "managed-by": "pulumi", ...extra };
}

/** The AWS partition of a region (aws, aws-cn, aws-us-gov), for ARNs built without an invoke. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}
