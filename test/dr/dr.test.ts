/**
 * Backups and disaster recovery: every stateful store has a copy in the DR region under a DR-region
 * key (prod), no DR resources in dev, failover by config, protected stores that config changes never
 * replace, and recovery figures computed from config and enforced by the dr-targets policy.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { evaluatePack } from "../../policies/evaluate";
import { recoveryFactsOf } from "../../policies/dr/targets";
import { missedTargets, recoveryFigures } from "../../policies/lib/recovery";
import { toPolicyResource } from "../../policies/lib/resources";
import { packConfigFromPlatform, readPackConfigFile } from "../../scripts/lib/pack-config";
import { supplyChainPackEntries } from "../../scripts/lib/supply-chain-pack";
import { BuiltStack, buildStack, builtStack, promiseOf, REPO_ROOT } from "../../lib/offline/stack";
import { RecordedResource } from "../../lib/offline/recorder";
import { failoverOf } from "../harness/failover";

const T = {
    db: "aws:rds/instance:Instance",
    key: "aws:kms/key:Key",
    bucket: "aws:s3/bucket:Bucket",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    vault: "aws:backup/vault:Vault",
    plan: "aws:backup/plan:Plan",
    lock: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    cluster: "aws:eks/cluster:Cluster",
    release: "kubernetes:helm.sh/v3:Release",
    backupsReplication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
};
const DR_REGION = "eu-central-1";
const arnOf = (r: RecordedResource) => promiseOf((r.resource as any).arn as any) as Promise<string>;
const inDrRegion = (arn: string) => arn.split(":")[3] === DR_REGION;

describe("backups and DR: prod", () => {
    let prod: BuiltStack;
    before(async () => (prod = await builtStack("prod")));

    it("the database has a cross-region replica and replicated automated backups, both under a DR-region key", async () => {
        const primary = prod.get(T.db, "database-instance");
        const replica = prod.get(T.db, "dr-database-instance");
        assert.equal(replica.inputs.replicateSourceDb, await arnOf(primary));
        assert.ok(inDrRegion(replica.inputs.kmsKeyId), replica.inputs.kmsKeyId);
        assert.equal(replica.inputs.storageEncrypted, true);
        assert.equal(replica.inputs.publiclyAccessible, false);
        assert.match(replica.provider ?? "", /dr-provider/);
        const backups = prod.ofType(T.backupsReplication)[0];
        assert.equal(backups.inputs.sourceDbInstanceArn, await arnOf(primary));
        assert.ok(inDrRegion(backups.inputs.kmsKeyId));
    });

    it("every S3 bucket in the primary region is replicated to a DR-region bucket re-encrypted with a DR key, without delete markers, with RTC", async () => {
        const primaryBuckets = prod.primary().ofType(T.bucket);
        assert.deepEqual(primaryBuckets.map((b) => b.name).sort(), ["loki-chunks", "loki-ruler", "velero-bucket"]);
        const configs = prod.ofType(T.replication);
        for (const b of primaryBuckets) {
            const cfg = configs.find((c) => c.inputs.bucket === b.inputs.bucket);
            assert.ok(cfg, `${b.name} is replicated`);
            const rule = cfg.inputs.rules[0];
            assert.equal(rule.status, "Enabled");
            assert.equal(rule.deleteMarkerReplication.status, "Disabled");
            assert.equal(rule.destination.replicationTime.status, "Enabled");
            assert.equal(rule.destination.replicationTime.time.minutes, 15);
            assert.ok(inDrRegion(rule.destination.encryptionConfiguration.replicaKmsKeyId));
            const dest = prod.ofType(T.bucket).find((x) => `arn:aws:s3:::${x.inputs.bucket}` === rule.destination.bucket)!;
            assert.ok(dest, `destination of ${b.name}`);
            assert.match(dest.provider ?? "", /dr-provider/);
            assert.equal(dest.protect, true);
        }
    });

    it("EBS volumes and the database are in AWS Backup, copied to an encrypted, locked DR vault", async () => {
        const sc = prod.ofType("kubernetes:storage.k8s.io/v1:StorageClass")[0];
        assert.equal(sc.inputs.parameters.tagSpecification_1, "backup=aws-backup");
        assert.equal(prod.get(T.db, "database-instance").inputs.tags.backup, "aws-backup");
        const selection = prod.ofType("aws:backup/selection:Selection")[0].inputs.selectionTags[0];
        assert.deepEqual([selection.key, selection.value], ["backup", "aws-backup"]);
        const drVault = prod.get(T.vault, "dr-vault");
        assert.ok(inDrRegion(drVault.inputs.kmsKeyArn));
        const rules = prod.ofType(T.plan)[0].inputs.rules;
        for (const name of ["daily", "weekly", "monthly"]) {
            const rule = rules.find((r: any) => r.ruleName === name);
            assert.equal(rule.copyActions[0].destinationVaultArn, await arnOf(drVault), name);
        }
        assert.deepEqual(prod.ofType(T.lock).map((l) => [l.name, l.inputs.changeableForDays, l.protect]).sort(), [["backup-lock", 3, true], ["dr-vault-lock", 3, true]]);
        assert.ok(rules.some((r: any) => r.ruleName === "continuous" && r.enableContinuousBackup === true && r.lifecycle.deleteAfter <= 35));
        assert.equal(prod.ofType("aws:backup/restoreTestingSelection:RestoreTestingSelection")[0].inputs.protectedResourceType, "RDS");
        // Job outcomes (failed ones included) arrive as BACKUP_JOB_COMPLETED; failures also through EventBridge.
        assert.ok(prod.ofType("aws:backup/vaultNotifications:VaultNotifications")[0].inputs.backupVaultEvents.includes("BACKUP_JOB_COMPLETED"));
        const rule = prod.primary().ofType("aws:cloudwatch/eventRule:EventRule").find((r) => r.name === "backup-job-failures")!;
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern).detail.state, ["FAILED", "ABORTED", "EXPIRED"]);
        assert.equal(prod.ofType("aws:cloudwatch/eventTarget:EventTarget").filter((t) => t.inputs.rule === rule.inputs.name).length, 1);
    });

    it("Velero writes cluster state every 5 minutes straight to the DR-region bucket, besides its hourly and daily schedules", () => {
        const v = prod.ofType(T.release).find((r) => r.inputs.chart === "velero")!.inputs.values;
        assert.deepEqual(Object.fromEntries(Object.entries(v.schedules).map(([k, s]: [string, any]) => [k, [s.schedule, s.template.storageLocation]])), {
            "apps-hourly": ["0 * * * *", "default"], "full-daily": ["0 3 * * *", "default"], "dr-objects": ["*/5 * * * *", "dr"],
        });
        const dr = v.configuration.backupStorageLocation.find((l: any) => l.name === "dr");
        assert.equal(dr.config.region, DR_REGION);
        assert.ok(inDrRegion(dr.config.kmsKeyId));
        assert.equal(v.credentials.useSecret, false);
    });

    it("every stateful store of prod and every key except the log-group keys is protected", () => {
        const stateful = [T.db, T.bucket, T.vault, T.key, "aws:opensearch/domain:Domain"];
        for (const r of prod.resources.filter((x) => stateful.includes(x.type))) {
            if (r.type === T.key && /logs-key$/.test(r.name)) continue; // keys of log groups only
            assert.equal(r.protect, true, `${r.type} ${r.name}`);
        }
    });

    it("the DR report meets prod's targets: database and cluster state RPO <= 5 min and RTO <= 60 min", () => {
        const report = prod.platform.drReport;
        assert.deepEqual(missedTargets(report, prod.config.dr.targets), []);
        const by = Object.fromEntries(report.map((f) => [f.store, f]));
        assert.ok(by.database.rpoMinutes! <= 5 && by.database.rtoMinutes! <= 60);
        assert.ok(by.clusterState.rpoMinutes! <= 5 && by.clusterState.rtoMinutes! <= 60);
        assert.equal(by.objectStorage.rpoMinutes, 15);
    });
});

