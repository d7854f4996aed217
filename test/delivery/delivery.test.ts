/**
 * Progressive delivery: Argo Rollouts and the example CanaryApp, asserted on behaviour, not
 * presence: analysis queries parse and select the labels the Services expose, weights step up to
 * full promotion, bad args fail with clear errors, one Prometheus address.
 */
import * as assert from "node:assert/strict";
import { parser as promql } from "@prometheus-io/lezer-promql";
import { canarySteps, CanaryAppArgs } from "../../components/delivery/canary-app";
import { validateCanaryArgs } from "../../components/delivery/canary-validation";
import { resources } from "../../components/shared/helm";
import { validateBuiltin } from "../harness/k8s-models";
import { fact } from "../harness/series";
import { BuiltStack, buildStack, builtStack, STACKS } from "../../lib/offline/stack";

const T = {
    rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
    template: "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate",
    service: "kubernetes:core/v1:Service",
    monitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    release: "kubernetes:helm.sh/v3:Release",
};
const DIGEST = "ghcr.io/example-org/app@sha256:" + "a".repeat(64);
const base: CanaryAppArgs = { name: "app", namespace: "apps", image: DIGEST, port: 8080, resources: resources("100m", "128Mi", "500m", "256Mi"), otlpEndpoint: "http://jaeger:4317", crds: [] };

/** Substitutes `{{args.x}}` with the values a run would get (template defaults, then the Rollout's; a pod hash for podTemplateHashValue). */
function resolve(text: string, args: { name: string; value?: string; valueFrom?: { podTemplateHashValue?: string } }[]): string {
    return text.replace(/\{\{args\.([\w-]+)\}\}/g, (_, n) => {
        const a = [...args].reverse().find((x) => x.name === n && (x.value !== undefined || x.valueFrom));
        if (!a) throw new Error(`no value for arg ${n}`);
        return a.valueFrom ? "84d5c9f7b6" : a.value!;
    });
}
const parses = (q: string) => {
    let errors = 0;
    promql.parse(q).iterate({ enter: (n) => void (n.type.isError && errors++) });
    return errors === 0;
};

describe("CanaryApp args validation", () => {
    it("accepts a digest-pinned image with requests <= limits", () => assert.deepEqual(validateCanaryArgs(base), []));
    it("refuses a tag-only image when digests are required, and :latest always", () => {
        assert.deepEqual(validateCanaryArgs({ ...base, image: "ghcr.io/example-org/app:1.2.3" }), ['image "ghcr.io/example-org/app:1.2.3" must be pinned by digest (repo@sha256:<64 hex>); a tag alone is not allowed here']);
        assert.deepEqual(validateCanaryArgs({ ...base, image: "ghcr.io/example-org/app:1.2.3", requireDigest: false }), []);
        assert.deepEqual(validateCanaryArgs({ ...base, image: "ghcr.io/example-org/app:latest", requireDigest: false }), ['image "ghcr.io/example-org/app:latest" uses the mutable tag latest']);
        assert.deepEqual(validateCanaryArgs({ ...base, image: "Not A Reference" }), ['image "Not A Reference" is not a valid image reference']);
    });
    it("refuses missing limits and limits below requests, naming the field", () => {
        const noLimits = { ...base, resources: { requests: { cpu: "100m", memory: "128Mi" } } } as unknown as CanaryAppArgs;
        assert.deepEqual(validateCanaryArgs(noLimits), ["resources.limits.cpu is required", "resources.limits.memory is required"]);
        assert.deepEqual(validateCanaryArgs({ ...base, resources: resources("1", "1Gi", "500m", "512Mi") }), [
            "resources.limits.cpu (500m) is below resources.requests.cpu (1)",
            "resources.limits.memory (512Mi) is below resources.requests.memory (1Gi)",
        ]);
    });
    it("refuses weights that do not climb to 100", () => {
        assert.match(validateCanaryArgs({ ...base, weights: [50, 25, 100] })[0], /must be increasing integers from 1 to 100 that end at 100/);
        assert.match(validateCanaryArgs({ ...base, weights: [10, 50] })[0], /end at 100/);
    });
    it("a stack whose example app has a tag-only image fails with the message, not a stack trace", async () => {
        await assert.rejects(
            buildStack("prod", { mutate: (v) => (v["platform:delivery"] = { ...v["platform:delivery"], exampleApp: { image: "ghcr.io/stefanprodan/podinfo:6.11.0" } }) }),
            (e: Error) => e.constructor.name === "RunError" && /CanaryApp podinfo:\n {2}- image "ghcr\.io\/stefanprodan\/podinfo:6\.11\.0" must be pinned by digest/.test(e.message),
        );
    });
});

