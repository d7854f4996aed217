/** Every policy of the pack, passed explicitly (no registration by import side effects). */
import { awsBaseline } from "./aws/baseline";
import { iamRoleBoundary } from "./aws/iam";
import { drTargets } from "./dr/targets";
import { backupVaultBaseline, s3Baseline } from "./aws/storage";
import { securityGroupIngressUnion } from "./aws/security-groups";
import { helmWorkloadResources, namespaceGuardrails } from "./kubernetes/guardrails";
import { workloadHygiene } from "./kubernetes/hygiene";
import { rolloutWorkloadRef } from "./kubernetes/workload-ref";
import { admissionSbomRule } from "./supply-chain/admission";
import { imageSignatures } from "./supply-chain/signatures";
import { containerResources } from "./kubernetes/limits";
import { imagePinning } from "./supply-chain/images";
import type { Policy } from "./lib/types";

export const ALL_POLICIES: Policy[] = [...awsBaseline, securityGroupIngressUnion, iamRoleBoundary, s3Baseline, backupVaultBaseline, containerResources, workloadHygiene, namespaceGuardrails, rolloutWorkloadRef, helmWorkloadResources, imagePinning, imageSignatures, admissionSbomRule, drTargets];
