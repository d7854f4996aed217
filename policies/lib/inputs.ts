/**
 * Inputs of `npm run policy -- check`: Kubernetes manifests (YAML or JSON, multi-document, `List`
 * kinds), a `pulumi stack export` file, or the offline plan's snapshot (out/<stack>/plan.json),
 * turned into the PolicyResources the evaluator judges.
 */
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import type { PolicyResource } from "./types";
import { WORKLOAD_TYPES } from "./workloads";

/** Unreadable or unrecognised input; the message names the file and the reason. */
export class PolicyInputError extends Error {}

/**
 * The Pulumi type token of a Kubernetes object. Workload kinds map to the token the policies
 * watch whatever their apiVersion (extensions/v1beta1 Deployment, batch/v1beta1 CronJob, ...);
 * a Rollout only from argoproj.io.
 */
export function typeOfManifest(apiVersion: string, kind: string): string {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
    const workload = WORKLOAD_TYPES.find((t) => t.endsWith(`:${kind}`));
    if (workload && (kind !== "Rollout" || group === "argoproj.io")) return workload;
    return `kubernetes:${group}/${version}:${kind}`;
}

function fromManifest(obj: Record<string, any>, where: string): PolicyResource[] {
    if (obj.kind === "List" || (typeof obj.kind === "string" && obj.kind.endsWith("List") && Array.isArray(obj.items))) {
        return (obj.items as unknown[]).flatMap((item, i) => (item && typeof item === "object" ? fromManifest(item as Record<string, any>, `${where}.items[${i}]`) : []));
    }
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") return [];
    const name = obj.metadata?.name ?? "(unnamed)";
    const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
    return [{ urn: `${where} ${obj.kind} ${ns}${name}`, type: typeOfManifest(obj.apiVersion, obj.kind), name, props: obj }];
}

function fromStackExport(doc: any): PolicyResource[] {
    return (doc.deployment.resources as any[])
        .filter((r) => r.custom !== false && !String(r.type).startsWith("pulumi:providers:"))
        .map((r) => ({ urn: r.urn, type: r.type, name: String(r.urn).split("::").pop() ?? r.urn, props: r.inputs ?? r.outputs ?? {}, protect: r.protect === true, fromStack: true }));
}

function fromPlanSnapshot(doc: any): PolicyResource[] {
    return (doc.resources as any[]).filter((r) => r.custom).map((r) => ({ urn: r.key, type: r.type, name: r.name, props: r.inputs ?? {}, protect: r.protect === true, fromStack: true }));
}

/** Reads one input file. */
export function loadPolicyInputs(file: string): PolicyResource[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyInputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let docs: unknown[];
    try {
        docs = /^\s*[[{]/.test(text) ? [JSON.parse(text)] : yaml.loadAll(text);
    } catch (e) {
        throw new PolicyInputError(`${file}: not valid ${/^\s*[[{]/.test(text) ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`);
    }
    const out: PolicyResource[] = [];
    docs.forEach((doc, i) => {
        if (doc === null || doc === undefined) return;
        if (Array.isArray(doc)) {
            doc.forEach((item, j) => item && typeof item === "object" && out.push(...fromManifest(item, `${file}#${i}[${j}]`)));
            return;
        }
        if (typeof doc !== "object") throw new PolicyInputError(`${file}: document ${i + 1} is a ${typeof doc}, not a Kubernetes object, stack export or plan snapshot`);
        const d = doc as Record<string, any>;
        if (d.deployment && Array.isArray(d.deployment.resources)) out.push(...fromStackExport(d));
        else if (Array.isArray(d.resources) && typeof d.stack === "string") out.push(...fromPlanSnapshot(d));
        else if (typeof d.kind === "string") out.push(...fromManifest(d, docs.length > 1 ? `${file}#${i + 1}` : file));
        else throw new PolicyInputError(`${file}: document ${i + 1} has no kind/apiVersion and is not a stack export (deployment.resources) or plan snapshot (stack, resources)`);
    });
    return out;
}
