/**
 * The bootstrap stack's config, parsed with clear errors, and the identity it builds. Shared by
 * bootstrap/index.ts and the tests (which build it under the SDK mocks).
 */
import * as aws from "@pulumi/aws";
import { DeployIdentity } from "../components/ci/deploy-identity";
import { DEFAULT_BOUNDARY_NAME, DEFAULT_ROLE_PATH, IAM_POLICY_NAME, IAM_ROLE_PATH } from "../stacks/ci-schema";

export interface BootstrapConfig {
    region: string;
    stack: string;
    repository: string;
    environments: string[];
    deployRoleName: string;
    previewRoleName: string;
    backend: "s3" | "pulumi-cloud";
    oidcProviderArn?: string;
    permissionsBoundaryName: string;
    rolePath: string;
}

interface ConfigSource { get(key: string): string | undefined; getObject<T>(key: string): T | undefined }

export function readBootstrapConfig(config: ConfigSource, region: string, stack: string): BootstrapConfig {
    const repository = config.get("repository") ?? "";
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) throw new Error(`bootstrap:repository: ${JSON.stringify(repository)} must be the GitHub repository as owner/name (pulumi config set bootstrap:repository my-org/platform)`);
    const backend = config.get("backend") ?? "s3";
    if (backend !== "s3" && backend !== "pulumi-cloud") throw new Error(`bootstrap:backend: ${JSON.stringify(backend)} must be s3 or pulumi-cloud`);
    const checked = (key: string, schema: typeof IAM_POLICY_NAME, fallback: string) => {
        const r = schema.safeParse(config.get(key) ?? fallback);
        if (!r.success) throw new Error(`bootstrap:${key}: ${JSON.stringify(config.get(key))} ${r.error.issues[0].message}`);
        return r.data;
    };
    return {
        region, stack, repository, backend,
        permissionsBoundaryName: checked("permissionsBoundaryName", IAM_POLICY_NAME, DEFAULT_BOUNDARY_NAME),
        rolePath: checked("rolePath", IAM_ROLE_PATH, DEFAULT_ROLE_PATH),
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
        permissionsBoundaryName: cfg.permissionsBoundaryName,
        rolePath: cfg.rolePath,
        repository: cfg.repository,
        deployEnvironments: cfg.environments,
        previewEnvironments: cfg.environments.map((e) => `${e}-preview`),
        deployRoleName: cfg.deployRoleName,
        previewRoleName: cfg.previewRoleName,
        existingOidcProviderArn: cfg.oidcProviderArn,
        backend: cfg.backend,
    });
}
