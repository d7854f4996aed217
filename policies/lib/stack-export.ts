/**
 * Whole stacks read from files by `npm run policy -- check`: a `pulumi stack export` and the
 * offline plan's snapshot (out/<stack>/plan.json). Each file is one stack (`stack` on every
 * resource), judged by the stack policies on its own, whatever else the check is given.
 *
 * A stack export holds what was asked for (inputs) and what is deployed (outputs): both are judged,
 * as two views of the same resource, so a compliant input over a non-compliant live object fails.
 * Secrets in it are the engine's envelopes: with `--show-secrets` they carry the plaintext, which is
 * judged like any value; otherwise only ciphertext, which no check can read, so a check that needs
 * one fails closed (OpaqueValue). The plan snapshot masks secrets as "[secret]": the same.
 * A Kubernetes ConfigGroup or ConfigFile (yaml/v2, and the older yaml ones) carrying inline `yaml`
 * or `objs` is expanded into the objects it declares, unless the stack already holds them as its
 * children. Values here are never unknown: the sentinel strings are plain strings in a file.
 */
import { OpaqueValue } from "./unknown";
import type { PolicyResource } from "./types";

/** The engine's property-envelope signatures (sdk/go/common/resource/sig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const ENCRYPTED = new OpaqueValue("a secret encrypted in the stack export (export with --show-secrets to check it)");
const NOT_JSON = new OpaqueValue("a secret whose plaintext is not JSON");
const MASKED = new OpaqueValue("masked as \"[secret]\" in the plan snapshot");

/** Reading a whole-stack document failed; inputs.ts reports it as a PolicyInputError. */
export class StackInputError extends Error {}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/** Decodes secret envelopes: plaintext decoded and judged, ciphertext opaque. */
export function decodeSecrets(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(decodeSecrets);
    if (!isObject(v)) return v;
    if (v[SIG_KEY] === SECRET_SIG) {
        if (typeof v.plaintext !== "string") return ENCRYPTED;
        try {
            return decodeSecrets(JSON.parse(v.plaintext));
        } catch {
            return NOT_JSON;
        }
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeSecrets(x)]));
}

/** The plan snapshot's masks as opaque values. */
function unmask(v: unknown): unknown {
    if (v === "[secret]") return MASKED;
    if (Array.isArray(v)) return v.map(unmask);
    if (!isObject(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unmask(x)]));
}

/** Live outputs without the provider's bookkeeping keys (`__inputs`, `__meta`...). */
const withoutInternal = (o: Record<string, any>) => Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith("__")));

function entries(list: unknown[], where: string): Record<string, any>[] {
    return list.map((r, i) => {
        if (!isObject(r)) throw new StackInputError(`${where}[${i}] is ${r === null ? "null" : typeof r}, not a resource`);
        if (typeof r.type !== "string" || !r.type) throw new StackInputError(`${where}[${i}] has no type`);
        for (const k of ["inputs", "outputs"]) if (r[k] !== undefined && r[k] !== null && !isObject(r[k])) throw new StackInputError(`${where}[${i}].${k} is not an object`);
        return r;
    });
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function propertyDependenciesOf(r: Record<string, any>): Record<string, string[]> {
    return isObject(r.propertyDependencies) ? Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, stringList(v)])) : {};
}

const CONFIG_GROUPS = new Set(["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml:ConfigGroup", "kubernetes:yaml:ConfigFile"]);

/** How inline YAML text is turned into resources (inputs.ts's reader, given by the caller so this module stays free of the parser). */
export type ManifestReader = (text: string, where: string) => PolicyResource[];

/**
 * The objects a ConfigGroup declares inline (`yaml`: text or a list of texts; `objs`: objects), as
 * resources of its stack, except those the stack holds as its children already (same type, namespace
 * and name under it). `files` are not read here; the engine registers their objects as children.
 */
