/**
 * The schema of every `platform:*` config key, with production-safe defaults.
 *
 * Defaults are the secure, durable choice (Multi-AZ, NAT per AZ, deletion protection, long
 * retention); a cheap environment opts out explicitly in its Pulumi.<stack>.yaml, so a forgotten
 * key never weakens production. Cross-field rules (subnets that fit the VPC, min <= desired <= max,
 * DR region != primary region, ...) live in config.ts because they need more than one field.
 */
import { z } from "zod";
import { availabilityZone, awsRegion, cosignPublicKey, dnsLabel, ENVIRONMENTS, INTERFACE_ENDPOINTS, ipv4Cidr, logRetention, promDuration, SUPPORTED_EKS_VERSIONS } from "./config-values";
import { platformImagesSchema, registryLimitsSchema, signingSchema } from "./supply-chain-schema";
import { CONFIG_PROPERTIES } from "../policies/lib/types";
import { accountSchema, ciSchema, CONNECTION_ARN } from "./ci-schema";
import { resilienceSchema } from "./resilience-schema";


const nodeGroup = z.strictObject({
    /** Logical name, also the node group name suffix. */
    name: dnsLabel,
    /** EC2 instance types, first preferred. */
    instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m7i.large")).min(1),
    /** ON_DEMAND or SPOT. */
    capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
    minSize: z.number().int().min(0).max(450),
    maxSize: z.number().int().min(1).max(450),
    desiredSize: z.number().int().min(0).max(450),
    /** Root volume size (gp3, encrypted). */
    diskSizeGiB: z.number().int().min(20).max(16384).default(50),
    labels: z.record(z.string(), z.string()).default({}),
    taints: z
        .array(
            z.strictObject({
                key: z.string().min(1),
                value: z.string().optional(),
                effect: z.enum(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]),
            }),
        )
        .default([]),
});

export const networkSchema = z.strictObject({
    /** VPC CIDR, /16 to /22. Defaults to 10.0.0.0/16. */
    cidr: ipv4Cidr(16, 22).default("10.0.0.0/16"),
    /** Number of AZs, 2 or 3. Defaults to 3. */
    azCount: z.number().int().min(2).max(3).default(3),
    /**
     * The AZ of each subnet index, azCount names in the region. Required: subnets never follow the live "available" list,
     * which shifts when a zone is impaired (and would replace subnets during an incident). See docs/configuration.md.
     */
    availabilityZones: z.array(availabilityZone).optional(),
    /** One NAT gateway per AZ (resilient) or a single one (cheap). Defaults to perAz. */
    natGateways: z.enum(["perAz", "single"]).default("perAz"),
    /** Prefix length of each subnet tier. Defaults to public /24, private /19, isolated /24. */
    subnetPrefixes: z
        .strictObject({
            public: z.number().int().min(20).max(28).default(24),
            private: z.number().int().min(16).max(24).default(19),
            isolated: z.number().int().min(20).max(28).default(24),
        })
        .prefault({}),
    /** VPC flow log retention in days. Defaults to 365. */
    flowLogRetentionDays: logRetention.default(365),
    /** Interface endpoints (S3 always gets a gateway endpoint). Defaults to ecr.api, ecr.dkr, sts, logs. */
    interfaceEndpoints: z.array(z.enum(INTERFACE_ENDPOINTS)).default(["ecr.api", "ecr.dkr", "sts", "logs"]),
});

