/**
 * The DR drill's AWS calls, with the SDK v3 clients stubbed by aws-sdk-client-mock and answering in
 * the API's response shapes (drill-fixtures.ts): the requests it sends (what it copies from the
 * standing replica, what it promotes and deletes), the order of the steps, and what it does when
 * AWS says no, replication has no data, a wait runs out, or the credential is missing. A fake clock
 * stands in for the hour-long waits.
 */
import * as assert from "node:assert/strict";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { FisClient, GetExperimentCommand, StartExperimentCommand, StopExperimentCommand } from "@aws-sdk/client-fis";
import {
    CreateDBInstanceReadReplicaCommand, DeleteDBInstanceCommand, DescribeDBInstanceAutomatedBackupsCommand, DescribeDBInstancesCommand, PromoteReadReplicaCommand,
    RDSClient, RDSServiceException, RestoreDBInstanceToPointInTimeCommand,
} from "@aws-sdk/client-rds";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AwsStub, mockClient } from "aws-sdk-client-mock";
import type { ClientConfig } from "pg";
import { DrillClients, masterCredential } from "../../scripts/dr/aws";
import type { DrDrillOutput } from "../../scripts/dr/contract";
import { SqlConnect } from "../../scripts/dr/db";
import { EXIT_CODES } from "../../scripts/dr/decide";
import { DrillReport, runChaos, runDrill, withChaos } from "../../scripts/dr/drill";
import type { KubeGet } from "../../scripts/dr/eks";
import { markdownReport } from "../../scripts/dr/report";
import {
    activeCluster, automatedBackups, describe as describeOf, DRILL, drillInstance, experimentStarted, experimentState, fakeClock, lagData, masterSecret, notFound, pitrOutputs, PRIMARY,
    primaryInstance, SECRET_ARN, STANDING, standingReplica, stagingOutputs,
} from "./drill-fixtures";

const RUN = "gh-42-1";
// client-fis 3.523.0 (the newest the registry here serves) is typed with @smithy/types 2, aws-sdk-client-mock with 4:
// the stub works at run time (it replaces the client's send), only the command types do not line up, hence `never`.
const FIS = { Start: StartExperimentCommand as never, Get: GetExperimentCommand as never, Stop: StopExperimentCommand as never };
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

interface Harness {
    clients: DrillClients;
    primary: AwsStub<any, any, any>;
    dr: AwsStub<any, any, any>;
    cw: AwsStub<any, any, any>;
    secrets: AwsStub<any, any, any>;
    fis: AwsStub<any, any, any>;
    sql: ClientConfig[];
    clock: ReturnType<typeof fakeClock>;
    log: string[];
}

function harness(): Harness {
    const clients: DrillClients = {
        primaryRds: new RDSClient({ region: "eu-west-1", credentials }),
        drRds: new RDSClient({ region: "eu-central-1", credentials }),
        drCloudWatch: new CloudWatchClient({ region: "eu-central-1", credentials }),
        drSecrets: new SecretsManagerClient({ region: "eu-central-1", credentials }),
        drEks: new EKSClient({ region: "eu-central-1", credentials }),
        fis: new FisClient({ region: "eu-west-1", credentials }),
    };
    return {
        clients, sql: [], clock: fakeClock(), log: [],
        primary: mockClient(clients.primaryRds), dr: mockClient(clients.drRds), cw: mockClient(clients.drCloudWatch), secrets: mockClient(clients.drSecrets), fis: mockClient(clients.fis as never) as AwsStub<any, any, any>,
    };
}

const fakeSql = (h: Harness, fail?: string): SqlConnect => (config) => {
    h.sql.push(config);
    return {
        connect: async () => { if (fail) throw new Error(fail); },
        query: async (sql: string) => ({ rows: sql === "SELECT 1 AS ok" ? [{ ok: 1 }] : [] }),
        end: async () => undefined,
    };
};

