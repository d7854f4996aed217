/**
 * The policy pack config a stack's platform config implies (environment, backup retention,
 * registries, supported versions), so the offline plan judges each stack by its own rules.
 */
import type { PlatformConfig } from "../../stacks/config";
import { SUPPORTED_EKS_VERSIONS } from "../../stacks/config";
import { parsePackConfig } from "../../policies/evaluate";
import type { PackConfig } from "../../policies/lib/types";
import { supplyChainPackEntries } from "./supply-chain-pack";

export function packConfigFromPlatform(cfg: PlatformConfig): PackConfig {
    return parsePackConfig({
        environment: cfg.environment,
        minBackupRetentionDays: 7,
        supportedEksVersions: [...SUPPORTED_EKS_VERSIONS],
        allowedRegistries: cfg.supplyChain.allowedRegistries,
        drTargets: cfg.dr.enabled ? cfg.dr.targets : undefined,
        ...supplyChainPackEntries(cfg),
        admission: cfg.supplyChain.admission,
        verificationMode: cfg.supplyChain.verificationMode,
        cosignPublicKeys: cfg.supplyChain.cosignPublicKeys,
    });
}
