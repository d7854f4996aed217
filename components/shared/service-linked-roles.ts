/**
 * ServiceLinkedRoles: the IAM service-linked roles the platform relies on and that AWS does not
 * create by itself when the platform's API calls need them. An account has one role per service,
 * shared by every stack in it, so each role is created unless the config lists the service as
 * already present (another stack or an earlier setup made it), and kept when the stack is
 * destroyed (`retainOnDelete`): tearing down dev must not pull a role from under prod.
 *
 * No tags and a fixed description: the role is the account's, not one environment's, and every
 * later call on it would need IAM writes on `role/aws-service-role/...`, which the deploy role does
 * not hold (service-linked roles take no permissions boundary, so the boundary's guarantees could
 * not cover them). The provider tags after CreateServiceLinkedRole (iam:TagRole) and changes a
 * description with iam:UpdateRole (hashicorp/terraform-provider-aws
 * internal/service/iam/service_linked_role.go); with neither in the inputs, and both ignored for
 * roles an earlier release tagged, the deploy role makes CreateServiceLinkedRole and GetRole only
 * (lib/aws/deploy-calls.ts, test/aws/deploy-calls.test.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The service-linked roles this platform depends on: service principal -> the role's name and who needs it. */
export const SERVICE_LINKED_ROLES = {
    /** EKS managed node groups' Auto Scaling groups use the EBS volume key; the key policy names this role, so it must exist first. */
    "autoscaling.amazonaws.com": { roleName: "AWSServiceRoleForAutoScaling", usedBy: "EBS volume key policy (node group Auto Scaling groups)" },
    /** An OpenSearch domain in a VPC needs it to create its network interfaces; only the console creates it on the fly. */
    "opensearchservice.amazonaws.com": { roleName: "AWSServiceRoleForAmazonOpenSearchService", usedBy: "OpenSearch VPC domain (Jaeger traces)" },
} as const;

export type LinkedService = keyof typeof SERVICE_LINKED_ROLES;

export interface ServiceLinkedRolesArgs {
    /** Services whose role the platform needs in this stack. */
    services: LinkedService[];
    /** Services whose role already exists in the account: not created, a prerequisite instead. */
    existing: string[];
}

export class ServiceLinkedRoles extends pulumi.ComponentResource {
    /** The roles created here, by service; a service absent here is a prerequisite of the account. */
    public readonly created: Partial<Record<LinkedService, aws.iam.ServiceLinkedRole>> = {};

    constructor(name: string, args: ServiceLinkedRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:shared:ServiceLinkedRoles", name, {}, opts);
        for (const service of [...new Set(args.services)]) {
            if (args.existing.includes(service)) continue;
            this.created[service] = new aws.iam.ServiceLinkedRole(`${name}-${service.split(".")[0]}`, {
                awsServiceName: service,
                description: `Required by ${SERVICE_LINKED_ROLES[service].usedBy}`,
            }, { parent: this, retainOnDelete: true, ignoreChanges: ["tags", "tagsAll", "description"] });
        }
        this.registerOutputs({});
    }

    /** What a resource needing these services' roles must depend on (nothing for prerequisites). */
    dependencies(...services: LinkedService[]): pulumi.Resource[] {
        return services.flatMap((s) => (this.created[s] ? [this.created[s]!] : []));
    }
}
