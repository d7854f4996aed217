/**
 * Pod-spec extraction shared by every Kubernetes policy and by the pack's resource filter: finds
 * every container (regular, init, ephemeral) of every kind that carries a pod spec, whether it
 * comes from a Pulumi resource (`kubernetes:apps/v1:Deployment`, `kubernetes:apps/v1:DeploymentPatch`,
 * a CustomResource) or from plain Kubernetes YAML (whose type token inputs.ts derives from
 * apiVersion/kind the same way):
 * - built-in kinds in every version of their group, served or formerly served (extensions/v1beta1,
 *   apps/v1beta1, apps/v1beta2, batch/v1beta1, batch/v2alpha1...): Pod, PodTemplate,
 *   ReplicationController, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob;
 * - Pulumi Patch resources of those kinds (`...Patch` tokens), judged on what they set;
 * - the batch/ML custom resources of pod-crds.ts (Argo Workflows, Kubeflow, JobSet, Volcano, Ray)
 *   at their own paths, several pods per object;
 * - any other kind (Argo Rollout, Knative Service, KEDA ScaledJob, OpenKruise CloneSet...) with a
 *   pod template at a usual path: spec.template.spec, spec.jobTemplate.spec.template.spec,
 *   spec.jobTargetRef.template.spec.
 */
import { crdPodSources, isKnownPodCrd, own } from "./pod-crds";
import { quietly } from "./unknown";
import type { PackConfig, PolicyResource } from "./types";

export interface ContainerRef {
    /** e.g. `spec.template.spec.initContainers[0]` */
    path: string;
    kind: "container" | "initContainer" | "ephemeralContainer";
    container: Record<string, any>;
}

export interface Workload {
    kind: string;
    /** API group ("" for core). */
    group: string;
    name: string;
    namespace?: string;
    /** A Pulumi Patch resource: what it sets is judged, what it leaves out belongs to the patched object. */
    patch: boolean;
    podSpec: Record<string, any>;
    podSpecPath: string;
    /** Which of several pods of the object (`workerGroupSpecs[0]`, `template train`), for messages. */
    where?: string;
    containers: ContainerRef[];
    /** Structural defects that would hide containers (a `containers` that is not a list...). */
    problems: string[];
    /** Argo Rollouts `workloadRef`: the pod template lives in another object (resolved by rollout-workload-ref). */
    workloadRef?: { apiVersion?: string; kind?: string; name?: string };
    /**
     * The object's metadata as the policy reads it. `name` and `namespace` above are read quietly
     * (for messages); a rule that decides on the namespace or name reads it here, so that an unknown
     * or hidden one is recorded (see namespaceOf).
     */
    meta: Record<string, any>;
}

/** The workload's namespace for a rule that decides on it (a read recorded when it is unknown or hidden). */
export function namespaceOf(w: Workload): string | undefined {
    const ns = w.meta.namespace;
    return typeof ns === "string" ? ns : undefined;
}

/** The workload's name for a rule that decides on it (recorded like namespaceOf). */
export function nameOf(w: Workload): string {
    const name = w.meta.name;
    return typeof name === "string" ? name : "(unnamed)";
}

/** Pod spec paths of the built-in kinds, by API group and kind (any version of the group). */
const BUILTIN: Record<string, Record<string, string[]>> = {
    core: { Pod: ["spec"], PodTemplate: ["template", "spec"], ReplicationController: ["spec", "template", "spec"] },
    apps: { Deployment: ["spec", "template", "spec"], StatefulSet: ["spec", "template", "spec"], DaemonSet: ["spec", "template", "spec"], ReplicaSet: ["spec", "template", "spec"] },
    extensions: { Deployment: ["spec", "template", "spec"], DaemonSet: ["spec", "template", "spec"], ReplicaSet: ["spec", "template", "spec"] },
    batch: { Job: ["spec", "template", "spec"], CronJob: ["spec", "jobTemplate", "spec", "template", "spec"], ScheduledJob: ["spec", "jobTemplate", "spec", "template", "spec"] },
};

/** A built-in kind's pod spec path (own entries only: a group or kind may be `constructor`). */
function builtinPath(group: string, kind: string): string[] | undefined {
    const kinds = own(BUILTIN, group);
    return kinds && own(kinds, kind);
}

/** Where custom resources usually carry a pod template (Rollout, Knative Service, CloneSet; KEDA ScaledJob; CronJob-like). */
export const CUSTOM_POD_SPEC_PATHS: string[][] = [
    ["spec", "template", "spec"],
    ["spec", "jobTargetRef", "template", "spec"],
    ["spec", "jobTemplate", "spec", "template", "spec"],
];

const CONTAINER_LISTS: [string, ContainerRef["kind"]][] = [["containers", "container"], ["initContainers", "initContainer"], ["ephemeralContainers", "ephemeralContainer"]];

