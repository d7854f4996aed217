/**
 * The bootstrap stack's config, parsed with clear errors, and the identity it builds. Shared by
 * bootstrap/index.ts and the tests (which build it under the SDK mocks).
 */
import * as aws from "@pulumi/aws";
import { DeployIdentity } from "../components/ci/deploy-identity";

export interface BootstrapConfig {
    region: string;
    stack: string;
    repository: string;
    environments: string[];
    deployRoleName: string;
    previewRoleName: string;
    backend: "s3" | "pulumi-cloud";
    oidcProviderArn?: string;
}

interface ConfigSource { get(key: string): string | undefined; getObject<T>(key: string): T | undefined }

export function readBootstrapConfig(config: ConfigSource, region: string, stack: string): BootstrapConfig {
    const repository = config.get("repository") ?? "";
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) throw new Error(`bootstrap:repository: ${JSON.stringify(repository)} must be the GitHub repository as owner/name (pulumi config set bootstrap:repository my-org/platform)`);
    const backend = config.get("backend") ?? "s3";
    if (backend !== "s3" && backend !== "pulumi-cloud") throw new Error(`bootstrap:backend: ${JSON.stringify(backend)} must be s3 or pulumi-cloud`);
    return {
        region, stack, repository, backend,
        environments: config.getObject<string[]>("environments") ?? ["dev", "staging", "prod"],
        deployRoleName: config.get("deployRoleName") ?? "platform-deploy",
        previewRoleName: config.get("previewRoleName") ?? "platform-preview",
        oidcProviderArn: config.get("oidcProviderArn"),
    };
}

export function bootstrapIdentity(cfg: BootstrapConfig): DeployIdentity {
    return new DeployIdentity("ci", {
        ctx: { prefix: `platform-${cfg.stack}`, environment: "bootstrap", region: cfg.region, tags: {} },
        accountId: aws.getCallerIdentityOutput().accountId,
        repository: cfg.repository,
        deployEnvironments: cfg.environments,
        previewEnvironments: cfg.environments.map((e) => `${e}-preview`),
        deployRoleName: cfg.deployRoleName,
        previewRoleName: cfg.previewRoleName,
        existingOidcProviderArn: cfg.oidcProviderArn,
        backend: cfg.backend,
    });
}
