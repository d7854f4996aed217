/**
 * Batch/ML custom resources (Argo Workflows, Kubeflow training jobs and Trainer v2, JobSet, Volcano,
 * KubeRay): every pod they run is found by the walker, so a container without limits, an unpinned
 * image or a privileged container is reported wherever it sits; a clean object passes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { typeOfManifest } from "../../policies/lib/inputs";
import type { PolicyResource } from "../../policies/lib/types";
import { carriesPodSpec, extractWorkloads } from "../../policies/lib/workloads";
import { DATA } from "../harness/reference";

const cfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "d".repeat(64);
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
const RES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const good = (name: string) => ({ name, image: `ghcr.io/org/${name}@${DIGEST}`, resources: RES, securityContext: HARDENED });
/** No limits, a tag, privileged: each workload policy has something to report. */
const bad = (name: string) => ({ name, image: "busybox:1.36", resources: { requests: { cpu: "100m", memory: "64Mi" } }, securityContext: { ...HARDENED, privileged: true } });
const pod = (c: Record<string, any>) => ({ template: { spec: { containers: [c] } } });

function object(apiVersion: string, kind: string, spec: Record<string, any>): PolicyResource {
    return { urn: `${kind}::x`, type: typeOfManifest(apiVersion, kind), name: "x", props: { apiVersion, kind, metadata: { name: "x", namespace: "ml" }, spec } };
}
const messages = (r: PolicyResource, policy?: string) => evaluatePack([r], cfg).filter((v) => !policy || v.policy === policy).map((v) => v.message);

/** Each case: the object with every pod clean, and the same object with the container named `bad` at one position. */
type Case = [label: string, apiVersion: string, kind: string, spec: (at: string) => Record<string, any>, positions: string[]];
const ray = (at: string, prefix = "") => ({
    headGroupSpec: { rayStartParams: {}, ...pod(at === `${prefix}head` ? bad("bad") : good("head")) },
    workerGroupSpecs: [{ groupName: "cpu", ...pod(good("worker")) }, { groupName: "gpu", ...pod(at === `${prefix}worker` ? bad("bad") : good("gpu")) }],
});
const CASES: Case[] = [
    ...(["PyTorchJob:pytorchReplicaSpecs", "TFJob:tfReplicaSpecs", "MPIJob:mpiReplicaSpecs", "XGBoostJob:xgbReplicaSpecs", "PaddleJob:paddleReplicaSpecs", "JAXJob:jaxReplicaSpecs"] as const).map((s): Case => {
        const [kind, field] = s.split(":");
        return [`kubeflow.org/v1 ${kind}`, "kubeflow.org/v1", kind, (at) => ({ [field]: { Master: { replicas: 1, ...pod(at === "Master" ? bad("bad") : good("master")) }, Worker: { replicas: 4, ...pod(at === "Worker" ? bad("bad") : good("worker")) } } }), ["Master", "Worker"]];
    }),
    ["kubeflow.org/v2beta1 MPIJob", "kubeflow.org/v2beta1", "MPIJob", (at) => ({ mpiReplicaSpecs: { Launcher: pod(at === "Launcher" ? bad("bad") : good("launcher")), Worker: pod(good("worker")) } }), ["Launcher"]],
    ["jobset.x-k8s.io/v1alpha2 JobSet", "jobset.x-k8s.io/v1alpha2", "JobSet", (at) => ({ replicatedJobs: [{ name: "a", template: { spec: pod(good("a")) } }, { name: "b", template: { spec: pod(at === "b" ? bad("bad") : good("b")) } }] }), ["b"]],
    ["trainer.kubeflow.org/v1alpha1 ClusterTrainingRuntime", "trainer.kubeflow.org/v1alpha1", "ClusterTrainingRuntime", (at) => ({ mlPolicy: { numNodes: 1 }, template: { spec: { replicatedJobs: [{ name: "node", template: { spec: pod(at === "node" ? bad("bad") : good("node")) } }] } } }), ["node"]],
    ["batch.volcano.sh/v1alpha1 Job", "batch.volcano.sh/v1alpha1", "Job", (at) => ({ schedulerName: "volcano", minAvailable: 2, tasks: [{ name: "ps", replicas: 1, ...pod(good("ps")) }, { name: "worker", replicas: 2, ...pod(at === "worker" ? bad("bad") : good("worker")) }] }), ["worker"]],
    ["ray.io/v1 RayCluster", "ray.io/v1", "RayCluster", (at) => ray(at), ["head", "worker"]],
    ["ray.io/v1 RayJob", "ray.io/v1", "RayJob", (at) => ({ entrypoint: "python train.py", rayClusterSpec: ray(at), submitterPodTemplate: { spec: { restartPolicy: "Never", containers: [at === "submitter" ? bad("bad") : good("submitter")] } } }), ["head", "worker", "submitter"]],
    ["ray.io/v1 RayService", "ray.io/v1", "RayService", (at) => ({ serveConfigV2: "applications: []", rayClusterConfig: ray(at) }), ["head", "worker"]],
];

