/**
 * policies/lib/pod-crds.ts and policies/lib/workloads.ts on the cases mutation testing
 * (`npm run mutation`) found no test for: Argo Workflows templateDefaults merged key by key and
 * placed once, every structural defect's exact wording, KubeRay's autoscaler options, where each pod
 * sits in a CRD, kinds looked up as own table entries (`kind: constructor` is a custom kind, not a
 * crash), type tokens and Patch kinds, the per-evaluation workload cache, and message labels.
 */
import * as assert from "node:assert/strict";
import { crdPodSources, isKnownPodCrd } from "../../policies/lib/pod-crds";
import { carriesPodSpec, clearKubeTypeCache, containerLabel, extractWorkload, extractWorkloads, nameOf, namespaceOf, parseKubeType, perContainer, withWorkloadCache } from "../../policies/lib/workloads";
import type { PackConfig } from "../../policies/lib/types";

const argo = (spec: Record<string, any>, kind = "Workflow") => crdPodSources("argoproj.io", kind, { spec });
const R = { limits: { cpu: "1" } };
/** path, where and problems of each pod, and its containers as `kind path name`. */
const outline = (sources: ReturnType<typeof crdPodSources>) => sources!.map((s) => ({ path: s.path, where: s.where, problems: s.problems, containers: s.containers?.map((c) => `${c.kind} ${c.path} ${c.container.name}`) }));

