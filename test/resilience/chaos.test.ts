/**
 * Chaos experiments (components/resilience): the AWS FIS templates each stack creates, checked
 * against the FIS facts (action, target type and key, parameters), their stop alarms (the API server
 * SLO's page burn rate on the EKS-vended metrics), the experiment role (least privilege, the FIS
 * trust with confused-deputy conditions, the platform's boundary), the encrypted log group, the zone
 * config, and the policy pack on a stack with the experiments enabled.
 */
import * as assert from "node:assert/strict";
import { API_SERVER_SLO } from "../../components/observability/alerts";
import { CHAOS_EXPERIMENTS, FIS_ACTIONS, FIS_MAX_TARGET_ARNS, isoMinutes } from "../../components/resilience/experiments";
import { pageBurnErrorRatio } from "../../components/resilience/stop-alarms";
import { evaluatePack } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import { BuiltStack, buildStack, builtStack, idOf, promiseOf, readStackConfig } from "../../lib/offline/stack";
import { RecordedResource } from "../../lib/offline/recorder";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { parsePlatformConfig } from "../../stacks/config";

const T = {
    template: "aws:fis/experimentTemplate:ExperimentTemplate",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    role: "aws:iam/role:Role",
    policy: "aws:iam/rolePolicy:RolePolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
};
const arnOf = (r: RecordedResource) => promiseOf((r.resource as any).arn) as Promise<string>;
const templates = (s: BuiltStack) => Object.fromEntries(s.ofType(T.template).map((r) => [r.name.replace(/^chaos-/, ""), r.inputs]));

