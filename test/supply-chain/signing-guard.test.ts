/**
 * "Only the CI role can sign" against the deploy role and every role under the platform's
 * boundary (issue 21, point 6), decided with test/harness/iam-eval.ts over the documents the
 * bootstrap stack and the prod stack build: no such principal reaches kms:Sign on the cosign key,
 * neither directly nor by first rewriting the key policy (or lifting the tag that protects it),
 * the alias, or the CI role's trust (updated, or the role deleted and re-created). Administrators
 * outside the boundary still can: the docs say so, and this test pins that too.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "../../bootstrap/config";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../lib/offline/mocks";
import { record, RecordedResource } from "../../lib/offline/recorder";
import { BuiltStack, builtStack, promiseOf } from "../../lib/offline/stack";
import { boundedAllows, keyPolicyAllows, PolicyDoc, RequestContext } from "../harness/iam-eval";

const ACCOUNT = MOCK_ACCOUNT_ID;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/platform-boundary`;
const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/platform-deploy`;
/** A role the deploy role may create: under the path, with the boundary, with any policy it likes. */
const PLATFORM_ROLE = `arn:aws:iam::${ACCOUNT}:role/platform/anything-the-deploy-role-makes`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
const EVERYTHING: PolicyDoc = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" } as any] };

async function bootstrapDocs(): Promise<{ deploy: PolicyDoc; boundary: PolicyDoc }> {
    const cfg = readBootstrapConfig({ get: (k) => ({ repository: "example-org/platform" } as Record<string, string>)[k], getObject: () => undefined }, "eu-west-1", "shared");
    await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform-bootstrap", "shared", false);
    const resources: RecordedResource[] = (await record(() => bootstrapIdentity(cfg))).resources;
    const doc = (type: string, name: string) => JSON.parse(resources.find((r) => r.type === type && r.name === name)!.inputs.policy) as PolicyDoc;
    return { deploy: doc("aws:iam/rolePolicy:RolePolicy", "ci-deploy-policy"), boundary: doc("aws:iam/policy:Policy", "ci-permissions-boundary") };
}