export const eksSchema = z.strictObject({
    /** Kubernetes minor version. Defaults to 1.35. */
    version: z.enum(SUPPORTED_EKS_VERSIONS).default("1.35"),
    /** CIDRs allowed to the public endpoint; empty keeps the endpoint private only. Defaults to []. */
    publicAccessCidrs: z.array(ipv4Cidr(8, 32)).default([]),
    /** IAM role ARNs granted cluster admin through access entries. Defaults to []. */
    adminRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, "must be an IAM role ARN")).default([]),
    /** Control-plane log retention in days. Defaults to 365. */
    logRetentionDays: logRetention.default(365),
    /** Managed node groups. Defaults to one on-demand group of 3 m7i.large nodes. */
    nodeGroups: z
        .array(nodeGroup)
        .min(1)
        .default([{ name: "general", instanceTypes: ["m7i.large"], capacityType: "ON_DEMAND", minSize: 3, maxSize: 6, desiredSize: 3, diskSizeGiB: 50, labels: {}, taints: [] }]),
    /**
     * The cluster was created by a release before the permissions boundary (b16fdcd or earlier; docs/operations.md,
     * "Upgrading from a release before the permissions boundary"): keep its cluster role at IAM path / without the boundary
     * and its creator admin access, both create-only (changing either replaces the cluster). Never set it on a new stack. Defaults to false.
     */
    preBoundaryCluster: z.boolean().default(false),
    /** Overrides of the pinned EKS add-on versions, by add-on name. */
    addonVersions: z.partialRecord(z.enum(["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver", "eks-pod-identity-agent"]), z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "must be an add-on version such as v1.20.4-eksbuild.1")).default({}),
});

export const databaseSchema = z.strictObject({
    /** PostgreSQL engine version (major or major.minor). Defaults to 17.6. */
    engineVersion: z.string().regex(/^\d+(\.\d+)?$/, "must be a PostgreSQL version such as 17.6").default("17.6"),
    /** RDS instance class. Defaults to db.r7g.large. */
    instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.r7g.large").default("db.r7g.large"),
    /** Initial storage in GiB (gp3). Defaults to 100. */
    allocatedStorageGiB: z.number().int().min(20).max(65536).default(100),
    /** Storage autoscaling ceiling in GiB. Defaults to 500. */
    maxAllocatedStorageGiB: z.number().int().min(20).max(65536).default(500),
    /** Standby in a second AZ. Defaults to true. */
    multiAz: z.boolean().default(true),
    /** Automated backup (PITR) retention, 1 to 35 days. Defaults to 14. */
    backupRetentionDays: z.number().int().min(1).max(35).default(14),
    /** Daily backup window, UTC. Defaults to 03:00-04:00. */
    backupWindow: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "must be hh:mm-hh:mm (UTC)").default("03:00-04:00"),
    /** Weekly maintenance window, UTC. Defaults to sun:04:30-sun:05:30. */
    maintenanceWindow: z.string().regex(/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, "must be ddd:hh:mm-ddd:hh:mm (UTC)").default("sun:04:30-sun:05:30"),
    /** Performance Insights retention in days (7, or a multiple of 31 up to 731); 0 turns it off. Defaults to 7. */
    performanceInsightsRetentionDays: z.number().int().refine((d) => d === 0 || d === 7 || (d % 31 === 0 && d <= 731), { message: "must be 0 (off), 7, or a multiple of 31 up to 731" }).default(7),
    /** Enhanced monitoring interval; 0 turns it off. Defaults to 60. */
    monitoringIntervalSeconds: z.union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)]).default(60),
    /** RDS deletion protection, plus Pulumi `protect` on the instance and its key. Defaults to true. */
    deletionProtection: z.boolean().default(true),
    /** Initial database name. Defaults to app. */
    databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "must start with a letter and hold only a-z, 0-9, _").default("app"),
    /** Master user name (its password: a generated secret, in Secrets Manager, replicated to the DR region). Defaults to platform_admin. */
    masterUsername: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "must start with a letter and hold only a-z, 0-9, _").default("platform_admin"),
    /** Bump to rotate the master password (a new random password, set on the instance and in its secret). Defaults to 1. */
    masterPasswordGeneration: z.number().int().min(1).max(1_000_000).default(1),
    /** Statements slower than this are logged. Defaults to 500 ms. */
    slowQueryMs: z.number().int().min(10).max(60000).default(500),
    // issue 14: PostgreSQL major upgrades through config (docs/operations.md, "PostgreSQL major upgrade").
    /** Let a change of engineVersion's major be applied (RDS refuses it otherwise). Defaults to false. */
    allowMajorVersionUpgrade: z.boolean().default(false),
    /** Apply modifications (engine version, parameter group, class) during `pulumi up` instead of the next maintenance window. Defaults to false. */
    applyImmediately: z.boolean().default(false),
});

