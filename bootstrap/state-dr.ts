/**
 * The bootstrap's DR half (issue 22): with `bootstrap:drRegion` and the s3 backend, the Pulumi
 * state bucket is replicated to that region and the secrets provider gets a multi-region KMS key
 * with a replica there (components/dr/state-backend.ts), so a failover can log in to the state and
 * decrypt its secrets while the primary region is down. docs/backups-and-dr.md, "State backend".
 * Kept apart from config.ts and DeployIdentity (the CI identity) on purpose.
 */
import * as pulumi from "@pulumi/pulumi";
import { DeployIdentity } from "../components/ci/deploy-identity";
import { StateBackendReplica } from "../components/dr/state-backend";
import { partitionOf } from "../components/shared/naming";
import { AWS_REGIONS, regionProblem } from "../stacks/config-schema";
import { awsProviderSettings } from "../stacks/dr-checks";
import type { BootstrapConfig } from "./config";

/** `bootstrap:drRegion`: where the state copy and the replica key live; unset, nothing is replicated. */
export function readStateDrRegion(config: { get(key: string): string | undefined }, cfg: BootstrapConfig): string | undefined {
    const region = config.get("drRegion");
    if (region === undefined) return undefined;
    if (!AWS_REGIONS.includes(region)) throw new Error(`bootstrap:drRegion: ${JSON.stringify(region)} ${regionProblem(region)}`);
    if (region === cfg.region) throw new Error(`bootstrap:drRegion: ${region} is the bootstrap's own region; name the DR region (platform:dr.region)`);
    if (partitionOf(region) !== partitionOf(cfg.region)) throw new Error(`bootstrap:drRegion: ${region} is in another partition than ${cfg.region}; replication stays within a partition`);
    if (cfg.backend !== "s3") throw new Error(`bootstrap:drRegion: only with bootstrap:backend s3 (Pulumi Cloud keeps the state itself)`);
    return region;
}

/** The state copy and the multi-region secrets key, for an identity with the s3 backend. */
export function stateDisasterRecovery(cfg: BootstrapConfig, drRegion: string, id: DeployIdentity, accountId: pulumi.Input<string>, awsConfig: Record<string, unknown>): StateBackendReplica {
    if (!id.state) throw new Error("bootstrap:drRegion: the identity has no state bucket (bootstrap:backend must be s3)");
    return new StateBackendReplica("state-dr", {
        ctx: { prefix: `platform-${cfg.stack}`, environment: "bootstrap", region: cfg.region, tags: {} },
        accountId,
        drRegion,
        providerSettings: awsProviderSettings(awsConfig),
        stateBucket: id.state.bucket,
        stateKmsKeyArn: id.state.kmsKeyArn,
        previewRoleName: id.previewRoleName,
        // The replication role carries the boundary the identity creates (the policy's own ARN output: created first).
        roles: { permissionsBoundaryArn: id.permissionsBoundaryArn, path: cfg.rolePath },
    });
}
