/**
 * Every kind that carries a pod spec is checked: built-in kinds in every served or formerly served
 * version, Pulumi Patch resources, custom resources with a pod template at the usual paths, and a
 * Rollout's workloadRef target. Quantities compared exactly; zero, negative, malformed refused.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import { typeOfManifest } from "../../policies/lib/inputs";
import { isStackPolicy, PolicyResource } from "../../policies/lib/types";
import { carriesPodSpec, extractWorkloads } from "../../policies/lib/workloads";

const cfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "c".repeat(64);
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
const RES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const goodContainer = (name = "app", extra: Record<string, any> = {}) => ({ name, image: `ghcr.io/org/${name}@${DIGEST}`, resources: RES, securityContext: HARDENED, ...extra });

/** Puts a pod spec at a dotted path. */
function nest(path: string, podSpec: Record<string, any>): Record<string, any> {
    return path.split(".").reduceRight<Record<string, any>>((inner, k) => ({ [k]: inner }), podSpec);
}
function manifest(apiVersion: string, kind: string, path: string, podSpec: Record<string, any>, name = "w"): PolicyResource {
    const props = { apiVersion, kind, metadata: { name, namespace: "apps" }, ...nest(path, podSpec) };
    return { urn: `${kind}::${name}`, type: typeOfManifest(apiVersion, kind), name, props };
}
const messages = (rs: PolicyResource[], policy?: string) => evaluatePack(rs, cfg).filter((v) => !policy || v.policy === policy).map((v) => v.message);

const BUILTIN: [string, string, string][] = [
    ["v1", "Pod", "spec"],
    ["v1", "PodTemplate", "template.spec"],
    ["v1", "ReplicationController", "spec.template.spec"],
    ...["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"].map((v): [string, string, string] => [v, "Deployment", "spec.template.spec"]),
    ...["apps/v1", "apps/v1beta1", "apps/v1beta2"].map((v): [string, string, string] => [v, "StatefulSet", "spec.template.spec"]),
    ...["apps/v1", "apps/v1beta2", "extensions/v1beta1"].flatMap((v): [string, string, string][] => [[v, "DaemonSet", "spec.template.spec"], [v, "ReplicaSet", "spec.template.spec"]]),
    ["batch/v1", "Job", "spec.template.spec"],
    ...["batch/v1", "batch/v1beta1", "batch/v2alpha1"].map((v): [string, string, string] => [v, "CronJob", "spec.jobTemplate.spec.template.spec"]),
];

describe("every built-in kind carrying a pod spec, in every served or formerly served version", () => {
    for (const [apiVersion, kind, path] of BUILTIN) {
        it(`${apiVersion} ${kind} (${path})`, () => {
            assert.deepEqual(messages([manifest(apiVersion, kind, path, { containers: [goodContainer()] })]), []);
            const bad = manifest(apiVersion, kind, path, { containers: [goodContainer()], initContainers: [{ name: "init", image: "busybox", securityContext: { ...HARDENED, privileged: true } }] });
            const m = messages([bad]);
            assert.ok(m.some((x) => /initContainer init image busybox must be pinned by digest/.test(x)), m.join("\n"));
            assert.ok(m.some((x) => /initContainer init resources\.limits\.cpu is not set/.test(x)));
            assert.ok(m.some((x) => /initContainer init is privileged/.test(x)));
            assert.ok(carriesPodSpec(bad.type, bad.props));
        });
    }
    it("kinds without pod specs are not workloads: Service, ConfigMap, a core Service with a template-looking field elsewhere", () => {
        for (const [api, kind, props] of [["v1", "Service", { spec: { ports: [] } }], ["v1", "ConfigMap", { data: { template: "x" } }], ["kyverno.io/v1", "ClusterPolicy", { spec: { rules: [{ validate: { pattern: { spec: { template: { spec: { containers: [{ image: "!*:latest" }] } } } } } }] } }]] as const) {
            assert.equal(carriesPodSpec(typeOfManifest(api, kind), props as Record<string, any>), false, kind);
        }
    });
});

