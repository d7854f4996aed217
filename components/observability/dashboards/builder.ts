/**
 * A small typed builder for Grafana dashboard JSON (schema version 39): dashboards are code,
 * reviewed as TypeScript, with every query typed by its datasource.
 */
import { DS } from "../datasources";

export interface PromTarget { kind: "promql"; expr: string; legend?: string }
export interface LokiTarget { kind: "logql"; expr: string; legend?: string }
/** A CloudWatch metric; `region` defaults to the datasource's (the stack's region). */
export interface CloudWatchTarget { kind: "cloudwatch"; namespace: string; metric: string; dimensions: Record<string, string>; statistic: "Average" | "Maximum" | "Minimum" | "Sum"; region?: string }
export type Target = PromTarget | LokiTarget | CloudWatchTarget;

export interface PanelSpec {
    title: string;
    type: "timeseries" | "stat" | "logs" | "table";
    targets: Target[];
    unit?: string;
    /** Grid width (of 24). Defaults to 12. */
    width?: number;
    description?: string;
}

export interface DashboardSpec {
    uid: string;
    title: string;
    tags: string[];
    /** Template variables from label values of a PromQL query: name -> `label_values(...)`. */
    variables?: Record<string, string>;
    panels: PanelSpec[];
}

export const promql = (expr: string, legend?: string): PromTarget => ({ kind: "promql", expr, legend });
export const logql = (expr: string, legend?: string): LokiTarget => ({ kind: "logql", expr, legend });

function targetJson(t: Target, refId: string): Record<string, unknown> {
    switch (t.kind) {
        case "promql":
            return { refId, datasource: { type: "prometheus", uid: DS.prometheus }, expr: t.expr, legendFormat: t.legend ?? "__auto" };
        case "logql":
            return { refId, datasource: { type: "loki", uid: DS.loki }, expr: t.expr, legendFormat: t.legend };
        case "cloudwatch":
            return {
                refId, datasource: { type: "cloudwatch", uid: DS.cloudwatch }, queryMode: "Metrics", region: t.region ?? "default", namespace: t.namespace,
                metricName: t.metric, dimensions: t.dimensions, statistic: t.statistic, period: "", matchExact: true,
            };
    }
}

/** The dashboard JSON model Grafana provisions. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
    let x = 0;
    let y = 0;
    const panels = spec.panels.map((p, i) => {
        const w = p.width ?? 12;
        if (x + w > 24) [x, y] = [0, y + 8];
        const gridPos = { x, y, w, h: 8 };
        x += w;
        const datasource = targetJson(p.targets[0], "A").datasource;
        return {
            id: i + 1,
            type: p.type,
            title: p.title,
            description: p.description,
            gridPos,
            datasource,
            targets: p.targets.map((t, j) => targetJson(t, String.fromCharCode(65 + j))),
            fieldConfig: { defaults: { unit: p.unit ?? "short" }, overrides: [] },
            options: {},
        };
    });
    const variables = Object.entries(spec.variables ?? {}).map(([name, query]) => ({
        name, type: "query", datasource: { type: "prometheus", uid: DS.prometheus }, query: { query, refId: name }, refresh: 2, includeAll: false, multi: false,
    }));
    return {
        uid: spec.uid,
        title: spec.title,
        tags: ["platform", ...spec.tags],
        schemaVersion: 39,
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        templating: { list: variables },
        panels,
    };
}
