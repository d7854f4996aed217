/**
 * The offline diff (`npm run plan -- <stack> --diff <old plan.json>`) applies each resource's
 * `ignoreChanges` as the engine does before it diffs an update: an ignored path keeps its old value
 * (or stays absent), so it is neither a change nor a replacement; a path whose parent is missing is
 * refused, as the engine refuses the update.
 */
import * as assert from "node:assert/strict";
import { builtStack } from "../../lib/offline/stack";
import { RELEASES } from "../../lib/aws/migrations";
import { readReleaseSnapshot } from "../../scripts/release-snapshots";
import { applyIgnoreChanges, parsePropertyPath } from "../../scripts/lib/ignore-changes";
import { diffSnapshots, Snapshot, SnapshotResource, toSnapshot } from "../../scripts/lib/snapshot";
import { renderDiff } from "../../scripts/lib/render";

const resource = (type: string, name: string, inputs: Record<string, unknown>, ignoreChanges?: string[]): SnapshotResource => ({
    key: `${type}::${name}`, type, name, custom: true, protect: false, dependsOn: [], ...(ignoreChanges ? { ignoreChanges } : {}), inputs,
});
const snapshot = (...resources: SnapshotResource[]): Snapshot => ({ stack: "dev", environment: "dev", resources });
const SLR = "aws:iam/serviceLinkedRole:ServiceLinkedRole";

describe("plan --diff: ignoreChanges as the engine applies it", () => {
    it("parses the engine's property paths", () => {
        assert.deepEqual(parsePropertyPath("scalingConfig.desiredSize"), ["scalingConfig", "desiredSize"]);
        assert.deepEqual(parsePropertyPath('tags["kubernetes.io/role"]'), ["tags", "kubernetes.io/role"]);
        assert.deepEqual(parsePropertyPath("rules[2].cidr"), ["rules", 2, "cidr"]);
        assert.deepEqual(parsePropertyPath("rules[*].cidr"), ["rules", "*", "cidr"]);
        assert.equal(parsePropertyPath("[0]"), undefined);
        assert.equal(parsePropertyPath("a..b"), undefined);
    });

    it("keeps the old value of an ignored path, drops one the old inputs lack, refuses a missing parent", () => {
        const old = { tags: { a: "1" }, scalingConfig: { desiredSize: 3, maxSize: 5 }, rules: [{ cidr: "10.0.0.0/8", port: 1 }, { cidr: "::/0", port: 2 }] };
        const next = { tags: { a: "2" }, description: "new", scalingConfig: { desiredSize: 1, maxSize: 6 }, rules: [{ cidr: "0.0.0.0/0", port: 1 }, { cidr: "::/0", port: 3 }] };
        const r = applyIgnoreChanges(old, next, ["tags", "tagsAll", "description", "scalingConfig.desiredSize", "rules[*].cidr"]);
        assert.deepEqual(r, { inputs: { tags: { a: "1" }, scalingConfig: { desiredSize: 3, maxSize: 6 }, rules: [{ cidr: "10.0.0.0/8", port: 1 }, { cidr: "::/0", port: 3 }] }, missing: [] });
        assert.deepEqual(next.tags, { a: "2" }, "the new inputs are not modified");
        // The engine neither creates intermediate values nor resizes a list: a path error.
        assert.deepEqual(applyIgnoreChanges(old, { tags: {} }, ["scalingConfig.desiredSize"]).missing, ["scalingConfig.desiredSize"]);
        assert.deepEqual(applyIgnoreChanges(old, { rules: [{ cidr: "x" }] }, ["rules[1]"]).missing, ["rules[1]"]);
        assert.deepEqual(applyIgnoreChanges({}, { tags: { a: "1" } }, ["tags.a", "x.y"]), { inputs: { tags: {} }, missing: [] });
    });

    it("a service-linked role whose ignored tags and description changed is not a change; its other inputs still are", () => {
        const before = snapshot(resource(SLR, "autoscaling", { awsServiceName: "autoscaling.amazonaws.com", tags: { environment: "dev" } }));
        const after = snapshot(resource(SLR, "autoscaling", { awsServiceName: "autoscaling.amazonaws.com", description: "Auto Scaling", tags: { environment: "dev", owner: "platform" } }, ["tags", "tagsAll", "description"]));
        const diff = diffSnapshots(before, after);
        assert.deepEqual(diff.changed, []);
        assert.equal(renderDiff(diff)[0], "diff: 0 to add, 0 to remove, 0 to change, 0 to replace");
        // Without the option, the same inputs are a change (and the option list itself is never one).
        assert.deepEqual(diffSnapshots(before, snapshot({ ...after.resources[0], ignoreChanges: undefined })).changed.map((c) => c.paths), [["tags.owner", "description"]]);
        const moved = snapshot(resource(SLR, "autoscaling", { awsServiceName: "autoscaling.amazonaws.com", customSuffix: "b", tags: {} }, ["tags", "tagsAll", "description"]));
        assert.deepEqual(diffSnapshots(before, moved).changed.map((c) => [c.paths, c.replaces]), [[["customSuffix"], ["customSuffix"]]]);
    });

    it("an ignored create-only input is not a replacement (a role's path under platformRole)", () => {
        const ROLE = "aws:iam/role:Role";
        const before = snapshot(resource(ROLE, "r", { name: "r", path: "/", assumeRolePolicy: "{}" }));
        const after = snapshot(resource(ROLE, "r", { name: "r", path: "/platform/", assumeRolePolicy: "{}" }, ["path"]));
        assert.deepEqual(diffSnapshots(before, after).changed, []);
        assert.deepEqual(diffSnapshots(before, snapshot({ ...after.resources[0], ignoreChanges: undefined })).changed.map((c) => c.replaces), [["path"]]);
    });

    it("an ignoreChanges path the engine cannot apply is refused, naming the resource and the path", () => {
        const NG = "aws:eks/nodeGroup:NodeGroup";
        const diff = diffSnapshots(snapshot(resource(NG, "ng", { scalingConfig: { desiredSize: 2 } })), snapshot(resource(NG, "ng", {}, ["scalingConfig.desiredSize"])));
        assert.deepEqual(diff.refused, [`${NG}::ng: ignoreChanges "scalingConfig.desiredSize": the engine refuses the update ("cannot ignore changes to the following properties because one or more elements of the path are missing")`]);
    });

    it("dev planned from the latest release's plan: no service-linked role and no ignored role input shows as changed", async function () {
        this.timeout(120000);
        const release = RELEASES[RELEASES.length - 1];
        const built = await builtStack("dev");
        const after = toSnapshot("dev", built.config.environment, built.resources);
        const before = readReleaseSnapshot(release.commit, "dev") as Snapshot;
        assert.ok(before.resources.some((r) => r.type === SLR), "the release had service-linked roles");
        const diff = diffSnapshots(before, after);
        const ignoring = new Map(after.resources.map((r) => [r.key, r.ignoreChanges ?? []]));
        assert.ok(after.resources.some((r) => r.type === SLR && r.ignoreChanges?.includes("tags")), "the service-linked roles ignore their tags");
        assert.deepEqual(diff.changed.filter((c) => c.type === SLR).map((c) => `${c.key}: ${c.paths.join(", ")}`), []);
        for (const c of diff.changed) {
            const ignored = ignoring.get(c.key)!;
            assert.deepEqual(c.paths.filter((p) => ignored.some((i) => p === i || p.startsWith(`${i}.`) || p.startsWith(`${i}[`))), [], c.key);
        }
    });
});
