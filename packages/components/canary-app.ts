/**
 * The public CanaryApp: the platform's CanaryApp (components/delivery/canary-app.ts) behind args
 * every Pulumi language can express. It builds the platform component as its only child, so a
 * service gets exactly the Rollout, Services, analysis and guardrails the platform's own example
 * app gets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { MetricContract } from "../../components/delivery/metric-contract";
import type { NamespaceQuota } from "../../components/security/quota";
import { PACKAGE_NAME } from "./package-name";
import { platform } from "./platform";
import type { Autoscaling, CanaryAnalysis, ContainerResources, Probes, TrafficRouting } from "./types";

export interface CanaryAppArgs {
    /** DNS label naming the Rollout, its Services (`<name>-stable`, `<name>-canary`, `<name>`) and its ServiceAccount. */
    name: string;
    /** Namespace (DNS label) to deploy into: the platform's `appNamespace` stack output, or your own namespace created with `guardrails`. */
    namespace: string;
    /** Container image, `repo@sha256:<64 hex>` (a tag may precede the digest); a tag alone is refused while `requireDigest` is true. */
    image: string;
    /** Refuse images not pinned by digest: pass the platform's `requireImageDigest` stack output. Defaults to true. */
    requireDigest?: boolean;
    /** Container port serving HTTP and /metrics. */
    port: number;
    /** Replicas, and the autoscaler's minimum when `autoscaling` is set. Defaults to 3. */
    replicas?: number;
    /** Requests and limits of the container (required; each limit at least its request). */
    resources: ContainerResources;
    /** Extra environment variables of the container; the OpenTelemetry variables are set already. Defaults to none. */
    env?: Record<string, string>;
    /** Readiness and liveness probes (HTTP GET on `port`). Defaults to /readyz and /healthz. */
    probes?: Probes;
    /** What the canary analysis reads from the app's metrics (docs/delivery.md, "Metric contract"). Defaults to /metrics with the labels `path` and `status`. */
    metrics?: MetricContract;
    /** Service account name. Defaults to `name`. */
    serviceAccount?: string;
    /** Canary weights, increasing and ending at 100; a pause and a latency analysis follow each but the last. Defaults to [10, 25, 50, 100]. */
    weights?: number[];
    /** Pause after each weight before its analysis, e.g. "2m". Defaults to 2m. */
    pauseDuration?: string;
    /** Analysis thresholds. Defaults to: success rate >= 0.99 passes and < 0.95 fails; p95 <= 0.5 s passes and > 1 s fails. */
    analysis?: CanaryAnalysis;
    /** Traffic routing through an ingress controller. Defaults to none: the canary is replica-weighted. */
    trafficRouting?: TrafficRouting;
    /** Horizontal autoscaling on CPU. Defaults to off. */
    autoscaling?: Autoscaling;
    /** Create `namespace` with a LimitRange, a ResourceQuota and the platform's application labels. Defaults to off: the namespace exists (the platform's `appNamespace` does). */
    guardrails?: NamespaceQuota;
    /** OTLP gRPC endpoint the app exports traces to: the platform's `otlpEndpoint` stack output. */
    otlpEndpoint: pulumi.Input<string>;
}

/**
 * A service shipped with a canary: an Argo Rollout whose weights step up with a pause and a latency
 * analysis after each, a background success-rate analysis that aborts and rolls back a bad
 * release, stable and canary Services measured by one ServiceMonitor, a PodDisruptionBudget, an
 * optional autoscaler and namespace guardrails, and OpenTelemetry export to the platform's
 * collector. Requests and limits are required; images are pinned by digest.
 */
export class CanaryApp extends pulumi.ComponentResource {
    /** Name of the Argo Rollout (`kubectl argo rollouts get rollout <name> -n <namespace>`). */
    public readonly rolloutName: string;
    /** Service that receives the stable share of traffic. */
    public readonly stableService: string;
    /** Service that receives the canary share of traffic. */
    public readonly canaryService: string;

    constructor(name: string, args: CanaryAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`${PACKAGE_NAME}:index:CanaryApp`, name, {}, opts);
        const app = platform().canaryApp(name, args, this);
        this.rolloutName = app.rolloutName;
        this.stableService = app.stableService;
        this.canaryService = app.canaryService;
        this.registerOutputs({ rolloutName: this.rolloutName, stableService: this.stableService, canaryService: this.canaryService });
    }
}
