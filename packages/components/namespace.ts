/**
 * The public GuardedNamespace: the platform's namespace with guardrails
 * (components/security/namespace.ts) behind args every Pulumi language can express.
 */
import * as pulumi from "@pulumi/pulumi";
import type { NamespaceQuota } from "../../components/security/quota";
import { PACKAGE_NAME } from "./package-name";
import { platform } from "./platform";
import type { ResourceQuantities } from "./types";

/** Pod Security Standard a namespace enforces. */
export const PodSecurityLevel = {
    /** Restricted: for applications. */
    Restricted: "restricted",
    /** Baseline: for agents that need some host access. */
    Baseline: "baseline",
    /** Privileged: unrestricted, for node-level agents only. */
    Privileged: "privileged",
} as const;
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

export interface GuardedNamespaceArgs {
    /** Namespace name (DNS label). */
    name: string;
    /** Pod Security Standard enforced (audit and warn are always restricted). Defaults to restricted. */
    podSecurity?: PodSecurityLevel;
    /** What the namespace may consume in total (its ResourceQuota). */
    quota: NamespaceQuota;
    /** Largest CPU and memory limit of one container (its LimitRange). Defaults to 4 CPU and 16Gi. */
    maxContainer?: ResourceQuantities;
    /** Extra labels of the namespace, e.g. the platform's `platform.io/tier: applications` for image verification. Defaults to none. */
    labels?: Record<string, string>;
}

/**
 * A namespace created with its guardrails: Pod Security Admission labels, a LimitRange giving every
 * container default requests and limits and a ceiling, and a ResourceQuota bounding the total.
 */
export class GuardedNamespace extends pulumi.ComponentResource {
    /** The namespace's name, resolving once it exists (use it as the namespace of what goes in it). */
    public readonly namespaceName: pulumi.Output<string>;

    constructor(name: string, args: GuardedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE_NAME}:index:GuardedNamespace`, name, {}, opts);
        this.namespaceName = platform().guardedNamespace(name, args, this).namespaceName;
        this.registerOutputs({ namespaceName: this.namespaceName });
    }
}
