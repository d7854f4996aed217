/**
 * Pinned EKS add-on versions per Kubernetes minor. kube-proxy must match the control-plane minor.
 * These builds were chosen from AWS's published add-on releases but cannot be checked offline:
 * confirm with `aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name>`
 * and override any of them with `platform:eks.addonVersions`.
 */
export type AddonName = "vpc-cni" | "coredns" | "kube-proxy" | "aws-ebs-csi-driver" | "eks-pod-identity-agent";

export const ADDON_VERSIONS: Record<string, Record<AddonName, string>> = {
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        coredns: "v1.12.3-eksbuild.1",
        "kube-proxy": "v1.34.1-eksbuild.2",
        "aws-ebs-csi-driver": "v1.51.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
    },
    "1.35": {
        "vpc-cni": "v1.21.1-eksbuild.1",
        coredns: "v1.13.1-eksbuild.1",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.1",
    },
    "1.36": {
        "vpc-cni": "v1.21.1-eksbuild.3",
        coredns: "v1.13.2-eksbuild.1",
        "kube-proxy": "v1.36.0-eksbuild.1",
        "aws-ebs-csi-driver": "v1.56.0-eksbuild.1",
        "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
    },
};

/** The pinned versions for a cluster version, with config overrides applied. */
export function addonVersions(kubernetesVersion: string, overrides: Partial<Record<AddonName, string>> = {}): Record<AddonName, string> {
    const pinned = ADDON_VERSIONS[kubernetesVersion];
    if (!pinned) throw new Error(`no pinned EKS add-on versions for Kubernetes ${kubernetesVersion}; known: ${Object.keys(ADDON_VERSIONS).join(", ")}`);
    return { ...pinned, ...overrides };
}

/** AL2023 AMI type for an instance type: Graviton families (m7g, c8g, t4g, ...) need ARM. */
export function amiTypeFor(instanceType: string): "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD" {
    const family = instanceType.split(".")[0];
    return /^[a-z]+\d+g[a-z]*$/.test(family) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
