/**
 * Issue 23 class 6: rules satisfied in name only. A LimitRange or ResourceQuota must actually give
 * defaults and bounds; a Kyverno rule that skips images of the signed registry does not verify it;
 * zero Helm limits are no limits; a chart installed by OCI reference keeps its known workload
 * paths; Argo Workflows templateDefaults and the KubeRay autoscaler container are judged.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { chartName } from "../../policies/kubernetes/guardrails";
import { typeOfManifest } from "../../policies/lib/inputs";
import type { PolicyResource } from "../../policies/lib/types";
import { patternReachesPrefix } from "../../policies/supply-chain/admission";

const cfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "e".repeat(64);
const RES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
let n = 0;
const res = (type: string, props: Record<string, any>): PolicyResource => ({ urn: `${type}::r${++n}`, type, name: `r${n}`, props, protect: true });
const messages = (rs: PolicyResource[], policy: string, c = cfg) => evaluatePack(rs, c).filter((v) => v.policy === policy).map((v) => v.message);

describe("class 6: namespace guardrails judged on what they hold", () => {
    const ns = res("kubernetes:core/v1:Namespace", { metadata: { name: "apps" } });
    const lr = (spec: unknown) => res("kubernetes:core/v1:LimitRange", { metadata: { name: "lr", namespace: "apps" }, spec });
    const rq = (spec: unknown) => res("kubernetes:core/v1:ResourceQuota", { metadata: { name: "rq", namespace: "apps" }, spec });
    const goodLr = lr({ limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" } }] });
    const goodRq = rq({ hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi" } });
    const guard = (...rs: PolicyResource[]) => messages([ns, ...rs], "namespace-guardrails");

    it("an empty LimitRange and an empty ResourceQuota do not satisfy the guardrail", () => {
        assert.deepEqual(guard(lr({}), rq({})), [
            "Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; its LimitRange lr has no limit of type Container.",
            "Namespace apps must have a ResourceQuota that bounds its CPU and memory; its ResourceQuota rq sets no hard limit for cpu or memory (cpu/requests.cpu/limits.cpu, memory/...).",
        ]);
        assert.deepEqual(guard(goodLr, goodRq), []);
    });

    it("LimitRange defaults as the API server fills them: max gives the default limit, the default limit the default request; zero or a Pod-only range does not count", () => {
        assert.deepEqual(guard(lr({ limits: [{ type: "Container", max: { cpu: "2", memory: "1Gi" } }] }), goodRq), []);
        assert.deepEqual(guard(lr({ limits: [{ type: "Container", default: { cpu: "1", memory: "1Gi" } }] }), goodRq), []);
        assert.match(guard(lr({ limits: [{ type: "Container", default: { cpu: "0", memory: "0" }, defaultRequest: { cpu: "0", memory: "0" } }] }), goodRq).join(), /gives containers no positive default/);
        assert.match(guard(lr({ limits: [{ type: "Pod", max: { cpu: "2", memory: "1Gi" } }] }), goodRq).join(), /has no limit of type Container/);
        assert.match(guard(lr({ limits: [{ type: "Container", default: { cpu: "1" }, defaultRequest: { cpu: "1" } }] }), goodRq).join(), /gives containers no positive default/);
    });

    it("a ResourceQuota must bound CPU and memory for every pod: scoped or storage-only quotas do not count", () => {
        assert.match(guard(goodLr, rq({ hard: { pods: "10", "requests.storage": "1Ti" } })).join(), /sets no hard limit for cpu or memory/);
        assert.match(guard(goodLr, rq({ hard: { cpu: "4" } })).join(), /sets no hard limit for memory/);
        assert.match(guard(goodLr, rq({ hard: { cpu: "4", memory: "8Gi" }, scopes: ["BestEffort"] })).join(), /is scoped/);
        assert.deepEqual(guard(goodLr, rq({ hard: { cpu: "4", memory: "8Gi" } })), []);
        // One good guardrail of each kind is enough.
        assert.deepEqual(guard(lr({}), goodLr, rq({}), goodRq), []);
    });
});

describe("class 6: admission rule skipping the signed registry", () => {
    const KEY = "-----BEGIN PUBLIC KEY-----\nMFk...\n-----END PUBLIC KEY-----\n";
    const attestors = [{ entries: [{ keys: { publicKeys: KEY } }] }];
    const policy = (skipImageReferences?: string[]) => res("kubernetes:kyverno.io/v1:ClusterPolicy", {
        spec: { failurePolicy: "Fail", rules: [{ verifyImages: [{ imageReferences: ["ghcr.io/example-org/*"], ...(skipImageReferences ? { skipImageReferences } : {}), failureAction: "Enforce", attestors, attestations: [{ predicateType: "https://cyclonedx.org/bom", attestors }] }] }] },
    });
    const admission = parsePackConfig({ signedRegistries: ["ghcr.io/example-org"], admission: "enforce" });
    const msgs = (p: PolicyResource) => messages([p], "admission-sbom-rule", admission);

    it("skipImageReferences matching any image of the signed registry fails; skipping other registries does not", () => {
        assert.deepEqual(msgs(policy()), []);
        for (const skip of ["ghcr.io/example-org/*", "*", "ghcr.io/*", "ghcr.io/example-org/app:v1", "ghcr.io/example-org/app*", "ghcr.io/example-???/x", "*/example-org/*"]) {
            assert.deepEqual(msgs(policy([skip])), [`The admission rule for ghcr.io/example-org skips images of that registry (skipImageReferences ${JSON.stringify(skip)}): they would run unverified; remove them.`], skip);
        }
        for (const skip of ["docker.io/*", "ghcr.io/other-org/*", "ghcr.io/example-orgx/*", "quay.io/example-org/*"]) assert.deepEqual(msgs(policy([skip])), [], skip);
    });

    it("a wildcard pattern reaches a prefix exactly when some string with that prefix matches it", () => {
        const cases: [string, string, boolean][] = [["a*", "ab/", true], ["a?c", "ab", true], ["a?c", "abd", false], ["*x", "abc", true], ["abc", "abcd", false], ["ab", "ab", true], ["", "", true], ["", "a", false], ["**/z", "q/", true], ["abc", "ab", true], ["a*", "a", true], ["?", "ab", false], ["a?*", "abcd", true], ["ab*", "ac", false]];
        for (const [p, prefix, want] of cases) assert.equal(patternReachesPrefix(p, prefix), want, `${p} ${prefix}`);
    });
});