export interface KubeType { group: string; version: string; kind: string; patch: boolean }

const typeCache = new Map<string, KubeType | null>();

/** Empties the per-token type cache (the mutation run's root hook, before each test). */
export function clearKubeTypeCache(): void {
    typeCache.clear();
}

/**
 * Group, version and kind of a Kubernetes type token (`kubernetes:apps/v1:Deployment`,
 * `kubernetes:core/v1:Pod`, `kubernetes:argoproj.io/v1alpha1:Rollout`); `...Patch` kinds of
 * built-in pod kinds are patches. Undefined for other tokens (aws:..., kubernetes:helm.sh/v3:Release
 * is a Kubernetes token but carries no pod spec of its own).
 */
export function parseKubeType(type: string | undefined): KubeType | undefined {
    // Stryker disable next-line ConditionalExpression: a short cut; the token pattern below refuses an absent or empty type as well
    if (!type) return undefined;
    let t = typeCache.get(type);
    if (t === undefined) {
        const m = /^kubernetes:([a-z0-9.-]+)\/([a-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
        if (!m) t = null;
        else {
            const [, group, version, kind] = m;
            const base = kind.endsWith("Patch") ? kind.slice(0, -5) : undefined;
            t = base && builtinPath(group, base) ? { group, version, kind: base, patch: true } : { group, version, kind, patch: false };
        }
        typeCache.set(type, t);
    }
    return t ?? undefined;
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

const at = (obj: unknown, path: string[]): unknown => {
    let node = obj;
    for (const k of path) {
        if (!isObject(node)) return undefined;
        node = node[k];
    }
    return node;
};
const looksLikePodSpec = (v: unknown): v is Record<string, any> => isObject(v) && CONTAINER_LISTS.some(([f]) => v[f] !== undefined && v[f] !== null);

/** The type of a resource, with a custom resource's Patch recognised from its props (`kind` + "Patch"). */
function kubeTypeOf(type: string | undefined, props: Record<string, any>): KubeType | undefined {
    const t = parseKubeType(type);
    if (t && !t.patch && typeof props?.kind === "string" && t.kind === `${props.kind}Patch`) return { ...t, kind: props.kind, patch: true };
    return t;
}

/** The pod specs of an object: [path, spec] pairs. Built-in kinds always yield their path (possibly empty). */
function podSpecsOf(t: KubeType, props: Record<string, any>): [string[], unknown][] {
    const builtin = builtinPath(t.group, t.kind);
    if (builtin) return [[builtin, at(props, builtin)]];
    return CUSTOM_POD_SPEC_PATHS.map((p): [string[], unknown] => [p, at(props, p)]).filter(([, spec]) => looksLikePodSpec(spec));
}

/**
 * The resource filter of every workload policy, here and under CrossGuard (index.ts): true for
 * every resource whose type is a built-in pod kind (any version, Patch included) or that carries a
 * pod template at a usual path. Never a fixed list of exact tokens.
 */
export function carriesPodSpec(type: string, props: Record<string, any>): boolean {
    const t = kubeTypeOf(type, props);
    if (!t) return false;
    if (builtinPath(t.group, t.kind) || isKnownPodCrd(t.group, t.kind)) return true;
    return isObject(props) && (podSpecsOf(t, props).length > 0 || (t.group === "argoproj.io" && t.kind === "Rollout"));
}

/** Workloads already extracted in the current evaluation (see withWorkloadCache). */
let cache: WeakMap<object, { type?: string; workloads: Workload[] }> | undefined;

/**
 * Runs `fn` with the workloads of each props object extracted once however many policies ask
 * (one evaluation pass: props do not change during it). Outside, every call extracts afresh.
 */
export function withWorkloadCache<T>(fn: () => T): T {
    const outer = cache;
    cache = new WeakMap();
    try {
        return fn();
    } finally {
        cache = outer;
    }
}

/** Every pod spec of a resource, one Workload each (most kinds have exactly one). */
export function extractWorkloads(obj: Record<string, any>, type?: string): Workload[] {
    if (!cache || !isObject(obj)) return extract(obj, type);
    const hit = cache.get(obj);
    if (hit && hit.type === type) return hit.workloads;
    const workloads = extract(obj, type);
    cache.set(obj, { type, workloads });
    return workloads;
}

const NO_PROBLEMS: string[] = Object.freeze([]) as unknown as string[];

/** The hot path of every workload policy: plain loops and literals (no spreads, no closures). */
function extract(obj: Record<string, any>, type?: string): Workload[] {
    const props = isObject(obj) ? obj : {};
    const t = kubeTypeOf(type ?? typeOfObject(props), props);
    if (!t) return [];
    const rollout = t.group === "argoproj.io" && t.kind === "Rollout";
    const specs = podSpecsOf(t, props);
    const crd = builtinPath(t.group, t.kind) ? undefined : crdPodSources(t.group, t.kind, props);
    const meta: Record<string, any> = isObject(props.metadata) ? props.metadata : {};
    // Labels for messages: read quietly, so an unknown name does not make every finding undecided.
    const [name, namespace] = quietly(() => [typeof meta.name === "string" ? meta.name : "(unnamed)", typeof meta.namespace === "string" ? meta.namespace : undefined] as const);
    const workloadRef = rollout && isObject(props.spec?.workloadRef) ? (props.spec.workloadRef as Workload["workloadRef"]) : undefined;
    const out: Workload[] = [];
    if (crd) {
        for (const src of crd) {
            if (src.containers) {
                out.push({ kind: t.kind, group: t.group, name, namespace, patch: t.patch || src.patch === true, podSpec: isObject(src.podSpec) ? src.podSpec : {}, podSpecPath: src.path, where: src.where, containers: src.containers, problems: src.problems, workloadRef, meta });
            } else out.push(fromPodSpec(t, name, namespace, src.path, src.podSpec, workloadRef, src.problems, src.where, meta));
        }
    }
    if (specs.length === 0) {
        if (crd) return out;
        return rollout ? [{ kind: t.kind, group: t.group, name, namespace, patch: t.patch, podSpec: {}, podSpecPath: "spec.template.spec", containers: [], problems: NO_PROBLEMS, workloadRef, meta }] : [];
    }
    for (const [path, spec] of specs) out.push(fromPodSpec(t, name, namespace, path.join("."), spec, workloadRef, NO_PROBLEMS, undefined, meta));
    return out;
}

/** One pod spec's workload: its containers read from the spec's container lists. */
function fromPodSpec(t: KubeType, name: string, namespace: string | undefined, podSpecPath: string, spec: unknown, workloadRef: Workload["workloadRef"], given: string[], where: string | undefined, meta: Record<string, any>): Workload {
    const containers: ContainerRef[] = [];
    let problems = given;
    if (spec !== undefined && spec !== null && !isObject(spec)) problems = [...problems, `${podSpecPath} is ${Array.isArray(spec) ? "a list" : typeof spec}, not a pod spec`];
    const podSpec = isObject(spec) ? spec : {};
    for (const [field, k] of CONTAINER_LISTS) {
        const list = podSpec[field];
        if (list === undefined || list === null) continue;
        if (!Array.isArray(list)) {
            problems = [...problems, `${podSpecPath}.${field} is ${typeof list}, not a list of containers`];
            continue;
        }
        for (let i = 0; i < list.length; i++) {
            const c = list[i];
            containers.push({ path: `${podSpecPath}.${field}[${i}]`, kind: k, container: isObject(c) ? c : {} });
        }
    }
    return { kind: t.kind, group: t.group, name, namespace, patch: t.patch, podSpec, podSpecPath, where, containers, problems, workloadRef, meta };
}

/** The first pod spec of a resource (see extractWorkloads). */
export function extractWorkload(obj: Record<string, any>, type?: string): Workload | undefined {
    return extractWorkloads(obj, type)[0];
}

/** A type token for an object known only by apiVersion/kind (as inputs.ts derives it). */
function typeOfObject(obj: Record<string, any>): string | undefined {
    if (typeof obj.kind !== "string") return undefined;
    const api = typeof obj.apiVersion === "string" ? obj.apiVersion : undefined;
    if (!api) {
        // A bare object with only a kind (unit tests, hand-written props): a built-in kind's group.
        const group = Object.keys(BUILTIN).find((g) => builtinPath(g, obj.kind));
        return group ? `kubernetes:${group}/v1:${obj.kind}` : undefined;
    }
    return `kubernetes:${api.includes("/") ? api : `core/${api}`}:${obj.kind}`;
}

/** `Deployment web: initContainer init`, for messages (built only when there is one to write). */
export function containerLabel(w: Workload, c: ContainerRef): string {
    return `${w.kind} ${w.name}${w.where ? ` ${w.where}` : ""}: ${c.kind} ${quietly(() => c.container.name) ?? c.path}`;
}

/**
 * Turns a per-container check into a policy's validate function (one walk for every workload
 * policy); with `structural`, the workload's structural problems are reported too (by one policy only).
 */
export function perContainer(check: (w: Workload, c: ContainerRef, cfg: PackConfig) => string[], opts: { structural?: boolean } = {}) {
    return (r: PolicyResource, cfg: PackConfig): string[] => {
        const out: string[] = [];
        for (const w of extractWorkloads(r.props, r.type)) {
            if (opts.structural) for (const p of w.problems) out.push(`${w.kind} ${w.name}: ${p}.`);
            for (const c of w.containers) {
                const found = check(w, c, cfg);
                for (const m of found) out.push(m);
            }
        }
        return out;
    };
}
