/**
 * Validation of built-in Kubernetes objects against the Kubernetes OpenAPI schemas shipped in
 * kubernetes-models (ESM-only, loaded with import()). kubernetes-models accepts unknown fields; for
 * objects built in TypeScript, the strict @pulumi/kubernetes input types reject those at type-check.
 */
import type { RecordedResource } from "../../lib/offline/recorder";

/** `kubernetes:apps/v1:DaemonSet` -> { apiVersion: "apps/v1", kind: "DaemonSet", module: "kubernetes-models/apps/v1" } */
export function modelOf(type: string): { apiVersion: string; kind: string; module: string } | undefined {
    const m = /^kubernetes:([a-z0-9.]+)\/(v[0-9a-z]+):(\w+)$/.exec(type);
    if (!m || m[1].includes(".") && !m[1].endsWith("k8s.io")) return undefined;
    const [, group, version, kind] = m;
    const apiVersion = group === "core" ? version : `${group}/${version}`;
    return { apiVersion, kind, module: `kubernetes-models/${apiVersion}` };
}

/** Errors of one recorded Kubernetes resource against its schema ([] when valid). */
export async function validateBuiltin(r: RecordedResource): Promise<string[]> {
    const model = modelOf(r.type);
    if (!model) throw new Error(`not a built-in Kubernetes type: ${r.type}`);
    const mod = (await import(model.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Ctor = mod[model.kind];
    if (!Ctor) throw new Error(`kubernetes-models has no ${model.kind} in ${model.module}`);
    // Secret values are masked by the recorder; validate everything else.
    const data = structuredClone(r.inputs);
    for (const p of r.secretPaths ?? []) {
        const keys = p.split(".");
        const parent = keys.slice(0, -1).reduce((o: any, k) => o?.[k], data);
        if (parent) delete parent[keys[keys.length - 1]];
    }
    try {
        new Ctor({ ...data, apiVersion: model.apiVersion, kind: model.kind }).validate();
        return [];
    } catch (e) {
        return [String((e as Error).message)];
    }
}
