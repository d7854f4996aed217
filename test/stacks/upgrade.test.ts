/**
 * Upgrades from every earlier release (issue 21, finding 4): each stack is planned from each
 * release's plan snapshot (test/data/releases/, scripts/release-snapshots.ts) with the config that
 * release's stacks set before upgrading (lib/aws/migrations.ts), and the plan may replace or remove
 * no protected or stateful resource that is not declared as an intended migration. Which input
 * changes replace a resource comes from lib/aws/replacements.ts: the test gets stricter as that
 * table grows.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DATA_AT_RISK } from "../../lib/aws/replacements";
import { PRE_BOUNDARY_CLUSTER_ROLE, Release, RELEASES } from "../../lib/aws/migrations";
import { permissionsBoundaryFindings } from "../../lib/aws/rules";
import { evaluatePack } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import { packConfigFromPlatform } from "../../scripts/lib/pack-config";
import { buildStack, BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";
import { readReleaseSnapshot, releaseSnapshotFile } from "../../scripts/release-snapshots";
import { readSnapshot } from "../../scripts/lib/plan-main";
import { diffSnapshots, Snapshot, toSnapshot } from "../../scripts/lib/snapshot";

/** The stack as a stack deployed from `release` plans it: its file plus the release's upgrade config. */
function upgraded(stack: string, release: Release): Promise<BuiltStack> {
    if (Object.keys(release.upgradeConfig).length === 0) return builtStack(stack);
    return buildStack(stack, { mutate: (v) => { for (const [k, patch] of Object.entries(release.upgradeConfig)) v[k] = { ...(v[k] ?? {}), ...patch }; } });
}

/**
 * Types whose name input must be unique (in the account, region or VPC): replacing one with a fixed name (the engine
 * creates the new one before deleting the old) fails on the name, whatever the resource holds.
 */
const UNIQUE_NAMES: Record<string, string> = {
    "aws:ec2/securityGroup:SecurityGroup": "name", "aws:iam/role:Role": "name", "aws:s3/bucket:Bucket": "bucket", "aws:rds/instance:Instance": "identifier",
    "aws:rds/subnetGroup:SubnetGroup": "name", "aws:rds/parameterGroup:ParameterGroup": "name", "aws:eks/cluster:Cluster": "name", "aws:opensearch/domain:Domain": "domainName",
    "aws:kms/alias:Alias": "name", "aws:cloudwatch/logGroup:LogGroup": "name", "aws:backup/vault:Vault": "name", "aws:backup/plan:Plan": "name",
    "aws:codebuild/project:Project": "name", "aws:ecr/repository:Repository": "name", "aws:sns/topic:Topic": "name", "aws:cloudwatch/eventRule:EventRule": "name",
};

/**
 * Replacements and removals of protected or stateful resources, and replacements of resources with a fixed physical
 * name (the new one cannot be created while the old one holds the name), less the release's intended ones.
 */
export function unintended(before: Snapshot, after: Snapshot, stack: string, release: Pick<Release, "intended">): string[] {
    const old = new Map(before.resources.map((r) => [r.key, r]));
    // The diff applies each resource's ignoreChanges (in `after`) as the engine does: no change there, so no replacement from it.
    const diff = diffSnapshots(before, after);
    const guarded = (key: string) => { const r = old.get(key)!; return r.protect || r.type in DATA_AT_RISK || typeof r.inputs[UNIQUE_NAMES[r.type]] === "string"; };
    const intended = (key: string, change: "replace" | "remove") => release.intended.some((m) => m.resource === key && m.change === change && (m.stack === "*" || m.stack === stack));
    return [
        ...diff.changed.filter((c) => c.replaces?.length && guarded(c.key) && !intended(c.key, "replace")).map((c) => `REPLACE ${c.key}${old.get(c.key)!.protect ? " [protected]" : ""}: ${c.replaces!.join(", ")}`),
        ...diff.removed.filter((k) => guarded(k) && !intended(k, "remove")).map((k) => `REMOVE ${k}${old.get(k)!.protect ? " [protected]" : ""}`),
    ];
}

