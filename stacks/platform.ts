/**
 * buildPlatform(cfg): wires the components from the validated config. Nothing else lives here:
 * no raw resources, no environment switches (environments differ by config only).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Postgres } from "../components/database/postgres";
import { Cluster } from "../components/eks/cluster";
import { Vpc } from "../components/network/vpc";
import { PlatformContext } from "../components/shared/naming";
import { PlatformConfig } from "./config";

export interface Platform {
    vpc: Vpc;
    cluster: Cluster;
    database: Postgres;
    /** The values `stacks/index.ts` exports. */
    outputs: Record<string, pulumi.Input<unknown>>;
}

export function buildPlatform(cfg: PlatformConfig): Platform {
    const ctx: PlatformContext = {
        prefix: `${cfg.project}-${cfg.stack}`,
        environment: cfg.environment,
        region: cfg.region,
        tags: cfg.tags,
    };
    const accountId = aws.getCallerIdentityOutput().accountId;
    const zones = cfg.network.availabilityZones
        ? pulumi.output(cfg.network.availabilityZones)
        : aws.getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }).names.apply((names) => names.slice(0, cfg.network.azCount));
    const clusterName = `${ctx.prefix}-eks`;

    const vpc = new Vpc("network", {
        ctx,
        accountId,
        cidr: cfg.network.cidr,
        availabilityZones: zones,
        subnets: cfg.subnets,
        natGateways: cfg.network.natGateways,
        flowLogRetentionDays: cfg.network.flowLogRetentionDays,
        interfaceEndpoints: cfg.network.interfaceEndpoints,
        clusterName,
    });

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
        protect: cfg.database.deletionProtection,
    });

    const database = new Postgres("database", {
        ctx,
        accountId,
        vpcId: vpc.vpcId,
        isolatedSubnetIds: vpc.isolatedSubnetIds,
        clientSecurityGroupId: cluster.clusterSecurityGroupId,
        ...cfg.database,
        logRetentionDays: cfg.eks.logRetentionDays,
    });

    return {
        vpc,
        cluster,
        database,
        outputs: {
            environment: cfg.environment,
            region: cfg.region,
            vpcId: vpc.vpcId,
            clusterName: cluster.clusterName,
            clusterEndpoint: cluster.endpoint,
            kubeconfig: cluster.kubeconfig,
            dbEndpoint: database.endpoint,
            dbPort: database.port,
            dbMasterSecretArn: database.masterSecretArn,
            dbInstanceArn: database.instanceArn,
        },
    };
}
