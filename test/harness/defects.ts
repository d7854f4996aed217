/**
 * One defect per policy, injected into a copy of a stack's resources: the stack tests check the
 * offline evaluator catches each with exactly that policy, the engine-protocol tests check the pack
 * does the same over gRPC.
 */
import type { PolicyResource } from "../../policies/lib/types";
import type { PlatformConfig } from "../../stacks/config";

export interface Defect {
    policy: string;
    /** Picks the resource to damage. */
    pick: (r: PolicyResource) => boolean;
    inject: (r: PolicyResource) => void;
}

const rollout = (r: PolicyResource) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout";

export function defectsFor(cfg: PlatformConfig): Defect[] {
    return [
        { policy: "rds-baseline", pick: (r) => r.type === "aws:rds/instance:Instance" && !r.props.replicateSourceDb, inject: (r) => (r.props.publiclyAccessible = true) },
        { policy: "eks-baseline", pick: (r) => r.type === "aws:eks/cluster:Cluster", inject: (r) => (r.props.enabledClusterLogTypes = []) },
        { policy: "kms-key-rotation", pick: (r) => r.type === "aws:kms/key:Key", inject: (r) => (r.props.enableKeyRotation = false) },
        { policy: "launch-template-baseline", pick: (r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate", inject: (r) => (r.props.metadataOptions = {}) },
        { policy: "log-group-baseline", pick: (r) => r.type === "aws:cloudwatch/logGroup:LogGroup", inject: (r) => delete r.props.kmsKeyId },
        { policy: "security-group-baseline", pick: (r) => r.type === "aws:ec2/securityGroup:SecurityGroup", inject: (r) => (r.props.ingress = [{ cidrBlocks: ["0.0.0.0/0"] }]) },
        { policy: "iam-role-boundary", pick: (r) => r.type === "aws:iam/role:Role", inject: (r) => delete r.props.permissionsBoundary },
        { policy: "s3-baseline", pick: (r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", inject: (r) => (r.props.blockPublicPolicy = false) },
        { policy: "backup-vault-baseline", pick: (r) => r.type === "aws:backup/vault:Vault", inject: (r) => delete r.props.kmsKeyArn },
        { policy: "container-resources", pick: rollout, inject: (r) => delete r.props.spec.template.spec.containers[0].resources.limits },
        { policy: "workload-hygiene", pick: rollout, inject: (r) => (r.props.spec.template.spec.containers[0].securityContext.privileged = true) },
        { policy: "namespace-guardrails", pick: (r) => r.type === "kubernetes:core/v1:LimitRange", inject: (r) => (r.props.metadata.namespace = "elsewhere") },
        { policy: "helm-workload-resources", pick: (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "argo-rollouts", inject: (r) => delete r.props.values.controller.resources },
        { policy: "image-digest-and-registry", pick: rollout, inject: (r) => (r.props.spec.template.spec.containers[0].image = "ghcr.io/stefanprodan/podinfo:6.11.0") },
        ...(cfg.supplyChain.signedRegistries.length > 0
            ? [{ policy: "admission-sbom-rule", pick: (r: PolicyResource) => r.type === "kubernetes:kyverno.io/v1:ClusterPolicy", inject: (r: PolicyResource) => (r.props.spec.rules[0].verifyImages[0].attestations = []) }]
            : []),
        ...(cfg.dr.enabled
            ? [{ policy: "dr-targets", pick: (r: PolicyResource) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "velero", inject: (r: PolicyResource) => (r.props.values.schedules["dr-objects"].schedule = "0 */2 * * *") }]
            : []),
    ];
}