describe("mutation-found cases: Argo Workflows pods (pod-crds.ts)", () => {
    it("templateDefaults merge into each template key by key, sidecars by name, and the defaults' own containers run once in a pod that is not non-root", () => {
        const out = argo({
            securityContext: { runAsUser: 1 }, hostNetwork: true, volumes: [{ name: "w" }],
            templateDefaults: {
                container: { image: "d", resources: R, securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true } }, securityContext: { fsGroup: 2 }, volumes: [{ name: "d" }],
                sidecars: [{ name: "s1", image: "s" }, "bad", { name: "s2" }], initContainers: [{ name: "i1" }],
            },
            templates: [
                { name: "a", container: { name: "main", image: null, securityContext: { readOnlyRootFilesystem: false }, args: ["x"] }, sidecars: [{ name: "s1", image: "own" }], volumes: [{ name: "t" }] },
                { name: "b", script: { resources: "none", source: "x" }, securityContext: { runAsNonRoot: true } },
            ],
        });
        assert.deepStrictEqual(out, [
            {
                path: "spec.templates[0]", where: "template a",
                podSpec: { securityContext: { fsGroup: 2 }, hostNetwork: true, volumes: [{ name: "w" }, { name: "d" }, { name: "t" }] },
                containers: [
                    // A null in the template is no value (Go drops it): the default image stays; objects merge, lists are the template's.
                    { path: "spec.templates[0].container", kind: "container", container: { image: "d", resources: R, securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: false }, name: "main", args: ["x"] } },
                    { path: "spec.templates[0].sidecars[0]", kind: "container", container: { name: "s1", image: "own" } },
                    { path: "spec.templateDefaults.sidecars[2]", kind: "container", container: { name: "s2" } },
                    { path: "spec.templateDefaults.initContainers[0]", kind: "initContainer", container: { name: "i1" } },
                ],
                problems: ["spec.templateDefaults.sidecars[1] is string, not a container"],
            },
            {
                path: "spec.templates[1]", where: "template b",
                podSpec: { securityContext: { fsGroup: 2, runAsNonRoot: true }, hostNetwork: true, volumes: [] },
                // The script keeps its own value where the default has an object; s1 runs only here (template a names its own s1).
                containers: [
                    { path: "spec.templates[1].script", kind: "container", container: { resources: "none", source: "x" } },
                    { path: "spec.templateDefaults.sidecars[0]", kind: "container", container: { name: "s1", image: "s" } },
                ],
                problems: [],
            },
        ]);
    });

    it("a default container's object value gives way to the template's scalar, and the workflow's securityContext applies without defaults", () => {
        const out = argo({ securityContext: { runAsUser: 1 }, volumes: "x", templateDefaults: { container: { resources: R, image: "d" }, volumes: 5 }, templates: [{ container: { resources: "none" } }] });
        assert.deepStrictEqual(out, [{ path: "spec.templates[0]", where: "spec.templates[0]", podSpec: { securityContext: { runAsUser: 1 }, hostNetwork: undefined, volumes: [] }, containers: [{ path: "spec.templates[0].container", kind: "container", container: { resources: "none", image: "d" } }], problems: [] }]);
    });

    it("when every non-root-free pod names a default sidecar, it runs in the first other pod; when every pod names it, nowhere", () => {
        const nonRoot = { runAsNonRoot: true };
        const spec = (templates: unknown[]) => ({ templateDefaults: { sidecars: [{ name: "s" }, { name: "s", image: "second" }] }, templates });
        assert.deepStrictEqual(outline(argo(spec([{ name: "a", container: {}, sidecars: [{ name: "s" }] }, { name: "b", container: {}, securityContext: nonRoot }, { name: "c", container: {}, securityContext: nonRoot }]))).map((p) => p.containers), [
            ["container spec.templates[0].container undefined", "container spec.templates[0].sidecars[0] s"],
            ["container spec.templates[1].container undefined", "container spec.templateDefaults.sidecars[0] s", "container spec.templateDefaults.sidecars[1] s"],
            ["container spec.templates[2].container undefined"],
        ]);
        assert.deepStrictEqual(outline(argo(spec([{ name: "a", container: {}, sidecars: [{ name: "s" }] }, { name: "b", container: {}, sidecars: [{ name: "s" }], securityContext: nonRoot }]))).map((p) => p.containers), [
            ["container spec.templates[0].container undefined", "container spec.templates[0].sidecars[0] s"],
            ["container spec.templates[1].container undefined", "container spec.templates[1].sidecars[0] s"],
        ]);
        // A pod is non-root only for runAsNonRoot exactly true: a securityContext without it keeps the first pod first.
        for (const sc of [{ runAsUser: 1 }, { runAsNonRoot: "true" }]) assert.deepStrictEqual(outline(argo(spec([{ container: {}, securityContext: sc }, { container: {} }]))).map((p) => p.containers!.length), [3, 1], JSON.stringify(sc));
    });

    it("default init containers merge by name like sidecars; a null default entry is a problem; a null podSpecPatch is no patch", () => {
        const out = argo({ templateDefaults: { initContainers: [{ name: "i", image: "d" }, null], sidecars: [null], podSpecPatch: null }, templates: [{ name: "a", container: {}, initContainers: [{ name: "i", resources: R }] }] });
        assert.deepStrictEqual(out![0].containers!.map((c) => [c.kind, c.path, c.container]), [["container", "spec.templates[0].container", {}], ["initContainer", "spec.templates[0].initContainers[0]", { name: "i", image: "d", resources: R }]]);
        assert.deepStrictEqual(out![0].problems, ["spec.templateDefaults.sidecars[0] is null, not a container", "spec.templateDefaults.initContainers[1] is null, not a container"]);
        // The template's own null podSpecPatch is no value: the defaults' applies, and the message names where it is set.
        assert.deepStrictEqual(argo({ templateDefaults: { podSpecPatch: "{}" }, templates: [{ container: {}, podSpecPatch: null }] })![0].problems, ["spec.templateDefaults.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead"]);
    });

    it("a template runs a pod only with a container, script, container set, sidecars, init containers or a podSpecPatch that is not null", () => {
        const pods = (t: Record<string, any>) => outline(argo({ templates: [t] }));
        for (const t of [{ name: "x" }, { sidecars: null }, { initContainers: null, podSpecPatch: null, container: null, script: null, containerSet: null }, { steps: [[{ name: "s", template: "x" }]] }]) assert.deepStrictEqual(pods(t), [], JSON.stringify(t));
        assert.deepStrictEqual(pods({ sidecars: [{ name: "p" }] }), [{ path: "spec.templates[0]", where: "spec.templates[0]", problems: [], containers: ["container spec.templates[0].sidecars[0] p"] }]);
        assert.deepStrictEqual(pods({ initContainers: [] }), [{ path: "spec.templates[0]", where: "spec.templates[0]", problems: [], containers: [] }]);
        assert.deepStrictEqual(pods({ podSpecPatch: "{}" }), [{ path: "spec.templates[0]", where: "spec.templates[0]", problems: ["spec.templates[0].podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead"], containers: [] }]);
    });

    it("every structural defect is said with its path and what it is", () => {
        const out = argo({
            podSpecPatch: "{}", templateDefaults: { sidecars: "x", initContainers: null, podSpecPatch: "{}" },
            templates: [
                { name: "t", container: [], script: null, containerSet: "x", sidecars: { name: "s" }, initContainers: [null, 5] },
                { containerSet: { containers: [{ name: "a" }, []] } },
                // A container set without containers (and a null podSpecPatch) runs nothing to judge.
                { containerSet: { containers: null }, podSpecPatch: null },
            ],
        });
        assert.deepStrictEqual(outline(out), [
            { path: "spec.templates[0]", where: "template t", containers: [], problems: [
                "spec.templates[0].container is a list, not a container",
                "spec.templates[0].containerSet is string, not a container set",
                "spec.templates[0].sidecars is object, not a list of containers",
                "spec.templates[0].initContainers[0] is null, not a container",
                "spec.templates[0].initContainers[1] is number, not a container",
                "spec.templateDefaults.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead",
                "spec.templateDefaults.sidecars is string, not a list of containers",
            ] },
            { path: "spec.templates[1]", where: "spec.templates[1]", containers: ["container spec.templates[1].containerSet.containers[0] a"], problems: ["spec.templates[1].containerSet.containers[1] is a list, not a container", "spec.templateDefaults.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead"] },
            { path: "spec", where: undefined, containers: [], problems: ["spec.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead"] },
        ]);
        assert.deepStrictEqual(outline(argo({ templateDefaults: [], templates: { a: {} } })), [{ path: "spec", where: undefined, containers: [], problems: ["spec.templateDefaults is a list, not a template", "spec.templates is object, not a list of templates"] }]);
        assert.deepStrictEqual(outline(argo({ templateDefaults: null, templates: null, podSpecPatch: null })), []);
        assert.deepStrictEqual(outline(argo({ templateDefaults: "x" }, "CronWorkflow")), [], "a CronWorkflow's WorkflowSpec is under workflowSpec");
        assert.deepStrictEqual(outline(argo({ workflowSpec: { templateDefaults: "x" } }, "CronWorkflow")), [{ path: "spec.workflowSpec", where: undefined, containers: [], problems: ["spec.workflowSpec.templateDefaults is string, not a template"] }]);
        assert.deepStrictEqual(crdPodSources("argoproj.io", "Workflow", {}), []);
        assert.deepStrictEqual(crdPodSources("argoproj.io", "Workflow", { spec: [] }), []);
    });

    it("inline templates are followed through steps and dag tasks, eight levels deep at most (Argo inlines once)", () => {
        let t: Record<string, any> = { container: { name: "c10" } };
        for (let d = 9; d >= 0; d--) t = d % 2 ? { container: { name: `c${d}` }, steps: [[{ name: "x" }, { inline: t }]] } : { container: { name: `c${d}` }, dag: { tasks: ["x", { inline: t }] } };
        const names = outline(argo({ templates: [t] })).map((p) => p.containers![0]);
        assert.equal(names.length, 9);
        assert.deepStrictEqual(names.slice(0, 3), ["container spec.templates[0].container c0", "container spec.templates[0].dag.tasks[1].inline.container c1", "container spec.templates[0].dag.tasks[1].inline.steps[0][1].inline.container c2"]);
        assert.match(names[8], / c8$/);
        assert.deepStrictEqual(outline(argo({ templates: [{ steps: "x", dag: { tasks: "x" } }, { steps: [["x", null]] }, { dag: "x" }] })), []);
    });

    it("Argo kinds are looked up in argoproj.io only", () => {
        assert.equal(crdPodSources("example.com", "Workflow", { spec: { templates: [{ container: {} }] } }), undefined);
        assert.equal(crdPodSources("argoproj.io", "Rollout", { spec: { templates: [{ container: {} }] } }), undefined);
        for (const kind of ["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate"]) assert.equal(argo({ templates: [{ container: {} }] }, kind)!.length, 1, kind);
    });
});

