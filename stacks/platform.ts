/**
 * buildPlatform(cfg): wires the components from the validated config. Nothing else lives here:
 * no raw resources, no environment switches (environments differ by config only).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Postgres } from "../components/database/postgres";
import { Cluster } from "../components/eks/cluster";
import { Vpc } from "../components/network/vpc";
import { API_SERVER_SLO } from "../components/observability/alerts";
import { Observability } from "../components/observability";
import { Placement, resources } from "../components/shared/helm";
import { IMAGES } from "../components/shared/images";
import { SIGNING_PUBLISHERS } from "../components/shared/platform-images";
import { ArgoRollouts } from "../components/delivery/argo-rollouts";
import { CanaryApp } from "../components/delivery/canary-app";
import { AwsBackup, DAILY_SCHEDULE } from "../components/backup/aws-backup";
import { Velero } from "../components/backup/velero";
import { DisasterRecovery } from "../components/dr/disaster-recovery";
import { replicaSecretArn } from "../components/database/master-credential";
import { ImageVerification } from "../components/security/image-verification";
import { awsCronIntervalMinutes, recoveryFigures, RecoveryFigure } from "../policies/lib/recovery";
import { partitionOf, PlatformContext } from "../components/shared/naming";
import { boundaryPolicyArn } from "../components/shared/iam";
import { LinkedService, ServiceLinkedRoles } from "../components/shared/service-linked-roles";
import { CiRunner } from "../components/ci/runner";
import { ChaosExperiments } from "../components/resilience/chaos-experiments";
import { drDrillOutput } from "./dr-drill";
import { PlatformConfig } from "./config";
import { assertPlatformImagesPinned, buildSupplyChain } from "./supply-chain";
import { watchPlatform } from "./monitoring";
import { appNamespaceName, applicationNamespace, inNamespace } from "./app-namespace";
import { serviceOutputs } from "./outputs";

export interface Platform {
    vpc: Vpc;
    cluster: Cluster;
    database: Postgres;
    observability: Observability;
    dr?: DisasterRecovery;
    /** AWS FIS experiment templates (platform:resilience.chaos.enabled). */
    chaos?: ChaosExperiments;
    /** What each data store recovers after a region outage, and how fast. */
    drReport: RecoveryFigure[];
    /** The values `stacks/index.ts` exports. */
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** The network, its CI runner and the deploy roles' ARNs: shared by the full build and the bootstrap build. */
function context(cfg: PlatformConfig) {
    // With DR, the one account aws:allowedAccountIds names (required then; the provider refuses any other) is the account:
    // no STS call, which a failover could not make in the failed region. Without DR, ask STS as before.
    const accountId = cfg.dr.enabled && cfg.allowedAccountIds.length === 1 ? pulumi.output(cfg.allowedAccountIds[0]) : aws.getCallerIdentityOutput().accountId;
    const partition = partitionOf(cfg.region);
    // Every role gets the bootstrap stack's boundary, whose ARN follows from its name (no stack reference: the deploy role needs no access to the bootstrap state).
    const iam = { permissionsBoundaryArn: boundaryPolicyArn(partition, accountId, cfg.ci.permissionsBoundaryName), path: cfg.ci.rolePath };
    const ctx: PlatformContext = { prefix: `${cfg.project}-${cfg.stack}`, environment: cfg.environment, region: cfg.region, tags: cfg.tags, iam };
    const roleArn = (roleName: string) => pulumi.interpolate`arn:${partition}:iam::${accountId}:role/${roleName}`;
    return { ctx, accountId, ciRoles: { deployRoleArn: roleArn(cfg.ci.deployRoleName), previewRoleArn: roleArn(cfg.ci.previewRoleName) } };
}

function ciRunner(cfg: PlatformConfig, ctx: PlatformContext, accountId: pulumi.Input<string>, vpc: Vpc): CiRunner {
    return new CiRunner("ci-runner", {
        ctx, accountId, vpcId: vpc.vpcId, subnetIds: vpc.privateSubnetIds,
        repository: cfg.ci.repository, connectionArn: cfg.ci.connectionArn, computeType: cfg.ci.runnerComputeType, logRetentionDays: cfg.eks.logRetentionDays,
    });
}

