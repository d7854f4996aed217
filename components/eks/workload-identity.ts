/**
 * WorkloadIdentity: an IAM role trusted only by EKS Pod Identity, with an inline policy, bound to
 * exactly one namespace/service account. Workloads get AWS access this way, never through the node role.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { platformRole, PolicyStatement, policyDocument, RoleGuardrails, serviceTrustPolicy } from "../shared/iam";

export interface WorkloadIdentityArgs {
    clusterName: pulumi.Input<string>;
    namespace: string;
    serviceAccount: string;
    /** The permissions the workload needs, scoped to its own resources. */
    statements: PolicyStatement[];
    /** Managed policies to attach in addition (for AWS-maintained add-on policies). Defaults to none. */
    managedPolicyArns?: string[];
    /** Create the Pod Identity association. False for EKS add-ons, which create their own. Defaults to true. */
    associate?: boolean;
    tags: Record<string, string>;
    /** Path and permissions boundary of the role (the cluster's `ctx.iam`). */
    roles: RoleGuardrails;
}

/** Pod Identity assumes roles as `pods.eks.amazonaws.com` and needs TagSession as well. */
export const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";

export class WorkloadIdentity extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:WorkloadIdentity", name, {}, opts);
        const role = platformRole(`${name}-role`, args.roles, {
            assumeRolePolicy: serviceTrustPolicy(POD_IDENTITY_SERVICE, ["sts:AssumeRole", "sts:TagSession"]),
            description: `Pod Identity role for ${args.namespace}/${args.serviceAccount}`,
            maxSessionDuration: 3600,
            tags: args.tags,
        }, { parent: this });
        if (args.statements.length > 0) {
            new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: policyDocument(args.statements) }, { parent: this });
        }
        (args.managedPolicyArns ?? []).forEach((arn, i) => new aws.iam.RolePolicyAttachment(`${name}-managed-${i}`, { role: role.name, policyArn: arn }, { parent: this }));
        if (args.associate ?? true) new aws.eks.PodIdentityAssociation(`${name}-association`, {
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccount,
            roleArn: role.arn,
            tags: args.tags,
        }, { parent: this });
        this.roleArn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
