/**
 * Typed IAM policy documents, built as JSON instead of invokes (no `getPolicyDocument` calls).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: pulumi.Input<string> | pulumi.Input<string>[];
    NotResource?: pulumi.Input<string> | pulumi.Input<string>[];
    Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]> | "*";
    Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[] | boolean>>;
}

/** A policy document as a JSON string output. */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** A trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string | string[], actions: string[] = ["sts:AssumeRole"]): pulumi.Output<string> {
    return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: actions }]);
}

/** `arn:<partition>:iam::aws:policy/<name>` */
export function managedPolicyArn(partition: string, name: string): string {
    return `arn:${partition}:iam::aws:policy/${name}`;
}

/**
 * How every role the platform stack creates is bounded (docs/deploy.md, "Permissions boundary"):
 * the bootstrap stack's managed boundary policy and the IAM path the deploy role may create, change
 * and pass roles under. Service-linked roles are exempt: AWS creates and owns them, and IAM refuses
 * a boundary on them.
 */
export interface RoleGuardrails {
    /** ARN of the permissions boundary policy (bootstrap/), set on every platform role. */
    permissionsBoundaryArn: pulumi.Input<string>;
    /** IAM path of every platform role, `/<segment>/...`, never `/`. */
    path: string;
}

/** `arn:<partition>:iam::<account>:policy/<name>`: the boundary policy the bootstrap stack creates under that name. */
export function boundaryPolicyArn(partition: string, accountId: pulumi.Input<string>, name: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::${accountId}:policy/${name}`;
}

/** `arn:<partition>:iam::<account>:role<path>*`: every platform role, the resource scope of the deploy role's role grants. */
export function platformRolesArn(partition: string, accountId: pulumi.Input<string>, path: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:${partition}:iam::${accountId}:role${path}*`;
}

/**
 * A role an earlier release made before the permissions boundary (at path /, no boundary), kept exactly as it was: its
 * ARN is create-only input of the resource using it (the EKS cluster's roleArn), so replacing it would replace that
 * resource. The deploy role may change neither the role nor its policies (no boundary), so no input of it is ever
 * changed again (ignoreChanges), and the engine leaves it in place when the stack drops it (retainOnDelete); an
 * administrator removes it once nothing uses it. Only platform:eks.preBoundaryCluster makes one.
 */
export function preBoundaryRole(name: string, args: Pick<aws.iam.RoleArgs, "assumeRolePolicy" | "tags">, opts: pulumi.CustomResourceOptions): aws.iam.Role {
    return new aws.iam.Role(name, args, { ...opts, retainOnDelete: true, ignoreChanges: ["assumeRolePolicy", "description", "maxSessionDuration", "path", "permissionsBoundary", "tags", "tagsAll"] });
}

/** The one way the platform makes a role: under the platform's path, with the permissions boundary. */
export function platformRole(name: string, guard: RoleGuardrails, args: Omit<aws.iam.RoleArgs, "permissionsBoundary" | "path">, opts?: pulumi.CustomResourceOptions): aws.iam.Role {
    return new aws.iam.Role(name, { ...args, path: guard.path, permissionsBoundary: guard.permissionsBoundaryArn }, opts);
}
