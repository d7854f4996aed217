/**
 * The permissions boundary (issue 14's known gap): every platform role carries the bootstrap
 * stack's boundary under the platform's path; the deploy role may create and change roles only with
 * it, never remove it or change it, and may pass only platform roles to the platform's services.
 * Decisions come from test/harness/iam-eval.ts (@cloud-copilot/iam-simulate) over the policies the
 * bootstrap stack actually builds.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { AGENT_ACTIONS, BOUNDARY_SERVICES, MANAGED_POLICY_SERVICES, PASSED_TO_SERVICES } from "../../components/ci/boundary";
import { awsFacts } from "../../lib/aws/facts";
import { conditionKeyFindings, permissionsBoundaryFindings } from "../../lib/aws/rules";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../lib/offline/mocks";
import { record, RecordedResource } from "../../lib/offline/recorder";
import { builtStack, promiseOf, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { appliesTo, boundedAllows, identityAllows, PolicyDoc, RequestContext } from "../harness/iam-eval";
import { evaluatePack, parsePackConfig, PolicyConfigError } from "../../policies/evaluate";

const ACCOUNT = MOCK_ACCOUNT_ID;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/platform-boundary`;
const role = (p: string) => `arn:aws:iam::${ACCOUNT}:role/${p}`;

async function bootstrap(values: Record<string, string> = {}): Promise<RecordedResource[]> {
    const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform", ...values } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
    await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
    return (await record(() => bootstrapIdentity(cfg))).resources;
}
const docOf = (resources: RecordedResource[], type: string, name: string): PolicyDoc => JSON.parse(resources.find((r) => r.type === type && r.name === name)!.inputs.policy);

describe("permissions boundary: every platform role is bounded", () => {
    for (const stack of STACKS) {
        it(`${stack}: every aws:iam/role:Role has the boundary the bootstrap creates, under /platform/; service-linked roles are AWS's`, async () => {
            const built = await builtStack(stack);
            const roles = built.ofType("aws:iam/role:Role");
            assert.ok(roles.length >= 10, `${roles.length} roles`);
            assert.deepEqual(permissionsBoundaryFindings(built.resources, { boundaryArn: BOUNDARY, path: "/platform/" }), []);
            // Service-linked roles cannot take a boundary (IAM refuses one); they stay outside the rule.
            for (const r of built.ofType("aws:iam/serviceLinkedRole:ServiceLinkedRole")) assert.equal(r.inputs.permissionsBoundary, undefined);
        });
    }

    it("the rule reports a role without the boundary or outside the path", () => {
        const fake = (name: string, inputs: Record<string, unknown>) => ({ type: "aws:iam/role:Role", name, inputs } as unknown as RecordedResource);
        assert.deepEqual(permissionsBoundaryFindings([fake("raw", { path: "/platform/" }), fake("elsewhere", { path: "/", permissionsBoundary: BOUNDARY })], { boundaryArn: BOUNDARY, path: "/platform/" }), [
            `raw: permissionsBoundary null, expected ${BOUNDARY}`, `elsewhere: path "/", expected /platform/`,
        ]);
    });

    it("no component or stack makes a role except through platformRole (the bootstrap's CI roles aside)", () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []);
        const raw = [...files(path.join(REPO_ROOT, "components")), ...files(path.join(REPO_ROOT, "stacks"))]
            .filter((f) => /new aws\.iam\.Role\(/.test(fs.readFileSync(f, "utf8"))).map((f) => path.relative(REPO_ROOT, f));
        assert.deepEqual(raw.sort(), ["components/ci/deploy-identity.ts", "components/shared/iam.ts"]);
    });

    it("the boundary's ARN the stacks compute from platform:ci.permissionsBoundaryName is the policy the bootstrap creates", async () => {
        const dev = await builtStack("dev");
        const resources = await bootstrap();
        const policy = resources.find((r) => r.type === "aws:iam/policy:Policy")!;
        assert.equal(policy.inputs.name, dev.config.ci.permissionsBoundaryName);
        assert.equal(await promiseOf((policy.resource as unknown as { arn: pulumi.Output<string> }).arn), BOUNDARY);
        assert.deepEqual(conditionKeyFindings(resources, awsFacts()), []);
        // Other names and paths flow to both sides; a root path is refused.
        const other = await bootstrap({ permissionsBoundaryName: "acme-boundary", rolePath: "/acme/platform/" });
        const deploy = docOf(other, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-policy");
        assert.ok(identityAllows(deploy, "iam:CreateRole", role("acme/platform/x"), { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/acme-boundary` }));
        assert.throws(() => readBootstrapConfig({ get: (k) => ({ repository: "o/r", rolePath: "/" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "x"), /bootstrap:rolePath: "\/" must be an IAM path .* \/ alone is refused/);
    });
});

describe("permissions boundary: what the deploy role may do with roles", () => {
    let deploy: PolicyDoc;
    let boundary: PolicyDoc;
    before(async () => {
        const resources = await bootstrap();
        deploy = docOf(resources, "aws:iam/rolePolicy:RolePolicy", "ci-deploy-policy");
        boundary = docOf(resources, "aws:iam/policy:Policy", "ci-permissions-boundary");
    });
    const withBoundary = { "iam:PermissionsBoundary": BOUNDARY };

    it("creates and changes platform roles only with the boundary", () => {
        for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"]) {
            assert.equal(identityAllows(deploy, action, role("platform/eks-node-role-1a2b3c"), withBoundary), true, `${action} with the boundary`);
            assert.equal(identityAllows(deploy, action, role("platform/eks-node-role-1a2b3c")), false, `${action} without a boundary`);
            assert.equal(identityAllows(deploy, action, role("platform/x"), { "iam:PermissionsBoundary": `arn:aws:iam::${ACCOUNT}:policy/AdministratorAccess` }), false, `${action} with another boundary`);
            assert.equal(identityAllows(deploy, action, role("admin"), withBoundary), false, `${action} outside the platform path`);
        }
        assert.equal(identityAllows(deploy, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, withBoundary), false, "no users");
        assert.equal(identityAllows(deploy, "iam:AttachRolePolicy", role("platform/x"), { ...withBoundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }), false);
    });

    it("never removes a boundary, changes the boundary policy, or touches the CI roles", () => {
        assert.equal(identityAllows(deploy, "iam:DeleteRolePermissionsBoundary", role("platform/x"), withBoundary), false);
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"]) {
            assert.equal(identityAllows(deploy, action, BOUNDARY), false, action);
            assert.equal(identityAllows(boundary, action, BOUNDARY), false, `${action} (boundary)`);
        }
        for (const ci of ["platform-deploy", "platform-preview"]) for (const action of ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:TagRole"]) {
            assert.equal(identityAllows(deploy, action, role(ci), withBoundary), false, `${action} on ${ci}`);
        }
    });

    it("passes only platform roles, only to the platform's services", () => {
        assert.equal(identityAllows(deploy, "iam:PassRole", role("platform/eks-cluster-role-1"), { "iam:PassedToService": "eks.amazonaws.com" }), true);
        assert.equal(identityAllows(deploy, "iam:PassRole", role("platform/eks-cluster-role-1"), { "iam:PassedToService": "sagemaker.amazonaws.com" }), false, "other service");
        assert.equal(identityAllows(deploy, "iam:PassRole", role("platform/eks-cluster-role-1")), false, "no service in the request");
        assert.equal(identityAllows(deploy, "iam:PassRole", role("OrganizationAccountAccessRole"), { "iam:PassedToService": "eks.amazonaws.com" }), false, "outside the path");
        assert.equal(identityAllows(deploy, "iam:PassRole", role("platform-deploy"), { "iam:PassedToService": "codebuild.amazonaws.com" }), false, "itself");
    });

    it("a role the deploy role makes cannot escalate, whatever policy it is given: the boundary caps it", () => {
        const admin: PolicyDoc = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        for (const [action, resource, request] of [
            ["iam:CreateRole", role("platform/x"), withBoundary], ["iam:CreateRole", role("x"), {}], ["iam:AttachRolePolicy", role("platform-deploy"), {}],
            ["iam:PutRolePolicy", role("platform/x"), withBoundary], ["iam:DeleteRolePermissionsBoundary", role("platform/x"), withBoundary],
            ["iam:CreatePolicyVersion", BOUNDARY, {}], ["iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`, withBoundary], ["iam:CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/x`, {}],
            ["iam:PassRole", role("platform/x"), { "iam:PassedToService": "ec2.amazonaws.com" }], ["sts:AssumeRole", role("platform-deploy"), {}], ["organizations:LeaveOrganization", "*", {}],
        ] as [string, string, Record<string, string>][]) {
            assert.equal(boundedAllows([admin], boundary, action, resource, request), false, `${action} on ${resource}`);
            assert.equal(boundedAllows([admin], undefined, action, resource, request), true, `without the boundary ${action} would pass (the test can fail)`);
        }
        assert.equal(boundedAllows([admin], boundary, "s3:GetObject", "arn:aws:s3:::platform-prod-loki-chunks/x"), true, "platform services stay usable");
    });
});

describe("permissions boundary: the platform's roles fit inside it", () => {
    let boundary: PolicyDoc;
    before(async () => { for (const s of STACKS) await builtStack(s); boundary = docOf(await bootstrap(), "aws:iam/policy:Policy", "ci-permissions-boundary"); });

    it("every action of every inline role policy of every stack is within the boundary", async () => {
        const outside: string[] = [];
        let checked = 0;
        for (const stack of STACKS) for (const r of (await builtStack(stack)).ofType("aws:iam/rolePolicy:RolePolicy")) {
            // The request carries the role's own ARN (aws:PrincipalArn), as every request of that role does.
            const owner = (await builtStack(stack)).ofType("aws:iam/role:Role").find((x) => x.inputs.name === r.inputs.role);
            const request: RequestContext = owner ? { "aws:PrincipalArn": `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${owner.inputs.path ?? "/"}${owner.inputs.name}` } : {};
            for (const st of [JSON.parse(r.inputs.policy).Statement].flat()) {
                if (st.Effect !== "Allow") continue;
                for (const action of [st.Action].flat() as string[]) for (const resource of [st.Resource].flat() as string[]) {
                    // A statement lists actions and resources together; a pair whose resource the action never acts on is no request.
                    if (!appliesTo(action, resource)) continue;
                    checked++;
                    if (!identityAllows(boundary, action, resource, request)) outside.push(`${stack} ${r.name}: ${action} on ${resource}`);
                }
            }
        }
        assert.deepEqual(outside, []);
        assert.ok(checked > 100, `${checked} checked`);
    });

    it("every managed policy attached is known, and its services are within the boundary", async () => {
        const unknown: string[] = [];
        for (const stack of STACKS) for (const r of (await builtStack(stack)).ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            const name = String(r.inputs.policyArn).split(":policy/")[1];
            const services = MANAGED_POLICY_SERVICES[name];
            if (!services) { unknown.push(`${stack} ${r.name}: ${name} (add it to MANAGED_POLICY_SERVICES)`); continue; }
            for (const s of services) {
                const [action, resource] = !s.includes(":") ? [`${s}:*`, "*"] : s.startsWith("iam:") ? [s, role("aws-service-role/x")] : [s, "*"];
                if (!identityAllows(boundary, action, resource)) unknown.push(`${name}: ${s} outside the boundary`);
            }
        }
        assert.deepEqual(unknown, []);
        assert.ok(BOUNDARY_SERVICES.every((s) => identityAllows(boundary, `${s}:*`, "*")), "every action of each service, as iam-expand lists them");
        assert.equal(identityAllows(boundary, "ssm:SendCommand", "*"), false, "the SSM agent's actions, not SSM");
    });

    it("grants nothing the deploy role could not do itself, except the agents' own actions", async () => {
        const deploy = docOf(await bootstrap(), "aws:iam/rolePolicy:RolePolicy", "ci-deploy-policy");
        const beyond: string[] = [];
        for (const st of boundary.Statement.filter((x) => x.Effect === "Allow")) for (const action of [st.Action].flat()) for (const resource of [st.Resource ?? "*"].flat()) {
            if (!identityAllows(deploy, action, resource) && !(AGENT_ACTIONS as readonly string[]).includes(action)) beyond.push(`${action} on ${resource}`);
        }
        assert.deepEqual(beyond, []);
    });

    it("every service a platform role trusts is one the deploy role may pass it to", async () => {
        const missing = new Set<string>();
        for (const stack of STACKS) for (const r of (await builtStack(stack)).ofType("aws:iam/role:Role")) {
            for (const st of JSON.parse(r.inputs.assumeRolePolicy).Statement) for (const svc of [st.Principal?.Service ?? []].flat() as string[]) {
                if (!(PASSED_TO_SERVICES as readonly string[]).includes(svc)) missing.add(svc);
            }
        }
        assert.deepEqual([...missing], []);
    });
});

describe("policy pack: iam-role-boundary", () => {
    const cfg = parsePackConfig({ environment: "prod", permissionsBoundaryName: "platform-boundary", rolePath: "/platform/" });
    const good = { path: "/platform/", permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/platform-boundary`, assumeRolePolicy: "{}" };
    const findings = (props: Record<string, unknown>, config = cfg) =>
        evaluatePack([{ urn: "urn:x", type: "aws:iam/role:Role", name: "x", props, protect: false }], config).filter((v) => v.policy === "iam-role-boundary").map((v) => `${v.enforcementLevel}: ${v.message}`);
    it("passes a role with the boundary under the path (any partition and account)", () => {
        assert.deepEqual(findings(good), []);
        assert.deepEqual(findings({ ...good, permissionsBoundary: "arn:aws-us-gov:iam::210987654321:policy/platform-boundary" }), []);
    });
    it("fails a role without the boundary, with another one, or outside the path (mandatory)", () => {
        assert.match(findings({ path: "/platform/" }).join(), /^mandatory: IAM role must carry the permissions boundary .*policy\/platform-boundary; has none/);
        assert.match(findings({ ...good, permissionsBoundary: "arn:aws:iam::aws:policy/AdministratorAccess" }).join(), /has "arn:aws:iam::aws:policy\/AdministratorAccess"/);
        assert.equal(findings({ ...good, permissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/platform-boundary-old` }).length, 1);
        assert.match(findings({ permissionsBoundary: good.permissionsBoundary }).join(), /under the path \/platform\/ .*has "\/"/);
    });
    it("checks nothing when no boundary is configured (the pack's default), and refuses a bad name or path", () => {
        assert.deepEqual(findings({}, parsePackConfig({ environment: "prod" })), []);
        assert.throws(() => parsePackConfig({ permissionsBoundaryName: "a b" }), PolicyConfigError);
        assert.throws(() => parsePackConfig({ rolePath: "platform" }), PolicyConfigError);
    });
});
