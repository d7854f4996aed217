/**
 * AlertRules: the platform's rule groups and one group per SLO, as PrometheusRule resources that
 * the Prometheus operator loads (the release selects every PrometheusRule).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NamespaceRef } from "../../shared/helm";
import { platformRuleGroups, runbookUrl } from "./rules";
import { SloSpec, sloRuleGroup } from "./slo";

export type SloDefinition = Omit<SloSpec, "runbookUrl">;

export interface AlertRulesArgs {
    namespace: NamespaceRef;
    /** Base URL of docs/runbooks in this repository, e.g. https://github.com/org/platform/blob/main/docs/runbooks. */
    runbookBaseUrl: string;
    /** SLOs to generate recording rules and burn-rate alerts for. Defaults to none. */
    slos?: SloDefinition[];
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
    constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:AlertRules", name, {}, opts);
        const child = { parent: this, dependsOn: [args.monitoringCrds] };
        const rule = (ruleName: string, groups: ReturnType<typeof platformRuleGroups>) =>
            new k8s.apiextensions.CustomResource(`${name}-${ruleName}`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: ruleName, namespace: args.namespace.ready, labels: { "app.kubernetes.io/part-of": "platform" } },
                spec: { groups },
            }, child);
        rule("platform-alerts", platformRuleGroups(args.runbookBaseUrl));
        for (const slo of args.slos ?? []) {
            rule(`slo-${slo.name}`, [sloRuleGroup({ ...slo, runbookUrl: runbookUrl(args.runbookBaseUrl, "ErrorBudgetBurn") })]);
        }
        this.registerOutputs({});
    }
}
