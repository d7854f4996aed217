/**
 * AWS property values read as the AWS provider reads them.
 *
 * The provider (a Terraform bridge) coerces a string given for a boolean or number property:
 * booleans as Go's strconv.ParseBool reads strings ("1", "t", "T", "TRUE", "true", "True" and
 * "0", "f", "F", "FALSE", "false", "False"; the empty string is false), numbers from their
 * decimal text. So `publiclyAccessible: "true"` is public, and a policy comparing with `=== true`
 * would miss it. A string the provider cannot coerce is refused by the provider; a rule here treats
 * it as not meeting the rule (fail closed).
 */

import { isUnjudgeable } from "./unknown";

/** The strings ParseBool reads as true and as false (anything else, a string or not, is no boolean the provider takes). */
const TRUE: ReadonlySet<unknown> = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE: ReadonlySet<unknown> = new Set(["", "0", "f", "F", "FALSE", "false", "False"]);

/**
 * A boolean property: true, false, undefined (unset or null, or a value the check cannot judge,
 * whose read is recorded and decides the verdict), or "invalid" (not a boolean the provider takes).
 */
export function awsBool(v: unknown): boolean | undefined | "invalid" {
    if (v === undefined || v === null || isUnjudgeable(v)) return undefined;
    if (typeof v === "boolean") return v;
    return TRUE.has(v) ? true : FALSE.has(v) ? false : "invalid";
}

/** True only when the provider reads the value as true. */
export const isAwsTrue = (v: unknown): boolean => awsBool(v) === true;
/** True when the value is true or could not be read as a boolean (a "must not be true" rule fails closed). */
export const mayBeAwsTrue = (v: unknown): boolean => {
    const b = awsBool(v);
    return b === true || b === "invalid";
};

/**
 * An integer property (every number the pack reads is one: days, ports, a hop limit): the number,
 * undefined (unset or null), or NaN (not a number the provider takes, or text whose reading is in
 * doubt). Text is read only when it is a plain decimal integer (`"14"`, `"+14"`, `"-1"`): the
 * provider's string readers disagree on the rest (the SDK's ParseInt with base 0 reads `"014"` as
 * octal 12 and `"0x10"` as 16 and refuses `"1.0"`, `"1e3"` and `" 14"`; a cty conversion reads
 * `"014"` as 14 and `"1e3"` as 1000), so such text fails closed.
 */
export function awsNumber(v: unknown): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
    if (typeof v === "string" && /^[+-]?(0|[1-9]\d*)$/.test(v)) return Number(v);
    return NaN;
}

/**
 * A customer-managed KMS key, given by ARN (any partition): a key ARN, or an alias ARN outside the
 * `alias/aws/` prefix AWS reserves for its managed keys (`alias/aws/rds`, `alias/aws/s3`...). An alias
 * cannot name an AWS-managed key unless it is under that prefix, so an alias ARN outside it is a
 * customer key. The prefix is compared case-insensitively (a customer alias spelt `alias/AWS/...` is
 * refused rather than risk accepting an AWS-managed key), and a "key ARN" whose id is under it
 * (`key/aws/rds`, no key id AWS issues) is refused too. A key ARN of an AWS-managed key cannot be
 * told apart offline.
 */
export function isCustomerKmsKey(v: unknown): boolean {
    if (typeof v !== "string") return false;
    const m = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d+:(?:key|alias)\/(.+)$/.exec(v);
    // A key id is a UUID (or mrk-...), never under `aws/`: `key/aws/rds` is an alias written as a key, refused.
    return m !== null && !/^aws\//i.test(m[1]);
}
