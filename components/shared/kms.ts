/**
 * Customer-managed KMS keys with rotation on and a key policy that names exactly which AWS
 * services may use the key. Used by every component that stores data.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyStatement, policyDocument } from "./iam";
import { partitionOf } from "./naming";

export interface KmsKeyArgs {
    /** Human-readable purpose, shown in the console. */
    description: string;
    /** AWS account id that owns the key (its root keeps administration, as AWS's default policy does). */
    accountId: pulumi.Input<string>;
    /** Region of the key (its partition is derived from it). */
    region: string;
    /** Service principals allowed to use the key through the service (e.g. `logs`, `rds`), scoped to this account. */
    servicePrincipals?: string[];
    /** Extra statements, e.g. for the Auto Scaling service-linked role on EBS keys. */
    extraStatements?: PolicyStatement[];
    /** Waiting period before deletion. Defaults to 30 days (the maximum). */
    deletionWindowInDays?: number;
    tags: Record<string, string>;
}

/** The service principal of an AWS service in a region (CloudWatch Logs uses a regional principal). */
function servicePrincipal(service: string, region: string): string {
    return service === "logs" ? `logs.${region}.amazonaws.com` : `${service}.amazonaws.com`;
}

/** Creates a KMS key (rotation on) and an alias `alias/<aliasName>`, both children of `parent`. */
export function createKmsKey(name: string, aliasName: string, args: KmsKeyArgs, opts: pulumi.CustomResourceOptions): aws.kms.Key {
    const partition = partitionOf(args.region);
    const root = pulumi.interpolate`arn:${partition}:iam::${args.accountId}:root`;
    const statements: PolicyStatement[] = [
        { Sid: "AccountAdministration", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" },
    ];
    for (const service of args.servicePrincipals ?? []) {
        statements.push({
            Sid: `Allow${service.replace(/[^a-zA-Z0-9]/g, "")}`,
            Effect: "Allow",
            Principal: { Service: servicePrincipal(service, args.region) },
            // CloudWatch Logs' calls carry the log group in the encryption context, which the condition pins to this account;
            // DescribeKey and CreateGrant carry no encryption context, so under that condition they could never match.
            Action: service === "logs"
                ? ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]
                : ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
            Resource: "*",
            Condition:
                service === "logs"
                    ? { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${args.region}:${args.accountId}:*` } }
                    : { StringEquals: { "aws:SourceAccount": args.accountId } },
        });
    }
    statements.push(...(args.extraStatements ?? []));
    const key = new aws.kms.Key(
        name,
        {
            description: args.description,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: args.deletionWindowInDays ?? 30,
            policy: policyDocument(statements),
            tags: args.tags,
        },
        opts,
    );
    new aws.kms.Alias(`${name}-alias`, { name: `alias/${aliasName}`, targetKeyId: key.keyId }, { ...opts, protect: false });
    return key;
}
