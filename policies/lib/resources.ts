/**
 * Converts the offline plan's recorded resources into PolicyResources.
 */
import { cloneData, OpaqueValue } from "./unknown";
import type { PolicyResource } from "./types";

interface RecordedLike {
    key: string;
    type: string;
    name: string;
    inputs: Record<string, any>;
    protect: boolean;
    parent?: string;
    dependsOn?: string[];
    /** Input paths (`a.b[0].c`) the recorder masked because they hold secrets. */
    secretPaths?: string[];
    propertyDependencies?: Record<string, string[]>;
    /** AWS region of the resource's provider, when the recorder knows it. */
    region?: string;
}

/** What a policy gets for a value the offline plan masks: it cannot be verified, so a check that needs it fails closed. */
export const MASKED_SECRET = new OpaqueValue("a Pulumi secret, masked in the offline plan");

/** A copy of `props` with the value at each path (the recorder's paths: `a.b[0].c`) replaced by `replace(value)`. */
export function replacedAt(props: Record<string, any>, paths: string[], replace: (value: unknown) => unknown): Record<string, any> {
    const out = cloneData(props);
    for (const p of paths) {
        const keys = p.split(/[.[\]]/).filter((k) => k !== ""); // `a[0].b` has two separators in a row, `list[1]` one at the end
        let node: any = out;
        for (const k of keys.slice(0, -1)) node = node?.[k];
        const last = keys[keys.length - 1];
        if (node && typeof node === "object" && last !== undefined && Object.hasOwn(node, last)) node[last] = replace(node[last]);
    }
    return out;
}

export function toPolicyResource(r: RecordedLike): PolicyResource {
    const props = r.secretPaths?.length ? replacedAt(r.inputs, r.secretPaths, () => MASKED_SECRET) : r.inputs;
    const propertyDependencies = r.propertyDependencies ?? {};
    const dependencies = [...new Set([...(r.dependsOn ?? []), ...Object.values(propertyDependencies).flat()])];
    return { urn: r.key, type: r.type, name: r.name, props, protect: r.protect, parent: r.parent, dependencies, propertyDependencies, ...(r.region ? { region: r.region } : {}) };
}
