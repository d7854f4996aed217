/**
 * SigningKey: the cosign signing key as an AWS KMS asymmetric key (ECC_NIST_P256, SIGN_VERIFY).
 * The private key never leaves KMS; cosign signs through it as `awskms:///<key ARN>`.
 *
 * Key policy (least privilege, enforced by the key itself, not only by IAM):
 * - the account (IAM administrators, through IAM policies) manages the key but gets no
 *   cryptographic action: no kms:Sign;
 * - the CI signing role may kms:Sign, kms:GetPublicKey and kms:DescribeKey;
 * - the account's principals may read the public key (kms:GetPublicKey, kms:DescribeKey) when an
 *   IAM policy grants it, so verifiers (the policy pack, auditors) can fetch it;
 * - an explicit Deny of kms:Sign for every principal except the CI role, so no IAM policy alone
 *   lets anyone else sign. The account's administrators can still rewrite this policy (kms:Put* is
 *   theirs, as key administrators); the deploy role and every bounded role cannot (./guard.ts).
 * Asymmetric keys cannot rotate (the public key is the trust anchor); deletion is protected by
 * the `protect` option and the longest waiting period.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, PolicyStatement } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { signingKeyAlias } from "./refs";
import { SIGNING_KEY_TAG } from "./guard";

/** What the account (key administrators) may do: everything but use the key or grant its use (no kms:CreateGrant). */
export const KEY_ADMIN_ACTIONS = [
    "kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*",
    "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
] as const;

export interface SigningKeyArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** The only principal allowed to kms:Sign (the CI signing role). */
    signerRoleArn: pulumi.Input<string>;
    /** Pulumi `protect` on the key (losing it makes every signature unverifiable). Defaults to true. */
    protect?: boolean;
    /** The public key as last read (stack output cosignPublicKey): KMS must return the same. Defaults to unset (not checked). */
    knownPublicKeyPem?: string;
    /** Use knownPublicKeyPem without calling KMS (a failover: the key's region may be down). Defaults to false. */
    skipPublicKeyLookup?: boolean;
}

/** The key policy statements (exported for tests and docs). */
export function signingKeyPolicy(partition: string, accountId: pulumi.Input<string>, signerRoleArn: pulumi.Input<string>): PolicyStatement[] {
    const root = pulumi.interpolate`arn:${partition}:iam::${accountId}:root`;
    return [
        { Sid: "KeyAdministrationWithoutUse", Effect: "Allow", Principal: { AWS: root }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
        { Sid: "CiRoleSigns", Effect: "Allow", Principal: { AWS: signerRoleArn }, Action: ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"], Resource: "*" },
        { Sid: "AccountReadsPublicKey", Effect: "Allow", Principal: { AWS: root }, Action: ["kms:GetPublicKey", "kms:DescribeKey"], Resource: "*" },
        { Sid: "DenySignExceptCiRole", Effect: "Deny", Principal: "*", Action: "kms:Sign", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": signerRoleArn } } },
    ];
}

export class SigningKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly keyArn: pulumi.Output<string>;
    /** `alias/<project>-<stack>-cosign`. */
    public readonly aliasName: string;
    /** The cosign key reference: `awskms:///<key ARN>`. */
    public readonly cosignKeyRef: pulumi.Output<string>;
    /** The PEM public key (KMS GetPublicKey), what verifiers trust. */
    public readonly publicKeyPem: pulumi.Output<string>;

    constructor(name: string, args: SigningKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:supply-chain:SigningKey", name, {}, opts);
        const partition = partitionOf(args.ctx.region);
        this.key = new aws.kms.Key(`${name}-key`, {
            description: `cosign image signing key (${args.ctx.prefix}); only the CI signing role may sign`,
            customerMasterKeySpec: "ECC_NIST_P256",
            keyUsage: "SIGN_VERIFY",
            enableKeyRotation: false,
            deletionWindowInDays: 30,
            policy: policyDocument(signingKeyPolicy(partition, args.accountId, args.signerRoleArn)),
            // The tag the signing guard (./guard.ts) protects the key by: set at CreateKey, never removable by the deploy role.
            tags: componentTags(args.ctx, "supply-chain", { [SIGNING_KEY_TAG.key]: SIGNING_KEY_TAG.value }),
        }, { parent: this, protect: args.protect ?? true });
        this.aliasName = signingKeyAlias(args.ctx.prefix);
        new aws.kms.Alias(`${name}-alias`, { name: this.aliasName, targetKeyId: this.key.keyId }, { parent: this });
        this.keyArn = this.key.arn;
        this.cosignKeyRef = pulumi.interpolate`awskms:///${this.key.arn}`;
        const known = args.knownPublicKeyPem;
        if (args.skipPublicKeyLookup && !known) throw new Error(`${name}: skipPublicKeyLookup needs knownPublicKeyPem`);
        this.publicKeyPem = args.skipPublicKeyLookup ? pulumi.output(known!) : aws.kms.getPublicKeyOutput({ keyId: this.key.arn }, { parent: this }).publicKeyPem.apply((pem) => {
            if (known && pem.trim() !== known.trim()) throw new Error(`${name}: KMS returns another public key than platform:supplyChain.signing.publicKeyPem; set it to the stack output cosignPublicKey`);
            return pem;
        });
        this.registerOutputs({ keyArn: this.keyArn, cosignKeyRef: this.cosignKeyRef, publicKeyPem: this.publicKeyPem });
    }
}