async function drill(h: Harness, out: DrDrillOutput, sql = fakeSql(h)): Promise<DrillReport> {
    return runDrill(out, { stack: out.stack, allowProduction: false, deadlineMinutes: 110 }, RUN, {
        clients: h.clients, clock: h.clock, rdsCa: async () => CA, sqlConnect: sql, log: (l) => h.log.push(l),
    });
}

/** The healthy replica-mode world: primary and standing replica available, no drill instance yet, lag of a few seconds. */
function healthyReplicaWorld(h: Harness) {
    h.primary.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: PRIMARY }).resolves(describeOf(primaryInstance()));
    h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: STANDING }).resolves(describeOf(standingReplica()));
    h.cw.on(GetMetricDataCommand).callsFake(() => lagData([3, 4, 2, 1], h.clock.now()));
    h.secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves(masterSecret);
}

/** The drill instance's life: absent, creating, a replica, modifying, promoted, found at failback, deleting, gone. */
function drillLifecycle(h: Harness) {
    healthyReplicaWorld(h);
    const source = `arn:aws:rds:eu-west-1:123456789012:db:${PRIMARY}`;
    h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL })
        .rejectsOnce(notFound(DRILL))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "creating", Endpoint: undefined })))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "available", ReadReplicaSourceDBInstanceIdentifier: source })))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "modifying", ReadReplicaSourceDBInstanceIdentifier: source })))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "available" })))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "available" })))
        .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "deleting" })))
        .rejects(notFound(DRILL));
    h.dr.on(CreateDBInstanceReadReplicaCommand).resolves({ DBInstance: drillInstance(RUN, { DBInstanceStatus: "creating" }) });
    h.dr.on(PromoteReadReplicaCommand).resolves({ DBInstance: drillInstance(RUN, { DBInstanceStatus: "modifying" }) });
    h.dr.on(DeleteDBInstanceCommand).resolves({ DBInstance: drillInstance(RUN, { DBInstanceStatus: "deleting" }) });
}

/** Every request other than a read names the drill's instance: the drill never changes the stack's own. */
function assertOnlyDrillChanged(h: Harness) {
    const reads = /^(Describe|Get|List)/;
    for (const stub of [h.primary, h.dr]) {
        for (const call of stub.calls()) {
            const cmd = call.args[0] as any;
            const name = cmd.constructor.name.replace(/Command$/, "");
            if (reads.test(name)) continue;
            assert.notEqual(stub, h.primary, `a ${name} call went to the primary region`);
            const target = cmd.input.DBInstanceIdentifier ?? cmd.input.TargetDBInstanceIdentifier;
            assert.equal(target, DRILL, `${name} on ${target}`);
        }
    }
}

