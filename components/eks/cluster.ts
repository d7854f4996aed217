/**
 * Cluster: an EKS control plane with KMS envelope encryption, all control-plane logs, access
 * entries (authentication mode API), managed node groups, pinned add-ons with Pod Identity roles,
 * a default encrypted gp3 StorageClass and a Kubernetes provider for everything in the cluster.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TAG } from "../backup/aws-backup";
import { createKmsKey } from "../shared/kms";
import { managedPolicyArn, platformRole, PolicyStatement, preBoundaryRole, RoleGuardrails, serviceTrustPolicy } from "../shared/iam";
import { componentTags, partitionOf, PlatformContext } from "../shared/naming";
import { AddonName, addonVersions } from "./addons";
import { buildKubeconfig } from "./kubeconfig";
import { NodeGroup, NodeGroupArgs } from "./nodegroup";
import { WorkloadIdentity } from "./workload-identity";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export type NodeGroupSpec = Omit<NodeGroupArgs, "clusterName" | "prefix" | "nodeRoleArn" | "subnetIds" | "volumeKmsKeyArn" | "tags"> & { name: string };

export interface ClusterArgs {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    /** Kubernetes minor version, e.g. 1.35. */
    version: string;
    vpcId: pulumi.Input<string>;
    /** Private subnets for the control-plane ENIs and the nodes. */
    privateSubnetIds: pulumi.Input<string>[];
    /** CIDRs allowed to reach the public endpoint; empty keeps the endpoint private. Defaults to []. */
    publicAccessCidrs?: string[];
    /** IAM roles granted AmazonEKSClusterAdminPolicy through access entries. Defaults to []. */
    adminRoleArns?: string[];
    /**
     * The CI roles (bootstrap/): the deploy role gets cluster admin, the preview role read-only (AmazonEKSAdminViewPolicy,
     * Secrets included, which Helm release previews read). The cluster creator gets no implicit entry
     * (bootstrapClusterCreatorAdminPermissions false), so these explicit entries never collide with one.
     */
    ciRoles?: { deployRoleArn: pulumi.Input<string>; previewRoleArn: pulumi.Input<string> };
    /**
     * Security groups (the in-VPC CI runner's) admitted to the API server on 443 through the cluster security group. The
     * Kubernetes provider waits for these rules: the first `pulumi up` from the runner needs them.
     */
    apiClients?: { name: string; securityGroupId: pulumi.Input<string>; description: string }[];
    /** Control-plane log retention in days. Defaults to 365. */
    logRetentionDays?: number;
    nodeGroups: NodeGroupSpec[];
    /** Add-on version overrides. Defaults to the pinned table in addons.ts. */
    addonVersions?: Partial<Record<AddonName, string>>;
    /** Refuse `pulumi destroy`/replacement of the control plane. Defaults to true. */
    protect?: boolean;
    /**
     * The cluster was created before the permissions boundary: keep its role at path / without the boundary, and its
     * creator's admin access (both create-only: a change replaces the cluster). Defaults to false.
     */
    preBoundaryCluster?: boolean;
    /** The Auto Scaling service-linked role when this stack creates it: the volume key policy names that role, so it waits. */
    autoScalingRole?: pulumi.Resource[];
}

