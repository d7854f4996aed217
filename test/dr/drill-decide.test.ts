/**
 * The DR drill's decision logic, without AWS: what it refuses (production, failed-over stacks,
 * chaos in production, unknown experiments, short deadlines), which instances it may touch, when it
 * aborts, how long a step may take, and how figures become a verdict. Plus the command line and the
 * outputs file it reads.
 */
import * as assert from "node:assert/strict";
import { DrillInputError, parseDrillOutputs } from "../../scripts/dr/contract";
import {
    assertDrillOwned, chaosOutcome, CLEANUP_RESERVE_MINUTES, compare, DrillFlags, drillInstanceId, lagRpo, preconditionAbort, refusals, stepBudgetMs,
    STEP_TIMEOUT_MINUTES, verdict, workloadReady,
} from "../../scripts/dr/decide";
import { drillPlan, parseArgs, UsageError } from "../../scripts/dr/main";
import { DRILL, PRIMARY, STANDING, stagingOutputs } from "./drill-fixtures";

const flags = (over: Partial<DrillFlags> = {}): DrillFlags => ({ stack: "staging", allowProduction: false, deadlineMinutes: 100, ...over });
const prodOutputs = () => stagingOutputs((o) => { o.stack = "prod"; o.environment = "prod"; });

describe("DR drill: what it refuses", () => {
    it("runs against a non-production stack with DR", () => {
        assert.deepEqual(refusals(stagingOutputs(), flags()), []);
        assert.deepEqual(refusals(stagingOutputs(), flags({ chaos: "node-zone" })), []);
    });
    it("refuses production unless both --allow-production and DR_DRILL_ALLOW_PRODUCTION=<stack> are given", () => {
        const prod = prodOutputs();
        const why = refusals(prod, flags({ stack: "prod" })).join("\n");
        assert.match(why, /stack prod is production .*--allow-production and set DR_DRILL_ALLOW_PRODUCTION=prod/);
        assert.equal(refusals(prod, flags({ stack: "prod", allowProduction: true })).length, 1, "the flag alone is not enough");
        assert.equal(refusals(prod, flags({ stack: "prod", productionConfirmation: "prod" })).length, 1, "the variable alone is not enough");
        assert.equal(refusals(prod, flags({ stack: "prod", allowProduction: true, productionConfirmation: "staging" })).length, 1, "the variable must name this stack");
        assert.deepEqual(refusals(prod, flags({ stack: "prod", allowProduction: true, productionConfirmation: "prod" })), []);
        // The environment decides, whatever the stack is called.
        const renamed = stagingOutputs((o) => { o.environment = "prod"; });
        assert.equal(refusals(renamed, flags()).length, 1);
    });
    it("never injects faults into production, even with the override", () => {
        const why = refusals(prodOutputs(), flags({ stack: "prod", allowProduction: true, productionConfirmation: "prod", chaos: "node-zone" }));
        assert.deepEqual(why, ["--chaos node-zone: the drill never injects faults into a production stack"]);
    });
    it("refuses a stack without DR, a failed-over stack, and outputs of another stack", () => {
        assert.match(refusals(stagingOutputs((o) => { o.dr = { enabled: false }; }), flags()).join(), /has no DR \(platform:dr.enabled: false\)/);
        assert.match(refusals(stagingOutputs((o) => { if (o.dr.enabled) o.dr.failover = true; }), flags()).join(), /is failed over .*a drill would race the real failover/);
        assert.match(refusals(stagingOutputs(), flags({ stack: "dev" })).join(), /the outputs file is stack "staging"'s, not "dev"'s/);
    });
    it("refuses an experiment the stack does not have, and a deadline too short to finish", () => {
        assert.match(refusals(stagingOutputs(), flags({ chaos: "nodegroup" })).join(), /no such template \(it has node-zone, rds-failover\)/);
        assert.match(refusals(stagingOutputs(), flags({ chaos: "meteor" })).join(), /not an experiment; one of node-zone, nodegroup, rds-failover, network-zone/);
        assert.match(refusals(stagingOutputs((o) => { o.chaos = { enabled: false }; }), flags({ chaos: "node-zone" })).join(), /chaos.enabled: false/);
        assert.match(refusals(stagingOutputs(), flags({ deadlineMinutes: 20 })).join(), /--deadline-minutes 20: at least 30/);
    });
});