describe("chaos experiments: staging", () => {
    let s: BuiltStack;
    before(async () => (s = await builtStack("staging")));

    it("has one template per experiment, each with the FIS action's own target type, target key and parameters", () => {
        const t = templates(s);
        assert.deepEqual(Object.keys(t).sort(), [...CHAOS_EXPERIMENTS].sort());
        for (const [key, inputs] of Object.entries(t)) {
            assert.equal(inputs.actions.length, 1, key);
            const action = inputs.actions[0];
            const fact = FIS_ACTIONS[action.actionId as keyof typeof FIS_ACTIONS];
            assert.ok(fact, `${key}: ${action.actionId} is not in the FIS facts`);
            assert.equal(inputs.targets.length, 1);
            assert.equal(inputs.targets[0].resourceType, fact.resourceType, key);
            assert.deepEqual(action.target, { key: fact.targetKey, value: inputs.targets[0].name }, key);
            assert.deepEqual(action.parameters.map((p: { key: string }) => p.key).filter((k: string) => !(fact.parameters as readonly string[]).includes(k)), [], `${key}: parameters the action does not take`);
            assert.ok(Boolean(inputs.targets[0].resourceArns) !== Boolean(inputs.targets[0].resourceTags), `${key}: ARNs or tags, not both (the API refuses both)`);
            assert.deepEqual(inputs.experimentOptions, { accountTargeting: "single-account", emptyTargetResolutionMode: "fail" });
            assert.ok(inputs.description.length <= 512);
        }
        assert.deepEqual(t["nodegroup"].actions[0].parameters, [{ key: "instanceTerminationPercentage", value: "34" }]);
        assert.deepEqual(t["rds-failover"].actions[0].parameters, [{ key: "forceFailover", value: "true" }]);
        assert.deepEqual(t["network-zone"].actions[0].parameters, [{ key: "duration", value: "PT5M" }, { key: "scope", value: "all" }]);
    });

    it("targets the cluster's nodes and node groups, the primary database and every subnet of the first zone", async () => {
        const t = templates(s);
        const clusterName = s.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.name;
        assert.deepEqual(t["node-zone"].targets[0].resourceTags, [{ key: "eks:cluster-name", value: clusterName }]);
        assert.deepEqual(t["node-zone"].targets[0].filters, [{ path: "Placement.AvailabilityZone", values: ["eu-west-1a"] }, { path: "State.Name", values: ["running"] }]);
        const nodeGroups = s.ofType("aws:eks/nodeGroup:NodeGroup").filter((r) => !r.name.startsWith("dr-"));
        assert.deepEqual(t["nodegroup"].targets[0].resourceArns, await Promise.all(nodeGroups.map(arnOf)));
        assert.deepEqual(t["rds-failover"].targets[0].resourceArns, [await arnOf(s.get("aws:rds/instance:Instance", "database-instance"))]);
        const zoneA = await Promise.all(["public", "private", "isolated"].map((tier) => idOf(s.get("aws:ec2/subnet:Subnet", `network-${tier}-0`))));
        assert.deepEqual(t["network-zone"].targets[0].resourceArns, zoneA.map((id) => `arn:aws:ec2:eu-west-1:123456789012:subnet/${id}`));
    });

    it("stops every experiment on the API server SLO alarm and the unschedulable-pods alarm", async () => {
        const alarms = s.ofType(T.alarm).filter((a) => a.parent?.endsWith("::chaos"));
        assert.equal(alarms.length, 2);
        const arns = await Promise.all(alarms.map(arnOf));
        for (const inputs of Object.values(templates(s))) assert.deepEqual(inputs.stopConditions, arns.map((value) => ({ source: "aws:cloudwatch:alarm", value })));
        const slo = alarms.find((a) => a.name === "chaos-stop-apiserver-slo")!.inputs;
        assert.ok(Math.abs(slo.threshold - 14.4 * (1 - API_SERVER_SLO.objective)) < 1e-12, "the page burn rate of the apiserver SLO");
        assert.equal(slo.threshold, 0.0144);
        const clusterName = s.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.name;
        assert.deepEqual(slo.metricQueries.map((q: any) => q.metric?.metricName ?? q.expression), ["apiserver_request_total_5XX", "apiserver_request_total", "errors / requests"]);
        for (const q of slo.metricQueries.filter((x: any) => x.metric)) assert.deepEqual([q.metric.namespace, q.metric.dimensions, q.metric.stat, q.metric.period], ["AWS/EKS", { ClusterName: clusterName }, "Sum", 60]);
        assert.deepEqual(slo.metricQueries.map((q: any) => q.returnData), [false, false, true], "exactly one query returns the alarm's data");
        assert.deepEqual([slo.comparisonOperator, slo.evaluationPeriods, slo.datapointsToAlarm, slo.treatMissingData], ["GreaterThanThreshold", 3, 2, "notBreaching"]);
        const pending = alarms.find((a) => a.name === "chaos-stop-unschedulable-pods")!.inputs;
        assert.deepEqual([pending.namespace, pending.metricName, pending.dimensions, pending.threshold, pending.evaluationPeriods], ["AWS/EKS", "scheduler_pending_pods_UNSCHEDULABLE", { ClusterName: clusterName }, 0, 10]);
        assert.throws(() => pageBurnErrorRatio(1), /between 0 and 1/);
    });

    it("logs to a KMS-encrypted log group with retention, by its ARN with FIS's :* suffix", async () => {
        const group = s.get(T.logGroup, "chaos-logs");
        assert.equal(group.inputs.name, "/aws/fis/platform-staging");
        assert.equal(group.inputs.kmsKeyId, await arnOf(s.get(T.key, "chaos-logs-key")));
        assert.equal(group.inputs.retentionInDays, s.config.eks.logRetentionDays);
        for (const inputs of Object.values(templates(s))) {
            assert.deepEqual(inputs.logConfiguration, { logSchemaVersion: 2, cloudwatchLogsConfiguration: { logGroupArn: `${await arnOf(group)}:*` } });
        }
        const keyPolicy = JSON.parse(s.get(T.key, "chaos-logs-key").inputs.policy);
        assert.ok(keyPolicy.Statement.some((st: any) => st.Principal?.Service === "logs.eu-west-1.amazonaws.com"));
    });

    it("runs as its own role: FIS may assume it only for this account's experiments; the policy is scoped to the stack's resources", async () => {
        const role = s.get(T.role, "chaos-role");
        const roleArn = await arnOf(role);
        for (const inputs of Object.values(templates(s))) assert.equal(inputs.roleArn, roleArn);
        assert.equal(role.inputs.path, "/platform/");
        assert.match(role.inputs.permissionsBoundary, /:policy\/platform-boundary$/);
        const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement;
        assert.deepEqual(trust, [{
            Effect: "Allow", Principal: { Service: "fis.amazonaws.com" }, Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": "arn:aws:fis:eu-west-1:123456789012:experiment/*" } },
        }]);
        const statements: any[] = JSON.parse(s.get(T.policy, "chaos-policy").inputs.policy).Statement;
        const actions = statements.flatMap((st) => [st.Action].flat());
        assert.equal(actions.filter((a) => /\*/.test(a)).length, 0, "no wildcard action");
        // Account-wide resources only for reads, target resolution and the log delivery set-up (those actions take no resource ARN).
        const accountWide = statements.filter((st) => st.Resource === "*").flatMap((st) => [st.Action].flat());
        assert.deepEqual(accountWide.filter((a) => !/^(ec2:Describe|ec2:GetManagedPrefixListEntries|tag:GetResources|logs:(CreateLogDelivery|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))/.test(a)), []);
        const clusterName = s.get("aws:eks/cluster:Cluster", "eks-cluster").inputs.name;
        const terminate = statements.find((st) => st.Action === "ec2:TerminateInstances");
        assert.deepEqual(terminate.Condition, { StringEquals: { "aws:ResourceTag/eks:cluster-name": clusterName } });
        assert.equal(terminate.Resource, "arn:aws:ec2:eu-west-1:123456789012:instance/*");
        assert.deepEqual(statements.find((st) => [st.Action].flat().includes("rds:RebootDBInstance")).Resource, await arnOf(s.get("aws:rds/instance:Instance", "database-instance")));
        const aclEdits = statements.find((st) => [st.Action].flat().includes("ec2:DeleteNetworkAcl"));
        assert.deepEqual(aclEdits.Condition, { StringEquals: { "aws:ResourceTag/managedByFIS": "true" } }, "FIS may edit and delete only the ACLs it created");
        assert.equal(new Set(statements.map((st) => st.Sid)).size, statements.length);
    });
});

describe("chaos experiments: per stack and by config", () => {
    it("dev (Single-AZ database) has no forced-failover experiment; prod has none unless enabled", async () => {
        assert.deepEqual(Object.keys(templates(await builtStack("dev"))).sort(), ["network-zone", "node-zone", "nodegroup"]);
        assert.deepEqual((await builtStack("prod")).ofType(T.template), []);
    });

    it("prod with the experiments in a chosen zone: that zone's nodes and subnets, extra stop alarms, and the policy pack passes", async () => {
        const extra = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:shop-api-slo";
        const s = await buildStack("prod", { mutate: (v) => {
            v["platform:network"] = { ...v["platform:network"], availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] };
            v["platform:resilience"] = { chaos: { enabled: true, zone: "eu-west-1b", networkDisruptionMinutes: 10, extraStopAlarmArns: [extra] } };
        } });
        const t = templates(s);
        assert.equal(Object.keys(t).length, 4);
        assert.deepEqual(t["node-zone"].targets[0].filters[0], { path: "Placement.AvailabilityZone", values: ["eu-west-1b"] });
        const zoneB = await Promise.all(["public", "private", "isolated"].map((tier) => idOf(s.get("aws:ec2/subnet:Subnet", `network-${tier}-1`))));
        assert.deepEqual(t["network-zone"].targets[0].resourceArns, zoneB.map((id) => `arn:aws:ec2:eu-west-1:123456789012:subnet/${id}`));
        assert.deepEqual(t["network-zone"].actions[0].parameters[0], { key: "duration", value: "PT10M" });
        assert.equal(t["rds-failover"].stopConditions.at(-1).value, extra);
        const cfg = readPackConfigFile(packConfigFile("prod"));
        assert.deepEqual(evaluatePack(s.resources.map(toPolicyResource), cfg), []);
    });

    it("more than 5 node groups: FIS takes at most 5 ARNs per target, so the nodegroup template gets one target and one parallel action per 5 groups", async () => {
        const s = await buildStack("staging", { mutate: (v) => {
            const base = v["platform:eks"].nodeGroups[0];
            v["platform:eks"] = { ...v["platform:eks"], nodeGroups: Array.from({ length: 7 }, (_, i) => ({ ...base, name: `ng${i}` })) };
        } });
        const t = templates(s)["nodegroup"];
        const nodeGroups = s.ofType("aws:eks/nodeGroup:NodeGroup").filter((r) => !r.name.startsWith("dr-"));
        assert.equal(nodeGroups.length, 7);
        assert.deepEqual(t.targets.map((x: any) => x.resourceArns.length), [5, 2]);
        assert.deepEqual(t.targets.flatMap((x: any) => x.resourceArns), await Promise.all(nodeGroups.map(arnOf)), "every node group, once");
        assert.deepEqual(t.actions.map((a: any) => [a.name, a.actionId, a.target]), [
            ["nodegroup-1", "aws:eks:terminate-nodegroup-instances", { key: "Nodegroups", value: "nodegroup1" }],
            ["nodegroup-2", "aws:eks:terminate-nodegroup-instances", { key: "Nodegroups", value: "nodegroup2" }],
        ]);
        for (const a of t.actions) assert.deepEqual([a.parameters, a.startAfter], [[{ key: "instanceTerminationPercentage", value: "34" }], undefined], "the actions run at once");
        for (const [key, inputs] of Object.entries(templates(s))) for (const target of inputs.targets) assert.ok((target.resourceArns ?? []).length <= FIS_MAX_TARGET_ARNS, key);
    });

    it("refuses a zone the VPC does not use, a zone without pinned zones, an alarm in another region, and out-of-range numbers", () => {
        const parse = (network: Record<string, unknown>, chaos: Record<string, unknown>) => {
            const values = structuredClone(readStackConfig("staging")) as Record<string, any>;
            values["platform-secrets:slackWebhookUrl"] = "x";
            values["platform-secrets:deadMansSwitchUrl"] = "https://hc-ping.com/x";
            values["platform:network"] = { ...values["platform:network"], ...network };
            values["platform:resilience"] = { chaos: { enabled: true, ...chaos } };
            try { parsePlatformConfig({ project: "platform", stack: "staging", values }); return ""; } catch (e) { return (e as Error).message; }
        };
        const pinned = { availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] };
        assert.equal(parse(pinned, { zone: "eu-west-1c" }), "");
        assert.match(parse(pinned, { zone: "eu-west-1d" }), /platform:resilience\.chaos\.zone: "eu-west-1d" is not one of platform:network\.availabilityZones \(eu-west-1a, eu-west-1b, eu-west-1c\)/);
        // Zones are required for every stack (stacks/dr-checks.ts); without them both problems are reported.
        const unpinned = parse({ availabilityZones: undefined }, { zone: "eu-west-1a" });
        assert.match(unpinned, /platform:resilience\.chaos\.zone: naming a zone needs platform:network\.availabilityZones/);
        assert.match(unpinned, /platform:network\.availabilityZones: required: pin the 3 zones/);
        assert.match(parse({}, { extraStopAlarmArns: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:x"] }), /extraStopAlarmArns\[0\]: the alarm is in us-east-1; FIS stop conditions must be alarms in aws:region eu-west-1/);
        assert.match(parse({}, { extraStopAlarmArns: ["arn:aws:sns:eu-west-1:123456789012:topic"] }), /extraStopAlarmArns\.0|extraStopAlarmArns\[0\]/);
        assert.match(parse({}, { nodeTerminationPercent: 0 }), /nodeTerminationPercent/);
        assert.match(parse({}, { networkDisruptionMinutes: 61 }), /networkDisruptionMinutes/);
        assert.match(parse({}, { explode: true }), /explode/);
        assert.equal(isoMinutes(5), "PT5M");
        assert.throws(() => isoMinutes(0), /1 to 720 whole minutes/);
    });
});
