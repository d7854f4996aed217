/**
 * Where the batch/ML custom resources commonly run on EKS carry their pods. Facts taken from the
 * upstream API types (Go structs and CRDs), by group and kind, in any version of the group:
 * - argoproj.io Workflow, WorkflowTemplate, ClusterWorkflowTemplate (`spec.templates[]`), CronWorkflow
 *   (`spec.workflowSpec.templates[]`): a template with `container`, `script`, `containerSet.containers[]`,
 *   `initContainers[]` or `sidecars[]` runs one pod; templates may be inlined in
 *   `steps[][].inline` and `dag.tasks[].inline` (argo-workflows pkg/apis/workflow/v1alpha1, v3.4-v3.6).
 * - kubeflow.org (training-operator v1): PyTorchJob `spec.pytorchReplicaSpecs`, TFJob `spec.tfReplicaSpecs`,
 *   MPIJob `spec.mpiReplicaSpecs` (v1 and mpi-operator v2beta1), XGBoostJob `spec.xgbReplicaSpecs`,
 *   PaddleJob `spec.paddleReplicaSpecs`, JAXJob `spec.jaxReplicaSpecs`, MXJob `spec.mxReplicaSpecs`:
 *   a map of replica type to ReplicaSpec, pod template at `.template.spec`.
 * - trainer.kubeflow.org (Kubeflow Trainer v2, v1alpha1): TrainingRuntime and ClusterTrainingRuntime
 *   embed a JobSet template (`spec.template.spec.replicatedJobs[].template.spec.template.spec`);
 *   a TrainJob only overrides the runtime's trainer container (`spec.trainer.image`,
 *   `spec.trainer.resourcesPerNode`), judged like a patch on what it sets.
 * - jobset.x-k8s.io (v1alpha2) JobSet: `spec.replicatedJobs[].template.spec.template.spec`.
 * - batch.volcano.sh (v1alpha1) Job and flow.volcano.sh (v1alpha1) JobTemplate: `spec.tasks[].template.spec`.
 * - argoproj.io (Argo Rollouts v1.9 CRDs): Experiment `spec.templates[].template.spec`; AnalysisTemplate,
 *   ClusterAnalysisTemplate and AnalysisRun run a Job per job metric,
 *   `spec.metrics[].provider.job.spec.template.spec`.
 * - ray.io (v1, v1alpha1, KubeRay): RayCluster `spec.headGroupSpec.template.spec` and
 *   `spec.workerGroupSpecs[].template.spec`; RayJob the same under `spec.rayClusterSpec` plus
 *   `spec.submitterPodTemplate.spec`; RayService the same under `spec.rayClusterConfig`. With
 *   `enableInTreeAutoscaling: true` KubeRay adds an `autoscaler` container to the head pod, built
 *   from `autoscalerOptions` (`image`, default the head container's; `resources`, default 500m/512Mi;
 *   `securityContext`): what those options set is judged like a patch (ray-operator BuildAutoscalerContainer).
 * - Argo Workflows `templateDefaults` (v3.1+) is merged into every template by strategic merge
 *   (template values win; `sidecars`, `initContainers` and `volumes` merge by `name`): a pod
 *   template's containers are judged with the defaults merged in, and a sidecar declared only in
 *   `templateDefaults` is judged in a pod it runs in (once, not once per template: argoPods).
 */
import type { ContainerRef } from "./workloads";

/** `*` = every element of a list or every value of a map. */
type Pattern = string[];

/** A pod found in a custom resource: its spec (built for Argo templates) and, when not read from the spec's own lists, its containers. */
export interface PodSource {
    path: string;
    /** Where in the object, for messages (`workerGroupSpecs[0]`, `templates[2] main`); absent when the object has one pod. */
    where?: string;
    podSpec: unknown;
    containers?: ContainerRef[];
    problems: string[];
    /** Judged on what it sets (a TrainJob's trainer override). */
    patch?: boolean;
}