function vpcOf(cfg: PlatformConfig, ctx: PlatformContext, accountId: pulumi.Input<string>): Vpc {
    return new Vpc("network", {
        ctx,
        accountId,
        cidr: cfg.network.cidr,
        // Pinned in config (stacks/dr-checks.ts requires them): the live "available" list never moves a subnet.
        availabilityZones: cfg.network.availabilityZones!,
        subnets: cfg.subnets,
        natGateways: cfg.network.natGateways,
        flowLogRetentionDays: cfg.network.flowLogRetentionDays,
        interfaceEndpoints: cfg.network.interfaceEndpoints,
        clusterName: `${ctx.prefix}-eks`,
    });
}

/**
 * `platform:ciBootstrap: true` (first deploy of a new account/region): only the network and the CI
 * runner, all AWS APIs, so a GitHub-hosted runner can apply it; the next deploy runs on that runner.
 */
export function buildCiBootstrap(cfg: PlatformConfig): { vpc: Vpc; runner: CiRunner; outputs: Record<string, pulumi.Input<unknown>> } {
    const { ctx, accountId } = context(cfg);
    const vpc = vpcOf(cfg, ctx, accountId);
    const runner = ciRunner(cfg, ctx, accountId, vpc);
    return { vpc, runner, outputs: { environment: cfg.environment, region: cfg.region, vpcId: vpc.vpcId, ciRunnerProject: runner.projectName, bootstrap: "network and CI runner only: set platform:ciBootstrap to false and deploy again" } };
}