export const observabilitySchema = z.strictObject({
    prometheus: z
        .strictObject({
            /** Defaults to 15d. */
            retention: promDuration.default("15d"),
            /** Volume per replica, GiB. Defaults to 100. */
            storageGiB: z.number().int().min(10).max(16384).default(100),
            /** Defaults to 2. */
            replicas: z.number().int().min(1).max(3).default(2),
        })
        .prefault({}),
    alertmanager: z.strictObject({ replicas: z.number().int().min(1).max(3).default(2) }).prefault({}),
    loki: z
        .strictObject({
            /** Log retention enforced by the compactor and the bucket lifecycle. Defaults to 30. */
            retentionDays: z.number().int().min(1).max(3650).default(30),
            /** Defaults to scalable. */
            mode: z.enum(["singleBinary", "scalable"]).default("scalable"),
        })
        .prefault({}),
    jaeger: z
        .strictObject({
            /** Defaults to opensearch (durable). */
            storage: z.enum(["memory", "opensearch"]).default("opensearch"),
            /** Head sampling percentage. Defaults to 10. */
            samplingPercent: z.number().min(0).max(100).default(10),
            /** Defaults to 7. */
            retentionDays: z.number().int().min(1).max(365).default(7),
        })
        .prefault({}),
    grafana: z.strictObject({ storageGiB: z.number().int().min(1).max(1000).default(10) }).prefault({}),
    /** Where alert runbook links point: the docs/runbooks folder of this repository as served by your Git host. */
    runbookBaseUrl: z.url({ protocol: /^https$/, error: "must be an https URL such as https://github.com/org/platform/blob/main/docs/runbooks" }).default("https://github.com/example-org/platform/blob/main/docs/runbooks"),
});

export const deliverySchema = z.strictObject({
    argoRollouts: z
        .strictObject({
            enabled: z.boolean().default(true),
            replicas: z.number().int().min(1).max(3).default(2),
            dashboard: z.boolean().default(false),
        })
        .prefault({}),
    /** The example CanaryApp that exercises the delivery path. Defaults to enabled. */
    exampleApp: z
        .strictObject({
            enabled: z.boolean().default(true),
            /** Defaults to the pinned podinfo image (components/shared/images.ts). */
            image: z.string().regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._\/-]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/, "must be an image reference such as ghcr.io/org/app@sha256:<64 hex>").optional(),
            /** Defaults to 3. */
            replicas: z.number().int().min(1).max(50).default(3),
        })
        .prefault({}),
    /** Refuse CanaryApp images not pinned by digest. Defaults to true. */
    requireImageDigest: z.boolean().default(true),
});

export const backupSchema = z.strictObject({
    /** Defaults to 35. */
    dailyRetentionDays: z.number().int().min(1).max(3650).default(35),
    /** 0 disables the weekly rule. Defaults to 90. */
    weeklyRetentionDays: z.number().int().min(0).max(3650).default(90),
    /** 0 disables the monthly rule. Defaults to 365. */
    monthlyRetentionDays: z.number().int().min(0).max(36500).default(365),
    /** Continuous backup (PITR, up to 35 days) for RDS. Defaults to true. */
    continuous: z.boolean().default(true),
    /** Vault lock in compliance mode. Defaults to enabled with 7..3650 days. */
    vaultLock: z
        .strictObject({
            enabled: z.boolean().default(true),
            minRetentionDays: z.number().int().min(1).max(36500).default(7),
            maxRetentionDays: z.number().int().min(1).max(36500).default(3650),
        })
        .prefault({}),
    /** Restore testing of the latest RDS recovery point. Defaults to true. */
    restoreTesting: z.boolean().default(true),
    velero: z
        .strictObject({
            /** Namespaces backed up hourly. Defaults to [apps]. */
            appNamespaces: z.array(dnsLabel).default(["apps"]),
            /** TTL of hourly backups. Defaults to 72 h. */
            hourlyTtlHours: z.number().int().min(1).max(8760).default(72),
            /** TTL of daily full backups. Defaults to 30 days. */
            dailyTtlDays: z.number().int().min(1).max(3650).default(30),
            /** With DR: minutes between objects-only backups written straight to the DR region (the cluster-state RPO). Defaults to 5. */
            drIntervalMinutes: z.union([z.literal(5), z.literal(10), z.literal(15), z.literal(20), z.literal(30), z.literal(60)]).default(5),
        })
        .prefault({}),
});