describe("class 6: Helm values judged on positive limits, whatever the chart reference", () => {
    const full = { requests: { cpu: "10m", memory: "10Mi" }, limits: { cpu: "1", memory: "1Gi" } };
    const zero = { requests: { cpu: "0", memory: "0" }, limits: { cpu: "0", memory: "0" } };
    const release = (chart: string, values: unknown) => res("kubernetes:helm.sh/v3:Release", { name: "rel", chart, values });
    const helm = (r: PolicyResource) => messages([r], "helm-workload-resources");

    it("all-zero limits fail (zero is no limit to the kubelet), requests above limits fail", () => {
        assert.match(helm(release("argo-rollouts", { controller: { resources: zero }, dashboard: { resources: full } })).join(), /controller\.resources must set requests\.cpu \(it is "0": zero means no limit/);
        assert.match(helm(release("something", { server: { resources: zero } })).join(), /server\.resources must set/);
        assert.match(helm(release("argo-rollouts", { controller: { resources: { requests: { cpu: "2", memory: "10Mi" }, limits: { cpu: "1", memory: "1Gi" } } }, dashboard: { resources: full } })).join(), /must set requests\.cpu within limits\.cpu/);
    });

    it("a known chart installed by OCI reference, repo/name or .tgz keeps its known workload paths", () => {
        for (const chart of ["oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack:88.5.3", `oci://registry.example.com/kube-prometheus-stack@${DIGEST}`, "prometheus-community/kube-prometheus-stack", "https://example.com/charts/kube-prometheus-stack-88.5.3.tgz", "./charts/kube-prometheus-stack/"]) {
            assert.equal(chartName(chart), "kube-prometheus-stack", chart);
            const m = helm(release(chart, { prometheusOperator: { resources: full } }));
            assert.ok(m.some((x) => /prometheus\.prometheusSpec\.resources must set/.test(x)), `${chart}: ${m.join("\n")}`);
        }
    });

    it("a known chart's other resources blocks must be complete too; a volume claim's storage request is not a container's", () => {
        const kps = { prometheusOperator: { resources: full, prometheusConfigReloader: { resources: full }, admissionWebhooks: { patch: { resources: full } } }, prometheus: { prometheusSpec: { resources: full, storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } } } } } } }, alertmanager: { alertmanagerSpec: { resources: full } }, "kube-state-metrics": { resources: full }, "prometheus-node-exporter": { resources: full } };
        assert.deepEqual(helm(release("kube-prometheus-stack", kps)), []);
        assert.match(helm(release("kube-prometheus-stack", { ...kps, grafana: { resources: { limits: { cpu: "1" } } } })).join(), /grafana\.resources must set requests\.cpu/);
    });
});

