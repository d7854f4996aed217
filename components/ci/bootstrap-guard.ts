/**
 * The guard of `platform:ciBootstrap`. A bootstrap build registers only the network and the CI
 * runner, so `pulumi up` on a stack that already holds the rest of the platform would delete the
 * cluster, the database and everything else. Before registering anything, the program asks AWS
 * whether this stack's platform exists already and refuses if it does; a failed program makes the
 * engine stop before any delete, so the guard protects a manual `pulumi up` as well as CI.
 */
import * as aws from "@pulumi/aws";

/** Components a bootstrap build creates itself (their `component` tag); anything else means the platform exists. */
export const BOOTSTRAP_COMPONENTS = ["network", "ci"] as const;

export interface BootstrapTarget {
    /** `<project>-<stack>`: the cluster is `<prefix>-eks`. */
    prefix: string;
    /** The stack's `environment` tag. */
    environment: string;
}

/** What already exists of the stack's platform in its region (empty for a new account/region). */
export async function existingPlatform(target: BootstrapTarget): Promise<string[]> {
    const found: string[] = [];
    const clusters = await aws.eks.getClusters({});
    if (clusters.names.includes(`${target.prefix}-eks`)) found.push(`EKS cluster ${target.prefix}-eks`);
    const tagged = await aws.resourcegroupstaggingapi.getResources({
        tagFilters: [{ key: "environment", values: [target.environment] }, { key: "managed-by", values: ["pulumi"] }],
    });
    for (const r of tagged.resourceTagMappingLists) {
        const component = r.tags.component;
        if (component && !(BOOTSTRAP_COMPONENTS as readonly string[]).includes(component)) found.push(`${r.resourceArn} (component ${component})`);
    }
    return found;
}

/** Throws (before any resource is registered) when a bootstrap build would delete an existing platform. */
export async function assertBootstrapSafe(target: BootstrapTarget, configKey = "platform:ciBootstrap"): Promise<void> {
    const found = await existingPlatform(target);
    if (found.length === 0) return;
    const shown = found.slice(0, 5).join(", ") + (found.length > 5 ? `, and ${found.length - 5} more` : "");
    throw new Error(
        `${configKey} is true but this stack's platform exists already (${shown}); a bootstrap build would delete everything except the network and the CI runner. ` +
        `Unset it (pulumi config rm ${configKey}) and deploy normally from the in-VPC runner; docs/deploy.md, "Bootstrap a new account and region".`,
    );
}
