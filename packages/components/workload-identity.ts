/**
 * The public WorkloadIdentity: the platform's Pod Identity role helper
 * (components/eks/workload-identity.ts) behind args every Pulumi language can express, with the
 * IAM statements as named values instead of a raw policy document.
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME } from "./package-name";
import { platform } from "./platform";

/** Whether a statement allows or denies. */
export const PolicyEffect = {
    /** Grant the actions. */
    Allow: "Allow",
    /** Deny the actions, whatever else allows them. */
    Deny: "Deny",
} as const;
export type PolicyEffect = (typeof PolicyEffect)[keyof typeof PolicyEffect];

/** One condition of a statement: `{ "<test>": { "<variable>": [values] } }` in the policy document. */
export interface IamCondition {
    /** Condition operator, e.g. "StringEquals" or "ArnLike". */
    test: string;
    /** Condition key, e.g. "aws:ResourceTag/service". */
    variable: string;
    /** Values compared with the key; any one matches. */
    values: pulumi.Input<string>[];
}

/** One statement of the role's inline policy. */
export interface IamStatement {
    /** Statement id. Defaults to none. */
    sid?: string;
    /** Allow or Deny. Defaults to Allow. */
    effect?: PolicyEffect;
    /** Actions, `<service>:<Action>` (wildcards inside the action name allowed, never a bare "*"). */
    actions: string[];
    /** ARNs the actions apply to: the workload's own resources. */
    resources: pulumi.Input<string>[];
    /** Conditions, all of which must hold. Defaults to none. */
    conditions?: IamCondition[];
}

export interface WorkloadIdentityArgs {
    /** EKS cluster the workload runs in: the platform's `clusterName` stack output. */
    clusterName: pulumi.Input<string>;
    /** Namespace of the workload's service account. */
    namespace: string;
    /** Service account the workload runs as; only it can assume the role. */
    serviceAccount: string;
    /** The permissions the workload needs, scoped to its own resources. */
    statements: IamStatement[];
    /** AWS managed policies attached as well. Defaults to none. */
    managedPolicyArns?: string[];
    /** Permissions boundary of the role: the platform's `permissionsBoundaryArn` stack output. */
    permissionsBoundaryArn: pulumi.Input<string>;
    /** IAM path of the role: the platform's `rolePath` stack output. */
    rolePath: string;
    /** Tags of the role and the association. Defaults to none. */
    tags?: Record<string, string>;
}

/**
 * An IAM role only EKS Pod Identity can assume, for exactly one namespace and service account,
 * with an inline policy of the given statements, under the platform's role path and permissions
 * boundary. Workloads get AWS access this way, never through the node role.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
    /** ARN of the role. */
    public readonly roleArn: pulumi.Output<string>;
    /** Name of the role. */
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE_NAME}:index:WorkloadIdentity`, name, {}, opts);
        const identity = platform().workloadIdentity(name, args, this);
        this.roleArn = identity.roleArn;
        this.roleName = identity.roleName;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