describe("DR drill against AWS (replica mode)", () => {
    let h: Harness;
    beforeEach(() => (h = harness()));

    it("measures the lag, makes a replica like the standing one, promotes it, logs in, and deletes it", async () => {
        drillLifecycle(h);

        const report = await drill(h, stagingOutputs());
        assert.deepEqual(report.steps.map((s) => [s.name, s.status]), [["preflight", "ok"], ["rpo", "ok"], ["setup", "ok"], ["failover", "ok"], ["database", "ok"], ["cluster", "skipped"], ["failback", "ok"]], h.log.join("\n"));
        assert.equal(report.verdict, "passed");

        const create = h.dr.commandCalls(CreateDBInstanceReadReplicaCommand)[0].args[0].input;
        const standing = standingReplica();
        assert.equal(create.DBInstanceIdentifier, DRILL);
        assert.equal(create.SourceDBInstanceIdentifier, `arn:aws:rds:eu-west-1:123456789012:db:${PRIMARY}`, "a cross-region source is named by ARN (the SDK presigns from it)");
        assert.deepEqual([create.DBInstanceClass, create.StorageType, create.DBSubnetGroupName, create.VpcSecurityGroupIds, create.DBParameterGroupName, create.KmsKeyId],
            [standing.DBInstanceClass, standing.StorageType, standing.DBSubnetGroup!.DBSubnetGroupName, ["sg-0a1b2c3d4e5f60718"], standing.DBParameterGroups![0].DBParameterGroupName, standing.KmsKeyId]);
        assert.deepEqual([create.MultiAZ, create.PubliclyAccessible, create.DeletionProtection], [false, false, false]);
        assert.ok(create.Tags!.some((t) => t.Key === "dr-drill-run" && t.Value === RUN));
        assert.deepEqual(h.dr.commandCalls(PromoteReadReplicaCommand)[0].args[0].input, { DBInstanceIdentifier: DRILL, BackupRetentionPeriod: 7 });
        assert.deepEqual(h.dr.commandCalls(DeleteDBInstanceCommand)[0].args[0].input, { DBInstanceIdentifier: DRILL, SkipFinalSnapshot: true, DeleteAutomatedBackups: true });
        assertOnlyDrillChanged(h);
        assert.deepEqual(h.primary.calls().map((c) => (c.args[0] as object).constructor.name), ["DescribeDBInstancesCommand"]);

        // RPO from the lag query over the last 15 minutes, one-minute maxima of the standing replica.
        const lagQuery = h.cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
        assert.deepEqual(lagQuery.MetricDataQueries![0].MetricStat, { Metric: { Namespace: "AWS/RDS", MetricName: "ReplicaLag", Dimensions: [{ Name: "DBInstanceIdentifier", Value: STANDING }] }, Period: 60, Stat: "Maximum" });
        assert.equal(lagQuery.EndTime!.getTime() - lagQuery.StartTime!.getTime(), 15 * 60_000);
        assert.equal(report.measured.databaseRpoSeconds, 4);

        // The login used the DR copy of the credential, verified TLS and the promoted instance's endpoint.
        assert.equal(h.sql.length, 1);
        assert.deepEqual([h.sql[0].host, h.sql[0].user, h.sql[0].password, h.sql[0].database], [`${DRILL}.c9akciq32.eu-central-1.rds.amazonaws.com`, "platform_admin", "EXAMPLE-PASSWORD", "app"]);
        assert.deepEqual(h.sql[0].ssl, { ca: CA, rejectUnauthorized: true, servername: `${DRILL}.c9akciq32.eu-central-1.rds.amazonaws.com` });

        // RTO = failover + login; the drill's own replica (setup) is not part of it.
        const seconds = Object.fromEntries(report.steps.map((s) => [s.name, s.seconds]));
        assert.equal(report.measured.databaseRtoSeconds, seconds.failover + seconds.database);
        assert.equal(report.measured.setupSeconds, seconds.setup);
        assert.ok(seconds.setup >= 30 && seconds.failover >= 30, "each wait polled at least once");
        const md = markdownReport(report);
        assert.match(md, /^# DR drill staging: passed/);
        assert.match(md, /\| database \| RPO \| 0\.07 min \| 30 min \| 1 min \| met \|/);
        assert.match(md, /\| database \| RTO \| [\d.]+ min \| 120 min \| 15 min \| met \|/);
    });

    it("checks the standby cluster through the EKS API when it is built, and fails the drill when it does not answer", async () => {
        const built = stagingOutputs((o) => { if (o.dr.enabled) o.dr.cluster.built = true; });
        drillLifecycle(h);
        const eks = mockClient(h.clients.drEks);
        eks.on(DescribeClusterCommand, { name: "platform-staging-dr-eks" }).resolves(activeCluster("platform-staging-dr-eks", CA));
        const deployment = JSON.stringify({ spec: { replicas: 2 }, status: { availableReplicas: 2 } });
        const kubeGet: KubeGet = async (url) => ({ status: 200, body: url.endsWith("/readyz") ? "ok" : deployment });
        const run = (get: KubeGet) => runDrill(built, { stack: "staging", allowProduction: false, deadlineMinutes: 110 }, RUN, {
            clients: h.clients, clock: h.clock, rdsCa: async () => CA, sqlConnect: fakeSql(h), kubeGet: get, log: () => undefined,
        });
        let report = await run(kubeGet);
        assert.deepEqual([report.steps.find((s) => s.name === "cluster")!.status, report.measured.clusterReachable, report.verdict], ["ok", true, "passed"]);

        h = harness();
        drillLifecycle(h);
        mockClient(h.clients.drEks).on(DescribeClusterCommand).resolves(activeCluster("platform-staging-dr-eks", CA));
        report = await run(async () => ({ status: 401, body: "Unauthorized" }));
        assert.equal(report.steps.find((s) => s.name === "cluster")!.status, "failed");
        assert.equal(report.verdict, "failed");
        assert.equal(report.steps.at(-1)!.name, "failback", "cleanup runs after a failed check");
    });

    it("aborts before creating anything when the replica reports no lag data", async () => {
        healthyReplicaWorld(h);
        h.cw.on(GetMetricDataCommand).resolves(lagData([], h.clock.now()));
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL }).rejects(notFound(DRILL));
        const report = await drill(h, stagingOutputs());
        assert.deepEqual(report.steps.map((s) => [s.name, s.status]), [["preflight", "ok"], ["rpo", "aborted"]]);
        assert.equal(report.verdict, "aborted");
        assert.equal(EXIT_CODES[report.verdict], 3);
        assert.equal(h.dr.commandCalls(CreateDBInstanceReadReplicaCommand).length, 0);
        assert.equal(h.dr.commandCalls(DeleteDBInstanceCommand).length, 0);
    });

    it("aborts when an earlier drill's instance is still there, or the primary is not available", async () => {
        healthyReplicaWorld(h);
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL }).resolves(describeOf(drillInstance("gh-41-1", {})));
        let report = await drill(h, stagingOutputs());
        assert.match(report.steps[0].detail.join(), /platform-staging-postgres-drill exists \(available\): an earlier drill left it/);
        assert.equal(h.dr.commandCalls(DeleteDBInstanceCommand).length, 0, "an earlier run's instance is left to `npm run dr -- cleanup`");

        h = harness();
        healthyReplicaWorld(h);
        h.primary.on(DescribeDBInstancesCommand).resolves(describeOf(primaryInstance("storage-full")));
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL }).rejects(notFound(DRILL));
        report = await drill(h, stagingOutputs());
        assert.equal(report.verdict, "aborted");
        assert.match(report.steps[0].detail.join(), /primary database platform-staging-postgres is storage-full: that is an incident/);
    });

    it("reports RDS refusing the replica (managed master password) as a failed failover, and cleans up nothing it did not make", async () => {
        healthyReplicaWorld(h);
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL }).rejects(notFound(DRILL));
        h.dr.on(CreateDBInstanceReadReplicaCommand).rejects(new RDSServiceException({
            name: "InvalidParameterValue", $fault: "client", $metadata: { httpStatusCode: 400 },
            message: "Creating read replicas for source instance with engine postgres where ManageMasterUserPassword is enabled is not supported",
        }));
        const report = await drill(h, stagingOutputs());
        assert.deepEqual(report.steps.map((s) => [s.name, s.status]), [["preflight", "ok"], ["rpo", "ok"], ["setup", "failed"], ["failback", "ok"]]);
        assert.match(report.steps[2].detail.join(), /ManageMasterUserPassword is enabled is not supported/);
        assert.equal(report.steps[3].detail[0], `${DRILL} was never created`);
        assert.equal(report.verdict, "failed");
        assert.equal(h.dr.commandCalls(DeleteDBInstanceCommand).length, 0);
    });

    it("aborts a wait that outlives its limit and still deletes its own instance", async () => {
        healthyReplicaWorld(h);
        let described = 0;
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL }).callsFake(() => {
            described++;
            if (described === 1) throw notFound(DRILL);
            return describeOf(drillInstance(RUN, { DBInstanceStatus: described < 1000 ? "creating" : "deleting" }));
        });
        h.dr.on(CreateDBInstanceReadReplicaCommand).resolves({});
        h.dr.on(DeleteDBInstanceCommand).callsFake(() => { described = 1000; return {}; });
        const report = await drill(h, stagingOutputs());
        const setup = report.steps.find((s) => s.name === "setup")!;
        assert.equal(setup.status, "aborted");
        assert.match(setup.detail.join(), /still creating after 90 min \(limit 90 min\)/);
        assert.equal(report.verdict, "aborted");
        assert.equal(h.dr.commandCalls(DeleteDBInstanceCommand).length, 1);
        assert.match(report.steps.at(-1)!.detail.join(), /deletion started|deleted/);
    });

    it("fails the login step, without an RTO, when the outputs name no credential in the DR region", async () => {
        drillLifecycle(h);
        const out = stagingOutputs((o) => { if (o.dr.enabled && o.dr.database.mode === "replica") delete o.dr.database.credentialSecretArn; });
        const report = await drill(h, out);
        const db = report.steps.find((s) => s.name === "database")!;
        assert.equal(db.status, "failed");
        assert.match(db.detail.join(), /no master credential in the DR region/);
        assert.equal(report.measured.databaseRtoSeconds, undefined);
        assert.equal(report.verdict, "failed");
        assert.equal(h.secrets.calls().length, 0);
    });

    it("fails when the lag is beyond the RPO target", async () => {
        drillLifecycle(h);
        h.cw.on(GetMetricDataCommand).resolves(lagData([40 * 60, 10], h.clock.now()));
        const report = await drill(h, stagingOutputs());
        assert.ok(report.steps.every((s) => s.status === "ok" || s.status === "skipped"));
        assert.equal(report.comparisons.find((c) => c.figure === "RPO")!.met, false);
        assert.equal(report.verdict, "failed");
        assert.match(markdownReport(report), /\| database \| RPO \| 40 min \| 30 min \| 1 min \| \*\*missed\*\* \|/);
    });

    it("reads the master credential the way RDS writes it, and refuses a secret without one", async () => {
        h.secrets.on(GetSecretValueCommand).resolvesOnce(masterSecret).resolvesOnce({ ...masterSecret, SecretString: "hunter2" }).resolvesOnce({ ...masterSecret, SecretString: "{\"user\":\"x\"}" });
        assert.deepEqual(await masterCredential(h.clients.drSecrets, SECRET_ARN), { username: "platform_admin", password: "EXAMPLE-PASSWORD" });
        await assert.rejects(masterCredential(h.clients.drSecrets, SECRET_ARN), /does not hold JSON/);
        await assert.rejects(masterCredential(h.clients.drSecrets, SECRET_ARN), /no string username and password/);
    });
});

