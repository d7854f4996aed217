/**
 * rollout-workload-ref: an Argo Rollout with `spec.workloadRef` runs the pod template of another
 * object (a Deployment, ReplicaSet or PodTemplate in its namespace). That object is judged by the
 * workload policies as itself; this policy makes sure it is there to be judged: a reference to an
 * object missing from the stack (or from the checked input), or to one without a pod template, is a
 * violation, since its containers would run unchecked.
 */
import type { PolicyResource, StackPolicy } from "../lib/types";
import { carriesPodSpec, extractWorkloads, nameOf, namespaceOf, parseKubeType } from "../lib/workloads";

const keyOf = (kind: string, namespace: string | undefined, name: string) => `${kind}\u0000${namespace ?? ""}\u0000${name}`;

export const rolloutWorkloadRef: StackPolicy = {
    name: "rollout-workload-ref",
    description: "Checks that every Argo Rollout's workloadRef names an object of the same stack (or input) in the Rollout's namespace that carries a pod template, so the pods it runs are checked like any other.",
    enforcementLevel: "mandatory",
    config: [],
    // The reference resolves within whatever it is given: a stack, or one `policy check` input of loose manifests.
    withinInput: true,
    validateStack(resources) {
        const rollouts = resources.filter((r) => {
            const t = parseKubeType(r.type);
            return t?.group === "argoproj.io" && t.kind === "Rollout" && !t.patch && r.props?.spec?.workloadRef !== undefined;
        });
        if (rollouts.length === 0) return [];
        // One index of every pod-carrying object, so the check stays linear in the stack size.
        const targets = new Map<string, PolicyResource>();
        for (const r of resources) {
            if (!carriesPodSpec(r.type, r.props)) continue;
            for (const w of extractWorkloads(r.props, r.type)) {
                if (w.patch) continue;
                const name = nameOf(w);
                targets.set(keyOf(w.kind, namespaceOf(w), name), r);
                if (name === "(unnamed)") targets.set(keyOf(w.kind, namespaceOf(w), r.name), r);
            }
        }
        const out: { resource: PolicyResource; message: string }[] = [];
        for (const r of rollouts) {
            const w = extractWorkloads(r.props, r.type)[0];
            const ref = w?.workloadRef;
            if (!ref || typeof ref.kind !== "string" || typeof ref.name !== "string" || !ref.kind || !ref.name) {
                out.push({ resource: r, message: `Rollout ${w?.name ?? r.name}: spec.workloadRef must name a kind and a name.` });
                continue;
            }
            if (!targets.has(keyOf(ref.kind, namespaceOf(w), ref.name))) {
                out.push({ resource: r, message: `Rollout ${w.name}: spec.workloadRef ${ref.kind} ${ref.name}${w.namespace ? ` (namespace ${w.namespace})` : ""} is not in this stack or input with a pod template, so the pods it runs cannot be checked; deploy the ${ref.kind} with it.` });
            }
        }
        return out;
    },
};
