/**
 * The deploy path checked against the stacks it deploys: the jobs running `pulumi up` and
 * `pulumi preview` run on the CodeBuild runner each stack creates inside its VPC (the only network
 * reaching the private EKS endpoint), assume the roles the bootstrap stack creates and the cluster
 * gives access entries, with every action pinned by commit and a pinned Pulumi CLI.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { assertBootstrapSafe } from "../../components/ci/bootstrap-guard";
import { awsFacts } from "../../lib/aws/facts";
import { conditionKeyFindings } from "../../lib/aws/rules";
import { PlatformMocks } from "../../lib/offline/mocks";
import { record } from "../../lib/offline/recorder";
import { buildStack, builtStack, idOf, promiseOf, REPO_ROOT, STACKS } from "../../lib/offline/stack";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const load = (f: string) => yaml.load(fs.readFileSync(path.join(WORKFLOWS, f), "utf8")) as any;
const up = load("up.yml");
const pr = load("pull-request.yml");

/** Evaluates the runs-on expressions these workflows use: `inputs.bootstrap && '<label>' || format('<fmt>', a, b, c)`. */
function runsOn(expr: string, vars: Record<string, string | boolean>): string {
    const m = /^\$\{\{\s*(?:(inputs\.bootstrap) && '([^']+)' \|\| )?format\('([^']+)', ([^)]+)\)\s*\}\}$/.exec(expr);
    assert.ok(m, `unexpected runs-on expression: ${expr}`);
    if (m[1] && vars[m[1]]) return m[2];
    const args = m[4].split(",").map((a) => String(vars[a.trim()]));
    return m[3].replace(/\{(\d)\}/g, (_, i) => args[Number(i)]);
}

function awsStep(job: any) {
    return job.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@"));
}
const roleName = (step: any) => String(step.with["role-to-assume"]).split(":role/")[1];