describe("DR drill against AWS (pitr mode)", () => {
    it("restores the replicated backups to the latest restorable time into its own instance; the RPO is that time's age", async () => {
        const h = harness();
        h.primary.on(DescribeDBInstancesCommand).resolves(describeOf(primaryInstance()));
        const latest = new Date(h.clock.now() - 6 * 60_000);
        h.dr.on(DescribeDBInstanceAutomatedBackupsCommand).resolves(automatedBackups(latest));
        h.dr.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL })
            .rejectsOnce(notFound(DRILL))
            .resolvesOnce(describeOf(drillInstance(RUN, { DBInstanceStatus: "creating" })))
            .resolvesOnce(describeOf(drillInstance(RUN, {})))
            .resolvesOnce(describeOf(drillInstance(RUN, {})))
            .rejects(notFound(DRILL));
        h.dr.on(RestoreDBInstanceToPointInTimeCommand).resolves({});
        h.dr.on(DeleteDBInstanceCommand).resolves({});
        h.secrets.on(GetSecretValueCommand).resolves(masterSecret);
        const report = await drill(h, pitrOutputs());
        assert.deepEqual(report.steps.map((s) => [s.name, s.status]), [["preflight", "ok"], ["rpo", "ok"], ["failover", "ok"], ["database", "ok"], ["cluster", "skipped"], ["failback", "ok"]]);
        assert.equal(report.measured.databaseRpoSeconds, 360);
        const restore = h.dr.commandCalls(RestoreDBInstanceToPointInTimeCommand)[0].args[0].input;
        assert.equal(restore.SourceDBInstanceAutomatedBackupsArn, "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-ruhmu4mqjzv2kixjz4fzgflfxy5h6cpyjvw6cqa");
        assert.deepEqual([restore.TargetDBInstanceIdentifier, restore.UseLatestRestorableTime, restore.DBSubnetGroupName, restore.VpcSecurityGroupIds, restore.MultiAZ, restore.PubliclyAccessible],
            [DRILL, true, "platform-staging-postgres-dr-isolated", ["sg-0a1b2c3d4e5f60718"], false, false]);
        assert.equal(h.dr.commandCalls(CreateDBInstanceReadReplicaCommand).length, 0);
        assert.equal(report.measured.databaseRtoSeconds, report.steps[2].seconds + report.steps[3].seconds);
        assertOnlyDrillChanged(h);
    });
});