describe("Pulumi Patch resources: judged on what they set", () => {
    const patch = (type: string, podSpec: Record<string, any>, kind = "Deployment"): PolicyResource => ({ urn: `${type}::p`, type, name: "p", props: { apiVersion: "apps/v1", kind, metadata: { name: "web", namespace: "apps" }, spec: { template: { spec: podSpec } } } });
    it("DeploymentPatch (every version), StatefulSetPatch, JobPatch... are workloads for the pack's filter", () => {
        for (const t of ["kubernetes:apps/v1:DeploymentPatch", "kubernetes:apps/v1beta1:DeploymentPatch", "kubernetes:extensions/v1beta1:DaemonSetPatch", "kubernetes:batch/v1:JobPatch", "kubernetes:core/v1:PodPatch", "kubernetes:core/v1:ReplicationControllerPatch"]) {
            assert.ok(carriesPodSpec(t, {}), t);
        }
        assert.ok(!carriesPodSpec("kubernetes:core/v1:ConfigMapPatch", {}));
    });
    it("an insecure value a patch sets is a violation: unpinned image, privileged, zero limit", () => {
        const m = messages([patch("kubernetes:apps/v1:DeploymentPatch", { containers: [{ name: "web", image: "nginx:latest", securityContext: { privileged: true }, resources: { limits: { cpu: "0" } } }] })]);
        assert.ok(m.some((x) => /container web image nginx:latest must be pinned by digest/.test(x)), m.join("\n"));
        assert.ok(m.some((x) => /container web is privileged/.test(x)));
        assert.ok(m.some((x) => /resources\.limits\.cpu is "0": zero means no limit/.test(x)));
    });
    it("what a patch leaves out belongs to the patched object: a patch of env only passes", () => {
        assert.deepEqual(messages([patch("kubernetes:apps/v1:DeploymentPatch", { containers: [{ name: "web", env: [{ name: "A", value: "1" }] }] })]), []);
    });
    it("a CustomResourcePatch (token kind = props.kind + Patch) of a Rollout is a patch too", () => {
        const r = patch("kubernetes:argoproj.io/v1alpha1:RolloutPatch", { containers: [{ name: "web", image: "nginx" }] }, "Rollout");
        const [w] = extractWorkloads(r.props, r.type);
        assert.deepEqual([w.kind, w.patch], ["Rollout", true]);
        assert.ok(messages([r], "image-digest-and-registry").some((x) => /must be pinned/.test(x)));
    });
});

describe("custom resources with a pod template at the usual paths", () => {
    const cases: [string, string, string][] = [
        ["serving.knative.dev/v1", "Service", "spec.template.spec"],
        ["keda.sh/v1alpha1", "ScaledJob", "spec.jobTargetRef.template.spec"],
        ["apps.kruise.io/v1alpha1", "CloneSet", "spec.template.spec"],
        ["example.com/v1", "NightlyJob", "spec.jobTemplate.spec.template.spec"],
        ["argoproj.io/v1alpha1", "Rollout", "spec.template.spec"],
    ];
    for (const [apiVersion, kind, path] of cases) {
        it(`${apiVersion} ${kind} at ${path}`, () => {
            assert.deepEqual(messages([manifest(apiVersion, kind, path, { containers: [goodContainer()] })]), []);
            const m = messages([manifest(apiVersion, kind, path, { containers: [{ name: "app", image: "nginx", resources: { requests: { cpu: "-1", memory: "1Gi" }, limits: { cpu: "1", memory: "12x" } }, securityContext: HARDENED }] })]);
            assert.ok(m.some((x) => new RegExp(`${kind} w: container app image nginx must be pinned`).test(x)), m.join("\n"));
            assert.ok(m.some((x) => /requests\.cpu is "-1": negative quantities are invalid/.test(x)));
            assert.ok(m.some((x) => /limits\.memory "12x" is not a Kubernetes quantity/.test(x)));
        });
    }
    it("a pod spec whose containers is not a list is a violation, not a pass", () => {
        const m = messages([manifest("apps/v1", "Deployment", "spec.template.spec", { containers: { name: "app", image: "nginx" } })], "container-resources");
        assert.deepEqual(m, ["Deployment w: spec.template.spec.containers is object, not a list of containers."]);
    });
});

