/**
 * The replacement marks of the offline plan diff, for every type the platform creates: the table
 * (lib/aws/replacement-table.ts) against AWS's own marks (lib/aws/cfn-replacements.json, derived
 * from the CloudFormation schemas) and against the input names of the pinned @pulumi/aws; the
 * Kubernetes marks against the Pulumi Kubernetes provider's list; and the diff itself on the stacks:
 * a new network.cidr replaces the VPC and every subnet, showing old and new CIDRs.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_REPLACEMENTS, OTHER_REPLACEMENTS } from "../../lib/aws/replacement-table";
import { CfnReplacementsFile, DATA_AT_RISK, immutablePaths, PROVIDER_UPDATES_IN_PLACE, REPLACING_INPUTS, replacingPaths } from "../../lib/aws/replacements";
import { KUBERNETES_REPLACEMENTS } from "../../lib/kubernetes/replacements";
import { buildStack, builtStack, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { renderDiff } from "../../scripts/lib/render";
import { diffSnapshots, toSnapshot } from "../../scripts/lib/snapshot";
import { SERVICE_SPEC } from "../../scripts/derive/replacements";

const cfn = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "lib", "aws", "cfn-replacements.json"), "utf8")) as CfnReplacementsFile;
const AWS_SDK = path.join(REPO_ROOT, "node_modules", "@pulumi", "aws");
const INPUT_TYPES = fs.readFileSync(path.join(AWS_SDK, "types", "input.d.ts"), "utf8");

/** The input names of a @pulumi/aws resource, as its constructor copies them (`resourceInputs["x"] = args?.x`). */
function topInputs(type: string): string[] {
    const [, mod] = type.split(":");
    const js = fs.readFileSync(path.join(AWS_SDK, `${mod}.js`), "utf8");
    return [...js.matchAll(/resourceInputs\["(\w+)"\] = [^;\n]*\bargs\b/g)].map((m) => m[1]);
}

/** Members of `inputs.<ns>.<Name>` in types/input.d.ts. */
function members(ns: string, name: string): string {
    const nsAt = INPUT_TYPES.indexOf(`export declare namespace ${ns} {`);
    const at = INPUT_TYPES.indexOf(`interface ${name} {`, nsAt);
    assert.ok(nsAt >= 0 && at >= 0, `inputs.${ns}.${name} not found`);
    return INPUT_TYPES.slice(at, INPUT_TYPES.indexOf("\n    }", at));
}

/** Whether `a.b.c` is an input path of the resource: the first name from the constructor, the rest through the input types. */
function isInputPath(type: string, input: string): boolean {
    const [first, ...rest] = input.split(".");
    if (!topInputs(type).includes(first)) return false;
    const [, mod, cls] = type.split(":");
    let decl = fs.readFileSync(path.join(AWS_SDK, `${mod}.d.ts`), "utf8");
    decl = decl.slice(decl.indexOf(`export interface ${cls}Args {`));
    let name = first;
    for (const next of rest) {
        const m = new RegExp(`\\n\\s+${name}\\??: [^\\n]*inputs\\.(\\w+)\\.(\\w+)`).exec(decl);
        if (!m) return false;
        decl = members(m[1], m[2]);
        if (!new RegExp(`\\n\\s+${next}\\??:`).test(decl)) return false;
        name = next;
    }
    return true;
}

/** The kinds the Pulumi Kubernetes provider lists in its forceNew table (diff.go), API version as the platform uses them. */
const PROVIDER_KINDS = ["apps/v1:DaemonSet", "apps/v1:Deployment", "apps/v1:StatefulSet", "batch/v1:Job", "core/v1:PersistentVolume", "core/v1:PersistentVolumeClaim", "core/v1:Pod", "core/v1:ResourceQuota", "core/v1:Secret", "core/v1:Service", "rbac.authorization.k8s.io/v1:ClusterRoleBinding", "rbac.authorization.k8s.io/v1:RoleBinding", "storage.k8s.io/v1:StorageClass"];