const ANALYSIS_JOBS: Pattern[] = [["spec", "metrics", "*", "provider", "job", "spec", "template", "spec"]];
const RAY_CLUSTER: Pattern[] = [["headGroupSpec", "template", "spec"], ["workerGroupSpecs", "*", "template", "spec"]];
const under = (prefix: string[], ps: Pattern[]): Pattern[] => ps.map((p) => [...prefix, ...p]);
const replicaSpecs = (field: string): Pattern[] => [["spec", field, "*", "template", "spec"]];
/** Where a Ray kind's RayClusterSpec is. */
const RAY_CLUSTER_SPEC: Record<string, string[]> = { "ray.io/RayCluster": ["spec"], "ray.io/RayJob": ["spec", "rayClusterSpec"], "ray.io/RayService": ["spec", "rayClusterConfig"] };

/** The table's own entry for a key read from the object (never an Object.prototype member: a kind may be `constructor`). */
export const own = <T>(table: Record<string, T>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

/** Pod template paths by `group/kind`. */
const POD_PATHS: Record<string, Pattern[]> = {
    "kubeflow.org/PyTorchJob": replicaSpecs("pytorchReplicaSpecs"),
    "kubeflow.org/TFJob": replicaSpecs("tfReplicaSpecs"),
    "kubeflow.org/MPIJob": replicaSpecs("mpiReplicaSpecs"),
    "kubeflow.org/XGBoostJob": replicaSpecs("xgbReplicaSpecs"),
    "kubeflow.org/PaddleJob": replicaSpecs("paddleReplicaSpecs"),
    "kubeflow.org/JAXJob": replicaSpecs("jaxReplicaSpecs"),
    "kubeflow.org/MXJob": replicaSpecs("mxReplicaSpecs"),
    "jobset.x-k8s.io/JobSet": [["spec", "replicatedJobs", "*", "template", "spec", "template", "spec"]],
    "trainer.kubeflow.org/TrainingRuntime": [["spec", "template", "spec", "replicatedJobs", "*", "template", "spec", "template", "spec"]],
    "trainer.kubeflow.org/ClusterTrainingRuntime": [["spec", "template", "spec", "replicatedJobs", "*", "template", "spec", "template", "spec"]],
    "batch.volcano.sh/Job": [["spec", "tasks", "*", "template", "spec"]],
    "flow.volcano.sh/JobTemplate": [["spec", "tasks", "*", "template", "spec"]],
    "argoproj.io/Experiment": [["spec", "templates", "*", "template", "spec"]],
    "argoproj.io/AnalysisTemplate": ANALYSIS_JOBS,
    "argoproj.io/ClusterAnalysisTemplate": ANALYSIS_JOBS,
    "argoproj.io/AnalysisRun": ANALYSIS_JOBS,
    "ray.io/RayCluster": under(RAY_CLUSTER_SPEC["ray.io/RayCluster"], RAY_CLUSTER),
    "ray.io/RayJob": [...under(RAY_CLUSTER_SPEC["ray.io/RayJob"], RAY_CLUSTER), ["spec", "submitterPodTemplate", "spec"]],
    "ray.io/RayService": under(RAY_CLUSTER_SPEC["ray.io/RayService"], RAY_CLUSTER),
};

/** Argo Workflows kinds and where their WorkflowSpec is. */
const ARGO_WORKFLOW_SPEC: Record<string, string[]> = {
    Workflow: ["spec"],
    WorkflowTemplate: ["spec"],
    ClusterWorkflowTemplate: ["spec"],
    CronWorkflow: ["spec", "workflowSpec"],
};

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/** Strategic merge of plain objects as Argo applies templateDefaults: objects merge key by key, the template's value wins elsewhere. */
function merged(defaults: unknown, own: unknown): unknown {
    if (own === undefined || own === null) return defaults;
    if (!isObject(defaults) || !isObject(own)) return own;
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(own)) out[k] = merged(defaults[k], v);
    return out;
}
const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v);

/** True for the custom kinds this module knows (their pods are found here, present or not). */
export function isKnownPodCrd(group: string, kind: string): boolean {
    return own(POD_PATHS, `${group}/${kind}`) !== undefined || (group === "argoproj.io" && own(ARGO_WORKFLOW_SPEC, kind) !== undefined) || (group === "trainer.kubeflow.org" && kind === "TrainJob");
}

