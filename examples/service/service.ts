/**
 * The orders service: what a service team's stack looks like on the platform. It reads the
 * platform stack's outputs through a StackReference (the contract of stacks/outputs.ts), talks to
 * the cluster with a Kubernetes provider made from the platform's kubeconfig (a secret, and still
 * one here), and ships the service with the platform's public components (packages/components):
 * a WorkloadIdentity for its AWS access and a CanaryApp for the rollout, in the platform's
 * application namespace, tracing to the platform's collector.
 *
 * In this repository the components are imported from source; in a team's own repository the same
 * classes come from the SDK `pulumi package add` generates (packages/components/README.md).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CanaryApp, WorkloadIdentity } from "../../packages/components/index";
import { readPlatform } from "../../stacks/outputs";

export interface ServiceConfig {
    /** `<organization>/<project>/<stack>` of the platform stack (orders:platformStack). */
    platformStack: string;
    /** Image pinned by digest (orders:image). */
    image: string;
    /** Replicas, the autoscaler's minimum (orders:replicas). Defaults to 2. */
    replicas: number;
}

const SERVICE = "orders";

/** The stack's config, every problem reported at once with the key and what is allowed. */
export function readServiceConfig(config = new pulumi.Config()): ServiceConfig {
    const problems: string[] = [];
    const platformStack = config.get("platformStack") ?? "";
    if (!/^[\w.-]+\/[\w.-]+\/[\w.-]+$/.test(platformStack)) problems.push(`${config.name}:platformStack "${platformStack}" must name the platform stack as <organization>/<project>/<stack>, e.g. acme/platform/dev`);
    const image = config.get("image") ?? "";
    if (!image) problems.push(`${config.name}:image is required: the service's image, pinned by digest (repo@sha256:<64 hex>)`);
    const replicas = config.getNumber("replicas") ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 50) problems.push(`${config.name}:replicas ${replicas} must be an integer from 1 to 50`);
    if (problems.length > 0) throw new pulumi.RunError(`invalid config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    return { platformStack, image, replicas };
}

/** Builds the service and returns its stack outputs. */
export async function buildService(cfg: ServiceConfig): Promise<Record<string, pulumi.Input<unknown>>> {
    const platform = await readPlatform(new pulumi.StackReference("platform", { name: cfg.platformStack }));
    const region = new pulumi.Config("aws").get("region");
    if (region !== platform.values.region) {
        throw new pulumi.RunError(`aws:region ${region ?? "(not set)"} must be the platform's region ${platform.values.region}: the service's Pod Identity association is made in the cluster's region`);
    }
    const namespace = platform.values.appNamespace;
    const cluster = new k8s.Provider("platform", { kubeconfig: platform.outputs.kubeconfig, enableServerSideApply: true });
    const account = aws.getCallerIdentityOutput().accountId;

    const identity = new WorkloadIdentity(SERVICE, {
        clusterName: platform.outputs.clusterName,
        namespace,
        serviceAccount: SERVICE,
        statements: [{ actions: ["secretsmanager:GetSecretValue"], resources: [pulumi.interpolate`arn:aws:secretsmanager:${region}:${account}:secret:${SERVICE}/*`] }],
        permissionsBoundaryArn: platform.outputs.permissionsBoundaryArn,
        rolePath: platform.values.rolePath,
        tags: { service: SERVICE },
    });
    const app = new CanaryApp(SERVICE, {
        name: SERVICE,
        namespace,
        image: cfg.image,
        requireDigest: platform.values.requireImageDigest,
        port: 9898,
        replicas: cfg.replicas,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        autoscaling: { maxReplicas: cfg.replicas * 3, targetCpuPercent: 70 },
        analysis: { p95MaxSeconds: 0.3, p95FailAboveSeconds: 1 },
        otlpEndpoint: platform.outputs.otlpEndpoint,
    }, { providers: [cluster], dependsOn: [identity] });

    return {
        rollout: app.rolloutName,
        namespace,
        roleArn: identity.roleArn,
        watch: `kubectl argo rollouts get rollout ${app.rolloutName} -n ${namespace} --watch`,
        // Where the canary analysis measures the service (in-cluster; port-forward to query it).
        prometheusUrl: platform.outputs.prometheusUrl,
    };
}
