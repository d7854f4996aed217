/**
 * Every call `pulumi up` makes with the deploy role's credentials is allowed (issue 21, finding 1
 * and the rule behind it): for each resource of every stack (and of a bootstrap run), the create
 * call, the provider's follow-ups (lib/aws/deploy-calls.ts), the update and delete calls, iam:PassRole
 * of every role handed to a service and the KMS calls a service makes on a key it is given, judged
 * by the project's IAM evaluator against the deploy role's policy as bootstrap/ builds it and, for
 * a key the stack creates, that key's policy.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { SERVICE_LINKED_ROLES } from "../../components/shared/service-linked-roles";
import { BREAK_GLASS, callsOf, DEPLOY_CALLS, DeployCall, deployCalls } from "../../lib/aws/deploy-calls";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../lib/offline/mocks";
import { record, RecordedResource } from "../../lib/offline/recorder";
import { BuiltStack, buildStack, builtStack, promiseOf, STACKS } from "../../lib/offline/stack";
import { boundedAllows, identityAllows, keyPolicyAllows, PolicyDoc } from "../harness/iam-eval";

const DEPLOY_ROLE = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/platform-deploy`;

interface DeployRole { policies: PolicyDoc[]; boundary?: PolicyDoc }

/** The deploy role's identity policies (and boundary, if it has one) as the bootstrap stack builds them. */
async function deployRole(): Promise<DeployRole> {
    const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
    await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
    const { resources } = await record(() => bootstrapIdentity(cfg));
    const role = resources.find((r) => r.type === "aws:iam/role:Role" && r.inputs.name === "platform-deploy")!;
    const policies = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "ci-deploy-policy").map((r) => JSON.parse(r.inputs.policy) as PolicyDoc);
    const boundaryArn = role.inputs.permissionsBoundary as string | undefined;
    const boundaryRes = boundaryArn ? resources.find((r) => r.type === "aws:iam/policy:Policy" && boundaryArn.endsWith(`/${r.inputs.name}`)) : undefined;
    assert.equal(policies.length, 1);
    return { policies, boundary: boundaryRes ? JSON.parse(boundaryRes.inputs.policy) : undefined };
}

/** ARNs and names the mocks gave the stack's roles and keys, for the call context. */
async function callContext(resources: RecordedResource[]) {
    const arns = new Map<string, string>();
    const roles = new Map<string, RecordedResource>();
    const keys = new Map<string, RecordedResource>();
    const repos = new Map<string, string>();
    for (const r of resources) {
        const res = r.resource as any;
        if (r.type === "aws:iam/role:Role") {
            arns.set(r.key, await promiseOf(res.arn));
            for (const id of [await promiseOf(res.name), await promiseOf(res.id)]) roles.set(String(id), r);
        } else if (r.type === "aws:kms/key:Key" || r.type === "aws:kms/alias:Alias") {
            arns.set(r.key, await promiseOf(res.arn));
            if (r.type === "aws:kms/key:Key") for (const id of [arns.get(r.key)!, await promiseOf(res.keyId)]) keys.set(String(id), r);
        } else if (r.type === "aws:ecr/repository:Repository") {
            arns.set(r.key, await promiseOf(res.arn));
            repos.set(String(r.inputs.name), arns.get(r.key)!);
        } else if (r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole") {
            const svc = r.inputs.awsServiceName as keyof typeof SERVICE_LINKED_ROLES;
            arns.set(r.key, `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/aws-service-role/${svc}/${SERVICE_LINKED_ROLES[svc].roleName}`);
        }
    }
    // A repository's policies act on the repository.
    return { arnOf: (r: RecordedResource) => arns.get(r.key) ?? (r.type.startsWith("aws:ecr/") ? repos.get(String(r.inputs.repository)) : undefined), roleNamed: (n: string) => roles.get(n), keyFor: (id: string) => keys.get(id) };
}