export class Cluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;
    public readonly secretsKeyArn: pulumi.Output<string>;
    /** The default StorageClass: gp3, encrypted with the volume key, volumes retained on delete. */
    public readonly storageClassName: pulumi.Output<string>;
    /** KMS key for EBS volumes (node roots and PersistentVolumes). */
    public readonly volumeKeyArn: pulumi.Output<string>;
    /** ARNs of the managed node groups. */
    public readonly nodeGroupArns: pulumi.Output<string>[];
    private readonly tags: Record<string, string>;
    private readonly logicalName: string;
    private readonly roles: RoleGuardrails;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:eks:Cluster", name, {}, opts);
        this.logicalName = name;
        this.roles = args.ctx.iam;
        const { ctx } = args;
        const tags = (this.tags = componentTags(ctx, "eks"));
        const partition = partitionOf(ctx.region);
        const child = { parent: this };
        const clusterName = `${ctx.prefix}-eks`;
        const protect = args.protect ?? true;

        const secretsKey = createKmsKey(`${name}-secrets-key`, `${clusterName}-secrets`, {
            description: `${clusterName} Kubernetes secrets envelope encryption`, accountId: args.accountId, region: ctx.region, tags,
        }, { parent: this, protect });
        const asgRole = pulumi.interpolate`arn:${partition}:iam::${args.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
        const volumeKeyStatements: PolicyStatement[] = [
            { Sid: "AutoScalingUse", Effect: "Allow", Principal: { AWS: asgRole }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*" },
            { Sid: "AutoScalingGrants", Effect: "Allow", Principal: { AWS: asgRole }, Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
        ];
        const volumeKey = createKmsKey(`${name}-volume-key`, `${clusterName}-ebs`, {
            description: `${clusterName} EBS volumes`, accountId: args.accountId, region: ctx.region, extraStatements: volumeKeyStatements, tags,
        }, { parent: this, protect, dependsOn: args.autoScalingRole ?? [] });
        const logKey = createKmsKey(`${name}-logs-key`, `${clusterName}-logs`, {
            description: `${clusterName} control-plane logs`, accountId: args.accountId, region: ctx.region, servicePrincipals: ["logs"], tags,
        }, child);
        // Created before the cluster so EKS writes into an encrypted group with bounded retention.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/aws/eks/${clusterName}/cluster`, retentionInDays: args.logRetentionDays ?? 365, kmsKeyId: logKey.arn, tags,
        }, child);

        const clusterTrust = { assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]), tags };
        const clusterRole = args.preBoundaryCluster ? preBoundaryRole(`${name}-cluster-role`, clusterTrust, child) : platformRole(`${name}-cluster-role`, ctx.iam, clusterTrust, child);
        // A pre-boundary role's attachment stays too: the deploy role may not detach or attach policies on a role without the boundary.
        new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: clusterRole.name, policyArn: managedPolicyArn(partition, "AmazonEKSClusterPolicy") }, { parent: this, retainOnDelete: args.preBoundaryCluster });

        const publicCidrs = args.publicAccessCidrs ?? [];
        const cluster = new aws.eks.Cluster(`${name}-cluster`, {
            name: clusterName,
            version: args.version,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: publicCidrs.length > 0,
                publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
            },
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
            // Read by EKS at creation only (create-only in the provider: ForceNew); a cluster an earlier release created keeps true.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: args.preBoundaryCluster ?? false },
            bootstrapSelfManagedAddons: false,
            deletionProtection: protect,
            upgradePolicy: { supportType: "STANDARD" },
            tags,
        }, { parent: this, protect, dependsOn: [logGroup] });
        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
        this.secretsKeyArn = secretsKey.arn;
        this.volumeKeyArn = volumeKey.arn;

        const accessPolicy = (policy: string) => `arn:${partition}:eks::aws:cluster-access-policy/${policy}`;
        const grant = (entryName: string, principalArn: pulumi.Input<string>, policy: string) => {
            const entry = new aws.eks.AccessEntry(`${name}-${entryName}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, child);
            return new aws.eks.AccessPolicyAssociation(`${name}-${entryName}-policy`, {
                clusterName: cluster.name, principalArn, policyArn: accessPolicy(policy), accessScope: { type: "cluster" },
            }, { parent: this, dependsOn: [entry] });
        };
        const access = (args.adminRoleArns ?? []).map((principalArn, i) => grant(`admin-${i}`, principalArn, "AmazonEKSClusterAdminPolicy"));
        // The runner reaching the endpoint is part of the access the provider waits for (review finding 9).
        const apiRules = (args.apiClients ?? []).map((c) => new aws.vpc.SecurityGroupIngressRule(`${name}-api-from-${c.name}`, {
            securityGroupId: this.clusterSecurityGroupId, referencedSecurityGroupId: c.securityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: c.description,
        }, child));
        if (args.ciRoles) {
            access.push(grant("ci-deploy", args.ciRoles.deployRoleArn, "AmazonEKSClusterAdminPolicy"));
            access.push(grant("ci-preview", args.ciRoles.previewRoleArn, "AmazonEKSAdminViewPolicy"));
        }

        // Nodes get only what the kubelet needs; the CNI and EBS CSI permissions go to Pod Identity roles.
        const nodeRole = platformRole(`${name}-node-role`, ctx.iam, { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags }, child);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"];
        const nodeAttachments = nodePolicies.map((p) => new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: managedPolicyArn(partition, p) }, child));

        const versions = addonVersions(args.version, args.addonVersions);
        const addon = (addonName: AddonName, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName: cluster.name,
                addonName,
                addonVersion: versions[addonName],
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags,
                ...extra,
            }, { parent: this, dependsOn });
        const podIdentityAgent = addon("eks-pod-identity-agent");
        // Add-on roles: the add-on creates its own Pod Identity association (podIdentityAssociations).
        const addonRole = (addonName: string, serviceAccount: string, managedPolicy: string, statements: PolicyStatement[] = []) =>
            new WorkloadIdentity(`${name}-${addonName}`, {
                clusterName: cluster.name, namespace: "kube-system", serviceAccount, statements, managedPolicyArns: [managedPolicyArn(partition, managedPolicy)], associate: false, tags, roles: ctx.iam,
            }, child);
        const cniRole = addonRole("vpc-cni", "aws-node", "AmazonEKS_CNI_Policy");
        const vpcCni = addon("vpc-cni", { podIdentityAssociations: [{ roleArn: cniRole.roleArn, serviceAccount: "aws-node" }] }, [podIdentityAgent]);
        const kubeProxy = addon("kube-proxy");

        const nodeGroups = args.nodeGroups.map((spec) => new NodeGroup(`${name}-${spec.name}`, {
            ...spec,
            clusterName: cluster.name,
            prefix: ctx.prefix,
            nodeRoleArn: nodeRole.arn,
            subnetIds: args.privateSubnetIds,
            volumeKmsKeyArn: volumeKey.arn,
            tags,
        }, { parent: this, dependsOn: [...nodeAttachments, vpcCni, kubeProxy] }));

        this.nodeGroupArns = nodeGroups.map((g) => g.arn);
        addon("coredns", {}, nodeGroups);
        const ebsRole = addonRole("ebs-csi", "ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy", [
            { Sid: "UseVolumeKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: volumeKey.arn },
            { Sid: "GrantVolumeKey", Effect: "Allow", Action: "kms:CreateGrant", Resource: volumeKey.arn, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
        ]);
        const ebsCsi = addon("aws-ebs-csi-driver", { podIdentityAssociations: [{ roleArn: ebsRole.roleArn, serviceAccount: "ebs-csi-controller-sa" }] }, [...nodeGroups, podIdentityAgent]);

        this.kubeconfig = pulumi.secret(
            pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority]).apply(([n, endpoint, ca]) =>
                buildKubeconfig({ clusterName: n, endpoint, certificateAuthority: ca.data ?? "", region: ctx.region }),
            ),
        );
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [...nodeGroups, ...access, ...apiRules] });

        const storageClass = new k8s.storage.v1.StorageClass(`${name}-gp3`, {
            metadata: { name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            reclaimPolicy: "Retain",
            // Volumes carry the backup tag: AWS Backup snapshots them and copies the points to the DR vault.
            parameters: { type: "gp3", encrypted: "true", kmsKeyId: volumeKey.arn, fsType: "ext4", tagSpecification_1: `${BACKUP_TAG.key}=${BACKUP_TAG.value}` },
        }, { parent: this, provider: this.provider, dependsOn: [ebsCsi] });

        // Consumers use this output, so their volumes wait for the class (and the EBS CSI driver).
        this.storageClassName = storageClass.metadata.name;

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            clusterSecurityGroupId: this.clusterSecurityGroupId,
            kubeconfig: this.kubeconfig,
            secretsKeyArn: this.secretsKeyArn,
            volumeKeyArn: this.volumeKeyArn,
        });
    }

    /**
     * An IAM role for one workload's service account, trusted only by Pod Identity, with exactly
     * the given permissions. Observability, backup and DR components get their S3/KMS access here.
     */
    public workloadRole(namespace: string, serviceAccount: string, statements: PolicyStatement[], parent: pulumi.Resource = this): WorkloadIdentity {
        return new WorkloadIdentity(`${this.logicalName}-${namespace}-${serviceAccount}`, {
            clusterName: this.clusterName, namespace, serviceAccount, statements, tags: this.tags, roles: this.roles,
        }, { parent });
    }
}