describe("batch/ML custom resources: every pod is found", () => {
    for (const [label, apiVersion, kind, spec, positions] of CASES) {
        it(`${label}: clean passes; a container without limits at ${positions.join(", ")} is reported`, () => {
            const clean = object(apiVersion, kind, spec(""));
            assert.ok(carriesPodSpec(clean.type, clean.props));
            assert.deepEqual(messages(clean), []);
            for (const at of positions) {
                const m = messages(object(apiVersion, kind, spec(at)));
                for (const re of [/container bad resources\.limits\.cpu is not set/, /container bad resources\.limits\.memory is not set/, /container bad image busybox:1\.36 must be pinned by digest/, /container bad is privileged/]) {
                    assert.ok(m.some((x) => re.test(x)), `${label} at ${at}: ${re}\n${m.join("\n")}`);
                }
            }
        });
    }
    it("messages say which pod: RayCluster x workerGroupSpecs[1]: container bad ...", () => {
        const m = messages(object("ray.io/v1", "RayCluster", ray("worker")), "container-resources");
        assert.equal(m[0], "RayCluster x workerGroupSpecs[1]: container bad resources.limits.cpu is not set; set a positive quantity.");
    });
    it("a list or map of pod templates that is neither is a violation, not a pass", () => {
        const m = messages(object("ray.io/v1", "RayCluster", { headGroupSpec: pod(good("head")), workerGroupSpecs: "oops" }), "container-resources");
        assert.deepEqual(m, ["RayCluster x: spec.workerGroupSpecs is string, not a list or map of pod templates."]);
        const k = messages(object("kubeflow.org/v1", "PyTorchJob", { pytorchReplicaSpecs: { Worker: { template: { spec: { containers: { name: "w" } } } } } }), "container-resources");
        assert.deepEqual(k, ["PyTorchJob x: spec.pytorchReplicaSpecs.Worker.template.spec.containers is object, not a list of containers."]);
    });
    it("a known kind without any pod yet is still a workload kind for the pack's filter, and reports nothing", () => {
        const r = object("ray.io/v1", "RayJob", { entrypoint: "x", clusterSelector: { "ray.io/cluster": "shared" } });
        assert.ok(carriesPodSpec(r.type, r.props));
        assert.deepEqual(messages(r), []);
    });
});

describe("Kubeflow Trainer v2 TrainJob: the trainer override is judged on what it sets", () => {
    it("an unpinned image or a zero limit it sets is reported; what it leaves to the runtime is not", () => {
        assert.deepEqual(messages(object("trainer.kubeflow.org/v1alpha1", "TrainJob", { runtimeRef: { name: "torch-distributed" }, trainer: { numNodes: 2 } })), []);
        assert.deepEqual(messages(object("trainer.kubeflow.org/v1alpha1", "TrainJob", { runtimeRef: { name: "t" }, trainer: { image: `ghcr.io/org/train@${DIGEST}`, resourcesPerNode: RES } })), []);
        const m = messages(object("trainer.kubeflow.org/v1alpha1", "TrainJob", { runtimeRef: { name: "t" }, trainer: { image: "pytorch/pytorch:2.5", resourcesPerNode: { limits: { cpu: "0", memory: "8Gi" } } } }));
        assert.ok(m.some((x) => /TrainJob x: container trainer image pytorch\/pytorch:2\.5 must be pinned/.test(x)), m.join("\n"));
        assert.ok(m.some((x) => /container trainer resources\.limits\.cpu is "0"/.test(x)));
    });
});

