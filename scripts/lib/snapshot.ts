/**
 * The offline plan's JSON snapshot and its diff: one entry per resource (type, name, parent,
 * options, inputs with secrets masked), compared by `type::name` for pull-request review.
 */
import type { RecordedResource } from "../../lib/offline/recorder";
import { replacingPaths } from "../../lib/aws/replacements";

export interface SnapshotResource {
    key: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    protect: boolean;
    provider?: string;
    dependsOn: string[];
    inputs: Record<string, unknown>;
}

export interface Snapshot {
    stack: string;
    environment: string;
    resources: SnapshotResource[];
}

export function toSnapshot(stack: string, environment: string, resources: RecordedResource[]): Snapshot {
    return {
        stack,
        environment,
        resources: resources.map((r) => ({
            key: r.key, type: r.type, name: r.name, parent: r.parent, custom: r.custom, protect: r.protect,
            provider: r.provider, dependsOn: r.dependsOn, inputs: r.inputs,
        })),
    };
}

export interface SnapshotDiff {
    added: string[];
    removed: string[];
    /** `replaces`: the changed inputs that make the provider replace the resource (lib/aws/replacements.ts); `protect`: the resource is protected, so the engine will refuse. */
    changed: { key: string; paths: string[]; type?: string; replaces?: string[]; protect?: boolean }[];
}

/** Paths (a.b[0].c) where two JSON values differ. */
export function changedPaths(a: unknown, b: unknown, path = ""): string[] {
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const bothObjects = a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
    if (!bothObjects) return [path || "(value)"];
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) => {
        const next = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
        return changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], next);
    });
}

export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotDiff {
    const old = new Map(before.resources.map((r) => [r.key, r]));
    const now = new Map(after.resources.map((r) => [r.key, r]));
    const changed: SnapshotDiff["changed"] = [];
    for (const [key, r] of now) {
        const prev = old.get(key);
        if (!prev) continue;
        const { inputs: a, ...optsA } = prev;
        const { inputs: b, ...optsB } = r;
        const paths = [...changedPaths(optsA, optsB).map((p) => `(options) ${p}`), ...changedPaths(a, b)];
        if (paths.length === 0) continue;
        const replaces = replacingPaths(r.type, changedPaths(a, b));
        changed.push(replaces.length > 0 ? { key, paths, type: r.type, replaces, protect: prev.protect } : { key, paths });
    }
    return {
        added: [...now.keys()].filter((k) => !old.has(k)),
        removed: [...old.keys()].filter((k) => !now.has(k)),
        changed,
    };
}
