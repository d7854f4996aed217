/**
 * The seam between the public API (this directory's light modules) and the platform's components
 * that implement it (bindings.ts). The bindings load on first use: the SDK's schema inference
 * builds a TypeScript program from index.ts and everything it imports, and with the platform's
 * sources that program takes the AWS and Kubernetes SDKs' 40 MB of type declarations (about 12 s of
 * CPU at every GetSchema and at the provider's first Construct of a deployment); without them it
 * reads the public API and @pulumi/pulumi only.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { CanaryAppArgs } from "./canary-app";
import type { GuardedNamespaceArgs } from "./namespace";
import type { WorkloadIdentityArgs } from "./workload-identity";

/** What each public component gets from the platform component it wraps. */
export interface PlatformBindings {
    canaryApp(name: string, args: CanaryAppArgs, parent: pulumi.ComponentResource): { rolloutName: string; stableService: string; canaryService: string };
    guardedNamespace(name: string, args: GuardedNamespaceArgs, parent: pulumi.ComponentResource): { namespaceName: pulumi.Output<string> };
    workloadIdentity(name: string, args: WorkloadIdentityArgs, parent: pulumi.ComponentResource): { roleArn: pulumi.Output<string>; roleName: pulumi.Output<string> };
}

let loaded: PlatformBindings | undefined;

/** The bindings (bindings.ts declares BINDINGS with this type, so the root type-check holds them to it). */
export function platform(): PlatformBindings {
    // A require call, not an import: TypeScript does not follow it into the platform's sources.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded ??= (require("./bindings") as { BINDINGS: PlatformBindings }).BINDINGS;
    return loaded;
}
