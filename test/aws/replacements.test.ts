/**
 * The replacement table (lib/aws/replacements.ts) against AWS's own marking of replacing properties
 * (lib/aws/facts.json), and the offline plan diff showing REPLACE with a data-loss warning: a changed
 * databaseName replaces the database; a PostgreSQL major upgrade replaces only the parameter group.
 */
import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import { awsFacts } from "../../lib/aws/facts";
import { PROVIDER_UPDATES_IN_PLACE, REPLACING_INPUTS } from "../../lib/aws/replacements";
import { buildStack, builtStack } from "../../lib/offline/stack";
import { renderDiff } from "../../scripts/lib/render";
import { diffSnapshots, toSnapshot } from "../../scripts/lib/snapshot";

// Compile-time: every top-level input named in the table is an input of the provider's resource.
type Top<T> = Extract<keyof T, string>;
const inputsOf: Record<string, readonly string[]> = {
    "aws:rds/instance:Instance": [] as Top<aws.rds.InstanceArgs>[],
    "aws:rds/parameterGroup:ParameterGroup": [] as Top<aws.rds.ParameterGroupArgs>[],
    "aws:s3/bucket:Bucket": [] as Top<aws.s3.BucketArgs>[],
    "aws:kms/key:Key": [] as Top<aws.kms.KeyArgs>[],
    "aws:eks/cluster:Cluster": [] as Top<aws.eks.ClusterArgs>[],
    "aws:opensearch/domain:Domain": [] as Top<aws.opensearch.DomainArgs>[],
    "aws:backup/vault:Vault": [] as Top<aws.backup.VaultArgs>[],
    "aws:cloudwatch/logGroup:LogGroup": [] as Top<aws.cloudwatch.LogGroupArgs>[],
};
const checked: { [K in "rds" | "pg" | "s3" | "kms" | "eks" | "os" | "vault" | "logs"]: string[] } = {
    rds: ["identifier", "dbName", "username", "kmsKeyId", "storageEncrypted", "characterSetName", "ncharCharacterSetName", "timezone", "customIamInstanceProfile", "engine", "availabilityZone", "snapshotIdentifier", "restoreToPointInTime"] satisfies Top<aws.rds.InstanceArgs>[],
    pg: ["name", "family", "description"] satisfies Top<aws.rds.ParameterGroupArgs>[],
    s3: ["bucket", "bucketPrefix", "objectLockEnabled"] satisfies Top<aws.s3.BucketArgs>[],
    kms: ["keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId"] satisfies Top<aws.kms.KeyArgs>[],
    eks: ["name", "roleArn", "encryptionConfig", "kubernetesNetworkConfig", "bootstrapSelfManagedAddons", "outpostConfig", "accessConfig"] satisfies Top<aws.eks.ClusterArgs>[],
    os: ["domainName", "encryptAtRest"] satisfies Top<aws.opensearch.DomainArgs>[],
    vault: ["name", "kmsKeyArn"] satisfies Top<aws.backup.VaultArgs>[],
    logs: ["name"] satisfies Top<aws.cloudwatch.LogGroupArgs>[],
};

describe("replacements of stateful resources", () => {
    const facts = awsFacts().replacements;
    it("the table covers every stateful type, and each input is type-checked against the provider", () => {
        assert.deepEqual(Object.keys(REPLACING_INPUTS).sort(), Object.keys(facts).sort());
        assert.deepEqual(Object.keys(inputsOf).sort(), Object.keys(facts).sort());
        const all = new Set(Object.values(checked).flat());
        for (const entries of Object.values(REPLACING_INPUTS)) for (const e of entries) assert.ok(all.has(e.input.split(".")[0]), `${e.input} is not type-checked above`);
    });
    for (const [type, spec] of Object.entries(facts)) {
        it(`${type}: every property AWS marks as replacing is in the table or explained`, () => {
            const mapped = new Set((REPLACING_INPUTS[type] ?? []).flatMap((e) => (e.cfn ? [e.cfn] : [])));
            const explained = PROVIDER_UPDATES_IN_PLACE[type] ?? {};
            assert.deepEqual(spec.replaces.filter((p) => !mapped.has(p) && !(p in explained)), []);
            assert.deepEqual([...mapped, ...Object.keys(explained)].filter((p) => ![...spec.replaces, "BucketNamePrefix"].includes(p) && !spec.mayReplace.includes(p)), [], "no stale entries");
        });
    }

    it("a changed databaseName shows as REPLACE of the database with a data-loss warning", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...(v["platform:database"] as object), databaseName: "orders" }; } });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        const db = diff.changed.find((c) => c.key.endsWith("::database-instance"))!;
        assert.deepEqual(db.replaces, ["dbName"]);
        const text = renderDiff(diff).join("\n");
        assert.match(text, /REPLACE aws:rds\/instance:Instance::database-instance: dbName/);
        assert.match(text, /WARNING data loss: replacing deletes the database/);
        assert.match(text, /1 to replace/);
        // A protected database (prod) says the engine will refuse.
        const prodDiff = renderDiff({ added: [], removed: [], changed: [{ ...db, protect: true }] }).join("\n");
        assert.match(prodDiff, /protected, so `pulumi up` will refuse/);
    });

    it("a PostgreSQL major upgrade through config modifies the instance and replaces only the parameter group", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...(v["platform:database"] as object), engineVersion: "18.1", allowMajorVersionUpgrade: true, applyImmediately: true }; } });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        const replaced = diff.changed.filter((c) => c.replaces?.length).map((c) => [c.key.split("::")[1], c.replaces]);
        assert.deepEqual(replaced, [["database-params", ["family", "name"]]]);
        const db = diff.changed.find((c) => c.key.endsWith("::database-instance"))!;
        assert.deepEqual(db.paths.sort(), ["allowMajorVersionUpgrade", "applyImmediately", "engineVersion", "parameterGroupName"]);
        assert.equal(after.get("aws:rds/parameterGroup:ParameterGroup", "database-params").inputs.name, "platform-dev-postgres-pg18");
    });
});