/** The calls of `resources` the deploy role (and, for keys, the key policy) does not allow. */
function denied(calls: DeployCall[], resources: RecordedResource[], role: DeployRole): string[] {
    const byKey = new Map(resources.map((r) => [r.key, r]));
    return calls.flatMap((c) => {
        const iam = boundedAllows(role.policies, role.boundary, c.action, c.arn, c.request);
        const key = c.key ? byKey.get(c.key) : undefined;
        // A key created with bypassPolicyLockoutSafetyCheck is one whose policy the deploy role is kept from changing on
        // purpose (CreateKey's lockout check would refuse it otherwise): its policy changes take the break-glass path.
        if (key && c.action === "kms:PutKeyPolicy" && key.inputs.bypassPolicyLockoutSafetyCheck) return [];
        const allowed = key?.inputs.policy ? keyPolicyAllows(JSON.parse(key.inputs.policy), DEPLOY_ROLE, c.action, { iamAllows: iam }) : iam;
        return allowed ? [] : [`${c.resource} ${c.phase} ${c.action} on ${c.arn}${Object.keys(c.request).length ? ` ${JSON.stringify(c.request)}` : ""}`];
    });
}

/** Denied calls less the declared break-glass ones (updates and deletes only), and the declared ones that are in fact allowed. */
function judged(calls: DeployCall[], resources: RecordedResource[], role: DeployRole): { denied: string[]; stale: string[] } {
    const breakGlass = (c: DeployCall) => c.phase !== "create" && BREAK_GLASS.some((b) => b.resource === c.resource && b.actions.includes(c.action));
    const declared = calls.filter(breakGlass);
    const deniedDeclared = new Set(denied(declared, resources, role));
    return {
        denied: denied(calls.filter((c) => !breakGlass(c)), resources, role),
        stale: declared.map((c) => `${c.resource} ${c.phase} ${c.action}`).filter((_, i) => ![...deniedDeclared].some((d) => d.startsWith(`${declared[i].resource} ${declared[i].phase} ${declared[i].action} `))),
    };
}

async function check(built: BuiltStack, role: DeployRole): Promise<{ denied: string[]; stale: string[]; unknownTypes: string[]; calls: DeployCall[] }> {
    const { calls, unknownTypes } = deployCalls(built.resources, await callContext(built.resources));
    return { ...judged(calls, built.resources, role), unknownTypes, calls };
}

const fake = (type: string, name: string, inputs: Record<string, any>, opts: Partial<RecordedResource> = {}): RecordedResource =>
    ({ key: `${type}::${name}`, type, name, custom: true, protect: false, dependsOn: [], ignoreChanges: [], inputs, secretPaths: [], resource: undefined as any, ...opts });