describe("upgrades from every earlier release", () => {
    it("the releases' snapshots are in the repository and are plan snapshots of every stack", () => {
        assert.ok(RELEASES.length >= 2);
        for (const r of RELEASES) for (const stack of STACKS) {
            assert.ok(fs.existsSync(releaseSnapshotFile(r.commit, stack)), `${releaseSnapshotFile(r.commit, stack)}: make it with node --import tsx scripts/release-snapshots.ts ${r.commit}`);
            const snap = readReleaseSnapshot(r.commit, stack) as Snapshot;
            assert.equal(snap.stack, stack);
            assert.ok(snap.resources.length > 100);
        }
    });

    for (const release of RELEASES) {
        for (const stack of STACKS) {
            it(`${stack} from ${release.commit.slice(0, 7)}: no protected or stateful resource replaced or removed unless declared`, async () => {
                const built = await upgraded(stack, release);
                const after = toSnapshot(stack, built.config.environment, built.resources);
                assert.deepEqual(unintended(readReleaseSnapshot(release.commit, stack) as Snapshot, after, stack, release), []);
            });
        }
    }

    it("without the upgrade config, a b16fdcd stack would replace its protected cluster (the case the migration exists for)", async () => {
        const release = RELEASES.find((r) => r.commit.startsWith("b16fdcd"))!;
        const prod = await builtStack("prod");
        const found = unintended(readReleaseSnapshot(release.commit, "prod") as Snapshot, toSnapshot("prod", "prod", prod.resources), "prod", release);
        assert.deepEqual(found, ["REPLACE aws:eks/cluster:Cluster::eks-cluster [protected]: accessConfig.bootstrapClusterCreatorAdminPermissions, roleArn"]);
        // Declared, it passes; a stateful change (another database name) is caught whatever the release.
        assert.deepEqual(unintended(readReleaseSnapshot(release.commit, "prod") as Snapshot, toSnapshot("prod", "prod", prod.resources), "prod", { intended: [{ stack: "prod", resource: "aws:eks/cluster:Cluster::eks-cluster", change: "replace", why: "test" }] }), []);
        // Without its ignoreChanges, the DR database security group (fixed name, description changed since b16fdcd) would be replaced and fail on its name.
        const withoutIgnoreChanges = toSnapshot("prod", "prod", prod.resources.map((r) => ({ ...r, ignoreChanges: [] })));
        assert.deepEqual(unintended(readReleaseSnapshot(release.commit, "prod") as Snapshot, withoutIgnoreChanges, "prod", { intended: [{ stack: "prod", resource: "aws:eks/cluster:Cluster::eks-cluster", change: "replace", why: "test" }] }), ["REPLACE aws:ec2/securityGroup:SecurityGroup::dr-database-sg: description"]);
        const renamed = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...v["platform:database"], databaseName: "orders" }; } });
        const latest = RELEASES[RELEASES.length - 1];
        assert.deepEqual(unintended(readReleaseSnapshot(latest.commit, "dev") as Snapshot, toSnapshot("dev", "dev", renamed.resources), "dev", latest), ["REPLACE aws:rds/instance:Instance::database-instance: dbName"]);
    });

    it("platform:eks.preBoundaryCluster keeps the old cluster role as it was: no path, no boundary, never changed or deleted; the pack and the offline rule exempt it by name", async () => {
        const release = RELEASES.find((r) => r.commit.startsWith("b16fdcd"))!;
        const built = await upgraded("prod", release);
        const role = built.get("aws:iam/role:Role", PRE_BOUNDARY_CLUSTER_ROLE);
        assert.deepEqual([role.inputs.path, role.inputs.permissionsBoundary, role.retainOnDelete], [undefined, undefined, true]);
        assert.ok(["assumeRolePolicy", "path", "permissionsBoundary", "tags"].every((i) => role.ignoreChanges.includes(i)));
        assert.equal(built.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.accessConfig.bootstrapClusterCreatorAdminPermissions, true);
        const boundary = { boundaryArn: "arn:aws:iam::123456789012:policy/platform-boundary", path: "/platform/" };
        assert.deepEqual(permissionsBoundaryFindings(built.resources, boundary).map((f) => f.split(":")[0]), [PRE_BOUNDARY_CLUSTER_ROLE, PRE_BOUNDARY_CLUSTER_ROLE]);
        assert.deepEqual(permissionsBoundaryFindings(built.resources, { ...boundary, preBoundaryRoles: [PRE_BOUNDARY_CLUSTER_ROLE] }), []);
        const violations = evaluatePack(built.resources.map(toPolicyResource), packConfigFromPlatform(built.config)).filter((v) => v.policy === "iam-role-boundary");
        assert.deepEqual(violations, []);
        // Every other role moves under the boundary as on a new stack; a new stack keeps none.
        assert.equal((await builtStack("prod")).get("aws:iam/role:Role", PRE_BOUNDARY_CLUSTER_ROLE).inputs.path, "/platform/");
    });

    it("the snapshots read as plan snapshots for `npm run plan -- <stack> --diff`", () => {
        // The plan's --diff takes a plan.json: a release's snapshot, unzipped, is one.
        const file = path.join(os.tmpdir(), `release-${process.pid}.json`);
        fs.writeFileSync(file, JSON.stringify(readReleaseSnapshot(RELEASES[0].commit, "prod")));
        try { assert.equal(readSnapshot(file).stack, "prod"); } finally { fs.rmSync(file); }
    });
});
