/**
 * The value types the config schema is built from: supported versions, AWS regions and zones, CIDRs,
 * log retentions, DNS labels, Prometheus durations and cosign public keys, each with the message that
 * names what is allowed. stacks/config-schema.ts composes them into the `platform:*` schema.
 */
import { z } from "zod";
import { Validator } from "ip-num";
import { createPublicKey } from "node:crypto";
import { Region } from "@pulumi/aws/types/enums";
import { closest } from "./suggest";

/** Kubernetes minor versions in EKS standard support (as of 2026-11); update with each EKS release. */
export const SUPPORTED_EKS_VERSIONS = ["1.34", "1.35", "1.36"] as const;

/** PostgreSQL major versions RDS offers (14 is in extended support from 2027, still allowed). */
export const SUPPORTED_POSTGRES_MAJORS = [14, 15, 16, 17, 18] as const;

/** The retention values CloudWatch Logs accepts (`retentionInDays`). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
] as const;

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "sts", "logs", "eks-auth", "ec2", "kms"] as const;

export const ipv4Cidr = (minPrefix: number, maxPrefix: number) =>
    z.string().superRefine((value, ctx) => {
        const [valid, errors] = Validator.isValidIPv4CidrRange(value);
        if (!valid) {
            ctx.addIssue({
                code: "custom",
                message: `is not a valid IPv4 CIDR block (${errors.join("; ")}); expected the network address, e.g. 10.0.0.0/16`,
            });
            return;
        }
        const prefix = Number(value.split("/")[1]);
        if (prefix < minPrefix || prefix > maxPrefix) {
            ctx.addIssue({
                code: "custom",
                message: `has prefix /${prefix}; allowed prefixes are /${minPrefix} to /${maxPrefix}`,
            });
        }
    });

export const logRetention = z
    .number()
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `is not a CloudWatch Logs retention; allowed values: ${LOG_RETENTION_DAYS.join(", ")}`,
    });

export const dnsLabel = z
    .string()
    .regex(/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/, "must be a lowercase DNS label of at most 32 characters");

/** Every AWS region the pinned @pulumi/aws provider knows: its `Region` enum (types/enums), not a hand-written list. */
export const AWS_REGIONS: readonly string[] = Object.values(Region).sort();

/** Why a string is not an AWS region: a suggestion when it is a likely typo, and the known regions. */
export function regionProblem(value: unknown): string {
    const hint = typeof value === "string" ? closest(value, AWS_REGIONS) : undefined;
    return `is not an AWS region${hint ? ` (did you mean ${hint}?)` : ""}; known regions (@pulumi/aws): ${AWS_REGIONS.join(", ")}`;
}

export const awsRegion = z.string().refine((r) => AWS_REGIONS.includes(r), { error: (issue) => regionProblem(issue.input) });

/** An availability zone name: a known region followed by one letter (eu-west-1a, us-gov-west-1b). */
export const availabilityZone = z.string().refine((az) => /^[a-z0-9-]+[a-z]$/.test(az) && AWS_REGIONS.includes(az.slice(0, -1)), "must be an AZ name such as eu-west-1a (a known region and a zone letter)");

/** A duration as Prometheus writes it (`15d`, `12h`). */
export const promDuration = z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/, "must be a Prometheus duration such as 15d or 12h");

export const cosignPublicKey = z.string().superRefine((pem, ctx) => {
    try {
        const key = createPublicKey(pem);
        const curve = key.asymmetricKeyDetails?.namedCurve;
        if (key.asymmetricKeyType !== "ec" || curve !== "prime256v1") {
            ctx.addIssue({
                code: "custom",
                message: `is a ${key.asymmetricKeyType}${curve ? ` ${curve}` : ""} key; cosign keys must be ECDSA P-256 (prime256v1) PEM public keys`,
            });
        }
    } catch (e) {
        ctx.addIssue({
            code: "custom",
            message: `is not a PEM public key (${(e as Error).message}); expected "-----BEGIN PUBLIC KEY-----..." as printed by cosign generate-key-pair`,
        });
    }
});
