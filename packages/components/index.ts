/**
 * The platform's public components, as a Pulumi component package (`pulumi package add`, README.md):
 * what a service team needs to ship on the platform from its own repository and language. Every
 * class exported here is public API, versioned by package.json (CHANGELOG.md); everything else in
 * components/ stays internal to the platform stack.
 */
import { CanaryApp } from "./canary-app";
import { GuardedNamespace } from "./namespace";
import { WorkloadIdentity } from "./workload-identity";

export { CanaryApp } from "./canary-app";
export type { CanaryAppArgs } from "./canary-app";
export { GuardedNamespace, PodSecurityLevel } from "./namespace";
export type { GuardedNamespaceArgs } from "./namespace";
export { PolicyEffect, WorkloadIdentity } from "./workload-identity";
export type { IamCondition, IamStatement, WorkloadIdentityArgs } from "./workload-identity";
export type * from "./types";
export type { NamespaceQuota } from "../../components/security/quota";
export type { MetricContract } from "../../components/delivery/metric-contract";
export { PACKAGE_NAME } from "./package-name";

/** The components the provider hosts (provider.cjs): every public component, nothing else. */
export const COMPONENTS = [CanaryApp, GuardedNamespace, WorkloadIdentity];