describe("DR drill: it touches only its own instance", () => {
    const out = stagingOutputs();
    const tags = (run: string) => [{ Key: "dr-drill-run", Value: run }];
    it("accepts the drill's instance of this run", () => {
        assert.equal(drillInstanceId(out), DRILL);
        assertDrillOwned({ DBInstanceIdentifier: DRILL, TagList: tags("gh-1-1") }, out, "gh-1-1");
        assertDrillOwned({ DBInstanceIdentifier: DRILL, TagList: tags("gh-0-1") }, out);
    });
    it("refuses the primary and the standing replica, even tagged", () => {
        assert.throws(() => assertDrillOwned({ DBInstanceIdentifier: PRIMARY, TagList: tags("gh-1-1") }, out, "gh-1-1"), /refusing to change platform-staging-postgres: it belongs to the stack/);
        assert.throws(() => assertDrillOwned({ DBInstanceIdentifier: STANDING, TagList: tags("gh-1-1") }, out, "gh-1-1"), /platform-staging-postgres-dr: it belongs to the stack/);
    });
    it("refuses any other instance, an untagged drill name, and another run's instance", () => {
        assert.throws(() => assertDrillOwned({ DBInstanceIdentifier: "someone-else", TagList: tags("gh-1-1") }, out, "gh-1-1"), /the drill's instance is platform-staging-postgres-drill/);
        assert.throws(() => assertDrillOwned({ DBInstanceIdentifier: DRILL, TagList: [] }, out), /no dr-drill-run tag/);
        assert.throws(() => assertDrillOwned({ DBInstanceIdentifier: DRILL, TagList: tags("gh-0-1") }, out, "gh-1-1"), /drill run gh-0-1's, not this run's/);
    });
});

describe("DR drill: abort conditions and limits", () => {
    const out = stagingOutputs();
    const healthy = { primaryStatus: "available", standingReplica: { status: "available", source: `arn:aws:rds:eu-west-1:123456789012:db:${PRIMARY}` } };
    it("goes on when the primary and the standing replica are healthy and nothing is left over", () => {
        assert.equal(preconditionAbort(healthy, out), undefined);
    });
    it("aborts on an unavailable primary (an incident), a broken or promoted replica, and a leftover drill instance", () => {
        assert.match(preconditionAbort({ ...healthy, primaryStatus: "rebooting" }, out)!, /is rebooting: that is an incident, not a drill/);
        assert.match(preconditionAbort({ ...healthy, primaryStatus: undefined }, out)!, /is not found/);
        assert.match(preconditionAbort({ ...healthy, standingReplica: undefined }, out)!, /does not exist in eu-central-1/);
        assert.match(preconditionAbort({ ...healthy, standingReplica: { status: "storage-full", source: "x" } }, out)!, /is storage-full/);
        assert.match(preconditionAbort({ ...healthy, standingReplica: { status: "available" } }, out)!, /no replication source: it was promoted/);
        assert.match(preconditionAbort({ ...healthy, leftover: { id: DRILL, status: "available" } }, out)!, /an earlier drill left it; run `npm run dr -- cleanup/);
    });
    it("gives each step its limit, cut to the deadline minus the cleanup reserve; cleanup itself may use the reserve", () => {
        const now = 0;
        assert.equal(stepBudgetMs("promote", 100 * 60_000, now), STEP_TIMEOUT_MINUTES.promote * 60_000);
        assert.equal(stepBudgetMs("createReplica", 100 * 60_000, now), (100 - CLEANUP_RESERVE_MINUTES) * 60_000);
        assert.equal(stepBudgetMs("promote", 5 * 60_000, now), 0, "inside the reserve: do not start");
        assert.equal(stepBudgetMs("failback", 5 * 60_000, now), 5 * 60_000);
        assert.equal(stepBudgetMs("failback", 0, 60_000), 0);
    });
    it("takes the worst replica lag as the RPO, and no data as replication not running", () => {
        assert.deepEqual(lagRpo([0.5, 4, 2]), { seconds: 4 });
        assert.match(lagRpo([]).problem!, /no ReplicaLag data points/);
        assert.match(lagRpo([Number.NaN, -1]).problem!, /no ReplicaLag/);
    });
    it("calls a workload available only when all its replicas are, and never a workload scaled to zero", () => {
        assert.equal(workloadReady("Deployment", { spec: { replicas: 2 }, status: { availableReplicas: 2 } }).ready, true);
        assert.deepEqual(workloadReady("Deployment", { spec: { replicas: 2 }, status: { availableReplicas: 1 } }), { ready: false, detail: "1/2 available" });
        assert.equal(workloadReady("Deployment", { spec: { replicas: 0 }, status: {} }).ready, false);
        assert.equal(workloadReady("StatefulSet", { spec: { replicas: 3 }, status: { readyReplicas: 3 } }).ready, true);
        assert.equal(workloadReady("DaemonSet", { status: { desiredNumberScheduled: 3, numberAvailable: 2 } }).ready, false);
        assert.equal(workloadReady("DaemonSet", { status: { desiredNumberScheduled: 0, numberAvailable: 0 } }).ready, false);
    });
    it("counts only a completed experiment as held; a stop condition firing is a finding", () => {
        assert.equal(chaosOutcome("completed", undefined).ok, true);
        assert.match(chaosOutcome("stopped", "Stop condition arn:...:alarm:x triggered").detail, /a stop-condition alarm fired/);
        assert.equal(chaosOutcome("stopped", undefined).ok, false);
        assert.equal(chaosOutcome("failed", "Target resolution returned empty set").ok, false);
        assert.equal(chaosOutcome(undefined, undefined).ok, false);
    });
});

describe("DR drill: figures against targets, and the verdict", () => {
    const out = stagingOutputs();
    it("compares the measured database RPO and RTO with platform:dr.targets and the DR report", () => {
        const c = compare(out, { databaseRpoSeconds: 6, databaseRtoSeconds: 14 * 60 });
        const rpo = c.find((x) => x.store === "database" && x.figure === "RPO")!;
        assert.deepEqual([rpo.measuredMinutes, rpo.targetMinutes, rpo.designMinutes, rpo.met], [0.1, 30, 1, true]);
        const rto = c.find((x) => x.store === "database" && x.figure === "RTO")!;
        assert.deepEqual([rto.measuredMinutes, rto.targetMinutes, rto.designMinutes, rto.met], [14, 120, 15, true]);
        assert.equal(c.find((x) => x.store === "clusterState")!.met, null, "the cluster's build is not measured by the drill");
        assert.equal(compare(out, { databaseRpoSeconds: 31 * 60 }).find((x) => x.figure === "RPO")!.met, false);
        assert.equal(compare(out, {}).find((x) => x.figure === "RTO" && x.store === "database")!.met, null);
    });
    it("passes only with every step ok or skipped and no missed target; an abort wins", () => {
        const met = compare(out, { databaseRpoSeconds: 6, databaseRtoSeconds: 600 });
        assert.equal(verdict([{ status: "ok" }, { status: "skipped" }], met), "passed");
        assert.equal(verdict([{ status: "ok" }, { status: "failed" }], met), "failed");
        assert.equal(verdict([{ status: "ok" }], compare(out, { databaseRpoSeconds: 3600 })), "failed");
        assert.equal(verdict([{ status: "aborted" }, { status: "failed" }], met), "aborted");
    });
});

describe("DR drill: command line and outputs file", () => {
    it("reads the options and derives the run id from the GitHub run", () => {
        const a = parseArgs(["drill", "staging", "--outputs", "o.json", "--chaos", "node-zone", "--deadline-minutes", "90", "--plan"], { GITHUB_RUN_ID: "7", GITHUB_RUN_ATTEMPT: "2" });
        assert.deepEqual([a.command, a.stack, a.outputs, a.chaos, a.deadlineMinutes, a.plan, a.runId, a.out], ["drill", "staging", "o.json", "node-zone", 90, true, "gh-7-2", "out/dr/staging"]);
        assert.equal(parseArgs(["drill", "staging", "--outputs", "o", "--chaos", "none"], {}).chaos, undefined, "the workflow's default input");
        assert.match(parseArgs(["drill", "staging", "--outputs", "o"], {}, new Date("2026-12-03T04:17:05Z")).runId, /^local-20261203T041705$/);
        assert.equal(parseArgs(["preflight", "staging"], {}).command, "preflight");
    });
    it("refuses bad command lines with the reason", () => {
        for (const [argv, why] of [
            [["drill"], /needs a stack name/], [["promote", "staging"], /unknown command/], [["drill", "staging"], /needs --outputs/],
            [["drill", "staging", "--outputs"], /--outputs needs a value/], [["drill", "staging", "--outputs", "o", "--deadline-minutes", "1h"], /whole number/],
            [["drill", "staging", "--outputs", "o", "--force"], /unknown option --force/], [["drill", "staging", "--outputs", "o", "--run-id", "a b"], /--run-id/],
        ] as [string[], RegExp][]) assert.throws(() => parseArgs(argv, {}), (e: Error) => e instanceof UsageError && why.test(e.message), argv.join(" "));
    });
    it("accepts `pulumi stack output drDrill --json` and the whole output object, and names every bad field", () => {
        const out = stagingOutputs();
        assert.deepEqual(parseDrillOutputs(JSON.stringify(out), "o.json"), out);
        assert.deepEqual(parseDrillOutputs(JSON.stringify({ region: "eu-west-1", drDrill: out }), "o.json"), out);
        assert.throws(() => parseDrillOutputs("{", "o.json"), (e: Error) => e instanceof DrillInputError && /o.json: not JSON/.test(e.message));
        assert.throws(() => parseDrillOutputs(JSON.stringify({ ...out, version: 2 }), "o.json"), /drDrill.version is 2; this drill reads version 1/);
        const broken = structuredClone(out) as any;
        broken.primary.region = "Ireland";
        broken.dr.database = { mode: "pitr", replicatedBackupsArn: "nope" };
        const message = (() => { try { parseDrillOutputs(JSON.stringify(broken), "o.json"); return ""; } catch (e) { return (e as Error).message; } })();
        assert.match(message, /drDrill\.primary\.region: must be an AWS region/);
        assert.match(message, /drDrill\.dr\.database\.replicatedBackupsArn: must be an ARN/);
        assert.match(message, /drDrill\.dr\.database\.restore/);
    });
    it("--plan lists every step with the identifiers it will use", () => {
        const plan = drillPlan(stagingOutputs(), parseArgs(["drill", "staging", "--outputs", "o", "--chaos", "node-zone", "--run-id", "gh-1-1"], {})).join("\n");
        assert.match(plan, /3\. setup: create platform-staging-postgres-drill, a cross-region replica of platform-staging-postgres made like platform-staging-postgres-dr/);
        assert.match(plan, /4\. failover: promote platform-staging-postgres-drill/);
        assert.match(plan, /6\. cluster: skipped, platform-staging-dr-eks is built on failover only/);
        assert.match(plan, /8\. chaos: start experiment node-zone in eu-west-1/);
        const noSecret = drillPlan(stagingOutputs((o) => { if (o.dr.enabled && o.dr.database.mode === "replica") delete o.dr.database.credentialSecretArn; }), parseArgs(["drill", "staging", "--outputs", "o"], {})).join("\n");
        assert.match(noSecret, /no replicated master credential in the outputs: this step will fail/);
    });
});