describe("replacement marks: every type the platform creates", function () {
    this.timeout(120000);
    let types: Set<string>;
    before(async () => {
        types = new Set<string>();
        for (const s of STACKS) for (const r of (await builtStack(s)).resources) if (r.custom) types.add(r.type);
    });

    it("every AWS and random type of the three stacks has an entry (a new type: add it to lib/aws/replacement-table.ts, then npm run derive -- replacements)", () => {
        const created = [...types].filter((t) => /^(aws|random):/.test(t)).sort();
        const table = Object.keys({ ...AWS_REPLACEMENTS, ...OTHER_REPLACEMENTS });
        assert.deepEqual(created.filter((t) => !table.includes(t)), []);
        // Entries ahead of the stacks (types other components are adding) are checked like the rest below.
        assert.ok(table.length - created.length <= 6, `stale entries: ${table.filter((t) => !created.includes(t)).join(", ")}`);
    });

    it("every Kubernetes kind of the stacks that the provider's forceNew table lists is in the table, with what the provider replaces", () => {
        const kinds = [...types].filter((t) => t.startsWith("kubernetes:")).map((t) => t.slice("kubernetes:".length));
        for (const k of kinds.filter((x) => PROVIDER_KINDS.includes(x) || x === "helm.sh/v3:Release" || x === "core/v1:ConfigMap")) assert.ok(KUBERNETES_REPLACEMENTS[k], `${k} is missing`);
        assert.deepEqual(KUBERNETES_REPLACEMENTS["storage.k8s.io/v1:StorageClass"].replaces, ["parameters", "provisioner"]);
        assert.deepEqual(KUBERNETES_REPLACEMENTS["apps/v1:DaemonSet"].replaces, ["spec.selector"]);
    });

    it("the platform's Kubernetes providers leave ConfigMaps and Secrets immutable (so their data replaces them, as the table says)", async () => {
        for (const s of STACKS) for (const p of (await builtStack(s)).ofType("pulumi:providers:kubernetes")) {
            assert.equal(p.inputs.enableConfigMapMutable, undefined, p.name);
            assert.equal(p.inputs.enableSecretMutable, undefined, p.name);
        }
    });

    it("cfn-replacements.json names its source (package, version, integrity, date) and covers exactly the table's CloudFormation types", () => {
        assert.deepEqual({ ...cfn.source, sha256: undefined }, { package: SERVICE_SPEC.name, version: SERVICE_SPEC.version, integrity: SERVICE_SPEC.integrity, published: SERVICE_SPEC.published, file: "db.json.gz", sha256: undefined, regenerate: "npm run derive -- replacements" });
        assert.match(cfn.source.sha256, /^[0-9a-f]{64}$/);
        const tableTypes = [...new Set(Object.values(AWS_REPLACEMENTS).flatMap((e) => (e.cfn ? [e.cfn] : [])))].sort();
        assert.deepEqual(Object.keys(cfn.types).sort(), tableTypes, "run: npm run derive -- replacements");
    });

    for (const [type, entry] of Object.entries(AWS_REPLACEMENTS)) {
        it(`${type}: every CloudFormation replacing property is mapped or explained, every input exists in @pulumi/aws`, () => {
            const named = [...Object.values(entry.replaces ?? {}).flat(), ...Object.keys(entry.providerOnly ?? {})];
            assert.deepEqual(named.filter((i) => !isInputPath(type, i)), [], "not inputs of the resource in @pulumi/aws");
            if (!entry.cfn) return assert.ok(!entry.replaces && !entry.inPlace, "mapped CloudFormation properties without a CloudFormation type");
            const marks = cfn.types[entry.cfn];
            const known = new Set([...Object.keys(entry.replaces ?? {}), ...Object.keys(entry.inPlace ?? {})]);
            if (!entry.all) assert.deepEqual(marks.replaces.filter((p) => !known.has(p)), [], "CloudFormation marks these as replacing: map each to its input (replaces) or say why the provider updates it (inPlace)");
            assert.deepEqual([...known].filter((p) => !marks.replaces.includes(p) && !marks.mayReplace.includes(p)), [], "stale: CloudFormation does not mark these");
        });
    }

    it("a typo or an unmapped property fails the mapping check", () => {
        assert.equal(isInputPath("aws:ec2/vpc:Vpc", "cidrBlock"), true);
        assert.equal(isInputPath("aws:ec2/vpc:Vpc", "cidrBlok"), false);
        assert.equal(isInputPath("aws:eks/cluster:Cluster", "accessConfig.bootstrapClusterCreatorAdminPermissions"), true);
        assert.equal(isInputPath("aws:eks/cluster:Cluster", "accessConfig.bootstrapClusterCreatorAdminPermission"), false);
        assert.ok(cfn.types["AWS::EC2::VPC"].replaces.includes("CidrBlock"), "the derived data marks the VPC CIDR");
    });

    it("the provider's view is kept where it differs from CloudFormation (DB subnet group, port, route table, EKS subnets)", () => {
        assert.match(PROVIDER_UPDATES_IN_PLACE["aws:rds/instance:Instance"].DBSubnetGroupName, /not ForceNew/);
        assert.deepEqual(replacingPaths("aws:rds/instance:Instance", ["dbSubnetGroupName", "port", "engine"]), ["engine"]);
        assert.deepEqual(replacingPaths("aws:ec2/routeTableAssociation:RouteTableAssociation", ["routeTableId", "subnetId"]), ["subnetId"]);
        assert.deepEqual(replacingPaths("aws:eks/cluster:Cluster", ["vpcConfig.subnetIds[0]", "roleArn", "kubernetesNetworkConfig.serviceIpv4Cidr"]), ["roleArn", "kubernetesNetworkConfig.serviceIpv4Cidr"]);
        assert.deepEqual(replacingPaths("aws:ec2/flowLog:FlowLog", ["iamRoleArn", "tags.env"]), ["iamRoleArn"]);
        assert.deepEqual(replacingPaths("aws:iam/role:Role", ["path", "description"]), ["path"]);
        assert.deepEqual(replacingPaths("aws:eks/nodeGroup:NodeGroup", ["nodeRoleArn", "scalingConfig.desiredSize", "launchTemplate.version"]), ["nodeRoleArn"]);
        assert.ok(REPLACING_INPUTS["aws:s3/bucket:Bucket"].some((i) => i.input === "region"), "the per-resource region replaces");
    });

    it("an FIS experiment template is replaced by a tag change (its tags are ForceNew in the provider and create-only in CloudFormation), updated in place otherwise", () => {
        const fis = "aws:fis/experimentTemplate:ExperimentTemplate";
        assert.deepEqual(replacingPaths(fis, ["tags.owner", "stopConditions[0].value", "description", "targets[0].resourceArns[1]"]), ["tags.owner"]);
        assert.equal(PROVIDER_UPDATES_IN_PLACE[fis]?.Tags, undefined, "no in-place claim for the template's tags");
    });

    it("Kubernetes: the provider's replacing fields, name and namespace of any kind, and immutable fields that fail instead", () => {
        assert.deepEqual(replacingPaths("kubernetes:storage.k8s.io/v1:StorageClass", ["parameters.type", "reclaimPolicy", "allowVolumeExpansion"]), ["parameters.type"]);
        assert.deepEqual(immutablePaths("kubernetes:storage.k8s.io/v1:StorageClass", ["reclaimPolicy", "allowVolumeExpansion"]).map((i) => i.path), ["reclaimPolicy"]);
        assert.deepEqual(replacingPaths("kubernetes:core/v1:Service", ["spec.clusterIP", "spec.ports[0].port"]), ["spec.clusterIP"]);
        assert.deepEqual(replacingPaths("kubernetes:apps/v1:DaemonSet", ["spec.selector.matchLabels.app", "spec.template.spec.containers[0].image"]), ["spec.selector.matchLabels.app"]);
        assert.deepEqual(replacingPaths("kubernetes:kyverno.io/v1:ClusterPolicy", ["metadata.name", "spec.rules"]), ["metadata.name"]);
        assert.deepEqual(replacingPaths("kubernetes:core/v1:ConfigMap", ["data.dashboard\\.json", "metadata.labels.x"]), ["data.dashboard\\.json"]);
        assert.deepEqual(replacingPaths("kubernetes:helm.sh/v3:Release", ["values.x", "namespace"]), ["namespace"]);
    });
});