export function buildPlatform(cfg: PlatformConfig): Platform {
    assertPlatformImagesPinned(cfg);
    const { ctx, accountId, ciRoles } = context(cfg);
    const linkedServices: LinkedService[] = ["autoscaling.amazonaws.com"];
    if (cfg.observability.jaeger.storage === "opensearch") linkedServices.push("opensearchservice.amazonaws.com");
    const slr = new ServiceLinkedRoles("service-linked-roles", { services: linkedServices, existing: cfg.account.existingServiceLinkedRoles });

    const vpc = vpcOf(cfg, ctx, accountId);
    const runner = ciRunner(cfg, ctx, accountId, vpc);

    const cluster = new Cluster("eks", {
        ctx,
        accountId,
        version: cfg.eks.version,
        vpcId: vpc.vpcId,
        privateSubnetIds: vpc.privateSubnetIds,
        publicAccessCidrs: cfg.eks.publicAccessCidrs,
        adminRoleArns: cfg.eks.adminRoleArns,
        logRetentionDays: cfg.eks.logRetentionDays,
        nodeGroups: cfg.eks.nodeGroups,
        addonVersions: cfg.eks.addonVersions,
        preBoundaryCluster: cfg.eks.preBoundaryCluster,
        protect: cfg.database.deletionProtection,
        autoScalingRole: slr.dependencies("autoscaling.amazonaws.com"),
        ciRoles,
        apiClients: [{ name: "ci-runner", securityGroupId: runner.securityGroupId, description: "EKS API from the CI runners" }],
    });

    const protect = cfg.database.deletionProtection;
    const dr = cfg.dr.enabled ? disasterRecovery(cfg, ctx, accountId, ciRoles, slr) : undefined;
    const database = new Postgres("database", {
        ctx,
        accountId,
        vpcId: vpc.vpcId,
        isolatedSubnetIds: vpc.isolatedSubnetIds,
        clientSecurityGroupId: cluster.clusterSecurityGroupId,
        ...cfg.database,
        logRetentionDays: cfg.eks.logRetentionDays,
        masterSecretReplicas: dr ? [{ region: dr.region, kmsKeyArn: dr.databaseKeyArn }] : undefined,
    });
    dr?.replicateDatabase({ sourceInstanceArn: database.instanceArn, engineVersion: cfg.database.engineVersion, instanceClass: cfg.database.instanceClass, maxAllocatedStorageGiB: cfg.database.maxAllocatedStorageGiB, backupRetentionDays: cfg.database.backupRetentionDays, logRetentionDays: cfg.eks.logRetentionDays });

    const observability = new Observability("observability", {
        ctx,
        accountId,
        cluster,
        storageClassName: cluster.storageClassName,
        prometheus: cfg.observability.prometheus,
        alertmanager: cfg.observability.alertmanager,
        loki: cfg.observability.loki,
        jaeger: {
            ...cfg.observability.jaeger,
            opensearch: { vpcId: vpc.vpcId, subnetIds: vpc.privateSubnetIds, clientSecurityGroupId: cluster.clusterSecurityGroupId, logRetentionDays: cfg.eks.logRetentionDays, serviceLinkedRole: slr.dependencies("opensearchservice.amazonaws.com") },
        },
        grafana: cfg.observability.grafana,
        receivers: cfg.alerting.receivers.map((r) => ({ name: r.name, type: r.type, severities: r.severities, secretKey: r.urlSecret })),
        receiverSecrets: Object.fromEntries(alertingSecretKeys(cfg).map((k) => [k, pulumi.secret(cfg.secrets[k])])),
        deadMansSwitch: cfg.alerting.deadMansSwitch.enabled ? { secretKey: cfg.alerting.deadMansSwitch.urlSecret } : undefined,
        runbookBaseUrl: cfg.observability.runbookBaseUrl,
        slos: [API_SERVER_SLO],
        placement: observabilityPlacement(cfg),
        protect: cfg.database.deletionProtection,
    }, { providers: [cluster.provider] });

    const inCluster = { providers: [cluster.provider] };
    const monitoringCrds = observability.prometheus.release;
    const supplyChain = buildSupplyChain(cfg, ctx, accountId, cluster);
    const verifyOwn = supplyChain && cfg.supplyChain.signing.verifyRepositories;
    const admission = new ImageVerification("image-verification", {
        signedRegistries: [...cfg.supplyChain.signedRegistries, ...(verifyOwn ? [supplyChain.registryPrefix] : [])],
        cosignPublicKeys: [...cfg.supplyChain.cosignPublicKeys, ...(supplyChain ? [supplyChain.signingKey.publicKeyPem] : [])],
        publishers: cfg.supplyChain.platformImages.verifyPublisherSignatures ? SIGNING_PUBLISHERS : [],
        signerBindings: verifyOwn ? supplyChain.signerBindings : [],
        mode: cfg.supplyChain.admission,
        replicas: cfg.supplyChain.admissionReplicas,
        sbomFormat: cfg.supplyChain.sbomFormat,
        monitoringCrds,
    }, inCluster);
    const rollouts = cfg.delivery.argoRollouts.enabled
        ? new ArgoRollouts("argo-rollouts", {
            replicas: cfg.delivery.argoRollouts.replicas,
            dashboard: cfg.delivery.argoRollouts.dashboard,
            prometheusUrl: observability.prometheus.url,
            monitoringCrds,
        }, inCluster)
        : undefined;
    const appNamespace = applicationNamespace(cfg, inCluster);
    const example = rollouts && cfg.delivery.exampleApp.enabled
        ? new CanaryApp("podinfo", {
            name: "podinfo",
            namespace: appNamespace.ref.name,
            image: cfg.delivery.exampleApp.image ?? IMAGES.podinfo,
            requireDigest: cfg.delivery.requireImageDigest,
            port: 9898,
            replicas: cfg.delivery.exampleApp.replicas,
            resources: resources("50m", "64Mi", "500m", "256Mi"),
            // podinfo traces only when its own flag names the service (PODINFO_OTEL_SERVICE_NAME; the exporter then reads the
            // standard OTEL_EXPORTER_OTLP_* env), and logs the request's trace id only at debug level.
            env: { PODINFO_UI_MESSAGE: `platform ${cfg.environment}`, PODINFO_OTEL_SERVICE_NAME: "podinfo", PODINFO_LEVEL: "debug" },
            autoscaling: { maxReplicas: cfg.delivery.exampleApp.replicas * 3, targetCpuPercent: 70 },
            otlpEndpoint: observability.jaeger.otlpGrpcEndpoint,
            crds: [rollouts.release, monitoringCrds, admission.release],
        }, { ...inCluster, transformations: [inNamespace(appNamespace)] })
        : undefined;

    if (dr) {
        for (const name of ["chunks", "ruler"] as const) {
            dr.replicate({ name: `loki-${name}`, bucket: observability.loki[`${name}Bucket`], kmsKeyArn: observability.loki.kmsKeyArn, expireAfterDays: cfg.observability.loki.retentionDays + 7 });
        }
    }
    const backup = new AwsBackup("backup", {
        ctx,
        accountId,
        dailyRetentionDays: cfg.backup.dailyRetentionDays,
        weeklyRetentionDays: cfg.backup.weeklyRetentionDays,
        monthlyRetentionDays: cfg.backup.monthlyRetentionDays,
        continuous: cfg.backup.continuous,
        continuousRetentionDays: cfg.database.backupRetentionDays,
        vaultLock: cfg.backup.vaultLock,
        restoreTesting: cfg.backup.restoreTesting,
        dbInstanceArn: database.instanceArn,
        restoreNetwork: { vpcId: vpc.vpcId, privateSubnetIds: vpc.privateSubnetIds, dbSubnetGroupName: database.subnetGroupName, masterSecretArn: database.masterSecretArn, databaseKmsKeyArn: database.kmsKeyArn, logRetentionDays: cfg.eks.logRetentionDays },
        copyToVaultArn: dr?.vaultArn,
        protect,
    });
    const velero = new Velero("velero", {
        ctx,
        accountId,
        cluster,
        appNamespaces: cfg.backup.velero.appNamespaces,
        hourlyTtlHours: cfg.backup.velero.hourlyTtlHours,
        dailyTtlDays: cfg.backup.velero.dailyTtlDays,
        drLocation: dr?.clusterState,
        monitoringCrds,
        protect,
    }, inCluster);
    if (dr && velero.bucket && velero.kmsKeyArn) {
        const replica = dr.replicate({ name: "velero", bucket: velero.bucket, kmsKeyArn: velero.kmsKeyArn, expireAfterDays: cfg.backup.velero.dailyTtlDays + 30 });
        dr.restoreVelero(accountId, replica);
    }
    watchPlatform(cfg, { ctx, accountId, observability, database, velero, dr, rollouts: rollouts !== undefined });
    const drReport = dr?.report ?? recoveryFigures({ databaseReplica: false, databaseBackupReplication: false, objectReplication: "none" });
    const chaos = chaosExperiments(cfg, ctx, accountId, vpc, cluster, database);

    return {
        vpc,
        cluster,
        database,
        observability,
        dr,
        chaos,
        drReport,
        outputs: {
            // What service stacks read (stacks/outputs.ts): typed there, never renamed within a contract version.
            ...serviceOutputs({
                environment: cfg.environment,
                region: cfg.region,
                clusterName: cluster.clusterName,
                kubeconfig: cluster.kubeconfig,
                otlpEndpoint: observability.jaeger.otlpGrpcEndpoint,
                prometheusUrl: observability.prometheus.url,
                appNamespace: appNamespace.ref.ready,
                requireImageDigest: cfg.delivery.requireImageDigest,
                permissionsBoundaryArn: ctx.iam.permissionsBoundaryArn,
                rolePath: ctx.iam.path,
            }),
            vpcId: vpc.vpcId,
            clusterEndpoint: cluster.endpoint,
            dbEndpoint: database.endpoint,
            dbPort: database.port,
            dbMasterSecretArn: database.masterSecretArn,
            dbInstanceArn: database.instanceArn,
            grafanaUrl: observability.grafana.url,
            grafanaAdminSecret: `${observability.grafana.adminSecretName} (namespace observability)`,
            lokiBuckets: [observability.loki.chunksBucket.bucketName, observability.loki.rulerBucket.bucketName],
            backupVaultArn: backup.vaultArn,
            backupNotificationsTopicArn: backup.notificationTopicArn,
            veleroBucket: velero.bucket?.bucketName ?? "none",
            drRegion: cfg.dr.enabled ? cfg.dr.region! : "disabled",
            ...drOutputs(dr, database),
            drStandbyClusterEndpoint: dr?.standbyCluster ? dr.standbyCluster.endpoint : "not built (dr.failover is false)",
            drStandbyKubeconfig: dr?.standbyCluster ? dr.standbyCluster.kubeconfig : "not built (dr.failover is false)",
            drReport,
            drDrill: drDrillOutput({ cfg, cluster, database, backupVaultArn: backup.vaultArn, dr, chaos, drReport }),
            ciRunnerProject: runner.projectName,
            ...supplyChain?.outputs,
            exampleRollout: example ? `${example.rolloutName} (namespace ${appNamespaceName(cfg)})` : "disabled",
        },
    };
}