describe("class 6: Argo Workflows templateDefaults and the KubeRay autoscaler", () => {
    const wf = (spec: Record<string, any>) => res(typeOfManifest("argoproj.io/v1alpha1", "Workflow"), { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "wf", namespace: "ml" }, spec });
    const main = { name: "main", image: `ghcr.io/org/main@${DIGEST}`, resources: RES, securityContext: HARDENED };
    const limits = (r: PolicyResource) => messages([r], "container-resources");

    it("a sidecar declared only in templateDefaults is judged in every pod template (not in steps templates)", () => {
        const sidecar = { name: "proxy", image: `ghcr.io/org/proxy@${DIGEST}`, securityContext: HARDENED };
        const spec = { entrypoint: "s", templateDefaults: { sidecars: [sidecar] }, templates: [{ name: "s", steps: [[{ name: "a", template: "a" }]] }, { name: "a", container: main }] };
        assert.deepEqual(limits(wf(spec)), [
            "Workflow wf template a: container proxy resources.requests.cpu is not set; set a positive quantity.",
            "Workflow wf template a: container proxy resources.limits.cpu is not set; set a positive quantity.",
            "Workflow wf template a: container proxy resources.requests.memory is not set; set a positive quantity.",
            "Workflow wf template a: container proxy resources.limits.memory is not set; set a positive quantity.",
        ]);
        assert.deepEqual(limits(wf({ ...spec, templateDefaults: { sidecars: [{ ...sidecar, resources: RES }] } })), []);
        // The template's own sidecar of the same name wins, merged with the default's fields.
        assert.deepEqual(limits(wf({ ...spec, templates: [spec.templates[0], { name: "a", container: main, sidecars: [{ name: "proxy", resources: RES }] }] })), []);
        assert.match(messages([wf({ ...spec, templateDefaults: { sidecars: [{ ...sidecar, resources: RES, image: "busybox:1.36" }] } })], "image-digest-and-registry").join(), /container proxy image busybox:1\.36 must be pinned by digest/);
    });

    it("templateDefaults.container is merged into each container template (its limits count), and its podSpecPatch is refused", () => {
        const bare = { name: "main", image: main.image, securityContext: HARDENED };
        assert.equal(limits(wf({ entrypoint: "a", templates: [{ name: "a", container: bare }] })).length, 4);
        assert.deepEqual(limits(wf({ entrypoint: "a", templateDefaults: { container: { resources: RES } }, templates: [{ name: "a", container: bare }] })), []);
        assert.match(limits(wf({ entrypoint: "a", templateDefaults: { podSpecPatch: "{}" }, templates: [{ name: "a", container: main }] })).join(), /spec\.templateDefaults\.podSpecPatch can change any container/);
    });

    const ray = (extra: Record<string, any>) => res(typeOfManifest("ray.io/v1", "RayCluster"), {
        apiVersion: "ray.io/v1", kind: "RayCluster", metadata: { name: "rc", namespace: "ml" },
        spec: { headGroupSpec: { rayStartParams: {}, template: { spec: { containers: [{ ...main, name: "head" }] } } }, ...extra },
    });
    it("the KubeRay autoscaler container is judged on what autoscalerOptions set, when in-tree autoscaling is on", () => {
        assert.deepEqual(messages([ray({ enableInTreeAutoscaling: true })], "image-digest-and-registry"), []);
        assert.deepEqual(messages([ray({ enableInTreeAutoscaling: true, autoscalerOptions: { image: "rayproject/ray:2.9.0" } })], "image-digest-and-registry"), [
            "RayCluster rc autoscaler: container autoscaler image rayproject/ray:2.9.0 must be pinned by digest (@sha256:<64 hex>); a tag alone can move.",
        ]);
        assert.match(messages([ray({ enableInTreeAutoscaling: true, autoscalerOptions: { resources: { limits: { cpu: "0", memory: "512Mi" } } } })], "container-resources").join(), /RayCluster rc autoscaler: container autoscaler resources\.limits\.cpu is "0"/);
        assert.deepEqual(messages([ray({ enableInTreeAutoscaling: false, autoscalerOptions: { image: "rayproject/ray:2.9.0" } })], "image-digest-and-registry"), [], "off: no autoscaler runs");
        assert.match(messages([ray({ enableInTreeAutoscaling: true, autoscalerOptions: { securityContext: { privileged: true } } })], "workload-hygiene").join(), /container autoscaler is privileged/);
    });
});
