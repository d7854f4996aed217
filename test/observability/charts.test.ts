/**
 * Every Helm release the platform installs: chart pinned to the reference version, every values key
 * known to the chart (no silently ignored typo), explicit requests/limits for every workload, and
 * the custom resources valid against their CRD schemas.
 */
import * as assert from "node:assert/strict";
import Ajv from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS } from "../../components/shared/helm";
import { HELM_WORKLOAD_RESOURCES } from "../../policies/kubernetes/guardrails";
import { chartVersion, missingCommentedKeys, REFERENCE, unknownValueKeys, validateCustomResource, ValuesRules } from "../harness/reference";
import { BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Per chart: subcharts, pass-through application config, and keys documented only in comments. */
const RULES: Record<string, ValuesRules> = {
    "kube-prometheus-stack": {
        subcharts: { "kube-state-metrics": "kube-state-metrics", "prometheus-node-exporter": "prometheus-node-exporter" },
        // The Alertmanager configuration itself; amtool checks it (alerting.test.ts).
        // A Kubernetes SecurityContext the node-exporter chart passes through toYaml (its default sets one field).
        freeForm: ["alertmanager.config", "prometheus-node-exporter.containerSecurityContext"],
    },
    // Loki's own config blocks, passed through to loki.yaml.
    loki: { freeForm: ["loki.limits_config", "loki.compactor", "loki.schemaConfig"], commented: ["loki.storage.bucketNames"] },
    // grafana.ini is Grafana's own config file.
    // grafana.ini is Grafana's own config file; sidecar.securityContext a Kubernetes SecurityContext passed through toYaml.
    grafana: { freeForm: ["grafana.ini", "sidecar.securityContext"], commented: ["persistence.storageClassName"] },
    // userconfig is the whole Jaeger (OpenTelemetry collector) config.
    // Container SecurityContexts are passed through toYaml.
    jaeger: { freeForm: ["userconfig", "jaeger.securityContext", "esIndexCleaner.securityContext"], commented: ["jaeger.resources"] },
};

/** Where each chart's workloads take their resources: the policy pack's table (every one must be set). */
const WORKLOAD_RESOURCES = HELM_WORKLOAD_RESOURCES;

const at = (obj: any, p: string) => p.split(".").reduce((o, k) => o?.[k], obj);

for (const stack of STACKS) {
    describe(`${stack}: Helm releases`, () => {
        let s: BuiltStack;
        before(async () => (s = await builtStack(stack)));

        it("install every platform chart, each pinned to the reference chart version, atomic, through the cluster provider", () => {
            const releases = s.ofType(RELEASE);
            assert.deepEqual(releases.map((r) => r.inputs.chart).sort(), ["argo-rollouts", "grafana", "jaeger", "kube-prometheus-stack", "kyverno", "loki", "velero"]);
            for (const r of releases) {
                assert.equal(r.inputs.version, chartVersion(r.inputs.chart), `${r.inputs.chart} version`);
                assert.equal(r.inputs.atomic, true);
                assert.ok(r.provider?.includes("eks-k8s"), `${r.name} uses the cluster provider`);
            }
        });

        it("set only values keys the pinned charts define", () => {
            for (const r of s.ofType(RELEASE)) {
                const rules = RULES[r.inputs.chart];
                assert.deepEqual(unknownValueKeys(r.inputs.chart, r.inputs.values, rules), [], `${r.inputs.chart}: unknown values keys`);
            }
        });

        it("set requests and limits for every workload of every chart", () => {
            for (const r of s.ofType(RELEASE)) {
                for (const p of WORKLOAD_RESOURCES[r.inputs.chart]) {
                    const res = at(r.inputs.values, p);
                    for (const k of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"]) assert.ok(at(res, k), `${r.inputs.chart} ${p}.${k}`);
                }
            }
        });

        it("custom resources validate against the CRD schemas in the reference", () => {
            const crs = s.resources.filter((r) => r.custom && /^kubernetes:(monitoring\.coreos\.com|argoproj\.io|kyverno\.io|policy\.sigstore\.dev)\//.test(r.type));
            assert.ok(crs.length >= 3, "PrometheusRules and PodMonitors are registered");
            for (const r of crs) {
                const { apiVersion, kind, metadata, spec } = r.inputs;
                assert.deepEqual(validateCustomResource({ apiVersion, kind, metadata, spec }), [], `${kind} ${metadata.name}`);
            }
        });
    });
}

describe("Helm values checks (the checks themselves)", () => {
    it("the chart table pins the versions of the reference charts", () => {
        for (const pin of Object.values(CHARTS)) {
            if (fs.existsSync(path.join(REFERENCE, "helm-charts", pin.chart))) assert.equal(pin.version, chartVersion(pin.chart), pin.chart);
        }
    });
    it("catch a misspelt key, a key under a subchart, and accept free-form maps", () => {
        assert.deepEqual(unknownValueKeys("kube-prometheus-stack", { prometheus: { prometheusSpec: { retentoin: "1d" } } }), ["prometheus.prometheusSpec.retentoin"]);
        assert.deepEqual(unknownValueKeys("kube-prometheus-stack", { "kube-state-metrics": { resourcez: {} } }, RULES["kube-prometheus-stack"]), ["kube-state-metrics.resourcez"]);
        assert.deepEqual(unknownValueKeys("kube-prometheus-stack", { "kube-state-metrics": { resources: { limits: { cpu: "1" } } } }, RULES["kube-prometheus-stack"]), []);
        assert.deepEqual(unknownValueKeys("grafana", { extraLabels: { anything: "x" } }), []);
    });
    it("every commented key the rules rely on is documented in the chart's values.yaml", () => {
        for (const [chart, rules] of Object.entries(RULES)) assert.deepEqual(missingCommentedKeys(chart, rules.commented ?? []), [], chart);
        assert.deepEqual(missingCommentedKeys("grafana", ["persistence.noSuchKey"]), ["persistence.noSuchKey"]);
    });
    it("a CRD check rejects an unknown field and a wrong type", () => {
        const rule = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "x" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up", forr: "5m" }] }] } };
        assert.deepEqual(validateCustomResource(rule), [".spec.groups[0].rules[0].forr is not in the CRD schema"]);
        const bad = { ...rule, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up", labels: { severity: 1 } }] }] } };
        assert.ok(validateCustomResource(bad).some((e) => e.includes("/spec/groups/0/rules/0/labels/severity")));
    });
});

describe("Loki values against the chart's values.schema.json", () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REFERENCE, "helm-charts", "loki", "values.schema.json"), "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
    for (const stack of STACKS) {
        it(`${stack}: valid`, async () => {
            const s = await builtStack(stack);
            const loki = s.ofType(RELEASE).find((r) => r.inputs.chart === "loki")!;
            const ok = validate(loki.inputs.values);
            assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5)));
        });
    }
});
