/**
 * Kubernetes rules on the cases mutation testing (`npm run mutation`) found
 * no test for: each assertion pins a message or verdict a mutant of policies/kubernetes/
 * changed without any test failing.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { chartName } from "../../policies/kubernetes/guardrails";
import type { PolicyResource } from "../../policies/lib/types";
import { UNKNOWN } from "../../policies/lib/unknown";

const cfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "e".repeat(64);
const IMAGE = `ghcr.io/example-org/app@${DIGEST}`;
const RES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
let n = 0;
const res = (type: string, props: Record<string, any>, extra: Partial<PolicyResource> = {}): PolicyResource => ({ urn: `urn:${type}::r${++n}`, type, name: `r${n}`, props, protect: true, ...extra });
const verdicts = (rs: PolicyResource[], policy: string) => evaluatePack(rs, cfg).filter((v) => v.policy === policy).map((v) => [v.enforcementLevel, v.message]);
const messages = (rs: PolicyResource[], policy: string) => verdicts(rs, policy).map(([, m]) => m);
const pod = (namespace: string, container: Record<string, unknown>) => res("kubernetes:core/v1:Pod", { metadata: { name: "p", namespace }, spec: { containers: [{ name: "c", image: IMAGE, securityContext: HARDENED, resources: RES, ...container }] } });

describe("mutation-found cases: namespace guardrails", () => {
    const ns = res("kubernetes:core/v1:Namespace", { metadata: { name: "apps" } });
    const lr = (namespace: unknown, spec: unknown) => res("kubernetes:core/v1:LimitRange", { metadata: { name: "lr", namespace }, spec });
    const goodLimits = { limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" } }] };
    const goodRq = res("kubernetes:core/v1:ResourceQuota", { metadata: { name: "rq", namespace: "apps" }, spec: { hard: { cpu: "4", memory: "8Gi" } } });

    it("a LimitRange whose namespace is unknown (tied to nothing) leaves a namespace without one undecided, advisory", () => {
        const v = verdicts([ns, lr(UNKNOWN, goodLimits), goodRq], "namespace-guardrails");
        assert.equal(v.length, 1, JSON.stringify(v));
        assert.equal(v[0][0], "advisory");
        assert.match(v[0][1], /^undecided during preview \(r\d+\.metadata unknown until the update; decided at `pulumi up`\): Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; it has no LimitRange\.$/);
    });
    it("a LimitRange without a spec, or whose limits are not a list, has no limit of type Container", () => {
        for (const spec of [undefined, { limits: { type: "Container", max: { cpu: "1", memory: "1Gi" } } }]) {
            assert.deepEqual(verdicts([ns, lr("apps", spec), goodRq], "namespace-guardrails"), [["mandatory", "Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; its LimitRange lr has no limit of type Container."]], JSON.stringify(spec));
        }
    });
    it("LimitRange items: one good Container item is enough, null items are skipped, and both the default limit and request must be positive", () => {
        const good = goodLimits.limits[0];
        const bad = { type: "Container", default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "0", memory: "0" } };
        assert.deepEqual(verdicts([ns, lr("apps", { limits: [null, bad, good] }), goodRq], "namespace-guardrails"), []);
        assert.deepEqual(verdicts([ns, lr("apps", { limits: [bad] }), goodRq], "namespace-guardrails"), [["mandatory", "Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; its LimitRange lr gives containers no positive default CPU and memory request and limit (default/defaultRequest, or max/min)."]]);
        assert.equal(verdicts([ns, lr("apps", { limits: [{ type: "Container", max: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "0", memory: "1Gi" } }] }), goodRq], "namespace-guardrails").length, 1);
    });
    it("ResourceQuota: requests.* or limits.* alone bound a resource, zero is a bound, a negative or scopeSelector'd quota is not", () => {
        const goodLr = lr("apps", goodLimits);
        const rq = (spec: unknown, metadata: Record<string, unknown> = { name: "rq", namespace: "apps" }) => res("kubernetes:core/v1:ResourceQuota", { metadata, spec });
        const guard = (...rs: PolicyResource[]) => verdicts([ns, goodLr, ...rs], "namespace-guardrails").map(([, m]) => m);
        assert.deepEqual(guard(rq({ hard: { "requests.cpu": "1", "requests.memory": "1Gi" } })), []);
        assert.deepEqual(guard(rq({ hard: { "limits.cpu": "1", "limits.memory": "1Gi" } })), []);
        assert.deepEqual(guard(rq({ hard: { cpu: "0", memory: "0" } })), []);
        assert.deepEqual(guard(rq({ hard: { cpu: "-1", memory: "1Gi" } })), ["Namespace apps must have a ResourceQuota that bounds its CPU and memory; its ResourceQuota rq sets no hard limit for cpu (cpu/requests.cpu/limits.cpu, memory/...)."]);
        assert.deepEqual(guard(rq({ hard: { cpu: "1", memory: "1Gi" }, scopeSelector: { matchExpressions: [] } })), ["Namespace apps must have a ResourceQuota that bounds its CPU and memory; its ResourceQuota rq is scoped (scopes/scopeSelector), so it bounds only some pods."]);
        // Without a name the resource's own name is used; two wrong quotas are listed one after the other.
        const unnamed = rq({}, { namespace: "apps" });
        assert.deepEqual(guard(unnamed, rq({ hard: { cpu: "1" } })), [`Namespace apps must have a ResourceQuota that bounds its CPU and memory; its ResourceQuota ${unnamed.name} sets no hard limit for cpu or memory (cpu/requests.cpu/limits.cpu, memory/...); rq sets no hard limit for memory (cpu/requests.cpu/limits.cpu, memory/...).`]);
        // A quota without metadata names no namespace.
        assert.deepEqual(guard(res("kubernetes:core/v1:ResourceQuota", { spec: { hard: { cpu: "1", memory: "1Gi" } } })), ["Namespace apps must have a ResourceQuota that bounds its CPU and memory; it has no ResourceQuota."]);
    });
    it("a Namespace without metadata is named by its resource name", () => {
        const bare = res("kubernetes:core/v1:Namespace", {});
        assert.deepEqual(verdicts([bare, lr(bare.name, goodLimits)], "namespace-guardrails"), [["mandatory", `Namespace ${bare.name} must have a ResourceQuota that bounds its CPU and memory; it has no ResourceQuota.`]]);
    });
    it("a namespace whose own LimitRange is wrong stays mandatory even when another LimitRange's namespace is unknown", () => {
        const v = verdicts([ns, lr("apps", {}), lr(UNKNOWN, goodLimits), goodRq], "namespace-guardrails");
        assert.deepEqual(v, [["mandatory", "Namespace apps must have a LimitRange that gives every container positive default CPU and memory requests and limits; its LimitRange lr has no limit of type Container."]]);
    });
});

describe("mutation-found cases: Helm release resources", () => {
    const release = (values: unknown, chart = "in-house") => res("kubernetes:helm.sh/v3:Release", { name: "rel", chart, values });
    const helm = (values: unknown, chart?: string) => messages([release(values, chart)], "helm-workload-resources");

    it("a chart given as nothing is named by the empty string", () => {
        assert.equal(chartName(undefined), "");
        assert.equal(chartName(null), "");
        assert.equal(chartName("oci://ghcr.io/org/charts/loki:6.1.0"), "loki");
    });
    it("chart names: the last path segment (blanks, every trailing slash and any scheme dropped); .tgz files with pre-release and build versions, multi-digit versions, repo paths; a plain name with digits is kept", () => {
        for (const [given, name] of [
            ["  loki  ", "loki"],
            ["grafana/loki//", "loki"],
            ["oci://loki:6.1.0", "loki"],
            ["https://charts.example.com/a/b/loki-6.1.0.tgz", "loki"],
            ["file:///srv/charts/loki/", "loki"],
            ["loki", "loki"],
            ["loki-6.1.0-rc.1.tgz", "loki"],
            ["https://example.com/charts/loki-6.10.0+build.5.TGZ", "loki"],
            ["./charts/kube-prometheus-stack-v88.5.13.tgz", "kube-prometheus-stack"],
            ["prometheus-community/kube-prometheus-stack", "kube-prometheus-stack"],
            ["oci://ghcr.io/org/charts/kyverno@sha256:" + "a".repeat(64), "kyverno"],
            ["my-chart-1.2.3", "my-chart-1.2.3"],
            ["charts/velero/", "velero"],
        ]) assert.equal(chartName(given), name, given);
    });
    it("a values resources block with requests above limits is refused; a volume claim template's resources are not a container's", () => {
        assert.deepEqual(helm({ resources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }), ["Helm release rel (chart in-house): resources must set requests.cpu within limits.cpu."]);
        assert.deepEqual(helm({ resources: RES, volumeClaimTemplate: { resources: {} } }), []);
        assert.deepEqual(helm({ resources: RES, server: { volumeClaimTemplates: [{ spec: { resources: {} } }] } }), []);
        assert.deepEqual(helm({ resources: RES, server: { myvolumeClaimTemplate: { resources: {} } } }), ["Helm release rel (chart in-house): server.myvolumeClaimTemplate.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
    });
    it("a part switched off (`<part>.enabled: false`) needs no resources; switched on explicitly or by default it does", () => {
        assert.deepEqual(helm({ resources: RES, sidecar: { enabled: false } }, "grafana"), []);
        assert.deepEqual(helm({ resources: RES }, "grafana"), ["Helm release rel (chart grafana): sidecar.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        assert.deepEqual(helm({ resources: RES, sidecar: { enabled: true, resources: {} } }, "grafana"), ["Helm release rel (chart grafana): sidecar.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        // A top-level path has no part to switch off.
        assert.deepEqual(helm({ resources: false, sidecar: { resources: RES } }, "grafana"), ["Helm release rel (chart grafana): resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        // A nested part's switch is the sibling of its resources: gateway.metrics.enabled for gateway.metrics.resources.
        const loki = Object.fromEntries(["singleBinary", "write", "read", "backend", "chunksCache", "resultsCache", "memcachedExporter", "sidecar"].map((k) => [k, { resources: RES }]));
        assert.deepEqual(helm({ ...loki, gateway: { resources: RES, metrics: { enabled: false } } }, "loki"), []);
        assert.deepEqual(helm({ ...loki, gateway: { resources: RES, metrics: { enabled: true } } }, "loki"), ["Helm release rel (chart loki): gateway.metrics.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        // Other charts: a block of a part switched off is not judged.
        assert.deepEqual(helm({ resources: RES, worker: { enabled: false, resources: {} } }), []);
        assert.deepEqual(helm({ resources: RES, worker: { resources: {} } }), ["Helm release rel (chart in-house): worker.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
    });
    it("an optional part (jaeger's esIndexCleaner) is judged only when switched on", () => {
        const jaeger = { jaeger: { resources: RES } };
        assert.deepEqual(helm(jaeger, "jaeger"), []);
        assert.deepEqual(helm({ ...jaeger, esIndexCleaner: { resources: {} } }, "jaeger"), []);
        assert.deepEqual(helm({ ...jaeger, esIndexCleaner: { enabled: true } }, "jaeger"), ["Helm release rel (chart jaeger): esIndexCleaner.resources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        assert.deepEqual(helm({ ...jaeger, esIndexCleaner: { enabled: true, resources: RES } }, "jaeger"), []);
    });
    it("resources blocks are keys named resources or ending in Resources, holding an object", () => {
        assert.deepEqual(helm({ jobResources: {} }), ["Helm release rel (chart in-house): jobResources must set requests.cpu, limits.cpu, requests.memory, limits.memory."]);
        assert.deepEqual(helm({ resources: RES, myresources: {}, resourcesPolicy: { mode: "x" }, extraResources: "inherit", moreResources: null }), []);
        assert.deepEqual(messages([res("kubernetes:helm.sh/v3:Release", { name: "rel", values: {} })], "helm-workload-resources"), ["Helm release rel (chart ) sets no resources for its workloads."]);
    });
    it("a storage-only resources block (a volume's size) is not a container's; one that also names cpu or memory is", () => {
        assert.deepEqual(helm({ resources: RES, persistence: { resources: { requests: { storage: "10Gi" } } } }), []);
        assert.deepEqual(helm({ resources: RES, persistence: { resources: { limits: { storage: "10Gi" } } } }), []);
        assert.deepEqual(helm({ resources: RES, persistence: { resources: { requests: { storage: "10Gi", cpu: "1" } } } }), [
            "Helm release rel (chart in-house): persistence.resources must set limits.cpu, requests.memory, limits.memory.",
        ]);
        assert.deepEqual(helm({ resources: RES, persistence: { resources: { requests: { storage: "10Gi", memory: "1Gi" } } } }), [
            "Helm release rel (chart in-house): persistence.resources must set requests.cpu, limits.cpu, limits.memory.",
        ]);
        // Only a storage block: the release sets nothing for its containers.
        assert.deepEqual(helm({ persistence: { resources: { requests: { storage: "10Gi" } } } }), ["Helm release rel (chart in-house) sets no resources for its workloads."]);
    });
});

describe("mutation-found cases: workload rules' messages", () => {
    it("workload-hygiene names the default namespace [CIS EKS 4.5.2]", () => {
        assert.deepEqual(messages([pod("default", {})], "workload-hygiene"), ["Pod p runs in the default namespace [CIS EKS 4.5.2]."]);
        assert.deepEqual(messages([pod("apps", {})], "workload-hygiene"), []);
    });
    it("workload-hygiene skips null volumes and names a hostPath volume outside the system namespaces", () => {
        const p = pod("apps", {});
        p.props.spec.volumes = [null, { name: "host", hostPath: { path: "/var/run" } }];
        assert.deepEqual(messages([p], "workload-hygiene"), ["Pod p mounts hostPath /var/run (volume host) outside the system namespaces."]);
    });
    it("a Patch is judged on the insecure values it sets, and not on the fields it leaves out", () => {
        const patch = (container: Record<string, unknown>) => res("kubernetes:apps/v1:DeploymentPatch", { metadata: { name: "web", namespace: "apps" }, spec: { template: { spec: { containers: [{ name: "c", ...container }] } } } });
        assert.deepEqual(messages([patch({})], "workload-hygiene"), []);
        assert.deepEqual(messages([patch({ securityContext: { allowPrivilegeEscalation: true, readOnlyRootFilesystem: false, runAsNonRoot: false } })], "workload-hygiene"), [
            "Deployment web: container c must set allowPrivilegeEscalation: false [CIS EKS 4.2.5].",
            "Deployment web: container c must set readOnlyRootFilesystem: true.",
            "Deployment web: container c must run as non-root (runAsNonRoot: true).",
        ]);
        assert.deepEqual(messages([patch({ resources: { requests: { cpu: "0" } } })], "container-resources"), ['Deployment web: container c resources.requests.cpu is "0": zero means no limit to the kubelet and no reservation to the scheduler; set a positive quantity.']);
        assert.deepEqual(messages([patch({ resources: { limits: { memory: "0" } } })], "container-resources"), ['Deployment web: container c resources.limits.memory is "0": zero means no limit to the kubelet and no reservation to the scheduler; set a positive quantity.']);
        assert.deepEqual(messages([patch({ resources: { requests: { cpu: "1" } } })], "container-resources"), []);
    });
    it("container-resources refuses resources that are not an object, saying so", () => {
        for (const resources of [null, "100m", ["cpu"], 3]) {
            assert.deepEqual(messages([pod("apps", { resources })], "container-resources"), ["Pod p: container c resources must be an object with requests and limits."], JSON.stringify(resources));
        }
    });
    it("rollout-workload-ref names the Rollout's namespace when the referenced object is missing", () => {
        const rollout = (namespace?: string) => res("kubernetes:argoproj.io/v1alpha1:Rollout", { metadata: { name: "ro", ...(namespace ? { namespace } : {}) }, spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } } });
        assert.deepEqual(messages([rollout("apps")], "rollout-workload-ref"), ["Rollout ro: spec.workloadRef Deployment web (namespace apps) is not in this stack or input with a pod template, so the pods it runs cannot be checked; deploy the Deployment with it."]);
        assert.deepEqual(messages([rollout()], "rollout-workload-ref"), ["Rollout ro: spec.workloadRef Deployment web is not in this stack or input with a pod template, so the pods it runs cannot be checked; deploy the Deployment with it."]);
        // The same name in another namespace is another object.
        const web = (namespace: string) => res("kubernetes:apps/v1:Deployment", { metadata: { name: "web", namespace }, spec: { selector: {}, template: { spec: { containers: [{ name: "c", image: IMAGE, resources: RES, securityContext: HARDENED }] } } } });
        assert.equal(messages([rollout("apps"), web("other")], "rollout-workload-ref").length, 1);
        assert.deepEqual(messages([rollout("apps"), web("apps")], "rollout-workload-ref"), []);
    });
});

describe("mutation-found cases: rollout-workload-ref", () => {
    const ref = (workloadRef: unknown, group = "argoproj.io", kind = "Rollout") => res(`kubernetes:${group}/v1alpha1:${kind}`, { metadata: { name: "ro", namespace: "apps" }, spec: { workloadRef } });
    const deployment = (metadata: Record<string, unknown>, type = "kubernetes:apps/v1:Deployment") => res(type, { metadata: { namespace: "apps", ...metadata }, spec: { selector: {}, template: { spec: { containers: [{ name: "c", image: IMAGE, resources: RES, securityContext: HARDENED }] } } } });
    const check = (...rs: PolicyResource[]) => messages(rs, "rollout-workload-ref");
    const MISSING = "Rollout ro: spec.workloadRef Deployment web (namespace apps) is not in this stack or input with a pod template, so the pods it runs cannot be checked; deploy the Deployment with it.";

    it("a workloadRef without a string kind and name is refused", () => {
        for (const w of [null, {}, { kind: 5, name: "web" }, { kind: "Deployment", name: 7 }, { kind: "Deployment" }, { name: "web" }, { kind: "", name: "web" }, { kind: "Deployment", name: "" }]) {
            assert.deepEqual(check(ref(w)), ["Rollout ro: spec.workloadRef must name a kind and a name."], JSON.stringify(w));
        }
    });
    it("only Rollouts with a workloadRef are checked", () => {
        assert.deepEqual(check(res("kubernetes:argoproj.io/v1alpha1:Rollout", { metadata: { name: "ro" } })), []);
        assert.deepEqual(check(ref({ kind: "Deployment", name: "web" }, "argoproj.io", "Experiment")), []);
        assert.deepEqual(check(ref({ kind: "Deployment", name: "web" }, "example.com")), []);
    });
    it("an object without a name is found by its resource name; a named one, or a Patch, is not", () => {
        const unnamed = deployment({});
        assert.deepEqual(check(ref({ kind: "Deployment", name: unnamed.name }), unnamed), []);
        const named = deployment({ name: "other" });
        assert.equal(check(ref({ kind: "Deployment", name: named.name }), named).length, 1);
        assert.deepEqual(check(ref({ kind: "Deployment", name: "web" }), deployment({ name: "web" }, "kubernetes:apps/v1:DeploymentPatch")), [MISSING]);
        assert.deepEqual(check(ref({ kind: "Deployment", name: "web" }), deployment({ name: "web" })), []);
    });
});