/** The pods of a known custom kind; undefined for any other kind. */
export function crdPodSources(group: string, kind: string, props: Record<string, any>): PodSource[] | undefined {
    const paths = own(POD_PATHS, `${group}/${kind}`);
    if (paths) {
        const out: PodSource[] = [];
        for (const p of paths) expand(props, p, 0, [], out);
        const ray = own(RAY_CLUSTER_SPEC, `${group}/${kind}`);
        if (ray) out.push(...rayAutoscalers(props, ray));
        return out;
    }
    const argo = group === "argoproj.io" ? own(ARGO_WORKFLOW_SPEC, kind) : undefined;
    if (argo) return argoPods(props, argo);
    if (group === "trainer.kubeflow.org" && kind === "TrainJob") return trainJobPods(props);
    return undefined;
}

/** The autoscaler container KubeRay adds to the head pod when in-tree autoscaling is on, as far as autoscalerOptions set it; `at` is where the RayClusterSpec is. */
function rayAutoscalers(props: Record<string, any>, at: string[]): PodSource[] {
    let spec: unknown = props;
    for (const k of at) spec = isObject(spec) ? spec[k] : undefined;
    if (!isObject(spec) || spec.enableInTreeAutoscaling !== true || spec.autoscalerOptions === undefined || spec.autoscalerOptions === null) return [];
    const path = `${at.join(".")}.autoscalerOptions`;
    const o = spec.autoscalerOptions;
    if (!isObject(o)) return [{ path, where: "autoscaler", podSpec: {}, containers: [], problems: [`${path} is ${describe(o)}, not autoscaler options`] }];
    const container: Record<string, any> = { name: "autoscaler" };
    for (const k of ["image", "resources", "securityContext"]) if (o[k] !== undefined) container[k] = o[k];
    return [{ path, where: "autoscaler", podSpec: {}, containers: [{ path, kind: "container", container }], problems: [], patch: true }];
}

const seg = (parent: string, k: string | number) => (typeof k === "number" ? `${parent}[${k}]` : parent ? `${parent}.${k}` : k);

/** Follows a pattern; every pod spec reached is a source, a list/map position holding something else is a problem. */
function expand(node: unknown, p: Pattern, i: number, at: (string | number)[], out: PodSource[]): void {
    if (i === p.length) {
        const path = at.reduce<string>((s, k) => seg(s, k), "");
        const inner = at.slice(1, -1);
        if (inner[inner.length - 1] === "template") inner.pop();
        if (inner[inner.length - 1] === "spec") inner.pop();
        const where = inner.reduce<string>((s, k) => seg(s, k), "");
        out.push({ path, where, podSpec: node, problems: [] });
        return;
    }
    if (node === undefined || node === null) return;
    const k = p[i];
    if (k !== "*") {
        if (isObject(node)) expand(node[k], p, i + 1, [...at, k], out);
        return;
    }
    const path = at.reduce<string>((s, x) => seg(s, x), "");
    if (Array.isArray(node)) node.forEach((v, j) => expand(v, p, i + 1, [...at, j], out));
    else if (isObject(node)) for (const key of Object.keys(node)) expand(node[key], p, i + 1, [...at, key], out);
    else out.push({ path, podSpec: undefined, problems: [`${path} is ${describe(node)}, not a list or map of pod templates`] });
}

/**
 * Argo: each template that runs a pod becomes one pod spec. Its containers are the template's
 * `container`, `script`, `containerSet.containers[]` and `sidecars[]` (containers) and
 * `initContainers[]`; its pod-level fields are the template's `securityContext` (else the
 * workflow's), the workflow's `hostNetwork`, and its `volumes`. A `podSpecPatch` can rewrite any of
 * that after admission, so it is a problem, not something to trust.
 *
 * Linear in the object: what every pod shares is judged once, not once per template. The
 * workflow's and templateDefaults' volumes go into the first pod (a hostPath finding is
 * workload-level, so one pod says it for all); each templateDefaults sidecar or init container a
 * template does not override is judged in one pod that runs it, preferring one whose pod
 * securityContext does not make it non-root (the only pod-level field a container check reads).
 */
