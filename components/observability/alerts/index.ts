/**
 * AlertRules: the platform's rule groups and one group per SLO, as PrometheusRule resources that
 * the Prometheus operator loads (the release selects every PrometheusRule). Rule groups of services
 * built later (Velero's schedules) are added with `add`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceRef } from "../../shared/helm";
import { platformRuleGroups, runbookUrl } from "./rules";
import { SloSpec, sloRuleGroup } from "./slo";
import { RuleGroup } from "./types";

export type SloDefinition = Omit<SloSpec, "runbookUrl">;
export type { RuleGroup } from "./types";

export interface AlertRulesArgs {
    namespace: NamespaceRef;
    /** Base URL of docs/runbooks in this repository, e.g. https://github.com/org/platform/blob/main/docs/runbooks. */
    runbookBaseUrl: string;
    /** SLOs to generate recording rules and burn-rate alerts for. Defaults to none. */
    slos?: SloDefinition[];
    /** Prometheus's retention: SLO windows are cut to it (a 30d budget needs 30d of data). Defaults to none (windows as asked). */
    retention?: string;
    /** The Prometheus release (it installs the PrometheusRule CRD). */
    monitoringCrds: pulumi.Resource;
}

/** The API server availability SLO every cluster gets: 99.9% of requests answered without 5xx. */
export const API_SERVER_SLO: SloDefinition = {
    name: "apiserver-availability",
    service: "kube-apiserver",
    good: 'sum(rate(apiserver_request_total{job="apiserver", code!~"5.."}[$window]))',
    total: 'sum(rate(apiserver_request_total{job="apiserver"}[$window]))',
    objective: 0.999,
};

export class AlertRules extends pulumi.ComponentResource {
    public readonly runbookBaseUrl: string;
    private readonly args: AlertRulesArgs;
    private readonly ruleName: string;

    constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlertRules", name, {}, opts);
        this.args = args;
        this.ruleName = name;
        this.runbookBaseUrl = args.runbookBaseUrl;
        this.add("platform-alerts", platformRuleGroups(args.runbookBaseUrl));
        for (const slo of args.slos ?? []) {
            this.add(`slo-${slo.name}`, [sloRuleGroup({ ...slo, runbookUrl: runbookUrl(args.runbookBaseUrl, "ErrorBudgetBurn") }, args.retention)]);
        }
        this.registerOutputs({});
    }

    /** One PrometheusRule named `ruleName` holding `groups`. */
    public add(ruleName: string, groups: RuleGroup[]): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(`${this.ruleName}-${ruleName}`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: ruleName, namespace: this.args.namespace.ready, labels: { "app.kubernetes.io/part-of": "platform" } },
            spec: { groups },
        }, { parent: this, dependsOn: [this.args.monitoringCrds] });
    }
}
