/**
 * What replaces a Kubernetes object under `pulumi up`, and what the API server refuses to change.
 *
 * - `replaces`: the Pulumi Kubernetes provider's own list (pulumi/pulumi-kubernetes
 *   provider/pkg/provider/diff.go, `forceNew`; helm_release.go for releases). Any object also
 *   replaces on `metadata.name` and `metadata.namespace`. ConfigMap data and Secret data/type
 *   replace because the platform's provider does not set `enableConfigMapMutable` /
 *   `enableSecretMutable` (lib/kubernetes tests check the provider inputs).
 * - `immutable`: fields the API server refuses to update that the provider does NOT replace: the
 *   update fails (kubernetes/kubernetes pkg/apis/<group>/validation, `Validate<Kind>Update`).
 * Paths are the object's fields as the program passes them (`spec.selector`).
 */

export interface KubernetesReplacementEntry {
    replaces: string[];
    immutable?: Record<string, string>;
}

const SELECTOR = ["spec.selector"];

/** By `apiVersion:Kind` (the Pulumi type token without the `kubernetes:` prefix). */
export const KUBERNETES_REPLACEMENTS: Record<string, KubernetesReplacementEntry> = {
    "apps/v1:DaemonSet": { replaces: SELECTOR },
    "apps/v1:Deployment": { replaces: SELECTOR },
    "apps/v1:StatefulSet": { replaces: ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"] },
    "batch/v1:Job": { replaces: ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"] },
    "core/v1:ConfigMap": { replaces: ["data", "binaryData"] },
    "core/v1:Secret": { replaces: ["type", "data", "stringData"] },
    "core/v1:Service": {
        replaces: ["spec.clusterIP"],
        immutable: { "spec.clusterIPs": "clusterIPs cannot change once allocated (ValidateServiceUpdate)", "spec.ipFamilies": "ipFamilies can only gain a second family (ValidateServiceUpdate)" },
    },
    "core/v1:PersistentVolumeClaim": {
        replaces: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
        immutable: { "spec.volumeMode": "a bound claim's spec is immutable except resources.requests and volumeAttributesClassName (ValidatePersistentVolumeClaimUpdate)", "spec.dataSource": "immutable after creation (ValidatePersistentVolumeClaimUpdate)" },
    },
    "core/v1:ResourceQuota": { replaces: ["spec.scopes"] },
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding": { replaces: ["roleRef"] },
    "rbac.authorization.k8s.io/v1:RoleBinding": { replaces: ["roleRef"] },
    "storage.k8s.io/v1:StorageClass": {
        replaces: ["parameters", "provisioner"],
        immutable: { reclaimPolicy: "updates to reclaimPolicy are forbidden (ValidateStorageClassUpdate)", volumeBindingMode: "volumeBindingMode is immutable (ValidateStorageClassUpdate)" },
    },
    "helm.sh/v3:Release": { replaces: ["name", "namespace"] },
};

/** Every Kubernetes object replaces when its name or namespace changes. */
export const KUBERNETES_ALWAYS = ["metadata.name", "metadata.namespace"];

/** Where each fact comes from. */
export const KUBERNETES_SOURCES = {
    provider: "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (forceNew) and helm_release.go (name, namespace), at commit 94977969d64112b04e19945818a7d5d5f38f631d (diff.go last changed in eaf47e8830cf0cbece4eee61ea8eb49998aeb92c)",
    apiServer: "kubernetes/kubernetes pkg/apis/{core,storage}/validation (Validate*Update)",
};
