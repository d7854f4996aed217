/**
 * The AWS rules of lib/aws/rules.ts on every stack (they must find nothing) and on broken inputs
 * (they must find the bug: each issue-14 example would have been caught here).
 */
import * as assert from "node:assert/strict";
import { awsFacts } from "../../lib/aws/facts";
import { conditionKeyFindings, crdOrderFindings, logGroupFindings, serviceLinkedRoleFindings } from "../../lib/aws/rules";
import type { RecordedResource } from "../../lib/offline/recorder";
import { BuiltStack, buildStack, builtStack, STACKS } from "../../lib/offline/stack";

const fake = (type: string, name: string, inputs: Record<string, any>, dependsOn: string[] = []): RecordedResource =>
    ({ key: `${type}::${name}`, type, name, custom: true, protect: false, dependsOn, ignoreChanges: [], inputs, secretPaths: [], resource: undefined as any });

/** Region of each resource: the DR component's resources live in the DR region. */
function regionOf(built: BuiltStack): (r: RecordedResource) => string {
    const primary = new Set(built.primary().resources.map((r) => r.key));
    return (r) => (primary.has(r.key) ? built.config.region : built.config.dr.region!);
}

describe("AWS rules", () => {
    const facts = awsFacts();
    for (const stack of STACKS) {
        describe(stack, () => {
            let built: BuiltStack;
            before(async () => { built = await builtStack(stack); });
            it("condition keys are used only with actions that carry them", () => assert.deepEqual(conditionKeyFindings(built.resources, facts), []));
            it("every service-linked role relied on is created first or listed as existing", () => assert.deepEqual(serviceLinkedRoleFindings(built.resources, built.config.account.existingServiceLinkedRoles), []));
            it("every log group a service writes to is created first, encrypted, with retention, in its region", () => assert.deepEqual(logGroupFindings(built.resources, regionOf(built)), []));
            it("custom resources and charts rendering monitoring objects wait for the release installing their CRDs", () => assert.deepEqual(crdOrderFindings(built.resources), []));
        });
    }

    it("finds Velero's old KMS statement (kms:GrantIsForAWSResource on Decrypt/DescribeKey)", () => {
        const policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } }] });
        const findings = conditionKeyFindings([fake("aws:iam/rolePolicy:RolePolicy", "velero", { policy })], facts);
        assert.deepEqual(findings.map((f) => f.split(": ")[1]), ["kms:Decrypt never carries condition key kms:GrantIsForAWSResource", "kms:GenerateDataKeyWithoutPlaintext never carries condition key kms:GrantIsForAWSResource", "kms:DescribeKey never carries condition key kms:GrantIsForAWSResource"]);
        const ok = JSON.stringify({ Statement: [{ Action: "kms:CreateGrant", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } }, { Action: "kms:Decrypt", Condition: { StringLike: { "kms:EncryptionContext:aws:logs:arn": "x" } } }] });
        assert.deepEqual(conditionKeyFindings([fake("aws:iam/rolePolicy:RolePolicy", "ok", { policy: ok })], facts), []);
    });

    it("finds an OpenSearch VPC domain without its service-linked role, and a user that does not wait for it", () => {
        const domain = fake("aws:opensearch/domain:Domain", "traces", { vpcOptions: { subnetIds: ["a"] } });
        assert.equal(serviceLinkedRoleFindings([domain], []).length, 1);
        assert.deepEqual(serviceLinkedRoleFindings([domain], ["opensearchservice.amazonaws.com"]), []);
        const slr = fake("aws:iam/serviceLinkedRole:ServiceLinkedRole", "os", { awsServiceName: "opensearchservice.amazonaws.com" });
        assert.match(serviceLinkedRoleFindings([domain, slr], [])[0], /does not wait/);
        assert.deepEqual(serviceLinkedRoleFindings([{ ...domain, dependsOn: [slr.key] }, slr], []), []);
    });

    it("with the roles listed as existing, the stack creates none and still passes", async () => {
        const built = await buildStack("prod", { mutate: (v) => { v["platform:account"] = { existingServiceLinkedRoles: ["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com"] }; } });
        assert.equal(built.ofType("aws:iam/serviceLinkedRole:ServiceLinkedRole").length, 0);
        assert.deepEqual(serviceLinkedRoleFindings(built.resources, built.config.account.existingServiceLinkedRoles), []);
        // staging creates both roles of the account it shares with prod; prod lists them as existing (lib/aws/account.ts).
        const staging = await builtStack("staging");
        assert.deepEqual(staging.ofType("aws:iam/serviceLinkedRole:ServiceLinkedRole").map((r) => r.inputs.awsServiceName).sort(), ["autoscaling.amazonaws.com", "opensearchservice.amazonaws.com"]);
        assert.deepEqual((await builtStack("prod")).ofType("aws:iam/serviceLinkedRole:ServiceLinkedRole"), []);
    });

    it("finds a database replica whose log groups are missing in its region, and unencrypted groups", () => {
        const db = fake("aws:rds/instance:Instance", "replica", { identifier: "x-dr", enabledCloudwatchLogsExports: ["postgresql"] });
        const group = fake("aws:cloudwatch/logGroup:LogGroup", "g", { name: "/aws/rds/instance/x-dr/postgresql" });
        assert.match(logGroupFindings([db, group], (r) => (r === db ? "eu-central-1" : "eu-west-1")).join("\n"), /in eu-central-1, which the stack does not create/);
        const findings = logGroupFindings([{ ...db, dependsOn: [group.key] }, group], () => "eu-west-1");
        assert.deepEqual(findings, ["log group /aws/rds/instance/x-dr/postgresql is not KMS-encrypted", "log group /aws/rds/instance/x-dr/postgresql has no retention"]);
    });

    it("finds a Loki release rendering a ServiceMonitor that does not wait for kube-prometheus-stack", () => {
        const kps = fake("kubernetes:helm.sh/v3:Release", "kps", { chart: "kube-prometheus-stack" });
        const loki = fake("kubernetes:helm.sh/v3:Release", "loki", { chart: "loki", values: { monitoring: { serviceMonitor: { enabled: true } } } });
        assert.equal(crdOrderFindings([kps, loki]).length, 1);
        assert.deepEqual(crdOrderFindings([kps, { ...loki, dependsOn: [kps.key] }]), []);
        const rule = fake("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "r", { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" });
        assert.equal(crdOrderFindings([kps, rule]).length, 1);
    });
});
