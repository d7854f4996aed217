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

const TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE = new Set(["", "0", "f", "F", "FALSE", "false", "False"]);

/**
 * A boolean property: true, false, undefined (unset or null, or a value the check cannot judge,
 * whose read is recorded and decides the verdict), or "invalid" (not a boolean the provider takes).
 */
export function awsBool(v: unknown): boolean | undefined | "invalid" {
    if (v === undefined || v === null || isUnjudgeable(v)) return undefined;
    if (typeof v === "boolean") return v;
    if (typeof v === "string") return TRUE.has(v) ? true : FALSE.has(v) ? false : "invalid";
    return "invalid";
}

/** True only when the provider reads the value as true. */
export const isAwsTrue = (v: unknown): boolean => awsBool(v) === true;
/** True when the value is true or could not be read as a boolean (a "must not be true" rule fails closed). */
export const mayBeAwsTrue = (v: unknown): boolean => {
    const b = awsBool(v);
    return b === true || b === "invalid";
};

/** A number property: the number, undefined (unset or null), or NaN (not a number the provider takes). */
export function awsNumber(v: unknown): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
    if (typeof v === "string" && /^[+-]?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
    return NaN;
}

/**
 * A customer-managed KMS key, given by ARN (any partition): a key ARN, or an alias ARN outside the
 * `alias/aws/` prefix AWS reserves for its managed keys (`alias/aws/rds`, `alias/aws/s3`...). An alias
 * cannot name an AWS-managed key unless it is under that prefix, so an alias ARN outside it is a
 * customer key. The prefix is compared case-insensitively (a customer alias spelt `alias/AWS/...` is
 * refused rather than risk accepting an AWS-managed key). A key ARN of an AWS-managed key cannot be
 * told apart offline.
 */
export function isCustomerKmsKey(v: unknown): boolean {
    if (typeof v !== "string") return false;
    const m = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d+:(key|alias)\/(.+)$/.exec(v);
    if (!m) return false;
    return m[1] === "key" || !/^aws\//i.test(m[2]);
}
