/**
 * EC2 instance types and RDS instance classes the config may name: the lists the pinned @pulumi/aws
 * ships (`aws.types.enums.ec2.InstanceType`, `aws.types.enums.rds.InstanceType`). The RDS list of
 * the SDK stops at older generations (no db.r7g), so an RDS class is also known when it is `db.`
 * followed by a listed EC2 instance type of a family RDS offers (burstable t, general-purpose m,
 * memory-optimised r, x and z). Anything newer than the lists is accepted only when the stack names
 * it in `platform:unlistedInstanceTypes`.
 */
import { InstanceType as Ec2InstanceType } from "@pulumi/aws/types/enums/ec2";
import { InstanceType as RdsInstanceClass } from "@pulumi/aws/types/enums/rds";
import { closest } from "./suggest";

export const EC2_INSTANCE_TYPES: readonly string[] = [...new Set(Object.values(Ec2InstanceType) as string[])].sort();

/** First letters of the EC2 families RDS offers as DB instance classes (db.t4g, db.m7g, db.r7g, db.x2g, db.z1d). */
const RDS_FAMILY_LETTERS = /^[tmrxz]/;

export const RDS_INSTANCE_CLASSES: readonly string[] = [
    ...new Set([...(Object.values(RdsInstanceClass) as string[]), ...EC2_INSTANCE_TYPES.filter((t) => RDS_FAMILY_LETTERS.test(t) && !t.includes(".metal")).map((t) => `db.${t}`)]),
].sort();

/** Why `value` is not a known type of `list`, with a suggestion; undefined when it is known or listed as unlisted-but-wanted. */
export function instanceTypeProblem(value: string, list: readonly string[], what: string, unlisted: readonly string[]): string | undefined {
    if (list.includes(value) || unlisted.includes(value)) return undefined;
    const hint = closest(value, list);
    return `${JSON.stringify(value)} is not ${what} the pinned @pulumi/aws knows${hint ? ` (did you mean ${hint}?)` : ""}; if it is newer than that list, add it to platform:unlistedInstanceTypes`;
}
