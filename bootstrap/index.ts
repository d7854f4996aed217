/**
 * The bootstrap stack (docs/deploy.md, "Bootstrap a new account and region"): once per AWS account
 * (the OIDC provider and the role names are account-wide), from an administrator's machine with
 * `pulumi up -C bootstrap`; stacks in further regions only add their environments. Config keys (namespace `bootstrap`):
 *   repository          GitHub owner/name (required)
 *   environments        platform stacks deployed from CI; default [dev, staging, prod]
 *   deployRoleName      default platform-deploy   (must equal platform:ci.deployRoleName)
 *   previewRoleName     default platform-preview  (must equal platform:ci.previewRoleName)
 *   backend             s3 (default) or pulumi-cloud
 *   oidcProviderArn     the account's GitHub OIDC provider, when one exists already
 *   permissionsBoundaryName  default platform-boundary (must equal platform:ci.permissionsBoundaryName)
 *   rolePath            default /platform/        (must equal platform:ci.rolePath)
 *   drRegion            s3 backend: replicate the state bucket there and give the secrets provider a
 *                       multi-region key with a replica there (bootstrap/state-dr.ts); unset: none
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { bootstrapIdentity, readBootstrapConfig } from "./config";
import { readStateDrRegion, stateDisasterRecovery } from "./state-dr";

export = () => {
    const cfg = readBootstrapConfig(new pulumi.Config("bootstrap"), new pulumi.Config("aws").require("region"), pulumi.getStack());
    const id = bootstrapIdentity(cfg);
    const drRegion = readStateDrRegion(new pulumi.Config("bootstrap"), cfg);
    const stateDr = drRegion ? stateDisasterRecovery(cfg, drRegion, id, aws.getCallerIdentityOutput().accountId, pulumi.runtime.allConfig()) : undefined;
    return {
        ...(stateDr ? { drBackendUrl: stateDr.drBackendUrl, secretsProviderMultiRegion: stateDr.secretsProvider } : {}),
        permissionsBoundaryArn: id.permissionsBoundaryArn,
        deployRoleArn: id.deployRoleArn,
        previewRoleArn: id.previewRoleArn,
        oidcProviderArn: id.oidcProviderArn,
        backendUrl: id.backendUrl ?? "Pulumi Cloud (pulumi/auth-actions OIDC)",
        secretsProvider: id.secretsProvider ?? "Pulumi Cloud default",
    };
};
