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
import { preflightProblems } from "../../scripts/ci-preflight";
import { buildStack, builtStack, idOf, promiseOf, readStackConfig, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { parsePlatformConfig } from "../../stacks/config";

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
const stepNamed = (job: any, name: string) => job.steps.find((s: any) => s.name === name);

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
            assert.deepEqual(webhook.inputs.filterGroups.length, 1);
            const filters = Object.fromEntries(webhook.inputs.filterGroups[0].filters.map((f: any) => [f.type, f.pattern]));
            assert.equal(filters.EVENT, "WORKFLOW_JOB_QUEUED");
            // Only the workflows whose jobs ask for the runner may start it.
            const names = fs.readdirSync(WORKFLOWS).map((f) => [f, load(f)] as const);
            const usesRunner = names.filter(([, w]) => JSON.stringify(w).includes("codebuild-platform-")).map(([, w]) => w.name);
            const callers = names.filter(([, w]) => Object.values<any>(w.jobs).some((j) => j.uses === "./.github/workflows/up.yml")).map(([, w]) => w.name);
            const re = new RegExp(filters.WORKFLOW_NAME);
            for (const n of [...usesRunner, ...callers]) assert.match(n, re, `workflow ${n} must be allowed`);
            for (const n of ["build-sign", "deploy-evil", "my pull-request", "Deploy"]) assert.doesNotMatch(n, re);
            // The cluster security group admits the runner on 443.
            const sgRule = s.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.name === "eks-api-from-ci-runner")!;
            assert.equal(sgRule.inputs.fromPort, 443);
            assert.equal(sgRule.inputs.referencedSecurityGroupId, await idOf(s.get("aws:ec2/securityGroup:SecurityGroup", "ci-runner-sg")));
        });

        it(`${stack}: the roles the workflows assume are the roles with access entries, one entry per principal, none implicit`, async () => {
            const s = await builtStack(stack);
            // Role and region come from the GitHub environment's variables, which the preflight step checks against the stack first.
            for (const [job, role, key] of [[up.jobs.up, "deploy", "AWS_DEPLOY_ROLE_ARN"], [pr.jobs.preview, "preview", "AWS_PREVIEW_ROLE_ARN"]] as const) {
                const assume = awsStep(job).with;
                assert.equal(assume["role-to-assume"], `\${{ vars.${key} }}`);
                assert.equal(assume["aws-region"], "${{ vars.AWS_REGION }}");
                const pre = stepNamed(job, "Preflight");
                assert.ok(job.steps.indexOf(pre) < job.steps.indexOf(awsStep(job)), "preflight runs before any credential");
                assert.equal(pre.env.ROLE_ARN, assume["role-to-assume"]);
                assert.equal(pre.env.AWS_REGION, assume["aws-region"]);
                assert.match(pre.run, new RegExp(`scripts/ci-preflight\\.ts "\\$\\{\\{ (inputs|matrix)\\.stack \\}\\}" ${role}$`));
                const roleName = role === "deploy" ? s.config.ci.deployRoleName : s.config.ci.previewRoleName;
                // What GitHub passes when the environment is set as docs/deploy.md says: accepted.
                const good = { GITHUB_REPOSITORY: s.config.ci.repository, AWS_REGION: s.config.region, ROLE_ARN: `arn:aws:iam::123456789012:role/${roleName}` };
                assert.deepEqual(preflightProblems(s.config, role, good), []);
                // Another repository, region, role or partition: refused, naming what to fix.
                assert.match(preflightProblems(s.config, role, { ...good, GITHUB_REPOSITORY: "someone/fork" }).join("\n"), /platform:ci\.repository is "[^"]+" but this workflow runs in "someone\/fork"/);
                assert.match(preflightProblems(s.config, role, { ...good, AWS_REGION: "us-east-1" }).join("\n"), /variable AWS_REGION is "us-east-1" but Pulumi\.\w+\.yaml deploys to aws:region/);
                assert.match(preflightProblems(s.config, role, { ...good, ROLE_ARN: "arn:aws:iam::123456789012:role/other" }).join("\n"), new RegExp(`${key} is .*role/${roleName}`));
                assert.equal(preflightProblems(s.config, role, { ...good, ROLE_ARN: good.ROLE_ARN.replace("arn:aws:", "arn:aws-cn:") }).length, 1);
                assert.equal(preflightProblems(s.config, role, {}).length, 3);
            }
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
            // ...and for the rule admitting the runner on 443, or the first Kubernetes call from the runner can time out.
            assert.ok(provider.dependsOn.includes("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::eks-api-from-ci-runner"), String(provider.dependsOn));
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
        const ctx = { prefix: "platform-staging", environment: "staging", region: "eu-west-1", tags: {}, iam: { permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/platform-boundary", path: "/platform/" } };
        const identity = new CiSigningIdentity("ci-signing", { ctx, accountId: "123456789012", signers: [{ repository: "example-org/shop", ownerId: "1", repositoryId: "2", refs: ["refs/heads/main"] }], workflow: { repository: "example-org/platform", refs: ["refs/heads/main"] } });
        await assert.rejects(promiseOf(identity.oidcProviderArn));
    });

    it("platform:ci.repository and ci.connectionArn are required (no placeholder default) and checked", () => {
        const parse = (mutate: (ci: Record<string, unknown>) => void) => {
            const values = structuredClone(readStackConfig("staging")) as Record<string, any>;
            values["platform-secrets:slackWebhookUrl"] = "x";
            values["platform-secrets:deadMansSwitchUrl"] = "https://hc-ping.com/x";
            mutate(values["platform:ci"]);
            try { parsePlatformConfig({ project: "platform", stack: "staging", values }); return ""; } catch (e) { return (e as Error).message; }
        };
        assert.equal(parse(() => {}), "");
        const missing = parse((ci) => { delete ci.repository; delete ci.connectionArn; });
        assert.match(missing, /platform:ci\.repository/);
        assert.match(missing, /platform:ci\.connectionArn/);
        assert.match(parse((ci) => { ci.connectionArn = "arn:aws:codestar-connections:eu-west-1:123456789012:connection/abc-1"; }), /^$/);
        assert.match(parse((ci) => { ci.connectionArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:github"; }), /platform:ci\.connectionArn.*CodeConnections connection ARN/);
        assert.match(parse((ci) => { ci.connectionArn = "arn:aws:codeconnections:us-east-1:123456789012:connection/abc"; }), /platform:ci\.connectionArn: the connection is in us-east-1 but the stack deploys to eu-west-1/);
        for (const stack of STACKS) {
            const raw = (readStackConfig(stack) as Record<string, any>)["platform:ci"];
            assert.ok(raw?.repository && raw?.connectionArn, `Pulumi.${stack}.yaml sets platform:ci.repository and connectionArn explicitly`);
        }
    });

    it("the runner authenticates to GitHub through the configured connection, and its role may use it under both service names", async () => {
        for (const stack of STACKS) {
            const s = await builtStack(stack);
            const project = s.get("aws:codebuild/project:Project", "ci-runner-project");
            assert.deepEqual(project.inputs.source.auth, { type: "CODECONNECTIONS", resource: s.config.ci.connectionArn });
            assert.equal(project.inputs.source.location, `https://github.com/${s.config.ci.repository}.git`);
            const policy = JSON.parse(s.get("aws:iam/rolePolicy:RolePolicy", "ci-runner-policy").inputs.policy);
            const conn = policy.Statement.find((st: any) => st.Sid === "GitHubConnection");
            for (const service of ["codeconnections", "codestar-connections"]) {
                for (const action of ["GetConnectionToken", "GetConnection", "UseConnection"]) assert.ok(conn.Action.includes(`${service}:${action}`), `${service}:${action}`);
            }
            const id = s.config.ci.connectionArn.split(":").slice(3).join(":");
            assert.deepEqual(conn.Resource, [`arn:aws:codeconnections:${id}`, `arn:aws:codestar-connections:${id}`]);
        }
    });

    it("PR code reaches the in-VPC runner only from this repository's branches, through the -preview environments; only that job gets an OIDC token", () => {
        assert.equal(pr.jobs.preview.if, "${{ github.event.pull_request.head.repo.full_name == github.repository }}");
        assert.equal(pr.jobs.preview.environment, "${{ matrix.stack }}-preview");
        assert.deepEqual(pr.permissions, { contents: "read" });
        assert.equal(pr.jobs.preview.permissions["id-token"], "write");
        for (const [name, job] of Object.entries<any>(pr.jobs)) {
            if (name !== "preview") assert.notEqual(job.permissions?.["id-token"], "write", name);
            if (name !== "preview") assert.doesNotMatch(String(job["runs-on"]), /codebuild-/, `${name} runs on GitHub-hosted runners`);
        }
        assert.equal(pr.on.pull_request_target, undefined, "never pull_request_target (it would hand fork code the base repository's secrets)");
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
        assert.equal(s.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name === "eks-api-from-ci-runner").length, 0);
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

    it("every action in every workflow is pinned by commit SHA and the Pulumi CLI version equals the SDK's", () => {
        const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
        assert.ok(files.length >= 4);
        let uses = 0;
        for (const file of files) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            const jobs = load(file).jobs;
            for (const job of Object.values<any>(jobs)) {
                if (job.uses) assert.match(job.uses, /^\.\/\.github\/workflows\/[\w-]+\.yml$/, `${file}: reusable workflows from this repository only`);
                for (const step of job.steps ?? []) {
                    if (step.uses) { uses++; assert.match(step.uses, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/, `${file}: ${step.uses}`); }
                    if (String(step.uses).startsWith("pulumi/actions@")) assert.equal(String(step.with["pulumi-version"]), sdk);
                }
            }
            assert.doesNotMatch(text, /uses:\s*[\w.-]+\/[\w./-]+@(?![0-9a-f]{40}\b)/, `${file}: an unpinned uses: anywhere in the text`);
            assert.doesNotMatch(text, /PULUMI_ACCESS_TOKEN|PULUMI_CONFIG_PASSPHRASE|AWS_SECRET_ACCESS_KEY/, `${file}: no long-lived credential`);
            // Region, partition and role names come from the GitHub environments (vars.*), never from the workflow text.
            if (["up.yml", "deploy.yml", "pull-request.yml", "dr-drill.yml"].includes(file)) assert.doesNotMatch(text, /\b[a-z]{2}(-gov)?-[a-z]+-\d\b|arn:aws|role\/platform-/, `${file}: hard-coded region, partition or role`);
        }
        assert.ok(uses > 15, `only ${uses} uses: found`);
    });
});

describe("bootstrap stack (OIDC provider, CI roles, state)", () => {
    it("trusts only this repository's jobs in the environments the workflows use, with the role names the stacks expect", async () => {
        const cfg = readBootstrapConfig({ get: (k) => ({ repository: "acme-corp/platform-infra" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
        const { resources } = await record(() => bootstrapIdentity(cfg));
        const roles = Object.fromEntries(resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => [r.inputs.name, JSON.parse(r.inputs.assumeRolePolicy)]));
        const dev = await builtStack("dev");
        const subs = (name: string) => roles[name].Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"];
        // up.yml runs in environment `<stack>`, the preview job in `<stack>-preview`.
        assert.equal(up.jobs.up.environment, "${{ inputs.stack }}");
        assert.equal(pr.jobs.preview.environment, "${{ matrix.stack }}-preview");
        // The trust names bootstrap:repository (which must equal each stack's platform:ci.repository; the preflight checks the stack side against github.repository).
        assert.deepEqual(subs(dev.config.ci.deployRoleName), STACKS.map((s) => `repo:acme-corp/platform-infra:environment:${s}`));
        assert.deepEqual(subs(dev.config.ci.previewRoleName), STACKS.map((s) => `repo:acme-corp/platform-infra:environment:${s}-preview`));
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
    sqs: "sqs", ssm: "ssm", route53: "route53", acm: "acm", cloudtrail: "cloudtrail", guardduty: "guardduty", wafv2: "wafv2", fis: "fis", lambda: "lambda",
};
const IAM_PREFIX_BY_TYPE: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "logs", "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "logs", "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "logs",
    "aws:cloudwatch/logStream:LogStream": "logs", "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "logs",
    "aws:cloudwatch/eventRule:EventRule": "events", "aws:cloudwatch/eventTarget:EventTarget": "events", "aws:cloudwatch/eventBus:EventBus": "events",
    "aws:cloudwatch/eventConnection:EventConnection": "events", "aws:cloudwatch/eventApiDestination:EventApiDestination": "events",
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