/** The DR region's half: provider with the stack's aws: settings, VPC in pinned zones, runner, keys, vault, standby cluster on failover. */
function disasterRecovery(cfg: PlatformConfig, ctx: PlatformContext, accountId: pulumi.Input<string>, ciRoles: { deployRoleArn: pulumi.Input<string>; previewRoleArn: pulumi.Input<string> }, slr: ServiceLinkedRoles): DisasterRecovery {
    return new DisasterRecovery("dr", {
        ctx,
        accountId,
        region: cfg.dr.region!,
        providerSettings: cfg.awsProvider,
        failover: cfg.dr.failover,
        replicationTimeControl: cfg.dr.replicationTimeControl,
        network: { cidr: cfg.dr.vpcCidr, subnets: cfg.drSubnets!, availabilityZones: cfg.dr.availabilityZones!, interfaceEndpoints: cfg.network.interfaceEndpoints, flowLogRetentionDays: cfg.network.flowLogRetentionDays },
        vaultLock: cfg.backup.vaultLock,
        clusterStateIntervalMinutes: cfg.backup.velero.drIntervalMinutes,
        backupCopyIntervalMinutes: awsCronIntervalMinutes(DAILY_SCHEDULE),
        runner: { repository: cfg.ci.repository, connectionArn: cfg.dr.ciConnectionArn!, computeType: cfg.ci.runnerComputeType, logRetentionDays: cfg.eks.logRetentionDays },
        standbyCluster: {
            version: cfg.eks.version, nodeGroups: cfg.eks.nodeGroups, adminRoleArns: cfg.eks.adminRoleArns, publicAccessCidrs: cfg.eks.publicAccessCidrs, logRetentionDays: cfg.eks.logRetentionDays,
            autoScalingRole: slr.dependencies("autoscaling.amazonaws.com"), ciRoles, breakGlassRoleArn: cfg.dr.breakGlassRoleArn!,
        },
        protect: cfg.database.deletionProtection,
    });
}

