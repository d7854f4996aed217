/**
 * The drill's report: `drill-report.json` (the DrillReport as is) and `drill-report.md` (figures
 * against the targets and the DR report's design figures, then every step with its time).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DrillReport } from "./drill";

const show = (m: number | null) => (m === null ? "—" : `${m} min`);
const result = (met: boolean | null) => (met === null ? "not measured" : met ? "met" : "**missed**");
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownReport(r: DrillReport): string {
    const lines = [
        `# DR drill ${r.stack}: ${r.verdict}`,
        "",
        `Run ${r.runId}, ${r.mode === "replica" ? "cross-region replica" : "point-in-time restore of replicated backups"} from ${r.primaryRegion} to ${r.drRegion}, ${r.startedAt} to ${r.finishedAt} (deadline ${r.deadlineMinutes} min). Drill instance: \`${r.drillInstance}\`.`,
        "",
        "## Figures",
        "",
        "| store | figure | measured | target (platform:dr.targets) | design (drReport) | result | how |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...r.comparisons.map((c) => `| ${c.store} | ${c.figure} | ${show(c.measuredMinutes)} | ${show(c.targetMinutes)} | ${show(c.designMinutes)} | ${result(c.met)} | ${cell(c.note)} |`),
        "",
        "## Steps",
        "",
        "| step | status | seconds | detail |",
        "| --- | --- | --- | --- |",
        ...r.steps.map((s) => `| ${s.name} | ${s.status} | ${s.seconds} | ${cell(s.detail.join("; "))} |`),
    ];
    if (r.measured.setupSeconds !== undefined) lines.push("", `Setup (the drill's own replica, not part of the RTO): ${r.measured.setupSeconds} s.`);
    if (r.chaos) {
        lines.push("", "## Chaos experiment", "", `\`${r.chaos.key}\` (template ${r.chaos.templateId}${r.chaos.experimentId ? `, experiment ${r.chaos.experimentId}` : ""}): ${r.chaos.detail}`);
    }
    return `${lines.join("\n")}\n`;
}

/** Writes both files into `dir` and returns their paths. */
export function writeReport(r: DrillReport, dir: string): { json: string; markdown: string } {
    fs.mkdirSync(dir, { recursive: true });
    const json = path.join(dir, "drill-report.json");
    const markdown = path.join(dir, "drill-report.md");
    fs.writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
    fs.writeFileSync(markdown, markdownReport(r));
    return { json, markdown };
}
