/**
 * The platform's own images in a built stack, pinned by digest or not: chart images read from the
 * values each Helm release was given (so a pin that never reached the chart shows as unpinned),
 * and the containers of the platform's own Kubernetes workloads.
 */
import type { RecordedResource } from "../../lib/offline/recorder";
import { CHARTS, chartKeyOf } from "../../components/shared/helm";
import { releaseImageStatus } from "../../components/shared/image-lock";
import { extractWorkload } from "../../policies/lib/workloads";
import { parseImage } from "../../policies/supply-chain/images";

export interface ImageReportLine { source: string; image: string; pinned: boolean }

export function platformImageReport(resources: RecordedResource[]): ImageReportLine[] {
    const lines: ImageReportLine[] = [];
    for (const r of resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
        const pin = Object.values(CHARTS).find((p) => p.chart === r.inputs.chart);
        if (!pin) continue;
        for (const s of releaseImageStatus(chartKeyOf(pin), (r.inputs.values ?? {}) as Record<string, unknown>)) {
            lines.push({ source: `${r.name} (${s.path})`, image: s.digest ? `${s.ref}@${s.digest}` : s.ref, pinned: s.pinned });
        }
        // Extra containers the platform adds to a chart (e.g. Velero's AWS plugin as an init container).
        for (const c of ((r.inputs.values as Record<string, any>)?.initContainers ?? []) as { name?: string; image?: string }[]) {
            if (typeof c.image === "string") lines.push({ source: `${r.name} (initContainers.${c.name})`, image: c.image, pinned: Boolean(parseImage(c.image)?.digest) });
        }
    }
    for (const r of resources.filter((x) => x.custom && x.type.startsWith("kubernetes:") && !x.type.startsWith("kubernetes:helm.sh/"))) {
        const w = extractWorkload(r.inputs as Record<string, any>, r.type);
        for (const c of w?.containers ?? []) {
            const image = c.container.image;
            if (typeof image === "string") lines.push({ source: `${r.name} (${c.container.name ?? c.path})`, image, pinned: Boolean(parseImage(image)?.digest) });
        }
    }
    return lines;
}

export function renderImageReport(lines: ImageReportLine[], verbose: boolean): string[] {
    const unpinned = lines.filter((l) => !l.pinned);
    const out = [`Platform images: ${lines.length - unpinned.length} pinned by digest, ${unpinned.length} unpinned${unpinned.length ? " (npm run images -- lock pins chart images; see docs/supply-chain.md)" : ""}`];
    if (verbose) for (const l of lines) out.push(`  ${l.pinned ? "pinned  " : "UNPINNED"} ${l.image}  [${l.source}]`);
    return out;
}
