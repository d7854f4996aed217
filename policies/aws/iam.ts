/**
 * IAM roles inside the platform's permissions boundary (docs/deploy.md, "Permissions boundary").
 */
import type { ResourcePolicy } from "../lib/types";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export const iamRoleBoundary: ResourcePolicy = {
    name: "iam-role-boundary",
    description: "Checks whether every IAM role carries the configured permissions boundary policy and sits under the configured IAM path, so the deploy role can create it and it cannot escalate; not checked when no boundary is configured. Service-linked roles (aws:iam/serviceLinkedRole) are AWS's and exempt.",
    enforcementLevel: "mandatory",
    config: ["permissionsBoundaryName", "rolePath", "preBoundaryRoles"],
    resourceTypes: ["aws:iam/role:Role"],
    validate(r, cfg) {
        if (!cfg.permissionsBoundaryName) return [];
        // An earlier release's cluster role, kept unchanged (docs/operations.md, "Upgrading from a release before the permissions boundary").
        if (cfg.preBoundaryRoles.includes(r.name)) return [];
        const out: string[] = [];
        const boundary = r.props.permissionsBoundary;
        const expected = new RegExp(`^arn:aws(-cn|-us-gov)?:iam::\\d{12}:policy/${escape(cfg.permissionsBoundaryName)}$`);
        if (typeof boundary !== "string" || !expected.test(boundary)) {
            out.push(`IAM role must carry the permissions boundary arn:<partition>:iam::<account>:policy/${cfg.permissionsBoundaryName}; has ${boundary ? JSON.stringify(boundary) : "none"}.`);
        }
        const path = r.props.path ?? "/";
        if (path !== cfg.rolePath) out.push(`IAM role must be under the path ${cfg.rolePath} (the only roles the deploy role may create and pass); has ${JSON.stringify(path)}.`);
        return out;
    },
};