function argoPods(props: Record<string, any>, specPath: string[]): PodSource[] {
    let spec: unknown = props;
    for (const k of specPath) spec = isObject(spec) ? spec[k] : undefined;
    if (!isObject(spec)) return [];
    const base = specPath.join(".");
    const pods: ArgoPod[] = [];
    const wfProblems: string[] = [];
    if (spec.podSpecPatch !== undefined && spec.podSpecPatch !== null) wfProblems.push(`${base}.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead`);
    const defaults = isObject(spec.templateDefaults) ? spec.templateDefaults : undefined;
    if (spec.templateDefaults !== undefined && spec.templateDefaults !== null && !defaults) wfProblems.push(`${base}.templateDefaults is ${describe(spec.templateDefaults)}, not a template`);
    const shared = argoDefaults(defaults ?? {}, `${base}.templateDefaults`);
    const visit = (t: unknown, path: string, depth: number): void => {
        if (!isObject(t) || depth > 8) return;
        const pod = argoTemplatePod(t, path, spec as Record<string, any>, shared);
        if (pod) pods.push(pod);
        forEachList(t.steps, (group, i) => forEachList(group, (step, j) => visit(isObject(step) ? step.inline : undefined, `${path}.steps[${i}][${j}].inline`, depth + 1)));
        forEachList(isObject(t.dag) ? t.dag.tasks : undefined, (task, i) => visit(isObject(task) ? task.inline : undefined, `${path}.dag.tasks[${i}].inline`, depth + 1));
    };
    const templates = spec.templates;
    if (templates !== undefined && templates !== null && !Array.isArray(templates)) wfProblems.push(`${base}.templates is ${describe(templates)}, not a list of templates`);
    forEachList(templates, (t, i) => visit(t, `${base}.templates[${i}]`, 0));
    if (pods.length > 0) {
        const first = pods[0].source;
        const volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), ...(Array.isArray(shared.volumes) ? shared.volumes : []), ...(first.podSpec as { volumes: unknown[] }).volumes];
        first.podSpec = { ...(first.podSpec as object), volumes };
        first.problems.push(...shared.problems);
        placeDefaultContainers(pods, shared);
    }
    const out = pods.map((p) => p.source);
    if (wfProblems.length) out.push({ path: base, podSpec: {}, containers: [], problems: wfProblems });
    return out;
}

const forEachList = (v: unknown, f: (x: unknown, i: number) => void) => {
    if (Array.isArray(v)) v.forEach(f);
};

type ListField = "sidecars" | "initContainers";
const DEFAULT_LISTS: [ListField, ContainerRef["kind"]][] = [["sidecars", "container"], ["initContainers", "initContainer"]];

/** templateDefaults read once: its fields, its sidecars and init containers by name, and what is wrong with them. */
interface ArgoDefaults {
    fields: Record<string, any>;
    path: string;
    volumes: unknown;
    entries: { field: ListField; kind: ContainerRef["kind"]; path: string; value: unknown }[];
    byName: Record<ListField, Map<unknown, unknown>>;
    problems: string[];
}

function argoDefaults(d: Record<string, any>, path: string): ArgoDefaults {
    const out: ArgoDefaults = { fields: d, path, volumes: d.volumes, entries: [], byName: { sidecars: new Map(), initContainers: new Map() }, problems: [] };
    for (const [field, kind] of DEFAULT_LISTS) {
        const list = d[field];
        if (Array.isArray(list)) {
            list.forEach((c, i) => {
                if (isObject(c)) out.byName[field].set(c.name, c);
                out.entries.push({ field, kind, path: `${path}.${field}[${i}]`, value: c });
            });
        } else if (list !== undefined && list !== null) out.problems.push(`${path}.${field} is ${describe(list)}, not a list of containers`);
    }
    return out;
}

/** A template's pod, the default containers its own lists override (by name), and whether its pod securityContext makes containers non-root. */
interface ArgoPod { source: PodSource; named: Record<ListField, Set<unknown>>; nonRoot: boolean }

/**
 * Each templateDefaults sidecar or init container joins one pod that runs it (a template not
 * naming it): one whose pod is not non-root if there is one, else the first. A not-an-object entry
 * is a problem of the first pod. Each name's pod is looked up once, skipping only pods that name it.
 */
function placeDefaultContainers(pods: ArgoPod[], shared: ArgoDefaults): void {
    const rootPods = pods.filter((p) => !p.nonRoot);
    const chosen: Record<ListField, Map<unknown, ArgoPod | undefined>> = { sidecars: new Map(), initContainers: new Map() };
    const firstRunning = (list: ArgoPod[], field: ListField, name: unknown) => list.find((p) => !p.named[field].has(name));
    for (const e of shared.entries) {
        if (!isObject(e.value)) {
            pods[0].source.problems.push(`${e.path} is ${describe(e.value)}, not a container`);
            continue;
        }
        const byName = chosen[e.field];
        const name = e.value.name;
        // Stryker disable next-line ConditionalExpression: a memo (the linear-work bound of argo-fanout.test.ts); looking the pod up again finds the same one
        if (!byName.has(name)) byName.set(name, firstRunning(rootPods, e.field, name) ?? firstRunning(pods, e.field, name));
        byName.get(name)?.source.containers!.push({ path: e.path, kind: e.kind, container: e.value });
    }
}

