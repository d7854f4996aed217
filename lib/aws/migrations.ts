/**
 * Released commits a deployed stack may upgrade from, and what upgrading from each takes: the
 * config a stack of that release sets first, and the replacements or removals of protected or
 * stateful resources the upgrade is meant to make (none so far). The repository keeps each
 * release's plan snapshots (test/data/releases/<commit>/, made by scripts/release-snapshots.ts);
 * test/stacks/upgrade.test.ts plans every stack from each of them and fails on any replacement or
 * removal of a protected or stateful resource (lib/aws/replacements.ts) not declared here.
 * A release is a commit landed on main: the project tags none.
 */

/** The cluster role's logical name: kept from before the permissions boundary by platform:eks.preBoundaryCluster. */
export const PRE_BOUNDARY_CLUSTER_ROLE = "eks-cluster-role";

export interface IntendedMigration {
    /** Stack it applies to, or "*". */
    stack: string;
    /** `type::name` of the resource. */
    resource: string;
    change: "replace" | "remove";
    /** Why it is safe, and the doc that tells the operator. */
    why: string;
}

export interface Release {
    /** Full commit id on main. */
    commit: string;
    date: string;
    subject: string;
    /** Config a stack deployed from this release sets before upgrading (merged into each namespaced key). */
    upgradeConfig: Record<string, Record<string, unknown>>;
    /** The operator's steps (docs/operations.md). */
    docs: string;
    intended: IntendedMigration[];
}

export const RELEASES: Release[] = [
    {
        commit: "b16fdcd64e52967998a2d3bdb1200472039a67bf",
        date: "2026-11-23",
        subject: "One backup-vault builder for the primary and DR vaults (before the CI runner, the deploy roles and the permissions boundary)",
        // Its cluster role sits at path / and its cluster gave the creator admin access: both create-only.
        upgradeConfig: { "platform:eks": { preBoundaryCluster: true } },
        docs: "docs/operations.md#upgrading-from-a-release-before-the-permissions-boundary",
        intended: [],
    },
    {
        commit: "35c0a27249cb22633a1c988002486006fb42cc24",
        date: "2026-11-29",
        subject: "main before issue 21 (permissions boundary, CI runner and deploy roles in place)",
        upgradeConfig: {},
        docs: "docs/operations.md#upgrading",
        intended: [],
    },
    {
        commit: "1a404635bd23eba24799545eea3a2508a7df89b4",
        date: "2026-12-06",
        subject: "main after issues 21 to 28 (DR design RDS accepts, deploy-call rules, component package)",
        upgradeConfig: {},
        docs: "docs/operations.md#upgrading",
        intended: [],
    },
];
