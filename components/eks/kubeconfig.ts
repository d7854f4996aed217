/**
 * A kubeconfig for an EKS cluster that authenticates with `aws eks get-token` (no static token).
 */
export interface KubeconfigInput {
    clusterName: string;
    endpoint: string;
    certificateAuthority: string;
    region: string;
}

export function buildKubeconfig(c: KubeconfigInput): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: c.clusterName, cluster: { server: c.endpoint, "certificate-authority-data": c.certificateAuthority } }],
        contexts: [{ name: c.clusterName, context: { cluster: c.clusterName, user: c.clusterName } }],
        "current-context": c.clusterName,
        users: [{
            name: c.clusterName,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: "aws",
                    args: ["eks", "get-token", "--cluster-name", c.clusterName, "--region", c.region, "--output", "json"],
                    interactiveMode: "Never",
                },
            },
        }],
    });
}