describe("Argo Workflows: each template that runs a pod is a pod spec", () => {
    const KINDS: [string, (templates: unknown[], extra?: Record<string, any>) => Record<string, any>][] = [
        ["Workflow", (templates, extra = {}) => ({ entrypoint: "main", templates, ...extra })],
        ["WorkflowTemplate", (templates, extra = {}) => ({ entrypoint: "main", templates, ...extra })],
        ["ClusterWorkflowTemplate", (templates, extra = {}) => ({ entrypoint: "main", templates, ...extra })],
        ["CronWorkflow", (templates, extra = {}) => ({ schedules: ["0 * * * *"], workflowSpec: { entrypoint: "main", templates, ...extra } })],
    ];
    /** Every place a template can hold a container, each with its own container named `bad` in the bad variant. */
    const templates = (badAt: string) => {
        const c = (at: string, name: string) => (at === badAt ? bad("bad") : good(name));
        const badNoName: Record<string, any> = bad("bad");
        delete badNoName.name;
        return [
            { name: "main", steps: [[{ name: "a", template: "ctr" }, { name: "inline", inline: { container: c("steps-inline", "si") } }]] },
            { name: "graph", dag: { tasks: [{ name: "d", inline: { script: { ...c("dag-inline", "di"), source: "echo" } } }] } },
            { name: "ctr", container: c("container", "main") },
            { name: "scr", script: { ...(badAt === "script-unnamed" ? badNoName : good("script")), source: "print(1)" } },
            { name: "set", containerSet: { containers: [good("a"), c("containerSet", "b")] } },
            { name: "side", container: good("main"), sidecars: [c("sidecars", "proxy")], initContainers: [c("initContainers", "fetch")] },
            { name: "k8s", resource: { action: "create", manifest: "kind: ConfigMap" } },
            { name: "wait", suspend: {} },
        ];
    };
    const positions = ["container", "script-unnamed", "containerSet", "sidecars", "initContainers", "steps-inline", "dag-inline"];
    for (const [kind, spec] of KINDS) {
        it(`${kind}: clean passes; container, script, containerSet, sidecars, initContainers, inline steps/dag are all checked`, () => {
            const clean = object("argoproj.io/v1alpha1", kind, spec(templates("")));
            assert.ok(carriesPodSpec(clean.type, clean.props));
            assert.deepEqual(messages(clean), []);
            for (const at of positions) {
                const m = messages(object("argoproj.io/v1alpha1", kind, spec(templates(at))));
                const who = at === "script-unnamed" ? String.raw`container \S+\.script` : at === "initContainers" ? "initContainer bad" : "container bad";
                for (const re of [`${who} resources\\.limits\\.cpu is not set`, `${who} image busybox:1\\.36 must be pinned by digest`, `${who} is privileged`]) {
                    assert.ok(m.some((x) => new RegExp(re).test(x)), `${kind} at ${at}: ${re}\n${m.join("\n")}`);
                }
            }
        });
    }
    it("messages name the template; pods are one per template that runs one (not steps, dag, resource, suspend)", () => {
        const r = object("argoproj.io/v1alpha1", "Workflow", KINDS[0][1](templates("sidecars")));
        assert.ok(messages(r, "container-resources").includes("Workflow x template side: container bad resources.limits.cpu is not set; set a positive quantity."));
        const ws = extractWorkloads(r.props, r.type);
        assert.deepEqual(ws.map((w) => w.podSpecPath), ["spec.templates[0].steps[0][1].inline", "spec.templates[1].dag.tasks[0].inline", "spec.templates[2]", "spec.templates[3]", "spec.templates[4]", "spec.templates[5]"]);
        assert.deepEqual(ws[5].containers.map((c) => `${c.kind} ${c.path}`), ["container spec.templates[5].container", "container spec.templates[5].sidecars[0]", "initContainer spec.templates[5].initContainers[0]"]);
    });
    it("pod-level hygiene: the workflow's hostNetwork and hostPath volumes, the template's securityContext over the workflow's", () => {
        const rootOk = { ...good("main"), securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } };
        const wf = (extra: Record<string, any>, t: Record<string, any> = {}) => object("argoproj.io/v1alpha1", "Workflow", KINDS[0][1]([{ name: "main", container: rootOk, ...t }], extra));
        assert.deepEqual(messages(wf({ securityContext: { runAsNonRoot: true } }), "workload-hygiene"), []);
        assert.deepEqual(messages(wf({ securityContext: { runAsNonRoot: true } }, { securityContext: { runAsNonRoot: false } }), "workload-hygiene"), ["Workflow x template main: container main must run as non-root (runAsNonRoot: true)."]);
        const m = messages(wf({ securityContext: { runAsNonRoot: true }, hostNetwork: true, volumes: [{ name: "h", hostPath: { path: "/" } }] }), "workload-hygiene");
        assert.deepEqual(m, ["Workflow x uses hostNetwork outside the system namespaces [CIS EKS 4.2.2-4.2.4].", "Workflow x mounts hostPath / (volume h) outside the system namespaces."]);
    });
    it("podSpecPatch (workflow or template) can rewrite containers after the checks: refused", () => {
        const m = messages(object("argoproj.io/v1alpha1", "Workflow", { templates: [{ name: "t", container: good("main"), podSpecPatch: '{"containers":[{"name":"main","securityContext":{"privileged":true}}]}' }], podSpecPatch: "{}" }), "container-resources");
        assert.deepEqual(m, [
            "Workflow x: spec.templates[0].podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead.",
            "Workflow x: spec.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead.",
        ]);
    });
    it("a template's container that is not an object, or templates that are not a list, are violations", () => {
        assert.deepEqual(messages(object("argoproj.io/v1alpha1", "Workflow", { templates: [{ name: "t", container: "busybox" }] }), "container-resources"), ["Workflow x: spec.templates[0].container is string, not a container."]);
        assert.deepEqual(messages(object("argoproj.io/v1alpha1", "Workflow", { templates: { t: { container: bad("x") } } }), "container-resources"), ["Workflow x: spec.templates is object, not a list of templates."]);
    });
});