describe("policy: rollout-workload-ref", () => {
    const rollout = (ref: Record<string, any>, namespace = "apps"): PolicyResource => ({ urn: "ro", type: "kubernetes:argoproj.io/v1alpha1:Rollout", name: "ro", props: { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "ro", namespace }, spec: { workloadRef: ref } } });
    const target = (image: string) => manifest("apps/v1", "Deployment", "spec.template.spec", { containers: [goodContainer("web", { image })] }, "web");
    it("passes when the target is in the same input, and the target's pod template is checked", () => {
        assert.deepEqual(messages([rollout({ apiVersion: "apps/v1", kind: "Deployment", name: "web" }), target(`ghcr.io/org/web@${DIGEST}`)]), []);
        const m = messages([rollout({ apiVersion: "apps/v1", kind: "Deployment", name: "web" }), target("ghcr.io/org/web:1.0")]);
        assert.deepEqual(m, ["Deployment web: container web image ghcr.io/org/web:1.0 must be pinned by digest (@sha256:<64 hex>); a tag alone can move."]);
    });
    it("fails a missing target, a target in another namespace, and a reference without a name", () => {
        assert.match(messages([rollout({ kind: "Deployment", name: "web" })], "rollout-workload-ref")[0], /Rollout ro: spec\.workloadRef Deployment web \(namespace apps\) is not in this stack or input with a pod template/);
        assert.equal(messages([rollout({ kind: "Deployment", name: "web" }, "other"), target(`ghcr.io/org/web@${DIGEST}`)], "rollout-workload-ref").length, 1);
        assert.match(messages([rollout({ kind: "Deployment" })], "rollout-workload-ref")[0], /must name a kind and a name/);
    });
});

describe("the pack's resource filter comes from the walker, not a list of tokens", () => {
    it("every policy judging pods filters with carriesPodSpec, under CrossGuard (index.ts) and offline alike", () => {
        const workloadPolicies = ALL_POLICIES.filter((p) => !isStackPolicy(p) && p.appliesTo);
        assert.deepEqual(workloadPolicies.map((p) => p.name).sort(), ["container-resources", "image-digest-and-registry", "image-signature-and-sbom", "workload-hygiene"]);
        for (const p of workloadPolicies) assert.equal(!isStackPolicy(p) && p.appliesTo, carriesPodSpec);
    });
});

describe("quantities: Kubernetes grammar, exact arithmetic", () => {
    const container = (resources: Record<string, any>) => [manifest("v1", "Pod", "spec", { containers: [goodContainer("app", { resources })] })];
    it("equal values in different units are equal: 9m = 0.009, 1Gi = 1073741824, 0.5 = 500m; a larger request is refused", () => {
        assert.deepEqual(messages(container({ requests: { cpu: "9m", memory: "1Gi" }, limits: { cpu: "0.009", memory: "1073741824" } })), []);
        assert.deepEqual(messages(container({ requests: { cpu: 0.5, memory: "1e3" }, limits: { cpu: "500m", memory: "1k" } })), []);
        assert.deepEqual(messages(container({ requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "0.009", memory: "64Mi" } })), ["Pod w: container app requests.cpu (10m) must not exceed limits.cpu (0.009)."]);
    });
    it("zero, negative, malformed and non-string values are violations that say why", () => {
        const m = messages(container({ requests: { cpu: "0", memory: "-64Mi" }, limits: { cpu: "1.2.3", memory: true } }));
        assert.deepEqual(m, [
            'Pod w: container app resources.requests.cpu is "0": zero means no limit to the kubelet and no reservation to the scheduler; set a positive quantity.',
            'Pod w: container app resources.limits.cpu "1.2.3" is not a Kubernetes quantity (number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ... or e<exponent>); set a positive quantity.',
            'Pod w: container app resources.requests.memory is "-64Mi": negative quantities are invalid; set a positive quantity.',
            "Pod w: container app resources.limits.memory true is not a quantity (a string such as \"500m\" or \"1Gi\", or a number); set a positive quantity.",
        ]);
    });
    it("limits above the configured maxima, compared exactly (8 cores = 8000m passes, 8001m fails)", () => {
        assert.deepEqual(messages(container({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "8000m", memory: "32Gi" } })), []);
        assert.deepEqual(messages(container({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "8001m", memory: "34359738369" } })), [
            "Pod w: container app limits.cpu (8001m) must not exceed the maximum 8 cores.",
            "Pod w: container app limits.memory (34359738369) must not exceed the maximum 32Gi.",
        ]);
    });
});