/** What the DR drill and operators read (docs/backups-and-dr.md, "Stack outputs"). */
function drOutputs(dr: DisasterRecovery | undefined, database: Postgres): Record<string, pulumi.Input<unknown>> {
    const off = "disabled";
    return {
        drDatabaseEndpoint: dr?.databaseEndpoint ?? off,
        drDatabaseIdentifier: dr?.databaseIdentifier ?? off,
        drDbMasterSecretArn: dr ? replicaSecretArn(database.masterSecretArn, dr.region) : off,
        drReplicatedBackupsArn: dr?.replicatedBackupsArn ?? off,
        drVaultArn: dr?.vaultArn ?? off,
        drClusterStateBucket: dr?.clusterState.bucketName ?? off,
        drCiRunnerProject: dr?.runner.projectName ?? off,
        drBreakGlassRoleArn: dr?.breakGlassRoleArn ?? off,
    };
}

/** Secret keys the Alertmanager receivers Secret holds: every receiver's credential and the dead man's switch URL. */
function alertingSecretKeys(cfg: PlatformConfig): string[] {
    const dms = cfg.alerting.deadMansSwitch;
    return [...cfg.alerting.receivers.map((r) => r.urlSecret), ...(dms.enabled ? [dms.urlSecret] : [])];
}

/** The FIS experiment templates when platform:resilience.chaos.enabled: the zonal ones hit the configured zone (default the VPC's first). */
function chaosExperiments(cfg: PlatformConfig, ctx: PlatformContext, accountId: pulumi.Input<string>, vpc: Vpc, cluster: Cluster, database: Postgres): ChaosExperiments | undefined {
    const c = cfg.resilience.chaos;
    if (!c.enabled) return undefined;
    const zoneIndex = c.zone ? cfg.network.availabilityZones!.indexOf(c.zone) : 0;
    return new ChaosExperiments("chaos", {
        ctx, accountId, clusterName: cluster.clusterName, nodeGroupArns: cluster.nodeGroupArns, vpcId: vpc.vpcId,
        zone: vpc.availabilityZones.apply((zones) => zones[zoneIndex]),
        zoneSubnetIds: [vpc.publicSubnetIds[zoneIndex], vpc.privateSubnetIds[zoneIndex], vpc.isolatedSubnetIds[zoneIndex]],
        multiAzDatabase: cfg.database.multiAz ? { arn: database.instanceArn, identifier: database.instanceIdentifier } : undefined,
        sloObjective: API_SERVER_SLO.objective,
        extraStopAlarmArns: c.extraStopAlarmArns,
        networkDisruptionMinutes: c.networkDisruptionMinutes,
        nodeTerminationPercent: c.nodeTerminationPercent,
        logRetentionDays: cfg.eks.logRetentionDays,
    });
}

/** Observability workloads go to the node group labelled `workload: observability` when the config has one (its taint is tolerated). */
function observabilityPlacement(cfg: PlatformConfig): Placement | undefined {
    const group = cfg.eks.nodeGroups.find((g) => g.labels?.workload === "observability");
    if (!group) return undefined;
    const effects: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };
    return {
        nodeSelector: { workload: "observability" },
        tolerations: (group.taints ?? []).map((t) => ({ key: t.key, operator: "Equal" as const, value: t.value, effect: effects[t.effect] })),
    };
}