describe("canary steps", () => {
    it("weights increase step by step with a pause and an analysis between them and end at full promotion", () => {
        const steps = canarySteps([10, 25, 50, 100], "2m", []);
        const weights = steps.filter((s) => "setWeight" in s).map((s) => ("setWeight" in s ? s.setWeight : 0));
        assert.deepEqual(weights, [10, 25, 50, 100]);
        assert.deepEqual(steps.map((s) => Object.keys(s)[0]), ["setWeight", "pause", "analysis", "setWeight", "pause", "analysis", "setWeight", "pause", "analysis", "setWeight"]);
    });
});

for (const stack of STACKS) {
    describe(`${stack}: progressive delivery`, () => {
        let s: BuiltStack;
        before(async () => (s = await builtStack(stack)));

        it("analysis templates query the Prometheus component's address", () => {
            const templates = s.ofType(T.template);
            assert.deepEqual(templates.map((t) => t.inputs.metadata.name).sort(), ["http-latency", "http-success-rate"]);
            for (const t of templates) for (const m of t.inputs.spec.metrics) assert.equal(m.provider.prometheus.address, s.platform.observability.prometheus.url);
            assert.equal(s.platform.observability.prometheus.url, "http://kps-prometheus.observability.svc.cluster.local:9090");
        });

        it("every analysis query parses as PromQL with the Rollout's args and selects the canary Service's series", () => {
            const rollout = s.ofType(T.rollout)[0].inputs;
            const canary = rollout.spec.strategy.canary;
            const templates = Object.fromEntries(s.ofType(T.template).map((t) => [t.inputs.metadata.name, t.inputs.spec]));
            const uses = [
                ...canary.analysis.templates.map((t: any) => ({ template: t.templateName, args: canary.analysis.args })),
                ...canary.steps.filter((st: any) => st.analysis).flatMap((st: any) => st.analysis.templates.map((t: any) => ({ template: t.templateName, args: st.analysis.args }))),
            ];
            assert.ok(uses.length >= 4);
            for (const use of uses) {
                const spec = templates[use.template];
                assert.ok(spec, `template ${use.template} exists`);
                for (const m of spec.metrics) {
                    const args = [...spec.args, ...use.args];
                    const query = resolve(m.provider.prometheus.query, args);
                    assert.ok(parses(query), query);
                    assert.match(query, new RegExp(`namespace="${rollout.metadata.namespace}", service="${canary.canaryService}"`));
                    for (const c of [m.successCondition, m.failureCondition]) assert.doesNotMatch(resolve(c, args), /\{\{/);
                }
            }
            // The ServiceMonitor selects the stable and canary Services (so their series carry those names) but not the main one.
            const monitor = s.ofType(T.monitor).find((m) => m.inputs.metadata.name === "podinfo")!.inputs.spec.selector.matchLabels;
            const matches = (svc: any) => Object.entries(monitor).every(([k, v]) => svc.metadata.labels[k] === v);
            const services = Object.fromEntries(s.ofType(T.service).filter((x) => x.inputs.metadata.namespace === "apps").map((x) => [x.inputs.metadata.name, x.inputs]));
            assert.deepEqual(Object.keys(services).filter((n) => matches(services[n])).sort(), [canary.canaryService, canary.stableService].sort());
            assert.equal(monitor["platform.io/monitored"], "true");
        });

        it("the Rollout is set up to roll back on a failed analysis: background analysis, abort delay, no surge below capacity", () => {
            const c = s.ofType(T.rollout)[0].inputs.spec.strategy.canary;
            assert.equal(c.analysis.templates[0].templateName, "http-success-rate");
            assert.equal(c.analysis.templates[0].clusterScope, true);
            assert.equal(c.abortScaleDownDelaySeconds, 30);
            assert.equal(c.maxUnavailable, 0);
            assert.deepEqual(c.steps.filter((x: any) => "setWeight" in x).map((x: any) => x.setWeight), [10, 25, 50, 100]);
        });

        it("the Rollout container has limits, a digest-pinned image and OTLP export to Jaeger", () => {
            const ctr = s.ofType(T.rollout)[0].inputs.spec.template.spec.containers[0];
            assert.match(ctr.image, /@sha256:[0-9a-f]{64}$/);
            assert.ok(ctr.resources.limits.cpu && ctr.resources.limits.memory);
            const env = Object.fromEntries(ctr.env.map((e: any) => [e.name, e.value]));
            assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, s.platform.observability.jaeger.otlpGrpcEndpoint);
        });

        it("the example app sends traces and logs their ids, with the settings podinfo reads (facts from its source)", () => {
            const ctr = s.ofType(T.rollout)[0].inputs.spec.template.spec.containers[0];
            const env = Object.fromEntries(ctr.env.map((e: any) => [e.name, e.value]));
            const flagEnv = (flag: string) => `${fact<string>("podinfo.env.prefix")}_${flag.toUpperCase().replace(/-/g, "_")}`;
            // Tracing is off unless --otel-service-name is set; its value is the span's service.name, which the correlations map to `container`.
            assert.equal(env[flagEnv(fact<string>("podinfo.flags.tracing"))], ctr.name);
            // The gRPC exporter reads the standard endpoint; http:// makes it plaintext (Jaeger's in-cluster OTLP port).
            assert.match(env.OTEL_EXPORTER_OTLP_ENDPOINT, /^http:\/\/jaeger\.observability\.svc\.cluster\.local:4317$/);
            // The request log line carries trace_id only at debug level.
            assert.equal(env[flagEnv(fact<string>("podinfo.flags.logLevel"))], fact<string>("podinfo.traceIdLogLevel"));
        });

        it("the ServiceMonitor copies each pod's template hash onto its series, and the analysis passes the latest hash", () => {
            const monitor = s.ofType(T.monitor).find((m) => m.inputs.metadata.name === "podinfo")!.inputs.spec;
            assert.deepEqual(monitor.podTargetLabels, ["rollouts-pod-template-hash"]);
            const canary = s.ofType(T.rollout)[0].inputs.spec.strategy.canary;
            for (const args of [canary.analysis.args, ...canary.steps.filter((x: any) => x.analysis).map((x: any) => x.analysis.args)]) {
                assert.deepEqual(args.find((a: any) => a.name === "canary-hash"), { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } });
            }
        });

        it("the controller: CRDs installed and kept, replicas and PDB by config, metrics scraped", () => {
            const v = s.ofType(T.release).find((r) => r.inputs.chart === "argo-rollouts")!.inputs.values;
            assert.deepEqual([v.installCRDs, v.keepCRDs], [true, true]);
            assert.equal(v.controller.replicas, s.config.delivery.argoRollouts.replicas);
            assert.equal(v.controller.pdb.enabled, s.config.delivery.argoRollouts.replicas > 1);
            assert.equal(v.controller.metrics.serviceMonitor.enabled, true);
            assert.equal(v.dashboard.enabled, s.config.delivery.argoRollouts.dashboard);
        });

        it("built-in objects (Services, HPA, PDB, namespaces, DaemonSet, ...) validate against the Kubernetes schemas", async () => {
            const builtins = s.resources.filter((r) => r.custom && /^kubernetes:(core|apps|policy|autoscaling|rbac\.authorization\.k8s\.io|storage\.k8s\.io|admissionregistration\.k8s\.io)\//.test(r.type));
            assert.ok(builtins.some((r) => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
            for (const r of builtins) assert.deepEqual(await validateBuiltin(r), [], `${r.type} ${r.name}`);
        });
    });
}

describe("Kubernetes schema check (the check itself)", () => {
    it("rejects a Service port given as a string", async () => {
        const errors = await validateBuiltin({ type: "kubernetes:core/v1:Service", inputs: { metadata: { name: "x" }, spec: { ports: [{ port: "80" }] } } } as any);
        assert.match(errors[0] ?? "", /port must be integer/);
    });
});
