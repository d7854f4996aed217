/**
 * The signing guard: what the deploy role and every role under the platform's permissions boundary
 * may never do to the signing identity, so that "only the CI signing role can sign" holds against
 * them (issue 21, point 6). Without it the deploy role (kms:* through the key policy's
 * account-root delegation of kms:Put*, and the platform-path IAM writes it needs for every other
 * role) could rewrite the key policy, repoint the alias, or rewrite or re-create the CI role with a
 * trust policy of its own choosing, and then sign.
 *
 * The statements match the signing resources by what the stacks make them: the key by its
 * `purpose: cosign-signing` tag (set at CreateKey, so creating the key stays allowed), the alias
 * `alias/*-cosign`, the role `<path>*-ci-signing`. Changing any of those is the break-glass path:
 * an administrator outside the deploy role and boundary (docs/supply-chain.md, "Break glass").
 */
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../shared/iam";
import { ECR_WRITE_ACTIONS } from "./registry";

/** The tag the signing key carries from CreateKey on; the guard protects keys that carry it. */
export const SIGNING_KEY_TAG = { key: "purpose", value: "cosign-signing" } as const;
/** The suffix of the CI signing role's name (`<project>-<stack>-ci-signing`). */
export const SIGNING_ROLE_SUFFIX = "-ci-signing";
/** The suffix of the signing key's alias (`alias/<project>-<stack>-cosign`). */
export const SIGNING_ALIAS_SUFFIX = "-cosign";

export interface SigningGuardArgs {
    partition: string;
    accountId: pulumi.Input<string>;
    /** IAM path of the platform's roles, e.g. `/platform/`. */
    rolePath: string;
}

/** Explicit denies for the deploy role and the boundary (an explicit deny wins over any allow). */
export function signingGuardStatements(a: SigningGuardArgs): PolicyStatement[] {
    const tagged = { StringEquals: { [`aws:ResourceTag/${SIGNING_KEY_TAG.key}`]: SIGNING_KEY_TAG.value } };
    const signingRoles = pulumi.interpolate`arn:${a.partition}:iam::${a.accountId}:role${a.rolePath}*${SIGNING_ROLE_SUFFIX}`;
    return [
        // The key policy is what keeps every other principal from kms:Sign; no grant may bypass it.
        { Sid: "DenySigningKeyPolicyChanges", Effect: "Deny", Action: ["kms:PutKeyPolicy", "kms:CreateGrant", "kms:ReplicateKey"], Resource: "*", Condition: tagged },
        // Removing or rewriting the tag would lift the statement above.
        { Sid: "DenySigningKeyTagRemoval", Effect: "Deny", Action: ["kms:UntagResource", "kms:TagResource"], Resource: "*", Condition: { ...tagged, "ForAnyValue:StringEquals": { "aws:TagKeys": [SIGNING_KEY_TAG.key] } } },
        // Whoever trusts the alias would trust whatever key it points at (creating it stays allowed).
        { Sid: "DenySigningAliasChanges", Effect: "Deny", Action: ["kms:UpdateAlias", "kms:DeleteAlias"], Resource: pulumi.interpolate`arn:${a.partition}:kms:*:${a.accountId}:alias/*${SIGNING_ALIAS_SUFFIX}` },
        // A rewritten (or deleted and re-created) CI role could trust the deploy role itself.
        { Sid: "DenySigningRoleRewrites", Effect: "Deny", Action: ["iam:UpdateAssumeRolePolicy", "iam:DeleteRole"], Resource: signingRoles },
        // The repositories' "only CI writes" statement is rewritable by the deploy role (SetRepositoryPolicy follows
        // CreateRepository, so it cannot be denied): pushes are denied here instead, to every principal this guard
        // binds except the CI signing roles, whatever a repository policy says.
        { Sid: "DenyImageWritesButCiSigning", Effect: "Deny", Action: [...ECR_WRITE_ACTIONS], Resource: pulumi.interpolate`arn:${a.partition}:ecr:*:${a.accountId}:repository/*`, Condition: { ArnNotLike: { "aws:PrincipalArn": signingRoles } } },
    ];
}
