/**
 * The offline plan's JSON snapshot and its diff: one entry per resource (type, name, parent,
 * options, inputs with secrets masked), compared by `type::name` for pull-request review.
 */
import { RecordedResource, resolveOutputs } from "../../lib/offline/recorder";
import { immutablePaths, replacingPaths } from "../../lib/aws/replacements";
import { applyIgnoreChanges } from "./ignore-changes";

export interface SnapshotResource {
    key: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    protect: boolean;
    provider?: string;
    dependsOn: string[];
    /** Input paths whose changes the engine ignores in an update (the `ignoreChanges` option); absent when none. */
    ignoreChanges?: string[];
    inputs: Record<string, unknown>;
}

export interface Snapshot {
    stack: string;
    environment: string;
    resources: SnapshotResource[];
    /** The stack outputs, secret values masked: what a StackReference to the stack reads (`npm run plan -- --project`). */
    outputs?: Record<string, unknown>;
    /** Names of the secret outputs. */
    secretOutputNames?: string[];
}

export function toSnapshot(stack: string, environment: string, resources: RecordedResource[]): Snapshot {
    return {
        stack,
        environment,
        resources: resources.map((r) => ({
            key: r.key, type: r.type, name: r.name, parent: r.parent, custom: r.custom, protect: r.protect,
            provider: r.provider, dependsOn: r.dependsOn, ...(r.ignoreChanges.length > 0 ? { ignoreChanges: r.ignoreChanges } : {}), inputs: r.inputs,
        })),
    };
}

/** The snapshot with the stack's outputs (resolved, secrets masked): what plan.json holds, and what a StackReference to the stack reads offline. */
export async function stackSnapshot(stack: string, environment: string, resources: RecordedResource[], outputs: Record<string, unknown>): Promise<Snapshot> {
    const resolved = await resolveOutputs(outputs);
    return { ...toSnapshot(stack, environment, resources), outputs: resolved.outputs, secretOutputNames: resolved.secretOutputNames };
}

/** One changed value: `before` or `after` is undefined when the path was added or removed. */
export interface ValueChange {
    path: string;
    before?: unknown;
    after?: unknown;
}

export interface ChangedResource {
    key: string;
    type: string;
    /** Changed paths: inputs (`a.b[0].c`) and resource options (`(options) protect`). */
    paths: string[];
    /** The old and new value at each changed path. */
    changes: ValueChange[];
    /** The changed inputs that make `pulumi up` replace the resource (lib/aws/replacements.ts). */
    replaces?: string[];
    /** Changed Kubernetes fields the API server refuses to update and the provider does not replace: the update fails. */
    immutable?: { path: string; reason: string }[];
    /** The resource is protected: the engine refuses to replace or delete it. */
    protect?: boolean;
}

export interface SnapshotDiff {
    added: string[];
    removed: string[];
    changed: ChangedResource[];
    /** Changes AWS refuses as planned (one line each); the plan exits 1 when there is one. */
    refused: string[];
}

/** Paths (a.b[0].c) where two JSON values differ. */
export function changedPaths(a: unknown, b: unknown, path = ""): string[] {
    return changedValues(a, b, path).map((c) => c.path);
}

/** The paths where two JSON values differ, with the value on each side (a whole added or removed subtree is one change). */
export function changedValues(a: unknown, b: unknown, path = ""): ValueChange[] {
    if (a === b || JSON.stringify(a) === JSON.stringify(b)) return [];
    const bothObjects = a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b);
    if (!bothObjects) return [{ path: path || "(value)", before: a, after: b }];
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    return [...keys].flatMap((k) => {
        const next = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
        return changedValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], next);
    });
}

/** The major of an RDS engine version (`17.6` -> 17). */
const major = (v: unknown) => (typeof v === "string" || typeof v === "number" ? Number(String(v).split(".")[0]) : NaN);

/** Changes AWS refuses: an RDS major version upgrade without allowMajorVersionUpgrade (ModifyDBInstance fails with InvalidParameterCombination). */
function refusals(prev: SnapshotResource, r: SnapshotResource): string[] {
    if (r.type !== "aws:rds/instance:Instance") return [];
    const [from, to] = [prev.inputs.engineVersion, r.inputs.engineVersion];
    if (major(to) > major(from) && r.inputs.allowMajorVersionUpgrade !== true) {
        return [`${r.key}: engineVersion ${String(from)} => ${String(to)} is a major version upgrade without allowMajorVersionUpgrade: RDS refuses it (set platform:database.allowMajorVersionUpgrade: true, docs/operations.md "PostgreSQL major upgrade")`];
    }
    if (major(to) < major(from)) return [`${r.key}: engineVersion ${String(from)} => ${String(to)} is a downgrade: RDS cannot downgrade an engine (restore a snapshot taken before the upgrade instead)`];
    return [];
}

/**
 * What `pulumi up` would do to go from `before` to `after`, resource by resource. As the engine
 * does, each resource's `ignoreChanges` (the new program's) keeps the old value at those paths, so
 * they neither change nor replace anything; the option list itself is not a change.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): SnapshotDiff {
    const old = new Map(before.resources.map((r) => [r.key, r]));
    const now = new Map(after.resources.map((r) => [r.key, r]));
    const changed: ChangedResource[] = [];
    const refused: string[] = [];
    for (const [key, r] of now) {
        const prev = old.get(key);
        if (!prev) continue;
        // The option list is not diffed (the engine keeps no copy of it); it acts on the inputs.
        const { inputs: a, ...optsA } = prev;
        const { inputs: given, ...optsB } = r;
        const ignoreChanges = r.ignoreChanges ?? [];
        delete optsA.ignoreChanges;
        delete optsB.ignoreChanges;
        const { inputs: b, missing } = applyIgnoreChanges(a, given, ignoreChanges);
        if (missing.length > 0) refused.push(`${key}: ignoreChanges ${missing.map((p) => JSON.stringify(p)).join(", ")}: the engine refuses the update ("cannot ignore changes to the following properties because one or more elements of the path are missing")`);
        const inputChanges = changedValues(a, b);
        const changes = [...changedValues(optsA, optsB).map((c) => ({ ...c, path: `(options) ${c.path}` })), ...inputChanges];
        refused.push(...refusals(prev, r));
        if (changes.length === 0) continue;
        const entry: ChangedResource = { key, type: r.type, paths: changes.map((c) => c.path), changes };
        const replaces = replacingPaths(r.type, inputChanges.map((c) => c.path));
        if (replaces.length > 0) Object.assign(entry, { replaces, protect: prev.protect });
        const immutable = immutablePaths(r.type, inputChanges.map((c) => c.path));
        if (immutable.length > 0) entry.immutable = immutable;
        changed.push(entry);
    }
    return {
        added: [...now.keys()].filter((k) => !old.has(k)),
        removed: [...old.keys()].filter((k) => !now.has(k)),
        changed,
        refused,
    };
}