const recoveryTarget = z.strictObject({
    rpoMinutes: z.number().min(0).max(100000),
    rtoMinutes: z.number().min(1).max(100000),
});

export const drSchema = z.strictObject({
    /** Cross-region DR (replica, replication, backup copies). Defaults to true. */
    enabled: z.boolean().default(true),
    /** DR region; must differ from aws:region. Required when enabled. */
    region: awsRegion.optional(),
    /** Promote the DR replica and build the standby cluster. Defaults to false. */
    failover: z.boolean().default(false),
    /** S3 Replication Time Control (15-minute SLA). Defaults to true. */
    replicationTimeControl: z.boolean().default(true),
    /** VPC CIDR in the DR region; must not overlap the primary VPC. Defaults to 10.1.0.0/16. */
    vpcCidr: ipv4Cidr(16, 22).default("10.1.0.0/16"),
    /** The AZ of each DR subnet index, network.azCount names in the DR region. Required when enabled. */
    availabilityZones: z.array(availabilityZone).optional(),
    /** CodeConnections connection to GitHub in the DR region, for the DR VPC's runner (a connection serves its own region only). Required when enabled. */
    ciConnectionArn: z.string().regex(CONNECTION_ARN, "must be a CodeConnections connection ARN, arn:<partition>:codeconnections:<region>:<account>:connection/<id> (or codestar-connections)").optional(),
    /** An existing IAM role operators assume to administer the standby cluster when CI cannot (break glass): cluster admin access entry. Required when enabled. */
    breakGlassRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, "must be an IAM role ARN").optional(),
    /** Recovery targets per data store, checked by the policy pack. */
    targets: z
        .strictObject({
            database: recoveryTarget.default({ rpoMinutes: 5, rtoMinutes: 60 }),
            clusterState: recoveryTarget.default({ rpoMinutes: 5, rtoMinutes: 60 }),
            objectStorage: recoveryTarget.default({ rpoMinutes: 15, rtoMinutes: 60 }),
        })
        .prefault({}),
});

export const supplyChainSchema = z.strictObject({
    /** `registry` verifies cosign signatures and SBOM attestations online; `offline` checks digests and registries only. Defaults to offline. */
    verificationMode: z.enum(["offline", "registry"]).default("offline"),
    /** Registry or registry/repository prefixes images may come from, matched on whole path segments. Defaults to public.ecr.aws, registry.k8s.io, quay.io, ghcr.io, docker.io and reg.kyverno.io (where the Kyverno chart pulls its images): the pack's own default (policies/lib/types.ts). */
    allowedRegistries: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._\/-]+)?$/, "must be a registry host, optionally with port and repository path")).min(1).default(() => [...CONFIG_PROPERTIES.allowedRegistries.default]),
    /** Registry prefixes whose images must carry a cosign signature and an SBOM attestation from cosignPublicKeys. Defaults to []. */
    signedRegistries: z.array(z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._\/-]+)?$/, "must be a registry host, optionally with port and repository path")).default([]),
    /** Cosign ECDSA P-256 public keys (PEM) images must be signed with. */
    cosignPublicKeys: z.array(cosignPublicKey).default([]),
    /** In-cluster admission: enforce (fail closed) or audit. Defaults to enforce. */
    admission: z.enum(["enforce", "audit"]).default("enforce"),
    /** Kyverno admission controller replicas (3 for HA). Defaults to 3. */
    admissionReplicas: z.number().int().min(1).max(5).default(3),
    /** SBOM format the in-cluster rule requires (the pack's registry check accepts both). Defaults to cyclonedx. */
    sbomFormat: z.enum(["cyclonedx", "spdx"]).default("cyclonedx"),
    /** Signing key, CI signing role and ECR repositories (stacks/supply-chain-schema.ts, docs/supply-chain.md). */
    signing: signingSchema.prefault({}),
    /** Digest pinning of the platform's own images from images.lock.json (docs/supply-chain.md). */
    platformImages: platformImagesSchema.prefault({}),
    /** Registry-mode budgets of the policy pack; unset keys keep its defaults (docs/policy-checks.md). */
    registryLimits: registryLimitsSchema.prefault({}),
});

