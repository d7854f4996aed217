/**
 * The application namespace: where service stacks deploy (the `appNamespace` stack output,
 * stacks/outputs.ts) and the example app runs. The platform owns it whether or not the example app
 * is enabled, so turning the example off never deletes the namespace and the services in it.
 */
import * as pulumi from "@pulumi/pulumi";
import { APP_NAMESPACE_LABEL } from "../components/security/image-verification";
import { GuardedNamespace, NamespaceQuota } from "../components/security/namespace";
import type { PlatformConfig } from "./config";

/** The namespace's total requests and limits (its ResourceQuota). */
export const APP_NAMESPACE_QUOTA: NamespaceQuota = { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "16", limitsMemory: "16Gi", persistentVolumeClaims: 10, requestsStorage: "100Gi" };

/** Name of the application namespace: the first namespace Velero backs up hourly. */
export function appNamespaceName(cfg: PlatformConfig): string {
    return cfg.backup.velero.appNamespaces[0] ?? "apps";
}

/**
 * The application namespace with its guardrails, image verification and hourly backup labels. Until
 * this release the example CanaryApp `podinfo` created it as its child (its `guardrails`); the alias
 * keeps that namespace (and everything in it) instead of deleting it and creating a new one.
 */
export function applicationNamespace(cfg: PlatformConfig, opts: pulumi.ComponentResourceOptions): GuardedNamespace {
    const name = appNamespaceName(cfg);
    return new GuardedNamespace(name, {
        name,
        quota: APP_NAMESPACE_QUOTA,
        labels: { backup: "hourly", [APP_NAMESPACE_LABEL.key]: APP_NAMESPACE_LABEL.value },
    }, { ...opts, aliases: [{ parent: pulumi.createUrn("podinfo", "platform:delivery:CanaryApp") }] });
}

/** A transformation making a component and all its children wait for the namespace they go into. */
export function inNamespace(namespace: GuardedNamespace): pulumi.ResourceTransformation {
    return ({ props, opts }) => ({ props, opts: pulumi.mergeOptions(opts, { dependsOn: [namespace] }) });
}
