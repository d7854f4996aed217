/**
 * Named value types of the public components' args. Every field is a plain value or an Input, every
 * nested object a named interface: the SDK's schema inference carries these to every Pulumi
 * language (no unions of objects, no anonymous object literals, no functions).
 */

/** An amount of CPU and memory, as Kubernetes quantities. */
export interface ResourceQuantities {
    /** CPU, e.g. "250m" or "2". */
    cpu: string;
    /** Memory, e.g. "256Mi" or "2Gi". */
    memory: string;
}

/** Container requests and limits; both are required and each limit is at least its request. */
export interface ContainerResources {
    /** What the scheduler reserves for the container. */
    requests: ResourceQuantities;
    /** The most the container may use. */
    limits: ResourceQuantities;
}

/** An HTTP GET probe on the container's port. */
export interface HttpProbe {
    /** Path probed, e.g. "/readyz". */
    path: string;
    /** Seconds before the first probe. Defaults to 5. */
    initialDelaySeconds?: number;
    /** Seconds between probes. Defaults to 10. */
    periodSeconds?: number;
}

/** Readiness and liveness probes of the container. */
export interface Probes {
    /** Readiness probe. Defaults to GET /readyz. */
    readiness?: HttpProbe;
    /** Liveness probe. Defaults to GET /healthz. */
    liveness?: HttpProbe;
}

/** Pass and fail thresholds of the canary analysis (Prometheus, through the platform's ClusterAnalysisTemplates). */
export interface CanaryAnalysis {
    /** Success rate (non-5xx share) at or above which a measurement passes. Defaults to 0.99. */
    minSuccessRate?: number;
    /** Success rate below which a measurement fails (twice aborts the rollout). Defaults to 0.95. */
    failSuccessRateBelow?: number;
    /** p95 latency in seconds at or below which a step passes. Defaults to 0.5. */
    p95MaxSeconds?: number;
    /** p95 latency in seconds above which a step fails. Defaults to 1. */
    p95FailAboveSeconds?: number;
}

/** Traffic splitting through the NGINX ingress controller. */
export interface NginxRouting {
    /** Name of the Ingress that routes to the stable Service (in the app's namespace). */
    stableIngress: string;
}

/** Traffic splitting through the AWS Load Balancer Controller. */
export interface AlbRouting {
    /** Name of the Ingress whose ALB action the rollout rewrites. */
    ingress: string;
    /** Service port the Ingress targets. */
    servicePort: number;
}

/** How the canary's traffic share is set: set exactly one of `nginx` or `alb`. Without it the canary is replica-weighted. */
export interface TrafficRouting {
    /** Split through the NGINX ingress controller. */
    nginx?: NginxRouting;
    /** Split through the AWS Load Balancer Controller. */
    alb?: AlbRouting;
}

/** Horizontal autoscaling on CPU; `replicas` becomes the minimum. */
export interface Autoscaling {
    /** Upper bound of replicas; at least `replicas`. */
    maxReplicas: number;
    /** Average CPU utilisation (percent of requests) the autoscaler aims for. */
    targetCpuPercent: number;
}