describe("deploy role: every call of every resource the stacks create", () => {
    let role: DeployRole;
    before(async () => { role = await deployRole(); });

    for (const stack of STACKS) {
        it(`${stack}: allowed by the deploy role and the key policies (create, follow-ups, updates, deletes, PassRole, KMS use)`, async () => {
            const result = await check(await builtStack(stack), role);
            assert.deepEqual(result.unknownTypes, [], "resource types without calls in lib/aws/deploy-calls.ts");
            assert.deepEqual(result.denied, []);
            assert.deepEqual(result.stale, [], "declared break-glass calls the deploy role is in fact allowed (remove them from BREAK_GLASS)");
            assert.ok(result.calls.length > 500, `${result.calls.length} calls`);
            assert.ok(result.calls.some((c) => c.action === "iam:PassRole" && c.request["iam:PassedToService"] === "eks.amazonaws.com"));
        });
    }

    it("a bootstrap run (network and runner only) too", async () => {
        const result = await check(await buildStack("dev", { mutate: (v) => { v["platform:ciBootstrap"] = true; } }), role);
        assert.deepEqual([result.unknownTypes, result.denied], [[], []]);
    });

    it("service-linked roles: create and read only, no tags, description changes ignored; kept on destroy", async () => {
        const slrs = (await builtStack("staging")).ofType("aws:iam/serviceLinkedRole:ServiceLinkedRole");
        assert.equal(slrs.length, 2);
        const { calls } = deployCalls(slrs, await callContext(slrs));
        assert.deepEqual([...new Set(calls.map((c) => c.action))].sort(), ["iam:CreateServiceLinkedRole", "iam:GetRole"]);
        for (const r of slrs) {
            assert.equal(r.inputs.tags, undefined, r.name);
            assert.equal(r.retainOnDelete, true, r.name);
        }
    });

    it("finds a tagged service-linked role (TagRole on role/aws-service-role/...), an untagged one that changes its description, and the same roles retained vs deleted", async () => {
        const arn = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
        const ctx = { arnOf: () => arn, roleNamed: () => undefined, keyFor: () => undefined };
        const run = (r: RecordedResource) => denied(deployCalls([r], ctx).calls, [r], role);
        assert.deepEqual(run(fake("aws:iam/serviceLinkedRole:ServiceLinkedRole", "asg", { awsServiceName: "autoscaling.amazonaws.com", tags: { environment: "prod" } }, { retainOnDelete: true })), [
            `aws:iam/serviceLinkedRole:ServiceLinkedRole::asg create iam:TagRole on ${arn}`,
            `aws:iam/serviceLinkedRole:ServiceLinkedRole::asg update iam:UpdateRole on ${arn}`,
            `aws:iam/serviceLinkedRole:ServiceLinkedRole::asg update iam:TagRole on ${arn}`,
            `aws:iam/serviceLinkedRole:ServiceLinkedRole::asg update iam:UntagRole on ${arn}`,
        ]);
        // Not retained: the provider deletes it (DeleteServiceLinkedRole, which the deploy role does not hold either).
        assert.match(run(fake("aws:iam/serviceLinkedRole:ServiceLinkedRole", "asg", { awsServiceName: "autoscaling.amazonaws.com" }, { ignoreChanges: ["tags", "description"] })).join("\n"), /delete iam:DeleteServiceLinkedRole/);
        assert.deepEqual(run(fake("aws:iam/serviceLinkedRole:ServiceLinkedRole", "asg", { awsServiceName: "autoscaling.amazonaws.com" }, { ignoreChanges: ["tags", "tagsAll", "description"], retainOnDelete: true })), []);
    });

    it("finds a role passed from outside the platform path, a role without the boundary, and a key that does not delegate to the account", async () => {
        const admin = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/OrganizationAccountAccessRole`;
        const ctx = { arnOf: (r: RecordedResource) => (r.type === "aws:iam/role:Role" ? `arn:aws:iam::${MOCK_ACCOUNT_ID}:role${r.inputs.path ?? "/"}x` : "arn:aws:kms:eu-west-1:123456789012:key/k"), roleNamed: () => undefined, keyFor: () => undefined };
        const cluster = fake("aws:eks/cluster:Cluster", "c", { roleArn: admin });
        assert.deepEqual(denied(deployCalls([cluster], ctx).calls.filter((c) => c.action === "iam:PassRole"), [cluster], role), [`aws:eks/cluster:Cluster::c create iam:PassRole on ${admin} {"iam:PassedToService":"eks.amazonaws.com"}`]);
        const unbounded = fake("aws:iam/role:Role", "r", { path: "/platform/" });
        assert.match(denied(deployCalls([unbounded], ctx).calls, [unbounded], role).join("\n"), /r create iam:CreateRole on arn:aws:iam::123456789012:role\/platform\/x/);
        // A break-glass entry excuses updates and deletes only: a create it denies is still reported.
        const signing = fake("aws:iam/role:Role", "ci-signing-role", { path: "/platform/" });
        assert.match(judged(deployCalls([signing], ctx).calls, [signing], role).denied.join("\n"), /ci-signing-role create iam:CreateRole/);
        const bounded = fake("aws:iam/role:Role", "r", { path: "/platform/", permissionsBoundary: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/platform-boundary`, tags: { a: "b" } });
        assert.deepEqual(denied(deployCalls([bounded], ctx).calls, [bounded], role), []);
        const closed = fake("aws:kms/key:Key", "k", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/admin" }, Action: "kms:*", Resource: "*" }] }) });
        const kctx = { ...ctx, keyFor: () => closed };
        assert.match(denied(deployCalls([closed], kctx).calls, [closed], role).join("\n"), /k create kms:PutKeyPolicy/);
        const bypass = { ...closed, inputs: { ...closed.inputs, bypassPolicyLockoutSafetyCheck: true } };
        assert.deepEqual(denied(deployCalls([bypass], { ...ctx, keyFor: () => bypass }).calls.filter((c) => c.action === "kms:PutKeyPolicy"), [bypass], role), []);
    });

    it("every entry names its source, and a type of a service the deploy role does not hold is reported", () => {
        for (const [type, spec] of Object.entries(DEPLOY_CALLS)) assert.match(spec.source, /terraform-provider-aws internal\/service\/\w+/, type);
        assert.equal(callsOf("aws:iam/user:User"), undefined, "IAM types are listed one by one");
        const queue = fake("aws:sqs/queue:Queue", "q", {});
        assert.deepEqual(deployCalls([queue], { arnOf: () => undefined, roleNamed: () => undefined, keyFor: () => undefined }).unknownTypes, ["aws:sqs/queue:Queue"]);
        assert.equal(identityAllows(role.policies[0], "ec2:*", "*"), true);
    });
});
