/**
 * Text rendering of the offline plan: a preview-like tree (component -> children), counts, and the
 * diff against an older plan with each changed value (old => new, secrets masked, long values cut).
 */
import type { RecoveryFigure } from "../../policies/lib/recovery";
import { DATA_AT_RISK, REPLACEMENT_NOTES } from "../../lib/aws/replacements";
import { SECRET_MASK } from "../../lib/offline/recorder";
import type { ChangedResource, SnapshotDiff, SnapshotResource, ValueChange } from "./snapshot";

export function renderTree(resources: SnapshotResource[]): string[] {
    const children = new Map<string | undefined, SnapshotResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent);
        if (list) list.push(r);
        else children.set(r.parent, [r]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, indent: string) => {
        const kids = children.get(parent) ?? [];
        kids.forEach((r, i) => {
            const last = i === kids.length - 1;
            const size = r.custom ? "" : ` (${countDescendants(r.key, children)} resources)`;
            lines.push(`${indent}${last ? "└─ " : "├─ "}${r.type} ${r.name}${r.protect ? " [protected]" : ""}${size}`);
            walk(r.key, indent + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    return lines;
}

function countDescendants(key: string, children: Map<string | undefined, SnapshotResource[]>): number {
    return (children.get(key) ?? []).reduce((n, c) => n + (c.custom ? 1 : 0) + countDescendants(c.key, children), 0);
}

export function renderCounts(resources: SnapshotResource[]): string[] {
    const counts = new Map<string, number>();
    for (const r of resources.filter((x) => x.custom)) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => `${String(n).padStart(5)}  ${t}`);
}

/** How many changed values are printed under one resource before "... and N more". */
const MAX_VALUES = 12;
/** Longest printed value, in characters. */
const MAX_VALUE = 72;
/** Keys whose string values are never printed, even when the program did not mark them secret. */
const SENSITIVE_KEY = /(password|passwd|secret|token|private_?key|api_?key|routing_?key|webhook|credential)/i;

/** A value for one side of a change: JSON, secrets masked, long values cut around `focus` (the first differing character). */
export function showValue(v: unknown, path: string, focus = 0): string {
    if (v === undefined) return "(none)";
    const last = path.split(/[.[\]]/).filter(Boolean).pop() ?? "";
    if (v === SECRET_MASK || (typeof v === "string" && SENSITIVE_KEY.test(last))) return SECRET_MASK;
    const text = JSON.stringify(v) ?? String(v);
    if (text.length <= MAX_VALUE) return text;
    const from = Math.max(0, Math.min(focus - 20, text.length - MAX_VALUE));
    const to = from + MAX_VALUE;
    return `${from > 0 ? "…" : ""}${text.slice(from, to)}${to < text.length ? "…" : ""} (${text.length} chars)`;
}

/** `path: old => new`, long strings shown around where they first differ. */
export function showChange(c: ValueChange): string {
    const [a, b] = [JSON.stringify(c.before) ?? "", JSON.stringify(c.after) ?? ""];
    let focus = 0;
    while (focus < a.length && focus < b.length && a[focus] === b[focus]) focus++;
    if (c.before === undefined) return `+ ${c.path}: ${showValue(c.after, c.path)}`;
    if (c.after === undefined) return `- ${c.path}: ${showValue(c.before, c.path)}`;
    return `${c.path}: ${showValue(c.before, c.path, focus)} => ${showValue(c.after, c.path, focus)}`;
}

function valueLines(c: ChangedResource, indent: string): string[] {
    const lines = c.changes.slice(0, MAX_VALUES).map((v) => `${indent}${showChange(v)}`);
    if (c.changes.length > MAX_VALUES) lines.push(`${indent}... and ${c.changes.length - MAX_VALUES} more (compare the plan.json files)`);
    return lines;
}

export function renderDiff(diff: SnapshotDiff): string[] {
    const replaced = diff.changed.filter((c) => c.replaces && c.replaces.length > 0);
    const failing = diff.changed.filter((c) => c.immutable && c.immutable.length > 0);
    const lines = [`diff: ${diff.added.length} to add, ${diff.removed.length} to remove, ${diff.changed.length - replaced.length} to change, ${replaced.length} to replace`];
    for (const r of diff.refused ?? []) lines.push(`  !! REFUSED ${r}`);
    for (const c of failing) for (const i of c.immutable!) lines.push(`  !! FAILS ${c.key}: ${i.path} cannot change (${i.reason}) and the provider does not replace the object: delete it first or add replaceOnChanges`);
    const noted = new Set<string>();
    for (const c of replaced) {
        lines.push(`  +- REPLACE ${c.key}: ${c.replaces!.join(", ")} (changed: ${c.paths.join(", ")})`, ...valueLines(c, "       "));
        const risk = DATA_AT_RISK[c.type];
        if (risk || c.protect) lines.push(`     WARNING data loss: replacing deletes ${risk ?? "the resource"}${c.protect ? "; the resource is protected, so `pulumi up` will refuse: see docs/operations.md" : ""}`);
        if (REPLACEMENT_NOTES[c.type] && !noted.has(c.type)) lines.push(`     NOTE ${REPLACEMENT_NOTES[c.type]}`);
        noted.add(c.type);
    }
    for (const k of diff.added) lines.push(`  + ${k}`);
    for (const k of diff.removed) lines.push(`  - ${k}`);
    for (const c of diff.changed.filter((x) => !replaced.includes(x))) lines.push(`  ~ ${c.key}: ${c.paths.join(", ")}`, ...valueLines(c, "       "));
    return lines;
}

/** One line per data store: mechanism, RPO, RTO and what sets them. */
export function renderDrReport(report: RecoveryFigure[]): string[] {
    const show = (m: number | null) => (m === null ? "lost in a region outage" : `${m} min`);
    return ["DR report (region outage):", ...report.map((f) => `  ${f.store.padEnd(13)} RPO ${show(f.rpoMinutes).padEnd(23)} RTO ${show(f.rtoMinutes).padEnd(23)} ${f.mechanism} [${f.setBy}]`)];
}
