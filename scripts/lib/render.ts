/**
 * Text rendering of the offline plan: a preview-like tree (component -> children) and counts.
 */
import type { RecoveryFigure } from "../../policies/lib/recovery";
import { DATA_AT_RISK } from "../../lib/aws/replacements";
import type { SnapshotDiff, SnapshotResource } from "./snapshot";

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

export function renderDiff(diff: SnapshotDiff): string[] {
    const replaced = diff.changed.filter((c) => c.replaces && c.replaces.length > 0);
    const lines = [`diff: ${diff.added.length} to add, ${diff.removed.length} to remove, ${diff.changed.length - replaced.length} to change, ${replaced.length} to replace`];
    for (const c of replaced) {
        lines.push(`  +- REPLACE ${c.key}: ${c.replaces!.join(", ")} (changed: ${c.paths.join(", ")})`);
        lines.push(`     WARNING data loss: replacing deletes ${DATA_AT_RISK[c.type ?? ""] ?? "the resource"}${c.protect ? "; the resource is protected, so `pulumi up` will refuse: see docs/operations.md" : ""}`);
    }
    for (const k of diff.added) lines.push(`  + ${k}`);
    for (const k of diff.removed) lines.push(`  - ${k}`);
    for (const c of diff.changed.filter((x) => !replaced.includes(x))) lines.push(`  ~ ${c.key}: ${c.paths.join(", ")}`);
    return lines;
}

/** One line per data store: mechanism, RPO, RTO and what sets them. */
export function renderDrReport(report: RecoveryFigure[]): string[] {
    const show = (m: number | null) => (m === null ? "lost in a region outage" : `${m} min`);
    return ["DR report (region outage):", ...report.map((f) => `  ${f.store.padEnd(13)} RPO ${show(f.rpoMinutes).padEnd(23)} RTO ${show(f.rtoMinutes).padEnd(23)} ${f.mechanism} [${f.setBy}]`)];
}