describe("replacement marks in the plan diff", function () {
    this.timeout(120000);
    const cidr = (v: Record<string, any>, c: string) => (v["platform:network"] = { ...(v["platform:network"] as object), cidr: c });

    it("a new network.cidr replaces the VPC and every subnet, each with its old and new CIDR", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => cidr(v, "10.30.0.0/16") });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        const replaced = diff.changed.filter((c) => c.replaces?.length);
        assert.deepEqual([...new Set(replaced.map((c) => c.type))].sort(), ["aws:ec2/subnet:Subnet", "aws:ec2/vpc:Vpc"]);
        assert.equal(replaced.length, 1 + base.ofType("aws:ec2/subnet:Subnet").length);
        const text = renderDiff(diff).join("\n");
        assert.match(text, /\+- REPLACE aws:ec2\/vpc:Vpc::network-vpc: cidrBlock/);
        assert.match(text, /cidrBlock: "10\.20\.0\.0\/16" => "10\.30\.0\.0\/16"/);
        assert.match(text, /cidrBlock: "10\.20\.0\.0\/19" => "10\.30\.0\.0\/19"/);
        assert.match(text, new RegExp(`${replaced.length} to replace`));
        assert.match(text, /NOTE a VPC cannot be deleted while anything/);
    });

    it("a changed databaseName shows as REPLACE of the database with a data-loss warning; protected says the engine refuses", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...(v["platform:database"] as object), databaseName: "orders" }; } });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        const db = diff.changed.find((c) => c.key.endsWith("::database-instance"))!;
        assert.deepEqual(db.replaces, ["dbName"]);
        const text = renderDiff(diff).join("\n");
        assert.match(text, /REPLACE aws:rds\/instance:Instance::database-instance: dbName/);
        assert.match(text, /dbName: "app" => "orders"/);
        assert.match(text, /WARNING data loss: replacing deletes the database/);
        const prodDiff = renderDiff({ added: [], removed: [], refused: [], changed: [{ ...db, protect: true }] }).join("\n");
        assert.match(prodDiff, /protected, so `pulumi up` will refuse/);
        assert.ok(DATA_AT_RISK["aws:rds/instance:Instance"]);
    });

    it("a PostgreSQL major upgrade through config modifies the instance and replaces only the parameter group", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...(v["platform:database"] as object), engineVersion: "18.1", allowMajorVersionUpgrade: true, applyImmediately: true }; } });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        const replaced = diff.changed.filter((c) => c.replaces?.length).map((c) => [c.key.split("::")[1], c.replaces]);
        assert.deepEqual(replaced, [["database-params", ["family", "name"]]]);
        const db = diff.changed.find((c) => c.key.endsWith("::database-instance"))!;
        assert.deepEqual(db.paths.sort(), ["allowMajorVersionUpgrade", "applyImmediately", "engineVersion", "parameterGroupName"]);
        assert.deepEqual(diff.refused, []);
    });

    it("a major version bump without allowMajorVersionUpgrade is refused (RDS would fail the update)", async () => {
        const base = await builtStack("dev");
        const after = await buildStack("dev", { mutate: (v) => { v["platform:database"] = { ...(v["platform:database"] as object), engineVersion: "18.1" }; } });
        const diff = diffSnapshots(toSnapshot("dev", "dev", base.resources), toSnapshot("dev", "dev", after.resources));
        assert.equal(diff.refused.length, 1);
        assert.match(diff.refused[0], /database-instance: engineVersion 17\.\d+ => 18\.1 is a major version upgrade without allowMajorVersionUpgrade/);
        assert.match(renderDiff(diff).join("\n"), /!! REFUSED .*allowMajorVersionUpgrade/);
    });

    it("a changed role path replaces the role; a StorageClass reclaimPolicy change is shown as failing", () => {
        const res = (type: string, inputs: Record<string, unknown>) => ({ key: `${type}::x`, type, name: "x", custom: true, protect: false, dependsOn: [], inputs });
        const before = { stack: "s", environment: "dev", resources: [res("aws:iam/role:Role", { path: "/platform/", name: "r" }), res("kubernetes:storage.k8s.io/v1:StorageClass", { reclaimPolicy: "Retain" })] };
        const after = { ...before, resources: [res("aws:iam/role:Role", { path: "/apps/", name: "r" }), res("kubernetes:storage.k8s.io/v1:StorageClass", { reclaimPolicy: "Delete" })] };
        const text = renderDiff(diffSnapshots(before, after)).join("\n");
        assert.match(text, /\+- REPLACE aws:iam\/role:Role::x: path/);
        assert.match(text, /path: "\/platform\/" => "\/apps\/"/);
        assert.match(text, /!! FAILS kubernetes:storage.k8s.io\/v1:StorageClass::x: reclaimPolicy cannot change/);
    });
});