function inlineObjects(group: PolicyResource, children: PolicyResource[], readManifests: ManifestReader, objectResources: (objs: unknown[], where: string) => PolicyResource[]): PolicyResource[] {
    const p = group.props;
    const texts = (Array.isArray(p.yaml) ? p.yaml : p.yaml === undefined || p.yaml === null ? [] : [p.yaml]).filter((t: unknown): t is string => typeof t === "string");
    const declared = [
        ...texts.flatMap((t: string, i: number) => readManifests(t, `${group.urn} yaml${texts.length > 1 ? `[${i}]` : ""}`)),
        ...(Array.isArray(p.objs) ? objectResources(p.objs, `${group.urn} objs`) : []),
    ];
    const key = (r: PolicyResource) => `${r.type}\u0000${r.props.metadata?.namespace ?? ""}\u0000${r.props.metadata?.name ?? ""}`;
    const present = new Set(children.map(key));
    return declared.filter((r) => !present.has(key(r))).map((r) => ({ ...r, fromStack: true, stack: group.stack, parent: group.urn }));
}

/** Adds the inline objects of every ConfigGroup/ConfigFile of a stack. */
export function withInlineManifests(resources: PolicyResource[], readManifests: ManifestReader, objectResources: (objs: unknown[], where: string) => PolicyResource[]): PolicyResource[] {
    const groups = resources.filter((r) => CONFIG_GROUPS.has(r.type));
    if (groups.length === 0) return resources;
    const children = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        if (!r.parent) continue;
        const list = children.get(r.parent);
        if (list) list.push(r);
        else children.set(r.parent, [r]);
    }
    return [...resources, ...groups.flatMap((g) => inlineObjects(g, children.get(g.urn) ?? [], readManifests, objectResources))];
}

/** A `pulumi stack export` document (version, deployment.resources): each custom resource on its inputs and its live outputs. */
export function fromStackExport(doc: Record<string, any>, where: string): PolicyResource[] {
    const out: PolicyResource[] = [];
    entries(doc.deployment.resources, `${where}: deployment.resources`).forEach((r, i) => {
        if (r.type.startsWith("pulumi:providers:") || r.type === "pulumi:pulumi:Stack") return;
        if (r.custom === false && !CONFIG_GROUPS.has(r.type)) return;
        if (typeof r.urn !== "string") throw new StackInputError(`${where}: deployment.resources[${i}] has no urn`);
        const base: PolicyResource = {
            urn: r.urn, type: r.type, name: r.urn.split("::").pop() ?? r.urn, props: {}, protect: r.protect === true, fromStack: true, stack: where,
            ...(typeof r.id === "string" ? { id: r.id } : {}), ...(typeof r.parent === "string" ? { parent: r.parent } : {}),
            dependencies: stringList(r.dependencies), propertyDependencies: propertyDependenciesOf(r),
        };
        const inputs = isObject(r.inputs) ? decodeSecrets(r.inputs) as Record<string, any> : undefined;
        const outputs = isObject(r.outputs) ? withoutInternal(decodeSecrets(r.outputs) as Record<string, any>) : undefined;
        if (inputs || !outputs) out.push({ ...base, props: inputs ?? {} });
        // The live object, when the export records one that differs from what was asked for.
        if (outputs && r.custom !== false && (!inputs || JSON.stringify(outputs) !== JSON.stringify(inputs))) out.push({ ...base, props: outputs, view: inputs ? "outputs" : undefined });
    });
    return out;
}

/** The offline plan's snapshot (stack, resources): each custom resource on its inputs, "[secret]" masks opaque. */
export function fromPlanSnapshot(doc: Record<string, any>, where: string): PolicyResource[] {
    return entries(doc.resources, `${where}: resources`)
        .filter((r) => r.custom || CONFIG_GROUPS.has(r.type))
        .map((r) => ({
            urn: String(r.key ?? r.name), type: r.type, name: String(r.name ?? r.key), props: unmask(r.inputs ?? {}) as Record<string, any>, protect: r.protect === true, fromStack: true, stack: where,
            ...(typeof r.parent === "string" ? { parent: r.parent } : {}), dependencies: stringList(r.dependsOn),
        }));
}