describe("DR drill: chaos experiment", () => {
    it("starts the stack's template once (idempotency token) and waits for its end state", async () => {
        const h = harness();
        h.fis.on(FIS.Start).resolves(experimentStarted("EXP9xbYkUfsEcoMgjw", "EXT1a2b3c4d5e6f7"));
        h.fis.on(FIS.Get).resolvesOnce(experimentState("EXP9xbYkUfsEcoMgjw", "running")).resolves(experimentState("EXP9xbYkUfsEcoMgjw", "completed", "Experiment completed."));
        const deps = { clients: h.clients, clock: h.clock, rdsCa: async () => CA, log: () => undefined };
        const chaos = await runChaos(stagingOutputs(), "node-zone", RUN, h.clock.now() + 100 * 60_000, deps);
        assert.deepEqual(h.fis.commandCalls(FIS.Start)[0].args[0].input, { experimentTemplateId: "EXT1a2b3c4d5e6f7", clientToken: `${RUN}-EXT1a2b3c4d5e6f7`, tags: { "dr-drill-run": RUN, stack: "staging" } });
        assert.deepEqual([chaos.ok, chaos.status, chaos.experimentId], [true, "completed", "EXP9xbYkUfsEcoMgjw"]);
    });
    it("fails the drill when a stop condition ends the experiment, and stops an experiment that outlives its limit", async () => {
        let h = harness();
        h.fis.on(FIS.Start).resolves(experimentStarted("EXP1", "EXT7g8h9i0j1k2l3"));
        h.fis.on(FIS.Get).resolves(experimentState("EXP1", "stopped", "Experiment stopped by stop condition."));
        const deps = (hh: Harness) => ({ clients: hh.clients, clock: hh.clock, rdsCa: async () => CA, log: () => undefined });
        const stopped = await runChaos(stagingOutputs(), "rds-failover", RUN, h.clock.now() + 100 * 60_000, deps(h));
        assert.equal(stopped.ok, false);
        const passed = { verdict: "passed" } as DrillReport;
        assert.equal(withChaos(passed, stopped).verdict, "failed");

        h = harness();
        h.fis.on(FIS.Start).resolves(experimentStarted("EXP2", "EXT1a2b3c4d5e6f7"));
        h.fis.on(FIS.Get).resolves(experimentState("EXP2", "running"));
        h.fis.on(FIS.Stop).resolves({});
        const late = await runChaos(stagingOutputs(), "node-zone", RUN, h.clock.now() + 100 * 60_000, deps(h));
        assert.deepEqual(h.fis.commandCalls(FIS.Stop)[0].args[0].input, { id: "EXP2" });
        assert.equal(late.ok, false);
        assert.match(late.detail, /did not finish \(running\)/);
    });
});