describe("mutation-found cases: pods of the other custom kinds (pod-crds.ts)", () => {
    const pod = { template: { spec: { containers: [{ name: "c" }] } } };
    const spec = { containers: [{ name: "c" }] };
    it("each pod says where it sits: a replica type, a replicated job, a head group, the submitter, an analysis job", () => {
        assert.deepStrictEqual(crdPodSources("kubeflow.org", "PyTorchJob", { spec: { pytorchReplicaSpecs: { Master: pod, Worker: null, X: "s" } } }), [{ path: "spec.pytorchReplicaSpecs.Master.template.spec", where: "pytorchReplicaSpecs.Master", podSpec: spec, problems: [] }]);
        assert.deepStrictEqual(crdPodSources("jobset.x-k8s.io", "JobSet", { spec: { replicatedJobs: [{ template: { spec: pod } }, null] } }), [{ path: "spec.replicatedJobs[0].template.spec.template.spec", where: "replicatedJobs[0].template", podSpec: spec, problems: [] }]);
        assert.deepStrictEqual(crdPodSources("argoproj.io", "AnalysisRun", { spec: { metrics: [{ provider: { job: { spec: pod } } }, { provider: { prometheus: {} } }] } }), [{ path: "spec.metrics[0].provider.job.spec.template.spec", where: "metrics[0].provider.job", podSpec: spec, problems: [] }]);
        assert.deepStrictEqual(crdPodSources("ray.io", "RayJob", { spec: { rayClusterSpec: { headGroupSpec: pod, workerGroupSpecs: null }, submitterPodTemplate: { spec } } }), [
            { path: "spec.rayClusterSpec.headGroupSpec.template.spec", where: "rayClusterSpec.headGroupSpec", podSpec: spec, problems: [] },
            { path: "spec.submitterPodTemplate.spec", where: "submitterPodTemplate", podSpec: spec, problems: [] },
        ]);
        assert.deepStrictEqual(crdPodSources("kubeflow.org", "TFJob", { spec: { tfReplicaSpecs: 5 } }), [{ path: "spec.tfReplicaSpecs", podSpec: undefined, problems: ["spec.tfReplicaSpecs is number, not a list or map of pod templates"] }]);
        assert.deepStrictEqual(crdPodSources("kubeflow.org", "TFJob", { spec: null }), []);
        // A template that is not an object holds no pod (the API server refuses it): nothing is read through it.
        assert.deepStrictEqual(crdPodSources("ray.io", "RayJob", { spec: { submitterPodTemplate: "x", rayClusterSpec: { headGroupSpec: [] } } }), []);
    });

    it("KubeRay's autoscaler container is judged on what autoscalerOptions set, only with enableInTreeAutoscaling: true", () => {
        const ray = (kind: string, at: string[], cluster: Record<string, any>) => crdPodSources("ray.io", kind, { spec: at.length ? { [at[0]]: cluster } : cluster });
        const options = { image: "a", resources: R, securityContext: { runAsNonRoot: true }, env: [{ name: "X" }], imagePullPolicy: undefined };
        assert.deepStrictEqual(ray("RayJob", ["rayClusterSpec"], { enableInTreeAutoscaling: true, autoscalerOptions: options }), [
            { path: "spec.rayClusterSpec.autoscalerOptions", where: "autoscaler", podSpec: {}, containers: [{ path: "spec.rayClusterSpec.autoscalerOptions", kind: "container", container: { name: "autoscaler", image: "a", resources: R, securityContext: { runAsNonRoot: true } } }], problems: [], patch: true },
        ]);
        assert.deepStrictEqual(ray("RayService", ["rayClusterConfig"], { enableInTreeAutoscaling: true, autoscalerOptions: { image: undefined } }), [
            { path: "spec.rayClusterConfig.autoscalerOptions", where: "autoscaler", podSpec: {}, containers: [{ path: "spec.rayClusterConfig.autoscalerOptions", kind: "container", container: { name: "autoscaler" } }], problems: [], patch: true },
        ]);
        assert.deepStrictEqual(ray("RayCluster", [], { enableInTreeAutoscaling: true, autoscalerOptions: [] }), [{ path: "spec.autoscalerOptions", where: "autoscaler", podSpec: {}, containers: [], problems: ["spec.autoscalerOptions is a list, not autoscaler options"] }]);
        assert.deepStrictEqual(ray("RayCluster", [], { enableInTreeAutoscaling: true, autoscalerOptions: "x" })![0].problems, ["spec.autoscalerOptions is string, not autoscaler options"]);
        for (const off of [{ enableInTreeAutoscaling: "true", autoscalerOptions: options }, { enableInTreeAutoscaling: true, autoscalerOptions: null }, { enableInTreeAutoscaling: true }]) assert.deepStrictEqual(ray("RayCluster", [], off), [], JSON.stringify(off));
        assert.deepStrictEqual(crdPodSources("ray.io", "RayJob", { spec: { rayClusterSpec: "x" } }), []);
    });

    it("a TrainJob's trainer override is a patch of what it sets", () => {
        const trainer = (t: unknown) => crdPodSources("trainer.kubeflow.org", "TrainJob", { spec: { trainer: t } });
        assert.deepStrictEqual(trainer({ image: "i", resourcesPerNode: R, numNodes: 2 }), [{ path: "spec.trainer", podSpec: {}, containers: [{ path: "spec.trainer", kind: "container", container: { name: "trainer", image: "i", resources: R } }], problems: [], patch: true }]);
        assert.deepStrictEqual(trainer({ numNodes: 2 })![0].containers![0].container, { name: "trainer" });
        assert.deepStrictEqual([trainer("x"), trainer(undefined), crdPodSources("trainer.kubeflow.org", "TrainJob", { spec: "x" })], [[], [], []]);
        assert.equal(crdPodSources("kubeflow.org", "TrainJob", { spec: { trainer: {} } }), undefined);
        assert.equal(crdPodSources("trainer.kubeflow.org", "Other", { spec: { trainer: {} } }), undefined);
    });

    it("known kinds are own table entries: a kind named like an Object member is no known kind", () => {
        const known = [["kubeflow.org", "PyTorchJob"], ["ray.io", "RayCluster"], ["argoproj.io", "CronWorkflow"], ["argoproj.io", "AnalysisTemplate"], ["trainer.kubeflow.org", "TrainJob"]];
        const unknown = [["argoproj.io", "Rollout"], ["example.com", "Workflow"], ["kubeflow.org", "TrainJob"], ["trainer.kubeflow.org", "Other"], ["argoproj.io", "constructor"], ["argoproj.io", "toString"], ["ray.io", "hasOwnProperty"], ["kubeflow.org", "__proto__"]];
        assert.deepStrictEqual(known.map(([g, k]) => isKnownPodCrd(g, k)), known.map(() => true));
        assert.deepStrictEqual(unknown.map(([g, k]) => isKnownPodCrd(g, k)), unknown.map(() => false));
        assert.deepStrictEqual(unknown.map(([g, k]) => crdPodSources(g, k, { spec: { templates: [{ container: {} }] } })), unknown.map(() => undefined));
    });
});

