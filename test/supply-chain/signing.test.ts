/**
 * The supply-chain resources of the stacks that enable signing: the KMS signing key and who may
 * use it, the CI role and which GitHub tokens may assume it, the ECR repositories and who may
 * write them, and the config rules around them.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BuiltStack, builtStack, promiseOf, readStackConfig } from "../../lib/offline/stack";
import { MOCK_ACCOUNT_ID, PlatformMocks } from "../../lib/offline/mocks";
import { record } from "../../lib/offline/recorder";
import { CiSigningIdentity } from "../../components/supply-chain/ci-identity";
import { ConfigError, parsePlatformConfig } from "../../stacks/config";
import { keyPolicyAllows, identityAllows, trustAllows } from "../harness/iam-eval";

const OIDC = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
const CI_ROLE = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/platform/platform-prod-ci-signing`;
const ADMIN = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/Administrator`;
const json = async (s: BuiltStack, type: string, name: string, field: string) => JSON.parse(await promiseOf<string>(s.get(type, name).inputs[field] as string));
const token = (sub: string, aud = "sts.amazonaws.com") => ({ "token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": aud });

describe("supply chain: signing key, CI role and repositories (prod)", () => {
    let prod: BuiltStack;
    before(async () => (prod = await builtStack("prod")));

    it("the key is an ECC_NIST_P256 SIGN_VERIFY key with an alias, protected, and the stack exports its cosign reference and public key", async () => {
        const key = prod.get("aws:kms/key:Key", "cosign-key");
        assert.equal(key.inputs.customerMasterKeySpec, "ECC_NIST_P256");
        assert.equal(key.inputs.keyUsage, "SIGN_VERIFY");
        assert.equal(key.protect, true);
        assert.equal(prod.get("aws:kms/alias:Alias", "cosign-alias").inputs.name, "alias/platform-prod-cosign");
        const outputs = prod.platform.outputs;
        assert.match(await promiseOf<string>(outputs.cosignKeyRef as any), /^awskms:\/\/\/arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
        assert.match(await promiseOf<string>(outputs.cosignPublicKey as any), /^-----BEGIN PUBLIC KEY-----/);
    });

    it("only the CI role may kms:Sign: not administrators, not the account root, whatever IAM grants", async () => {
        const policy = await json(prod, "aws:kms/key:Key", "cosign-key", "policy");
        assert.equal(keyPolicyAllows(policy, CI_ROLE, "kms:Sign", { iamAllows: false }), true);
        for (const who of [ADMIN, `arn:aws:iam::${MOCK_ACCOUNT_ID}:root`, `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/alice`]) {
            assert.equal(keyPolicyAllows(policy, who, "kms:Sign", { iamAllows: true }), false, `${who} must not sign`);
        }
        assert.equal(keyPolicyAllows(policy, "arn:aws:iam::999999999999:role/platform-prod-ci-signing", "kms:Sign", { iamAllows: true }), false);
    });

    it("administrators manage the key and account readers get the public key; nobody but the CI role uses it", async () => {
        const policy = await json(prod, "aws:kms/key:Key", "cosign-key", "policy");
        for (const action of ["kms:PutKeyPolicy", "kms:DescribeKey", "kms:ScheduleKeyDeletion", "kms:TagResource"]) assert.equal(keyPolicyAllows(policy, ADMIN, action, { iamAllows: true }), true, action);
        assert.equal(keyPolicyAllows(policy, `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/auditor`, "kms:GetPublicKey", { iamAllows: true }), true);
        assert.equal(keyPolicyAllows(policy, `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/auditor`, "kms:GetPublicKey", { iamAllows: false }), false, "readers still need an IAM grant");
        assert.equal(keyPolicyAllows(policy, "arn:aws:iam::999999999999:root", "kms:GetPublicKey", { iamAllows: true }), false, "other accounts get nothing");
        for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:Verify", "kms:CreateGrant"]) assert.equal(keyPolicyAllows(policy, ADMIN, action, { iamAllows: true }), false, action);
    });

    it("the CI role trusts only build-sign.yml of the platform, run by a configured repository (name or immutable id form) on a configured ref", async () => {
        const trust = await json(prod, "aws:iam/role:Role", "ci-signing-role", "assumeRolePolicy");
        const may = (sub: string, aud?: string) => trustAllows(trust, OIDC, token(sub, aud));
        const wf = (ref = "refs/heads/main", repo = "example-org/platform") => `job_workflow_ref:${repo}/.github/workflows/build-sign.yml@${ref}`;
        for (const repo of ["example-org/shop", "example-org@1000001/shop@2000001"]) {
            assert.equal(may(`repo:${repo}:ref:refs/heads/main:${wf()}`), true, repo);
            assert.equal(may(`repo:${repo}:ref:refs/tags/v1.4.0:${wf()}`), true, repo);
        }
        for (const sub of [
            // GitHub's default subjects (no job_workflow_ref): any workflow of the repository
            "repo:example-org/shop:ref:refs/heads/main",
            "repo:example-org@1000001/shop@2000001:ref:refs/heads/main",
            // environment subjects: a same-repository pull-request job may declare the environment
            `repo:example-org/shop:environment:release:${wf()}`,
            "repo:example-org/shop:environment:release",
            `repo:example-org/shop:pull_request:${wf()}`,
            // another workflow, another copy of build-sign.yml, another ref of it
            "repo:example-org/shop:ref:refs/heads/main:job_workflow_ref:example-org/shop/.github/workflows/release.yml@refs/heads/main",
            `repo:example-org/shop:ref:refs/heads/main:${wf("refs/heads/main", "attacker/platform")}`,
            `repo:example-org/shop:ref:refs/heads/main:${wf("refs/heads/feature")}`,
            // a workflow file named to embed the trusted job_workflow_ref after a tag wildcard
            `repo:example-org/shop:ref:refs/tags/v9:job_workflow_ref:example-org/shop/.github/workflows/x:${wf()}`,
            // ids that are not the configured ones (a recycled name), other refs and repositories
            `repo:example-org@999/shop@2000001:ref:refs/heads/main:${wf()}`,
            `repo:example-org/shop:ref:refs/heads/feature/x:${wf()}`,
            `repo:example-org/shop:ref:refs/heads/main-evil:${wf()}`,
            `repo:example-org/shop-fork:ref:refs/heads/main:${wf()}`,
            `repo:attacker/shop:ref:refs/heads/main:${wf()}`,
            `repo:example-org/shop:ref:refs/tags/x1:${wf()}`,
        ]) assert.equal(may(sub), false, sub);
        assert.equal(may(`repo:example-org/shop:ref:refs/heads/main:${wf()}`, "https://github.com/example-org"), false, "wrong audience");
        assert.equal(trustAllows(trust, "arn:aws:iam::123456789012:oidc-provider/gitlab.com", token(`repo:example-org/shop:ref:refs/heads/main:${wf()}`)), false, "other identity provider");
    });

    it("the CI role may sign with the key and push only to the platform repositories", async () => {
        const policy = await json(prod, "aws:iam/rolePolicy:RolePolicy", "ci-signing-policy", "policy");
        const keyArn = await promiseOf<string>((prod.get("aws:kms/key:Key", "cosign-key").resource as any).arn);
        const repo = `arn:aws:ecr:eu-west-1:${MOCK_ACCOUNT_ID}:repository/platform-prod/shop/api`;
        assert.equal(identityAllows(policy, "kms:Sign", keyArn), true);
        assert.equal(identityAllows(policy, "kms:Sign", `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/other`), false);
        assert.equal(identityAllows(policy, "ecr:PutImage", repo), true);
        assert.equal(identityAllows(policy, "ecr:PutImage", `arn:aws:ecr:eu-west-1:${MOCK_ACCOUNT_ID}:repository/other`), false);
        assert.equal(identityAllows(policy, "ecr:BatchDeleteImage", repo), false, "CI pushes, never deletes");
        assert.equal(identityAllows(policy, "ecr:GetAuthorizationToken", "*"), true);
        assert.equal(identityAllows(policy, "kms:Decrypt", keyArn), false);
    });

    it("repositories: immutable tags except cosign's signature tags, scan on push, KMS encryption, lifecycle, only the CI role writes", async () => {
        const repos = prod.ofType("aws:ecr/repository:Repository");
        assert.deepEqual(repos.map((r) => r.inputs.name).sort(), ["platform-prod/shop/api", "platform-prod/shop/web"]);
        for (const r of repos) {
            assert.equal(r.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
            assert.deepEqual(r.inputs.imageTagMutabilityExclusionFilters.map((f: any) => f.filter), ["sha256-*.sig", "sha256-*.att"]);
            assert.equal(r.inputs.imageScanningConfiguration.scanOnPush, true);
            assert.equal(r.inputs.encryptionConfigurations[0].encryptionType, "KMS");
            assert.match(r.inputs.encryptionConfigurations[0].kmsKey, /^arn:aws:kms:/);
            assert.equal(r.protect, true);
        }
        const lifecycle = await json(prod, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "app-images-shop-api-lifecycle", "policy");
        assert.deepEqual(lifecycle.rules.map((r: any) => [r.selection.tagStatus, r.selection.countType, r.selection.countNumber]), [["untagged", "sinceImagePushed", 30], ["tagged", "imageCountMoreThan", 200]]);
        const repoPolicy = await json(prod, "aws:ecr/repositoryPolicy:RepositoryPolicy", "app-images-shop-api-policy", "policy");
        assert.equal(keyPolicyAllows({ Statement: [...repoPolicy.Statement, { Effect: "Allow", Principal: "*", Action: "ecr:*" }] }, ADMIN, "ecr:PutImage", { iamAllows: true }), false, "the repository policy denies writes by anyone else");
        assert.equal(keyPolicyAllows({ Statement: [...repoPolicy.Statement, { Effect: "Allow", Principal: "*", Action: "ecr:*" }] }, CI_ROLE, "ecr:PutImage", { iamAllows: true }), true);
    });

    it("admission verifies the stack's repositories with the stack's KMS public key, nothing pasted", async () => {
        const policy = prod.ofType("kubernetes:kyverno.io/v1:ClusterPolicy")[0];
        const vi = policy.inputs.spec.rules[0].verifyImages[0];
        assert.ok(vi.imageReferences.includes(`${MOCK_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/platform-prod/*`));
        const pem = await promiseOf<string>(prod.platform.outputs.cosignPublicKey as any);
        assert.ok(vi.attestors[0].entries.some((e: any) => e.keys.publicKeys === pem), "the signature attestor holds the KMS key's public key");
        assert.ok(vi.attestations[0].attestors[0].entries.some((e: any) => e.keys.publicKeys === pem), "so does the SBOM attestation's");
    });

    it("Kyverno's admission controller reads signatures from the private repositories through Pod Identity, and cannot write", async () => {
        const policy = await json(prod, "aws:iam/rolePolicy:RolePolicy", "eks-kyverno-kyverno-admission-controller-policy", "policy");
        const repo = `arn:aws:ecr:eu-west-1:${MOCK_ACCOUNT_ID}:repository/platform-prod/shop/web`;
        assert.equal(identityAllows(policy, "ecr:BatchGetImage", repo), true);
        assert.equal(identityAllows(policy, "ecr:PutImage", repo), false);
        const association = prod.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "kyverno-admission-controller")!;
        assert.equal(association.inputs.namespace, "kyverno");
        const kyverno = prod.get("kubernetes:helm.sh/v3:Release", "kyverno").inputs.values as any;
        assert.equal(kyverno.admissionController.rbac.serviceAccount.name, "kyverno-admission-controller");
    });

    it("dev enables no signing: no key, role or repository", async () => {
        const dev = await builtStack("dev");
        assert.equal(dev.ofType("aws:ecr/repository:Repository").length, 0);
        assert.equal(dev.resources.filter((r) => r.type.startsWith("platform:supply-chain:")).length, 0);
    });

    it("an existing OIDC provider ARN is used instead of creating one", async () => {
        const existing = `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
        await pulumi.runtime.setMocks(new PlatformMocks("eu-west-1"), "platform", "prod", false);
        const ctx = { prefix: "platform-prod", environment: "prod", region: "eu-west-1", tags: {}, iam: { permissionsBoundaryArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/platform-boundary`, path: "/platform/" } };
        const { result, resources } = await record(() => new CiSigningIdentity("ci-signing", { ctx, accountId: MOCK_ACCOUNT_ID, oidcProviderArn: existing, signers: [{ repository: "example-org/shop", ownerId: "1", repositoryId: "2", refs: ["refs/heads/main"] }], workflow: { repository: "example-org/platform", refs: ["refs/heads/main"] } }));
        assert.equal(resources.filter((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
        const trust = JSON.parse(await promiseOf<string>(result.role.assumeRolePolicy));
        assert.equal(trust.Statement[0].Principal.Federated, existing);
        assert.deepEqual(trust.Statement[0].Condition.StringLike["token.actions.githubusercontent.com:sub"], [
            "repo:example-org/shop:ref:refs/heads/main:job_workflow_ref:example-org/platform/.github/workflows/build-sign.yml@refs/heads/main",
            "repo:example-org@1/shop@2:ref:refs/heads/main:job_workflow_ref:example-org/platform/.github/workflows/build-sign.yml@refs/heads/main",
        ]);
    });
});

describe("supply chain config", () => {
    const problems = (mutate: (sc: any, values: Record<string, any>) => void): string[] => {
        const values = structuredClone(readStackConfig("prod")) as Record<string, any>;
        values["platform-secrets:pagerdutyRoutingKey"] = "x";
        values["platform-secrets:slackWebhookUrl"] = "x";
        values["platform-secrets:deadMansSwitchUrl"] = "https://hc-ping.com/x";
        mutate(values["platform:supplyChain"], values);
        try {
            parsePlatformConfig({ project: "platform", stack: "prod", values });
            return [];
        } catch (e) {
            if (e instanceof ConfigError) return e.problems;
            throw e;
        }
    };

    it("prod's config is valid", () => assert.deepEqual(problems(() => undefined), []));
    it("refuses wildcard repositories and branch wildcards, names the key", () => {
        assert.match(problems((sc) => (sc.signing.signers[0].repository = "example-org/*")).join("\n"), /signing\.signers\[0\]\.repository: .*owner\/name \(no wildcards\)/);
        assert.match(problems((sc) => (sc.signing.signers[0].refs = ["refs/heads/*"])).join("\n"), /signing\.signers\[0\]\.refs\[0\]: .*refs\/heads\/<branch> \(exact\)/);
        assert.match(problems((sc) => (sc.signing.signers[0].refs = ["main"])).join("\n"), /refs\[0\]/);
    });
    it("signing without signers, or a signer that can never sign, is refused", () => {
        assert.match(problems((sc) => (sc.signing.signers = [])).join("\n"), /signing\.signers: required when signing\.enabled/);
        assert.match(problems((sc) => Object.assign(sc.signing.signers[0], { refs: [] })).join("\n"), /signers\[0\]\.refs: .* lists no refs/);
    });
    it("a trust policy over IAM's role trust policy quota is refused before deploy, naming the quota and how to raise it", () => {
        const many = (sc: any) => (sc.signing.signers = Array.from({ length: 6 }, (_, i) => ({ repository: `example-org/service-${i}`, ownerId: 1000001, repositoryId: 3000000 + i, refs: ["refs/heads/main", "refs/tags/v*"] })));
        const found = problems((sc) => { many(sc); sc.signing.repositories = sc.signing.repositories.map((r: any) => ({ ...r, signer: "example-org/service-0" })); }).join("\n");
        assert.match(found, /signing\.signers: the CI role's trust policy would be \d+ characters, over the account's "Role trust policy length" quota of 2048 .*trustPolicyQuota/);
        assert.deepEqual(problems((sc) => { many(sc); sc.signing.trustPolicyQuota = 4096; sc.signing.repositories = sc.signing.repositories.map((r: any) => ({ ...r, signer: "example-org/service-0" })); }), []);
    });
    it("a signer needs its owner and repository ids; environment subjects are refused with the reason", () => {
        assert.match(problems((sc) => delete sc.signing.signers[0].ownerId).join("\n"), /signers\[0\]\.ownerId/);
        assert.match(problems((sc) => (sc.signing.signers[0].repositoryId = "abc")).join("\n"), /signers\[0\]\.repositoryId: .*numeric GitHub id/);
        assert.match(problems((sc) => (sc.signing.signers[0].environments = ["release"])).join("\n"), /signers\[0\]\.environments: .*pull-request job/);
        assert.match(problems((sc) => (sc.signing.buildSignWorkflow = { refs: ["main"] })).join("\n"), /buildSignWorkflow\.refs\[0\]/);
    });
    it("signing needs exactly one aws:allowedAccountIds", () => {
        assert.match(problems((_, v) => delete v["aws:allowedAccountIds"]).join("\n"), /aws:allowedAccountIds: required when/);
        assert.match(problems((_, v) => (v["aws:allowedAccountIds"] = ["123456789012", "210987654321"])).join("\n"), /exactly one/);
        assert.match(problems((_, v) => (v["aws:allowedAccountIds"] = ["12345"])).join("\n"), /12-digit/);
    });
    it("a malformed OIDC provider ARN is refused", () => {
        assert.match(problems((sc) => (sc.signing.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/gitlab.com")).join("\n"), /oidcProviderArn: .*token\.actions\.githubusercontent\.com/);
    });
});

describe("kms-key-rotation exempts asymmetric keys only", () => {
    it("a symmetric key without rotation fails; a SIGN_VERIFY P-256 key without rotation passes", async () => {
        const { evaluatePack } = await import("../../policies/evaluate");
        const { parsePackConfig } = await import("../../policies/evaluate");
        const judge = (props: Record<string, unknown>) => evaluatePack([{ urn: "k", type: "aws:kms/key:Key", name: "k", props }], parsePackConfig({})).filter((v) => v.policy === "kms-key-rotation").length;
        assert.equal(judge({ enableKeyRotation: false }), 1);
        assert.equal(judge({ enableKeyRotation: false, customerMasterKeySpec: "SYMMETRIC_DEFAULT" }), 1);
        assert.equal(judge({ enableKeyRotation: false, customerMasterKeySpec: "ECC_NIST_P256", keyUsage: "SIGN_VERIFY" }), 0);
        assert.equal(judge({ enableKeyRotation: true }), 0);
    });
});