export const alertingSchema = z.strictObject({
    /** Alertmanager receivers; each reads its URL/key from a secret config key `platform-secrets:<urlSecret>`. */
    receivers: z
        .array(
            z.strictObject({
                name: dnsLabel.refine((n) => n !== "null" && n !== "dead-mans-switch", "is reserved (the null receiver and the dead man's switch)"),
                type: z.enum(["slack", "pagerduty", "webhook"]),
                /** Severities routed to this receiver. */
                severities: z.array(z.enum(["critical", "warning", "info"])).min(1),
                /** Name of the secret config key in namespace platform-secrets. */
                urlSecret: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, "must be a config key name such as slackWebhookUrl"),
            }),
        )
        .default([]),
    /** The dead man's switch: Alertmanager posts the always-firing Watchdog every minute to a heartbeat URL (docs/observability.md). */
    deadMansSwitch: z
        .strictObject({
            /** Off only where nobody is paged (refused when a receiver takes critical alerts). Defaults to true. */
            enabled: z.boolean().default(true),
            /** Secret config key `platform-secrets:<urlSecret>` holding the heartbeat URL. Defaults to deadMansSwitchUrl. */
            urlSecret: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/, "must be a config key name such as deadMansSwitchUrl").default("deadMansSwitchUrl"),
        })
        .prefault({}),
});

export const platformSchema = z.strictObject({
    /** dev, staging or prod. Required. */
    environment: z.enum(ENVIRONMENTS),
    /** Extra tags on every taggable AWS resource. */
    tags: z.record(z.string().regex(/^[\w.:/=+@ -]{1,128}$/, "must be a valid AWS tag key"), z.string().max(256)).default({}),
    network: networkSchema.prefault({}),
    eks: eksSchema.prefault({}),
    database: databaseSchema.prefault({}),
    observability: observabilitySchema.prefault({}),
    delivery: deliverySchema.prefault({}),
    backup: backupSchema.prefault({}),
    dr: drSchema.prefault({}),
    supplyChain: supplyChainSchema.prefault({}),
    alerting: alertingSchema.prefault({}),
    account: accountSchema.prefault({}),
    /** AWS FIS chaos experiments (resilience-schema.ts). */
    resilience: resilienceSchema.prefault({}),
    /** The in-VPC CI runner and the roles CI uses. Required: ci.repository and ci.connectionArn. */
    // An absent platform:ci is validated as {} so the error names ci.repository and ci.connectionArn (they have no defaults).
    ci: ciSchema.prefault({} as z.input<typeof ciSchema>),
    /** EC2 instance types and RDS instance classes newer than the lists the pinned @pulumi/aws ships (stacks/instance-types.ts), accepted as written. Defaults to []. */
    unlistedInstanceTypes: z.array(z.string().regex(/^(db\.)?[a-z][a-z0-9-]*\.[a-z0-9-]+$/, "must be an EC2 instance type such as m9i.large or an RDS class such as db.r9g.large")).default([]),
    /** First deploy of a new account/region: build only the network and the CI runner (AWS APIs only, so a GitHub-hosted runner can apply it); set by the deploy workflow's bootstrap run, never in the stack file. Defaults to false. */
    ciBootstrap: z.boolean().default(false),
});

export type PlatformSettings = z.infer<typeof platformSchema>;
export type NodeGroupConfig = z.infer<typeof nodeGroup>;
export type Environment = (typeof ENVIRONMENTS)[number];
export * from "./ci-schema";
export * from "./config-values";
