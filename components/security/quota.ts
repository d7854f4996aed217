/** What a guarded namespace may consume in total (its ResourceQuota); kept apart from namespace.ts so the public component package's API can name it without the Kubernetes SDK. */
export interface NamespaceQuota {
    /** Sum of CPU requests, e.g. "8". */
    requestsCpu: string;
    /** Sum of memory requests, e.g. "16Gi". */
    requestsMemory: string;
    /** Sum of CPU limits. */
    limitsCpu: string;
    /** Sum of memory limits. */
    limitsMemory: string;
    /** Number of PersistentVolumeClaims. Defaults to 20. */
    persistentVolumeClaims?: number;
    /** Total requested storage. Defaults to "1Ti". */
    requestsStorage?: string;
}