describe("only the CI role can sign: not the deploy role, not a bounded role, not by rewriting a policy", function () {
    this.timeout(60000);
    let prod: BuiltStack;
    let deploy: PolicyDoc;
    let boundary: PolicyDoc;
    let keyPolicy: { Statement: any[] };
    let keyArn: string;
    let ciRole: string;
    let aliasArn: string;
    before(async () => {
        ({ deploy, boundary } = await bootstrapDocs());
        prod = await builtStack("prod");
        const key = prod.get("aws:kms/key:Key", "cosign-key");
        keyPolicy = JSON.parse(await promiseOf<string>(key.inputs.policy as any));
        keyArn = await promiseOf<string>((key.resource as any).arn);
        ciRole = await promiseOf<string>((prod.get("aws:iam/role:Role", "ci-signing-role").resource as any).arn);
        aliasArn = await promiseOf<string>((prod.get("aws:kms/alias:Alias", "cosign-alias").resource as any).arn);
        assert.equal(key.inputs.tags.purpose, "cosign-signing");
    });

    /** Each principal other than the CI role, with its identity policies and boundary. */
    const principals = () => [
        { who: "the deploy role", arn: DEPLOY, identity: [deploy], bound: undefined as PolicyDoc | undefined },
        { who: "a bounded role the deploy role makes", arn: PLATFORM_ROLE, identity: [EVERYTHING], bound: boundary },
    ];
    const keyContext: RequestContext = { "aws:ResourceTag/purpose": "cosign-signing" };
    /** A key-policy decision with the principal's IAM decision for the same request. */
    const onKey = (p: ReturnType<typeof principals>[number], action: string, ctx: RequestContext = keyContext) =>
        keyPolicyAllows(keyPolicy, p.arn, action, { iamAllows: boundedAllows(p.identity, p.bound, action, keyArn, ctx) });

    it("the CI role signs; nobody else reaches kms:Sign directly", () => {
        assert.equal(keyPolicyAllows(keyPolicy, ciRole, "kms:Sign", { iamAllows: false }), true);
        for (const p of principals()) assert.equal(onKey(p, "kms:Sign"), false, p.who);
    });

    it("nobody but an administrator may rewrite the key policy, grant its use, or lift the tag that protects it", () => {
        for (const p of principals()) {
            for (const action of ["kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReplicateKey"]) assert.equal(onKey(p, action), false, `${p.who}: ${action}`);
            for (const action of ["kms:UntagResource", "kms:TagResource"]) assert.equal(onKey(p, action, { ...keyContext, "aws:TagKeys": ["purpose"] }), false, `${p.who}: ${action} purpose`);
        }
        // What the guard leaves alone: other tags of the key, and the policies of every other key.
        assert.equal(onKey(principals()[0], "kms:TagResource", { ...keyContext, "aws:TagKeys": ["environment"] }), true, "the deploy role keeps tagging the key");
        assert.equal(keyPolicyAllows(keyPolicy, DEPLOY, "kms:PutKeyPolicy", { iamAllows: boundedAllows([deploy], undefined, "kms:PutKeyPolicy", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other`, { "aws:ResourceTag/purpose": "data" }) }), true, "other keys stay manageable");
    });

    it("the first deploy stays allowed: the provider's CreateKey carries the policy and the tags (no PutKeyPolicy or TagResource follows a create), then reads the key; a later description change is UpdateKeyDescription", () => {
        // terraform-provider-aws internal/service/kms/key.go: resourceKeyCreate sends Policy and Tags in CreateKey, then only waits
        // on DescribeKey/GetKeyPolicy/ListResourceTags; resourceKeyUpdate calls PutKeyPolicy only when the policy changed.
        const create: RequestContext = { "aws:RequestTag/purpose": "cosign-signing", "aws:TagKeys": Object.keys(prod.get("aws:kms/key:Key", "cosign-key").inputs.tags) };
        assert.ok((create["aws:TagKeys"] as string[]).includes("purpose"));
        for (const action of ["kms:CreateKey", "kms:TagResource"]) assert.equal(boundedAllows([deploy], undefined, action, "*", create), true, `CreateKey with tags needs ${action}`);
        for (const action of ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:UpdateKeyDescription"]) {
            assert.equal(onKey(principals()[0], action), true, action);
        }
    });

    it("nobody but an administrator may repoint or delete the key's alias (creating it stays allowed for the first deploy)", () => {
        for (const p of principals()) {
            for (const action of ["kms:UpdateAlias", "kms:DeleteAlias"]) assert.equal(boundedAllows(p.identity, p.bound, action, aliasArn), false, `${p.who}: ${action}`);
        }
        assert.equal(boundedAllows([deploy], undefined, "kms:CreateAlias", aliasArn), true);
    });

    it("nobody but an administrator may rewrite the CI role's trust, or delete and re-create it with another", () => {
        const request = { "iam:PermissionsBoundary": BOUNDARY };
        for (const p of principals()) {
            for (const action of ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole"]) assert.equal(boundedAllows(p.identity, p.bound, action, ciRole, request), false, `${p.who}: ${action}`);
        }
        // The guard is targeted: the deploy role still manages every other platform role, and creates the CI role on a first deploy.
        assert.equal(boundedAllows([deploy], undefined, "iam:UpdateAssumeRolePolicy", `arn:aws:iam::${ACCOUNT}:role/platform/platform-prod-eks-cluster`, request), true);
        assert.equal(boundedAllows([deploy], undefined, "iam:CreateRole", ciRole, request), true);
    });

    it("no principal but the CI signing role may push images, whatever a (rewritten) repository policy grants: an explicit deny", () => {
        const repo = `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/platform-prod/orders`;
        // An identity policy allowing everything stands for any grant, a rewritten repository policy's included:
        // only an explicit deny (in the deploy role's policy, or in the boundary's statements) can still refuse.
        for (const action of ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchDeleteImage"]) {
            assert.equal(boundedAllows([EVERYTHING, deploy], undefined, action, repo, { "aws:PrincipalArn": DEPLOY }), false, `the deploy role: ${action}`);
            assert.equal(boundedAllows([EVERYTHING, boundary], undefined, action, repo, { "aws:PrincipalArn": PLATFORM_ROLE }), false, `a bounded role: ${action}`);
            assert.equal(boundedAllows([EVERYTHING], boundary, action, repo, { "aws:PrincipalArn": ciRole }), true, `the CI signing role: ${action}`);
        }
        // Targeted: reads stay allowed to both.
        assert.equal(boundedAllows([EVERYTHING, deploy], undefined, "ecr:BatchGetImage", repo, { "aws:PrincipalArn": DEPLOY }), true);
    });

    it("administrators outside the boundary can still rewrite the key policy and so sign: the documented limit", () => {
        assert.equal(keyPolicyAllows(keyPolicy, ADMIN, "kms:PutKeyPolicy", { iamAllows: boundedAllows([EVERYTHING], undefined, "kms:PutKeyPolicy", keyArn, keyContext) }), true);
        assert.equal(keyPolicyAllows(keyPolicy, ADMIN, "kms:Sign", { iamAllows: true }), false, "but not without rewriting it first");
    });
});
