/**
 * The `drDrill` stack output (scripts/dr/contract.ts): what the DR drill reads, built from what the
 * components expose. The DR database part describes the design DisasterRecovery deploys: a
 * cross-region read replica named `<prefix>-postgres-dr` (test/dr/drill-output.test.ts checks the
 * name against the replica the stack registers), with the replicated automated backups, the master
 * credential's replica in the DR region and the DR VPC's runner project.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Cluster } from "../components/eks/cluster";
import type { Postgres } from "../components/database/postgres";
import { replicaSecretArn } from "../components/database/master-credential";
import type { DisasterRecovery } from "../components/dr/disaster-recovery";
import type { ChaosExperiments } from "../components/resilience/chaos-experiments";
import { CHAOS_EXPERIMENTS } from "../components/resilience/keys";
import type { RecoveryFigure } from "../policies/lib/recovery";
import { DRILL_CONTRACT_VERSION, DrDrillOutput } from "../scripts/dr/contract";
import type { PlatformConfig } from "./config";

export interface DrillSources {
    cfg: PlatformConfig;
    cluster: Cluster;
    database: Postgres;
    backupVaultArn: pulumi.Output<string>;
    dr?: DisasterRecovery;
    chaos?: ChaosExperiments;
    drReport: RecoveryFigure[];
}

/** A workload every standby cluster runs once it has nodes: the EKS CoreDNS add-on. */
export const STANDBY_WORKLOADS = [{ namespace: "kube-system", kind: "Deployment" as const, name: "coredns" }];

export function drDrillOutput(s: DrillSources): pulumi.Output<DrDrillOutput> {
    const { cfg } = s;
    const prefix = `${cfg.project}-${cfg.stack}`;
    const dr: pulumi.Input<DrDrillOutput["dr"]> = s.dr
        ? pulumi.output({
            enabled: true as const,
            region: cfg.dr.region!,
            failover: cfg.dr.failover,
            database: {
                mode: "replica" as const,
                replica: { identifier: `${prefix}-postgres-dr` },
                ...(s.dr.replicatedBackupsArn ? { replicatedBackupsArn: s.dr.replicatedBackupsArn } : {}),
                credentialSecretArn: replicaSecretArn(s.database.masterSecretArn, cfg.dr.region!),
            },
            cluster: {
                name: s.dr.standbyCluster ? s.dr.standbyCluster.clusterName : `${prefix}-dr-eks`,
                built: s.dr.standbyCluster !== undefined,
                workloads: STANDBY_WORKLOADS,
            },
            runner: { project: s.dr.runner.projectName },
            backupVaultArn: s.dr.vaultArn,
        })
        : { enabled: false as const };
    const chaos = s.chaos
        ? pulumi.output({
            enabled: true as const,
            region: s.chaos.region,
            logGroupName: s.chaos.logGroupName,
            stopAlarmArns: s.chaos.stopAlarmArns,
            templates: CHAOS_EXPERIMENTS.filter((k) => s.chaos!.templateIds[k]).map((key) => ({ key, id: s.chaos!.templateIds[key]!, action: s.chaos!.actions[key]! })),
        })
        : { enabled: false as const };
    return pulumi.output({
        version: DRILL_CONTRACT_VERSION,
        project: cfg.project,
        stack: cfg.stack,
        environment: cfg.environment,
        primary: {
            region: cfg.region,
            database: { identifier: s.database.instanceIdentifier, arn: s.database.instanceArn, port: s.database.port, name: cfg.database.databaseName, multiAz: cfg.database.multiAz },
            cluster: { name: s.cluster.clusterName },
            backupVaultArn: s.backupVaultArn,
        },
        dr,
        chaos,
        targets: cfg.dr.enabled ? cfg.dr.targets : {},
        design: s.drReport,
    });
}
