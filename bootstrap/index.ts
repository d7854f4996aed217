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
 */
import * as pulumi from "@pulumi/pulumi";
import { bootstrapIdentity, readBootstrapConfig } from "./config";

export = () => {
    const cfg = readBootstrapConfig(new pulumi.Config("bootstrap"), new pulumi.Config("aws").require("region"), pulumi.getStack());
    const id = bootstrapIdentity(cfg);
    return {
        permissionsBoundaryArn: id.permissionsBoundaryArn,
        deployRoleArn: id.deployRoleArn,
        previewRoleArn: id.previewRoleArn,
        oidcProviderArn: id.oidcProviderArn,
        backendUrl: id.backendUrl ?? "Pulumi Cloud (pulumi/auth-actions OIDC)",
        secretsProvider: id.secretsProvider ?? "Pulumi Cloud default",
    };
};
