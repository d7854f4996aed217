/**
 * The platform's own stacks pass every mandatory policy, and a copy of each stack with one defect
 * injected per policy is caught by exactly that policy.
 */
import * as assert from "node:assert/strict";
import { evaluatePack } from "../../policies/evaluate";
import { PolicyResource } from "../../policies/lib/types";
import { toPolicyResource } from "../../policies/lib/resources";
import { packConfigFromPlatform } from "../../scripts/lib/pack-config";
import { builtStack, STACKS } from "../../lib/offline/stack";

describe("the platform obeys its own policies", () => {
    for (const stack of STACKS) {
        it(`${stack} has no violation, and an injected defect per policy is caught`, async () => {
            const s = await builtStack(stack);
            const cfg = packConfigFromPlatform(s.config);
            const resources = s.resources.map(toPolicyResource);
            assert.deepEqual(evaluatePack(resources, cfg), []);
            const defects: [string, (r: PolicyResource) => boolean, (r: PolicyResource) => void][] = [
                ["rds-baseline", (r) => r.type === "aws:rds/instance:Instance", (r) => (r.props.publiclyAccessible = true)],
                ["eks-baseline", (r) => r.type === "aws:eks/cluster:Cluster", (r) => (r.props.enabledClusterLogTypes = [])],
                ["kms-key-rotation", (r) => r.type === "aws:kms/key:Key", (r) => (r.props.enableKeyRotation = false)],
                ["launch-template-baseline", (r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate", (r) => (r.props.metadataOptions = {})],
                ["log-group-baseline", (r) => r.type === "aws:cloudwatch/logGroup:LogGroup", (r) => delete r.props.kmsKeyId],
                ["security-group-baseline", (r) => r.type === "aws:ec2/securityGroup:SecurityGroup", (r) => (r.props.ingress = [{ cidrBlocks: ["0.0.0.0/0"] }])],
                ["s3-baseline", (r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", (r) => (r.props.blockPublicPolicy = false)],
                ["backup-vault-baseline", (r) => r.type === "aws:backup/vault:Vault", (r) => delete r.props.kmsKeyArn],
                ["container-resources", (r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout", (r) => delete r.props.spec.template.spec.containers[0].resources.limits],
                ["workload-hygiene", (r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout", (r) => (r.props.spec.template.spec.containers[0].securityContext.privileged = true)],
                ["namespace-guardrails", (r) => r.type === "kubernetes:core/v1:LimitRange", (r) => (r.props.metadata.namespace = "elsewhere")],
                ["helm-workload-resources", (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "argo-rollouts", (r) => delete r.props.values.controller.resources],
                ["image-digest-and-registry", (r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout", (r) => (r.props.spec.template.spec.containers[0].image = "ghcr.io/stefanprodan/podinfo:6.11.0")],
                ...(s.config.supplyChain.signedRegistries.length > 0
                    ? [["admission-sbom-rule", (r: PolicyResource) => r.type === "kubernetes:kyverno.io/v1:ClusterPolicy", (r: PolicyResource) => (r.props.spec.rules[0].verifyImages[0].attestations = [])] as [string, (r: PolicyResource) => boolean, (r: PolicyResource) => void]]
                    : []),
                ...(s.config.dr.enabled
                    ? [["dr-targets", (r: PolicyResource) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "velero", (r: PolicyResource) => (r.props.values.schedules["dr-objects"].schedule = "0 */2 * * *")] as [string, (r: PolicyResource) => boolean, (r: PolicyResource) => void]]
                    : []),
            ];
            for (const [policy, pick, inject] of defects) {
                const copy = structuredClone(resources);
                const target = copy.find(pick);
                assert.ok(target, `${stack} has no resource for ${policy}`);
                inject(target);
                assert.deepEqual([...new Set(evaluatePack(copy, cfg).map((v) => v.policy))], [policy]);
            }
        });
    }
});