describe("deploy path: workflows against the stacks", () => {
    for (const stack of STACKS) {
        it(`${stack}: pulumi up and preview run on the stack's in-VPC runner, which reaches the private endpoint`, async () => {
            const s = await builtStack(stack);
            const project = await promiseOf(s.platform.outputs.ciRunnerProject as pulumi.Input<string>);
            const vars = { "inputs.stack": stack, "matrix.stack": stack, "github.run_id": "42", "github.run_attempt": "1", "inputs.bootstrap": false };
            assert.equal(runsOn(up.jobs.up["runs-on"], vars), `codebuild-${project}-42-1`);
            assert.equal(runsOn(pr.jobs.preview["runs-on"], vars), `codebuild-${project}-42-1`);

            const codebuild = s.get("aws:codebuild/project:Project", "ci-runner-project");
            assert.equal(codebuild.inputs.name, project);
            const cluster = s.get("aws:eks/cluster:Cluster", "eks-cluster");
            assert.deepEqual(codebuild.inputs.vpcConfig.subnets, cluster.inputs.vpcConfig.subnetIds, "the runner sits in the cluster's private subnets");
            assert.equal(codebuild.inputs.vpcConfig.vpcId, await idOf(s.get("aws:ec2/vpc:Vpc", "network-vpc")));
            assert.equal(cluster.inputs.vpcConfig.endpointPrivateAccess, true);
            const webhook = s.get("aws:codebuild/webhook:Webhook", "ci-runner-webhook");
            assert.deepEqual(webhook.inputs.filterGroups[0].filters.map((f: any) => [f.type, f.pattern]), [["EVENT", "WORKFLOW_JOB_QUEUED"]]);
            // The cluster security group admits the runner on 443.
            const sgRule = s.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.name === "ci-runner-to-eks-api")!;
            assert.equal(sgRule.inputs.fromPort, 443);
            assert.equal(sgRule.inputs.referencedSecurityGroupId, await idOf(s.get("aws:ec2/securityGroup:SecurityGroup", "ci-runner-sg")));
        });

        it(`${stack}: the roles the workflows assume are the roles with access entries, one entry per principal, none implicit`, async () => {
            const s = await builtStack(stack);
            assert.equal(roleName(awsStep(up.jobs.up)), s.config.ci.deployRoleName);
            assert.equal(roleName(awsStep(pr.jobs.preview)), s.config.ci.previewRoleName);
            assert.equal(awsStep(up.jobs.up).with["aws-region"], s.config.region);
            assert.equal(awsStep(pr.jobs.preview).with["aws-region"], s.config.region);
            const primary = s.primary();
            const cluster = primary.get("aws:eks/cluster:Cluster", "eks-cluster");
            assert.equal(cluster.inputs.accessConfig.bootstrapClusterCreatorAdminPermissions, false, "no implicit creator entry to collide with the deploy role's");
            const policies = Object.fromEntries(primary.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => [String(a.inputs.principalArn).split(":role/")[1], String(a.inputs.policyArn).split("/").pop()]));
            assert.equal(policies[s.config.ci.deployRoleName], "AmazonEKSClusterAdminPolicy");
            assert.equal(policies[s.config.ci.previewRoleName], "AmazonEKSAdminViewPolicy");
            const principals = primary.ofType("aws:eks/accessEntry:AccessEntry").map((e) => e.inputs.principalArn);
            assert.equal(new Set(principals).size, principals.length);
            // The Kubernetes provider waits for the entries (the first `pulumi up` is the deploy role's own).
            const provider = primary.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "eks-k8s")!;
            assert.ok(provider.dependsOn.includes("aws:eks/accessPolicyAssociation:AccessPolicyAssociation::eks-ci-deploy-policy"));
        });
    }

    it("no platform stack creates the GitHub OIDC provider (bootstrap/ owns it): the signing role trusts the looked-up one", async () => {
        for (const stack of STACKS) {
            const s = await builtStack(stack);
            assert.deepEqual(s.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.name), [], `${stack}: a second provider for the same URL fails with EntityAlreadyExists`);
            const signing = s.ofType("aws:iam/role:Role").find((r) => r.name === "ci-signing-role");
            if (!signing) continue;
            const principal = JSON.parse(signing.inputs.assumeRolePolicy).Statement[0].Principal.Federated;
            assert.equal(principal, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", stack);
        }
        // Without the bootstrap's provider the lookup fails (as the data source does) instead of creating one.
        const { CiSigningIdentity } = await import("../../components/supply-chain/ci-identity");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1", { oidcProviderUrls: [] }), "platform", "staging", false);
        const ctx = { prefix: "platform-staging", environment: "staging", region: "eu-west-1", tags: {} };
        const identity = new CiSigningIdentity("ci-signing", { ctx, accountId: "123456789012", signers: [{ repository: "example-org/shop", refs: ["refs/heads/main"], environments: [] }] });
        await assert.rejects(promiseOf(identity.oidcProviderArn));
    });

    it("the same principal twice is refused with a clear config error", async () => {
        await assert.rejects(buildStack("dev", { mutate: (v) => { v["platform:eks"] = { ...(v["platform:eks"] as object), adminRoleArns: ["arn:aws:iam::123456789012:role/platform-deploy"] }; } }), /platform:eks.adminRoleArns\[0\].*already has an access entry/);
    });

    it("a bootstrap run applies only AWS resources (network and runner) from a GitHub-hosted runner", async () => {
        assert.equal(runsOn(up.jobs.up["runs-on"], { "inputs.bootstrap": true }), "ubuntu-latest");
        const pulumiStep = up.jobs.up.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
        assert.match(pulumiStep.with["config-map"], /inputs\.bootstrap && '\{"platform:ciBootstrap":\{"value":"true"/);
        const s = await buildStack("prod", { mutate: (v) => { v["platform:ciBootstrap"] = true; } });
        assert.deepEqual(s.resources.filter((r) => r.type.startsWith("kubernetes:")), []);
        assert.equal(s.ofType("aws:eks/cluster:Cluster").length, 0);
        assert.equal(s.ofType("aws:codebuild/project:Project").length, 1);
        assert.equal(s.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name === "ci-runner-to-eks-api").length, 0);
    });

    it("a bootstrap run is opt-in and refuses, before registering anything, a stack whose platform exists", async () => {
        const deploy = load("deploy.yml");
        assert.equal(deploy.on.workflow_dispatch.inputs.bootstrap.default, false, "a manual run is a normal deploy unless bootstrap is ticked");
        assert.equal(deploy.jobs.manual.with.bootstrap, "${{ inputs.bootstrap }}");
        const target = { prefix: "platform-prod", environment: "prod" };
        const account = async (a: ConstructorParameters<typeof PlatformMocks>[1]) => pulumi.runtime.setMocks(new PlatformMocks("eu-west-1", a), "platform", "prod", false);
        await account({});
        await assertBootstrapSafe(target);
        // Only the network and the runner of an earlier bootstrap run (or another environment's resources): a re-run is safe.
        await account({ taggedResources: [
            { resourceArn: "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1", tags: { environment: "prod", component: "network", "managed-by": "pulumi" } },
            { resourceArn: "arn:aws:codebuild:eu-west-1:123456789012:project/platform-prod-gha-runner", tags: { environment: "prod", component: "ci", "managed-by": "pulumi" } },
            { resourceArn: "arn:aws:rds:eu-west-1:123456789012:db:platform-dev-postgres", tags: { environment: "dev", component: "database", "managed-by": "pulumi" } },
        ] });
        await assertBootstrapSafe(target);
        await account({ clusters: ["platform-prod-eks"] });
        await assert.rejects(assertBootstrapSafe(target), /platform:ciBootstrap is true but this stack's platform exists already \(EKS cluster platform-prod-eks\).*would delete/);
        // A failed first full deploy (database made, cluster not): still refused.
        await account({ taggedResources: [{ resourceArn: "arn:aws:rds:eu-west-1:123456789012:db:platform-prod-postgres", tags: { environment: "prod", component: "database", "managed-by": "pulumi" } }] });
        await assert.rejects(assertBootstrapSafe(target), /db:platform-prod-postgres \(component database\)/);
        // The program itself runs the guard: the offline build of a bootstrap run goes through it too.
        const src = fs.readFileSync(path.join(REPO_ROOT, "stacks", "index.ts"), "utf8");
        assert.match(src, /await assertBootstrapSafe\([^)]*\);\s*return buildCiBootstrap\(cfg\)/);
    });

    it("every action is pinned by commit SHA and the Pulumi CLI version equals the SDK's", () => {
        const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        for (const file of ["up.yml", "deploy.yml", "pull-request.yml"]) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            const jobs = file === "pull-request.yml" ? { preview: pr.jobs.preview } : load(file).jobs;
            for (const job of Object.values<any>(jobs)) {
                for (const step of job.steps ?? []) {
                    if (step.uses && !String(step.uses).startsWith("./")) assert.match(step.uses, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${file}: ${step.uses}`);
                    if (String(step.uses).startsWith("pulumi/actions@")) assert.equal(String(step.with["pulumi-version"]), sdk);
                }
            }
            assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|AWS_SECRET_ACCESS_KEY/, `${file}: no long-lived credential`);
        }
    });
});

describe("bootstrap stack (OIDC provider, CI roles, state)", () => {
    it("trusts only this repository's jobs in the environments the workflows use, with the role names the stacks expect", async () => {
        const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const { resources } = await record(() => bootstrapIdentity(cfg));
        const roles = Object.fromEntries(resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => [r.inputs.name, JSON.parse(r.inputs.assumeRolePolicy)]));
        const dev = await builtStack("dev");
        const subs = (name: string) => roles[name].Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"];
        // up.yml runs in environment `<stack>`, the preview job in `<stack>-preview`.
        assert.equal(up.jobs.up.environment, "${{ inputs.stack }}");
        assert.equal(pr.jobs.preview.environment, "${{ matrix.stack }}-preview");
        assert.deepEqual(subs(dev.config.ci.deployRoleName), STACKS.map((s) => `repo:${dev.config.ci.repository}:environment:${s}`));
        assert.deepEqual(subs(dev.config.ci.previewRoleName), STACKS.map((s) => `repo:${dev.config.ci.repository}:environment:${s}-preview`));
        assert.equal(roles[dev.config.ci.deployRoleName].Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"], "sts.amazonaws.com");
        assert.ok(resources.some((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider" && r.inputs.url === "https://token.actions.githubusercontent.com"));
        assert.ok(resources.some((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && String(r.inputs.policyArn).endsWith("/ReadOnlyAccess")));
        assert.ok(resources.some((r) => r.type === "aws:s3/bucket:Bucket" && r.protect), "state bucket, protected");
        assert.deepEqual(conditionKeyFindings(resources, awsFacts()), []);
    });
    it("refuses a missing repository with the key to set", () => {
        assert.throws(() => readBootstrapConfig({ get: () => undefined, getObject: () => undefined }, "eu-west-1", "x"), /bootstrap:repository: "" must be the GitHub repository as owner\/name/);
    });
});

/** IAM service prefix of each `aws:<module>` (per type where a module spans services). */
const IAM_PREFIX_BY_MODULE: Record<string, string> = {
    ec2: "ec2", vpc: "ec2", eks: "eks", rds: "rds", kms: "kms", s3: "s3", backup: "backup", ecr: "ecr", codebuild: "codebuild",
    opensearch: "es", sns: "sns", secretsmanager: "secretsmanager", autoscaling: "autoscaling", lb: "elasticloadbalancing", alb: "elasticloadbalancing",
    sqs: "sqs", ssm: "ssm", route53: "route53", acm: "acm", cloudtrail: "cloudtrail", guardduty: "guardduty", wafv2: "wafv2",
};
const IAM_PREFIX_BY_TYPE: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "logs", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "logs", "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "logs",
    "aws:cloudwatch/logStream:LogStream": "logs", "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "logs",
    "aws:cloudwatch/eventRule:EventRule": "events", "aws:cloudwatch/eventTarget:EventTarget": "events", "aws:cloudwatch/eventBus:EventBus": "events",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "cloudwatch", "aws:cloudwatch/compositeAlarm:CompositeAlarm": "cloudwatch", "aws:cloudwatch/dashboard:Dashboard": "cloudwatch",
};
/** IAM resource types: the create call each needs (the deploy role gets IAM action by action). */
const IAM_ACTION_BY_TYPE: Record<string, string> = {
    "aws:iam/role:Role": "iam:CreateRole", "aws:iam/rolePolicy:RolePolicy": "iam:PutRolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "iam:AttachRolePolicy",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "iam:CreateServiceLinkedRole", "aws:iam/policy:Policy": "iam:CreatePolicy", "aws:iam/instanceProfile:InstanceProfile": "iam:CreateInstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "iam:CreateOpenIDConnectProvider",
};

describe("deploy role covers every resource type the stacks create", () => {
    it("maps each aws:<module>:<Type> of every stack (and of a bootstrap run) to an IAM prefix or action the deploy role allows", async () => {
        const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const { resources } = await record(() => bootstrapIdentity(cfg));
        const policy = JSON.parse(resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ci-deploy-policy")!.inputs.policy);
        const allowed = new Set<string>(policy.Statement.filter((st: any) => st.Effect === "Allow").flatMap((st: any) => [st.Action].flat()));
        const allows = (action: string) => allowed.has(action) || allowed.has(`${action.split(":")[0]}:*`);

        const types = new Set<string>();
        for (const stack of STACKS) for (const r of (await builtStack(stack)).resources) types.add(r.type);
        for (const r of (await buildStack("dev", { mutate: (v) => { v["platform:ciBootstrap"] = true; } })).resources) types.add(r.type);
        const missing: string[] = [];
        for (const type of [...types].filter((t) => t.startsWith("aws:")).sort()) {
            const module = type.split(/[:/]/)[1];
            const action = IAM_ACTION_BY_TYPE[type];
            const prefix = IAM_PREFIX_BY_TYPE[type] ?? IAM_PREFIX_BY_MODULE[module];
            if (module === "iam") { if (!action || !allows(action)) missing.push(`${type} → ${action ?? "no IAM action in the table"}`); continue; }
            if (!prefix) { missing.push(`${type} → no IAM prefix in the table (add it)`); continue; }
            if (!allows(`${prefix}:Create`)) missing.push(`${type} → ${prefix}:*`);
        }
        assert.deepEqual(missing, [], "resource types the deploy role cannot manage");
        // The rule can fail: without ecr the stacks' repositories are flagged.
        assert.ok(types.has("aws:ecr/repository:Repository"));
        assert.ok(!allows("sqs:CreateQueue"));
    });
});