/** Every path to a container list in a CRD schema: `[]` a list item, `*` a map value. */
function containerPaths(schema: any, at: string[] = [], out: string[][] = []): string[][] {
    if (!schema || typeof schema !== "object") return out;
    for (const [k, v] of Object.entries<any>(schema.properties ?? {})) {
        if (["containers", "initContainers"].includes(k) && v?.items?.properties?.image) out.push([...at, k]);
        else containerPaths(v, [...at, k], out);
    }
    if (schema.items) containerPaths(schema.items, [...at, "[]"], out);
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") containerPaths(schema.additionalProperties, [...at, "*"], out);
    return out;
}
/** An object with `leaf` at a schema path (one list item, one map key per level). */
function build(p: string[], leaf: unknown): unknown {
    if (p.length === 0) return leaf;
    const [k, ...rest] = p;
    return k === "[]" ? [build(rest, leaf)] : { [k === "*" ? "x" : k]: build(rest, leaf) };
}

describe("every container list in the CRD schemas the project ships (test/data/crds) is found", () => {
    const dir = path.join(DATA, "crds");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    it("the derived CRD data is there", () => assert.ok(files.length >= 10, files.join(", ")));
    for (const f of files) {
        const crd = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { group: string; kind: string; versions: { name: string; schema: any }[] };
        for (const v of crd.versions) {
            const paths = containerPaths(v.schema);
            if (paths.length === 0) continue;
            it(`${crd.group}/${v.name} ${crd.kind}: ${paths.map((p) => p.join(".")).join(", ")}`, () => {
                for (const p of paths) {
                    const spec = build(p.slice(1), [bad("bad")]) as Record<string, any>;
                    const m = messages(object(`${crd.group}/${v.name}`, crd.kind, spec), "container-resources");
                    assert.ok(m.some((x) => /ontainer bad resources\.limits\.cpu is not set/.test(x)), `${p.join(".")}: ${m.join("\n")}`);
                }
            });
        }
    }
});