/**
 * A template's pod, with the workflow's templateDefaults merged in as Argo merges them: `container`
 * and `script` merged key by key into the template's own, `sidecars` and `initContainers` by name
 * (the defaults' entries it does not name are placed by placeDefaultContainers).
 */
function argoTemplatePod(t: Record<string, any>, path: string, wf: Record<string, any>, shared: ArgoDefaults): ArgoPod | undefined {
    const containers: ContainerRef[] = [];
    const problems: string[] = [];
    const named: ArgoPod["named"] = { sidecars: new Set(), initContainers: new Set() };
    const one = (c: unknown, kind: ContainerRef["kind"], p: string) => {
        if (isObject(c)) containers.push({ path: p, kind, container: c });
        else problems.push(`${p} is ${describe(c)}, not a container`);
    };
    const list = (v: unknown, kind: ContainerRef["kind"], p: string, field?: ListField) => {
        const own = v === undefined || v === null ? [] : v;
        if (!Array.isArray(own)) problems.push(`${p} is ${describe(own)}, not a list of containers`);
        const byName = field ? shared.byName[field] : undefined;
        (Array.isArray(own) ? own : []).forEach((c, i) => {
            if (field) named[field].add(isObject(c) ? c.name : undefined);
            one(isObject(c) && byName?.has(c.name) ? merged(byName.get(c.name), c) : c, kind, `${p}[${i}]`);
        });
    };
    const d = shared.fields;
    for (const f of ["container", "script"]) if (t[f] !== undefined && t[f] !== null) one(merged(d[f], t[f]), "container", `${path}.${f}`);
    if (t.containerSet !== undefined && t.containerSet !== null) {
        if (isObject(t.containerSet)) list(t.containerSet.containers, "container", `${path}.containerSet.containers`);
        else problems.push(`${path}.containerSet is ${describe(t.containerSet)}, not a container set`);
    }
    const ownPod = containers.length > 0 || problems.length > 0 || ["sidecars", "initContainers", "podSpecPatch"].some((k) => t[k] !== undefined && t[k] !== null);
    if (!ownPod) return undefined; // steps, dag, resource, suspend...: no pod of its own, so the defaults' containers do not run there
    list(t.sidecars, "container", `${path}.sidecars`, "sidecars");
    list(t.initContainers, "initContainer", `${path}.initContainers`, "initContainers");
    const patch = t.podSpecPatch ?? d.podSpecPatch;
    if (patch !== undefined && patch !== null) problems.push(`${t.podSpecPatch !== undefined && t.podSpecPatch !== null ? path : shared.path}.podSpecPatch can change any container after these checks; set resources and securityContext on the containers instead`);
    const securityContext = merged(d.securityContext, t.securityContext) ?? wf.securityContext;
    const podSpec = { securityContext, hostNetwork: wf.hostNetwork, volumes: Array.isArray(t.volumes) ? t.volumes : [] };
    const where = typeof t.name === "string" ? `template ${t.name}` : path;
    return { source: { path, where, podSpec, containers, problems }, named, nonRoot: isObject(securityContext) && securityContext.runAsNonRoot === true };
}

/** A TrainJob overrides the runtime's trainer container: what it sets (image, resourcesPerNode) is judged. */
function trainJobPods(props: Record<string, any>): PodSource[] {
    const trainer = isObject(props.spec) ? props.spec.trainer : undefined;
    if (!isObject(trainer)) return [];
    const container: Record<string, any> = { name: "trainer" };
    if (trainer.image !== undefined) container.image = trainer.image;
    if (trainer.resourcesPerNode !== undefined) container.resources = trainer.resourcesPerNode;
    return [{ path: "spec.trainer", podSpec: {}, containers: [{ path: "spec.trainer", kind: "container", container }], problems: [], patch: true }];
}