describe("mutation-found cases: workload extraction (workloads.ts)", () => {
    const c = (name: string) => ({ name, image: "i" });
    const summary = (ws: ReturnType<typeof extractWorkloads>) => ws.map((w) => ({ kind: w.kind, group: w.group, patch: w.patch, path: w.podSpecPath, containers: w.containers.map((x) => `${x.kind} ${x.path}`), problems: w.problems }));

    it("type tokens: group, version and kind; Patch only of a built-in pod kind; anything else is no Kubernetes type", () => {
        assert.deepStrictEqual(parseKubeType("kubernetes:apps/v1:DeploymentPatch"), { group: "apps", version: "v1", kind: "Deployment", patch: true });
        assert.deepStrictEqual(parseKubeType("kubernetes:batch/v1beta1:CronJobPatch"), { group: "batch", version: "v1beta1", kind: "CronJob", patch: true });
        assert.deepStrictEqual(parseKubeType("kubernetes:argoproj.io/v1alpha1:RolloutPatch"), { group: "argoproj.io", version: "v1alpha1", kind: "RolloutPatch", patch: false });
        assert.deepStrictEqual(parseKubeType("kubernetes:apps/v1:Patch"), { group: "apps", version: "v1", kind: "Patch", patch: false });
        assert.deepStrictEqual(parseKubeType("kubernetes:core/v1:constructorPatch"), { group: "core", version: "v1", kind: "constructorPatch", patch: false });
        assert.deepStrictEqual(parseKubeType("kubernetes:x-y.io/v2:Thing9"), { group: "x-y.io", version: "v2", kind: "Thing9", patch: false });
        const refused = [undefined, "", "aws:s3/bucket:Bucket", "kubernetes:Apps/v1:Deployment", "kubernetes:apps/V1:Deployment", "kubernetes:apps/v1:Deployment:x", "xkubernetes:apps/v1:Deployment", "kubernetes:apps/v1/x:Deployment", "kubernetes:apps/v1:Deploy-ment", "kubernetes:/v1:Pod", "kubernetes:core/:Pod", "kubernetes:core/v1:"];
        assert.deepStrictEqual(refused.map((t) => parseKubeType(t)), refused.map(() => undefined));
        assert.deepStrictEqual([parseKubeType("aws:s3/bucket:Bucket"), parseKubeType("kubernetes:apps/v1:DeploymentPatch")?.patch], [undefined, true], "the same answer from the cache");
    });

    it("a kind that is a built-in kind and five more letters is no Patch; the type of a token is computed once until the cache is emptied", () => {
        assert.deepStrictEqual(parseKubeType("kubernetes:core/v1:PodSpecs"), { group: "core", version: "v1", kind: "PodSpecs", patch: false });
        const first = parseKubeType("kubernetes:apps/v1:Deployment");
        assert.strictEqual(parseKubeType("kubernetes:apps/v1:Deployment"), first);
        clearKubeTypeCache();
        const again = parseKubeType("kubernetes:apps/v1:Deployment");
        assert.notStrictEqual(again, first);
        assert.deepStrictEqual(again, first);
    });

    it("a custom resource's Patch is recognised from its props' kind", () => {
        const ws = extractWorkloads({ kind: "Rollout", spec: { template: { spec: { containers: [c("a")] } } } }, "kubernetes:argoproj.io/v1alpha1:RolloutPatch");
        assert.deepStrictEqual(summary(ws), [{ kind: "Rollout", group: "argoproj.io", patch: true, path: "spec.template.spec", containers: ["container spec.template.spec.containers[0]"], problems: [] }]);
        assert.deepStrictEqual(summary(extractWorkloads({ kind: 5, spec: { template: { spec: { containers: [] } } } }, "kubernetes:example.com/v1:ThingPatch")), [{ kind: "ThingPatch", group: "example.com", patch: false, path: "spec.template.spec", containers: [], problems: [] }]);
        assert.equal(carriesPodSpec("kubernetes:apps/v1:DeploymentPatch", null as never), true);
        assert.equal(carriesPodSpec("kubernetes:example.com/v1:Thing", null as never), false);
    });

    it("the pack's filter: built-in and known kinds always, a Rollout of argoproj.io even without a template, other kinds by a pod template at a usual path", () => {
        const custom = (spec: unknown) => carriesPodSpec("kubernetes:example.com/v1:Thing", { spec });
        assert.deepStrictEqual([{ template: { spec: { initContainers: [] } } }, { jobTargetRef: { template: { spec: { ephemeralContainers: [] } } } }, { jobTemplate: { spec: { template: { spec: { containers: [] } } } } }].map(custom), [true, true, true]);
        assert.deepStrictEqual([{ template: { spec: { containers: null } } }, { template: { spec: [] } }, { template: { spec: { volumes: [] } } }, undefined].map(custom), [false, false, false, false]);
        assert.deepStrictEqual(["kubernetes:argoproj.io/v1alpha1:Rollout", "kubernetes:example.com/v1:Rollout", "kubernetes:argoproj.io/v1alpha1:Other"].map((t) => carriesPodSpec(t, { spec: { workloadRef: { name: "x" } } })), [true, false, false]);
        assert.equal(carriesPodSpec("kubernetes:argoproj.io/v1alpha1:Rollout", "x" as never), false);
        assert.deepStrictEqual(["kubernetes:core/v1:Pod", "kubernetes:ray.io/v1:RayCluster", "kubernetes:core/v1:constructor", "kubernetes:helm.sh/v3:Release", "aws:s3/bucket:Bucket", ""].map((t) => carriesPodSpec(t, { spec: { template: { spec: { containers: [] } } } })), [true, true, true, true, false, false]);
    });

    it("kinds named like Object members are ordinary custom kinds, not a crash (own table entries)", () => {
        for (const [apiVersion, kind] of [["v1", "constructor"], ["argoproj.io/v1alpha1", "toString"], ["constructor/v1", "Pod"]]) {
            const ws = extractWorkloads({ apiVersion, kind, metadata: { name: "x" }, spec: { template: { spec: { containers: [c("a")] } } } });
            assert.deepStrictEqual(summary(ws).map((w) => [w.kind, w.path, w.containers]), [[kind, "spec.template.spec", ["container spec.template.spec.containers[0]"]]], `${apiVersion} ${kind}`);
        }
        assert.deepStrictEqual(extractWorkloads({ kind: "constructor", spec: { template: { spec: { containers: [c("a")] } } } }), [], "a bare kind that is no built-in kind has no group");
    });

    it("the type comes from the token when given, else from apiVersion and kind (core for a version without a group, a built-in group for a bare kind)", () => {
        const cron = { apiVersion: "apps/v1", kind: "Deployment", spec: { template: { spec: { containers: [c("d")] } }, jobTemplate: { spec: { template: { spec: { containers: [c("j")] } } } } } };
        assert.deepStrictEqual(summary(extractWorkloads(cron, "kubernetes:batch/v1:CronJob")).map((w) => [w.kind, w.path]), [["CronJob", "spec.jobTemplate.spec.template.spec"]]);
        assert.deepStrictEqual(summary(extractWorkloads(cron)).map((w) => [w.kind, w.path]), [["Deployment", "spec.template.spec"]]);
        assert.deepStrictEqual(summary(extractWorkloads({ apiVersion: "v1", kind: "Pod", spec: { containers: [c("p")] } })), [{ kind: "Pod", group: "core", patch: false, path: "spec", containers: ["container spec.containers[0]"], problems: [] }]);
        assert.deepStrictEqual(summary(extractWorkloads({ apiVersion: 1, kind: "Job", spec: { template: { spec: {} } } })).map((w) => [w.group, w.kind]), [["batch", "Job"]]);
        assert.deepStrictEqual(summary(extractWorkloads({ kind: "DaemonSet" })).map((w) => [w.group, w.path]), [["apps", "spec.template.spec"]]);
        assert.deepStrictEqual([extractWorkloads({ apiVersion: "v1" }), extractWorkloads({ kind: "Rollout", spec: { template: { spec: { containers: [] } } } }), extractWorkloads(null as never), extractWorkloads({}, "aws:s3/bucket:Bucket")], [[], [], [], []]);
    });

    it("a custom kind with pod templates at several usual paths is one workload per template; an argoproj.io Rollout without one is one empty workload", () => {
        const ws = extractWorkloads({ spec: { template: { spec: { containers: [c("a")] } }, jobTargetRef: { template: { spec: { initContainers: [c("b")] } } } } }, "kubernetes:example.com/v1:Thing");
        assert.deepStrictEqual(summary(ws).map((w) => [w.path, w.containers]), [["spec.template.spec", ["container spec.template.spec.containers[0]"]], ["spec.jobTargetRef.template.spec", ["initContainer spec.jobTargetRef.template.spec.initContainers[0]"]]]);
        const rollout = extractWorkloads({ metadata: { name: "r", namespace: "n" }, spec: { workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } } }, "kubernetes:argoproj.io/v1alpha1:Rollout");
        assert.deepStrictEqual(rollout.map((w) => [w.name, w.namespace, w.podSpecPath, w.containers, w.problems, w.workloadRef, w.podSpec]), [["r", "n", "spec.template.spec", [], [], { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, {}]]);
        assert.deepStrictEqual(extractWorkloads({}, "kubernetes:argoproj.io/v1alpha1:Rollout").map((w) => [w.workloadRef, w.name, w.namespace]), [[undefined, "(unnamed)", undefined]]);
        assert.deepStrictEqual(extractWorkloads({ spec: { workloadRef: { name: "x" }, template: { spec: { containers: [] } } } }, "kubernetes:example.com/v1:Rollout").map((w) => w.workloadRef), [undefined], "workloadRef is Argo Rollouts' only");
        assert.deepStrictEqual(extractWorkloads({ spec: { workloadRef: "x" } }, "kubernetes:argoproj.io/v1alpha1:Rollout").map((w) => w.workloadRef), [undefined]);
        // Other argoproj.io kinds (an Argo CD Application) are no Rollout: no placeholder, no workloadRef.
        assert.deepStrictEqual([extractWorkloads({ spec: { workloadRef: { name: "x" } } }, "kubernetes:argoproj.io/v1alpha1:Application"), extractWorkloads({ spec: {} }, "kubernetes:example.com/v1:Thing")], [[], []]);
        assert.deepStrictEqual(extractWorkloads({ spec: { workloadRef: { name: "x" }, template: { spec: { containers: [] } } } }, "kubernetes:argoproj.io/v1alpha1:Application").map((w) => w.workloadRef), [undefined]);
        assert.deepStrictEqual([extractWorkload({ spec: { containers: [c("a")] } }, "kubernetes:core/v1:Pod")?.containers.length, extractWorkload({ spec: {} }, "kubernetes:example.com/v1:Thing")], [1, undefined]);
    });

    it("a pod spec's structural defects: not an object, container lists that are not lists, entries that are not objects", () => {
        const job = (spec: unknown) => extractWorkloads({ spec: { template: { spec } } }, "kubernetes:batch/v1:Job")[0];
        assert.deepStrictEqual([job([]).problems, job("x").problems, job(null).problems, job(undefined).problems], [["spec.template.spec is a list, not a pod spec"], ["spec.template.spec is string, not a pod spec"], [], []]);
        const w = job({ containers: { name: "a" }, initContainers: "x", ephemeralContainers: [null, c("e")] });
        assert.deepStrictEqual([w.problems, w.containers], [["spec.template.spec.containers is object, not a list of containers", "spec.template.spec.initContainers is string, not a list of containers"], [{ path: "spec.template.spec.ephemeralContainers[0]", kind: "ephemeralContainer", container: {} }, { path: "spec.template.spec.ephemeralContainers[1]", kind: "ephemeralContainer", container: c("e") }]]);
        assert.deepStrictEqual(job({ containers: null, initContainers: undefined }).problems, []);
        // A CRD pod whose template is not an object, with the walker's problems kept.
        const k = extractWorkloads({ spec: { pytorchReplicaSpecs: { W: { template: { spec: "x" } } }, tfReplicaSpecs: 1 } }, "kubernetes:kubeflow.org/v1:PyTorchJob");
        assert.deepStrictEqual(k.map((x) => [x.podSpecPath, x.where, x.problems, x.podSpec]), [["spec.pytorchReplicaSpecs.W.template.spec", "pytorchReplicaSpecs.W", ["spec.pytorchReplicaSpecs.W.template.spec is string, not a pod spec"], {}]]);
    });

    it("CRD pods with their own containers keep the object's patch flag, a source's patch, its podSpec when an object, and its problems", () => {
        const t = extractWorkloads({ metadata: { name: "j", namespace: 3 }, spec: { trainer: { image: "i" } } }, "kubernetes:trainer.kubeflow.org/v1alpha1:TrainJob");
        assert.deepStrictEqual(t.map((w) => [w.name, w.namespace, w.patch, w.podSpec, w.podSpecPath, w.where, w.problems]), [["j", undefined, true, {}, "spec.trainer", undefined, []]]);
        const wf = extractWorkloads({ spec: { podSpecPatch: "{}", templates: [{ name: "a", container: c("m") }] } }, "kubernetes:argoproj.io/v1alpha1:Workflow");
        assert.deepStrictEqual(wf.map((w) => [w.patch, w.where, w.containers.length, w.problems.length]), [[false, "template a", 1, 0], [false, undefined, 0, 1]]);
        const argoPatch = extractWorkloads({ kind: "Workflow", spec: { templates: [{ container: c("m") }] } }, "kubernetes:argoproj.io/v1alpha1:WorkflowPatch");
        assert.deepStrictEqual(argoPatch.map((w) => [w.kind, w.patch, w.podSpec.volumes]), [["Workflow", true, []]]);
    });

    it("names for messages and for rules: unnamed, a namespace only when a string", () => {
        const [w] = extractWorkloads({ metadata: { name: 5, namespace: ["x"] }, spec: { containers: [{ image: "i" }, c("b")] } }, "kubernetes:core/v1:Pod");
        assert.deepStrictEqual([w.name, w.namespace, nameOf(w), namespaceOf(w)], ["(unnamed)", undefined, "(unnamed)", undefined]);
        const [v] = extractWorkloads({ metadata: { name: "p", namespace: "ns" }, spec: { containers: [] } }, "kubernetes:core/v1:Pod");
        assert.deepStrictEqual([nameOf(v), namespaceOf(v), extractWorkloads({ metadata: "x", spec: {} }, "kubernetes:core/v1:Pod")[0].meta], ["p", "ns", {}]);
        assert.deepStrictEqual(w.containers.map((x) => containerLabel(w, x)), ["Pod (unnamed): container spec.containers[0]", "Pod (unnamed): container b"]);
        const [ray] = extractWorkloads({ metadata: { name: "r" }, spec: { headGroupSpec: { template: { spec: { initContainers: [c("i")] } } } } }, "kubernetes:ray.io/v1:RayCluster");
        assert.equal(containerLabel(ray, ray.containers[0]), "RayCluster r headGroupSpec: initContainer i");
    });

    it("one extraction per object and type within an evaluation, a fresh one outside it and after it", () => {
        const obj = { spec: { containers: [c("a")] } };
        assert.notStrictEqual(extractWorkloads(obj, "kubernetes:core/v1:Pod"), extractWorkloads(obj, "kubernetes:core/v1:Pod"));
        withWorkloadCache(() => {
            const first = extractWorkloads(obj, "kubernetes:core/v1:Pod");
            assert.strictEqual(extractWorkloads(obj, "kubernetes:core/v1:Pod"), first);
            assert.deepStrictEqual(extractWorkloads(obj, "kubernetes:apps/v1:Deployment").map((w) => w.kind), ["Deployment"], "another type is extracted anew");
            assert.deepStrictEqual(withWorkloadCache(() => extractWorkloads(null as never)), []);
            assert.strictEqual(withWorkloadCache(() => extractWorkloads(obj, "kubernetes:apps/v1:Deployment")) === extractWorkloads(obj, "kubernetes:apps/v1:Deployment"), false, "a nested evaluation has its own cache");
            assert.deepStrictEqual(extractWorkloads(obj, "kubernetes:apps/v1:Deployment").map((w) => w.kind), ["Deployment"]);
            assert.strictEqual(extractWorkloads(obj, "kubernetes:core/v1:Pod"), extractWorkloads(obj, "kubernetes:core/v1:Pod"), "the outer cache is back after the nested one");
        });
        assert.notStrictEqual(extractWorkloads(obj, "kubernetes:core/v1:Pod"), extractWorkloads(obj, "kubernetes:core/v1:Pod"));
    });

    it("perContainer reports structural problems only when asked, then each container's findings", () => {
        const cfg = {} as PackConfig; // the checks here read none
        const r = { urn: "u", type: "kubernetes:core/v1:Pod", name: "p", props: { metadata: { name: "p" }, spec: { containers: [c("a"), c("b")], initContainers: "x" } } };
        const check = perContainer((w, x) => [`${w.kind}/${x.container.name}`, "second"]);
        assert.deepStrictEqual(check(r, cfg), ["Pod/a", "second", "Pod/b", "second"]);
        assert.deepStrictEqual(perContainer(() => [], { structural: true })(r, cfg), ["Pod p: spec.initContainers is string, not a list of containers."]);
    });
});