describe("backups and DR: dev", () => {
    it("has no DR resources at all, and no vault lock", async () => {
        const dev = await builtStack("dev");
        assert.equal(dev.ofType("pulumi:providers:aws").length, 0);
        assert.equal(dev.resources.filter((r) => r.type.startsWith("platform:dr:")).length, 0);
        assert.equal(dev.ofType(T.replication).length, 0);
        assert.equal(dev.ofType(T.lock).length, 0);
        assert.deepEqual(dev.ofType(T.db).map((d) => d.name), ["database-instance"]);
        assert.equal(dev.platform.drReport.find((f) => f.store === "database")!.rpoMinutes, null);
    });
});


describe("failover and config changes", () => {
    let prod: BuiltStack;
    let failover: BuiltStack;
    let weaker: BuiltStack;
    before(async () => {
        prod = await builtStack("prod");
        failover = await failoverOf(prod);
        weaker = await buildStack("prod", {
            mutate: (v) => {
                v["platform:backup"] = { ...v["platform:backup"], dailyRetentionDays: 14, velero: { ...v["platform:backup"].velero, drIntervalMinutes: 30 } };
                v["platform:dr"] = { ...v["platform:dr"], replicationTimeControl: false };
            },
        });
    });

    it("dr.failover: true promotes the same replica (no replication source, same identifier) and builds the standby cluster with Velero in restore mode", () => {
        const before = prod.get(T.db, "dr-database-instance");
        const after = failover.get(T.db, "dr-database-instance");
        assert.equal(after.inputs.replicateSourceDb, undefined);
        assert.equal(after.inputs.identifier, before.inputs.identifier);
        assert.equal(after.inputs.kmsKeyId, before.inputs.kmsKeyId);
        assert.equal(after.inputs.multiAz, true);
        assert.equal(prod.ofType(T.cluster).length, 1);
        const standby = failover.get(T.cluster, "dr-eks-cluster");
        assert.match(standby.provider ?? "", /dr-provider/);
        const v = failover.get(T.release, "dr-velero").inputs.values;
        assert.deepEqual(v.configuration.backupStorageLocation.map((l: any) => [l.name, l.accessMode, l.prefix]), [["default", "ReadOnly", "direct"], ["restore-1", "ReadOnly", undefined]]);
        assert.deepEqual(v.schedules, {});
    });

    it("failover leaves every primary-region resource's inputs unchanged (the primary region may be down)", () => {
        for (const r of prod.primary().resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
            const f = failover.resources.find((x) => x.key === r.key)!;
            assert.deepEqual(f.inputs, r.inputs, r.key);
        }
    });

    it("changing backup and DR settings never touches what would replace a stateful resource", () => {
        const replaceKeys: Record<string, string[]> = {
            [T.db]: ["identifier", "engine", "kmsKeyId", "storageEncrypted", "dbName", "username", "replicateSourceDb"],
            [T.bucket]: ["bucket"],
            [T.vault]: ["name", "kmsKeyArn"],
            "aws:opensearch/domain:Domain": ["domainName"],
        };
        for (const r of prod.resources.filter((x) => x.type in replaceKeys)) {
            const w = weaker.resources.find((x) => x.key === r.key)!;
            assert.ok(w, `${r.key} still exists`);
            for (const k of replaceKeys[r.type]) assert.deepEqual(w.inputs[k], r.inputs[k], `${r.key}.${k}`);
            assert.equal(w.protect, r.protect);
        }
    });

    it("the stated RPO follows the config: a 30-minute Velero DR interval and no RTC change the figures", () => {
        const by = Object.fromEntries(weaker.platform.drReport.map((f) => [f.store, f]));
        assert.equal(by.clusterState.rpoMinutes, 30);
        assert.equal(by.objectStorage.rpoMinutes, 1440);
    });

    it("the dr-targets policy refuses the weaker config in prod and accepts prod as it is, and a failover", () => {
        const judge = (s: BuiltStack) => evaluatePack(s.resources.filter((r) => r.custom).map(toPolicyResource), packConfigFromPlatform(s.config)).filter((v) => v.policy === "dr-targets").map((v) => v.message);
        assert.deepEqual(judge(prod), []);
        assert.deepEqual(judge(failover), []);
        assert.deepEqual(judge(weaker), [
            "Recovery target missed: clusterState: RPO 30 min misses the target of 5 min (Velero object backups every 30 min written to the DR-region bucket; standby cluster built from code on failover; set by platform:backup.velero.drIntervalMinutes, platform:dr.failover).",
            "Recovery target missed: objectStorage: RPO 1440 min misses the target of 15 min (S3 cross-region replication (no RTC) of the Loki and Velero buckets; set by platform:dr.enabled, platform:dr.replicationTimeControl).",
        ]);
    });

    it("the policy computes its facts from resources, the same as the DR component from config", () => {
        const facts = recoveryFactsOf(prod.resources.filter((r) => r.custom).map(toPolicyResource));
        assert.deepEqual(recoveryFigures(facts), prod.platform.drReport);
    });

    it("a removed replica is caught", () => {
        const resources = prod.resources.filter((r) => r.custom && r.name !== "dr-database-instance" && r.type !== T.backupsReplication).map(toPolicyResource);
        const v = evaluatePack(resources, packConfigFromPlatform(prod.config)).filter((x) => x.policy === "dr-targets");
        assert.match(v[0].message, /database: RPO not recoverable after a region outage misses the target of 5 min/);
    });
});

describe("pack config files", () => {
    it("the pack config files for pulumi preview/up carry the same environment, signed registries, admission mode and DR targets as the stacks", async () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const pack = readPackConfigFile(path.join(REPO_ROOT, "policies", "config", `${stack}.json`));
            const s = await builtStack(stack);
            const of = (policy: string, key: string) => pack[policy].properties[key];
            assert.deepEqual(of("dr-targets", "drTargets"), s.config.dr.enabled ? s.config.dr.targets : undefined, stack);
            assert.deepEqual([of("admission-sbom-rule", "signedRegistries"), of("admission-sbom-rule", "admission"), of("rds-baseline", "environment"), of("image-signature-and-sbom", "verificationMode"), of("image-signature-and-sbom", "cosignPublicKeys")], [supplyChainPackEntries(s.config).signedRegistries, s.config.supplyChain.admission, s.config.environment, s.config.supplyChain.verificationMode, s.config.supplyChain.cosignPublicKeys], stack);
        }
    });
});
