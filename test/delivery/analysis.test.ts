/**
 * The canary analysis against series shaped as podinfo 6.11 and the CanaryApp's ServiceMonitor
 * produce them, evaluated by promtool: the deployed ClusterAnalysisTemplates' queries with the
 * Rollout's args, then Argo Rollouts' success/failure conditions on the result. A canary with 10% 5xx
 * on user requests fails; slow user responses fail; probes and scrapes alone are "no traffic"
 * (inconclusive); the stable pods' series under the canary Service never count; and the background
 * analysis measures during every step of the rollout.
 */
import * as assert from "node:assert/strict";
import * as yaml from "js-yaml";
import { BuiltStack, builtStack, STACKS } from "../../lib/offline/stack";
import { fact } from "../harness/series";
import { podinfoRoute, podinfoSeries, probes } from "../harness/podinfo";
import { runTool } from "../harness/tools";
import { tempDirs } from "../harness/tmp";
import { metricContractProblems, routeName } from "../../components/delivery/canary-validation";

const tmp = tempDirs("platform-analysis-");
const T = { rollout: "kubernetes:argoproj.io/v1alpha1:Rollout", template: "kubernetes:argoproj.io/v1alpha1:ClusterAnalysisTemplate" };
type Arg = { name: string; value?: string; valueFrom?: { podTemplateHashValue?: string } };
type Verdict = "Successful" | "Failed" | "Inconclusive";

const STABLE_HASH = "6f9c7d8b4";
const CANARY_HASH = "84d5c9f7b6";

/** `{{args.x}}` substituted as Argo Rollouts does: template defaults, then the Rollout's values; the latest pod hash for podTemplateHashValue: Latest. */
function resolve(text: string, args: Arg[]): string {
    return text.replace(/\{\{args\.([\w-]+)\}\}/g, (_, n) => {
        const a = [...args].reverse().find((x) => x.name === n && (x.value !== undefined || x.valueFrom));
        if (!a) throw new Error(`no value for arg ${n}`);
        if (a.valueFrom?.podTemplateHashValue === "Latest") return CANARY_HASH;
        if (a.valueFrom?.podTemplateHashValue === "Stable") return STABLE_HASH;
        return a.value!;
    });
}

/** Argo Rollouts' verdict on one measurement, for conditions of the form `len(result) > 0 && result[0] <op> <number>`. */
function measure(success: string, failure: string, result: number[]): Verdict {
    const test = (cond: string) => {
        const m = /^len\(result\) > 0 && result\[0\] (>=|<=|>|<) ([\d.]+)$/.exec(cond);
        if (!m) throw new Error(`condition not understood by this test: ${cond}`);
        if (result.length === 0) return false;
        const [v, t] = [result[0], Number(m[2])];
        return { ">=": v >= t, "<=": v <= t, ">": v > t, "<": v < t }[m[1]]!;
    };
    if (test(failure)) return "Failed";
    return test(success) ? "Successful" : "Inconclusive";
}

interface Analysis { name: string; query: string; success: string; failure: string; metric: Record<string, any> }

/** The analyses a rollout of the stack's example app runs: background (Rollout.spec.strategy.canary.analysis) and per step. */
function analyses(s: BuiltStack): { background: Analysis[]; step: Analysis[]; rollout: any } {
    const rollout = s.ofType(T.rollout)[0].inputs;
    const canary = rollout.spec.strategy.canary;
    const templates = Object.fromEntries(s.ofType(T.template).map((t) => [t.inputs.metadata.name, t.inputs.spec]));
    const expand = (templateNames: string[], args: Arg[]) => templateNames.flatMap((n) => templates[n].metrics.map((m: any) => {
        const all = [...templates[n].args, ...args];
        return { name: m.name, query: resolve(m.provider.prometheus.query, all), success: resolve(m.successCondition, all), failure: resolve(m.failureCondition, all), metric: m };
    }));
    const stepUse = canary.steps.find((st: any) => st.analysis).analysis;
    return {
        background: expand(canary.analysis.templates.map((t: any) => t.templateName), canary.analysis.args),
        step: expand(stepUse.templates.map((t: any) => t.templateName), stepUse.args),
        rollout,
    };
}

/** What promtool says each query returns at 10 minutes (exp: value rounded to 1e-4, or none). */
function checkResults(queries: { query: string; expect: number | undefined }[], input: { series: string; values: string }[]): void {
    const test = {
        interval: "1m",
        input_series: input,
        promql_expr_test: queries.map((q) => ({ expr: `round(${q.query}, 0.0001)`, eval_time: "10m", exp_samples: q.expect === undefined ? [] : [{ labels: "{}", value: q.expect }] })),
    };
    const dir = tmp.files({ "rules.yaml": "groups: []\n", "tests.yaml": yaml.dump({ rule_files: ["rules.yaml"], tests: [test] }, { lineWidth: -1 }) });
    const r = runTool("promtool", "prometheus", ["test", "rules", "tests.yaml"], dir);
    assert.equal(r.code, 0, r.output);
}

for (const stack of STACKS) {
    describe(`${stack}: canary analysis over user traffic`, () => {
        let s: BuiltStack;
        before(async () => (s = await builtStack(stack)));

        /** Runs every analysis on `input`, with the value each query must return, and returns the verdicts by metric name. */
        function verdicts(input: { series: string; values: string }[], expected: Record<string, number | undefined>): Record<string, Verdict> {
            const { background, step } = analyses(s);
            const all = [...background, ...step];
            checkResults(all.map((a) => ({ query: a.query, expect: expected[a.name] })), input);
            return Object.fromEntries(all.map((a) => [a.name, measure(a.success, a.failure, expected[a.name] === undefined ? [] : [expected[a.name]!])]));
        }
        const stableUnderCanary = () => podinfoSeries(s, "podinfo-canary", "podinfo-6f9c7d8b4-aaaaa", STABLE_HASH, [...probes(s), { path: "root", status: "200", perMinute: 1000, seconds: 0.004 }]);

        it("a canary with 10% 5xx on user requests fails, though probes, scrapes and the stable pods answer 200", () => {
            const canary = podinfoSeries(s, "podinfo-canary", "podinfo-84d5c9f7b6-bbbbb", CANARY_HASH, [
                ...probes(s), { path: "root", status: "200", perMinute: 90, seconds: 0.004 }, { path: "root", status: "503", perMinute: 10, seconds: 0.004 },
            ]);
            const v = verdicts([...canary, ...stableUnderCanary()], { "success-rate": 0.9, "latency-p95": 0.0048, "latency-p99": 0.005 });
            assert.deepEqual(v, { "success-rate": "Failed", "latency-p95": "Successful", "latency-p99": "Successful" });
        });

        it("a canary answering users in 2 s fails on latency, though probes answer in 1 ms", () => {
            const canary = podinfoSeries(s, "podinfo-canary", "podinfo-84d5c9f7b6-bbbbb", CANARY_HASH, [...probes(s), { path: "delay", status: "200", perMinute: 60, seconds: 2 }]);
            const v = verdicts([...canary, ...stableUnderCanary()], { "success-rate": 1, "latency-p95": 2.425, "latency-p99": 2.485 });
            assert.deepEqual(v, { "success-rate": "Successful", "latency-p95": "Failed", "latency-p99": "Inconclusive" });
        });

        it("probes and scrapes alone are no traffic: every metric is inconclusive, and the stable pods' series do not stand in", () => {
            const canary = podinfoSeries(s, "podinfo-canary", "podinfo-84d5c9f7b6-bbbbb", CANARY_HASH, probes(s));
            const v = verdicts([...canary, ...stableUnderCanary()], { "success-rate": undefined, "latency-p95": undefined, "latency-p99": undefined });
            assert.deepEqual(v, { "success-rate": "Inconclusive", "latency-p95": "Inconclusive", "latency-p99": "Inconclusive" });
        });

        it("a healthy canary passes", () => {
            const canary = podinfoSeries(s, "podinfo-canary", "podinfo-84d5c9f7b6-bbbbb", CANARY_HASH, [...probes(s), { path: "root", status: "200", perMinute: 999, seconds: 0.02 }, { path: "root", status: "500", perMinute: 1, seconds: 0.02 }]);
            const v = verdicts(canary, { "success-rate": 0.999, "latency-p95": 0.0243, "latency-p99": 0.0248 });
            assert.deepEqual(v, { "success-rate": "Successful", "latency-p95": "Successful", "latency-p99": "Successful" });
        });

        it("the background analysis measures during every step until the rollout completes, and starts once the canary has data", () => {
            const { background, step, rollout } = analyses(s);
            const seconds = (d: string) => Number(/^(\d+)([sm])$/.exec(d)![1]) * ({ s: 1, m: 60 } as Record<string, number>)[/^(\d+)([sm])$/.exec(d)![2]];
            // When each step starts: a pause takes its duration, a step analysis about count x interval.
            const steps = rollout.spec.strategy.canary.steps;
            const startsAt: number[] = [];
            let t = 0;
            for (const st of steps) {
                startsAt.push(t);
                if ("pause" in st) t += seconds(st.pause.duration);
                if ("analysis" in st) t += step[0].metric.count * seconds(step[0].metric.interval);
            }
            const weightsAt: [number, number][] = steps.map((st: any, i: number) => ["setWeight" in st ? st.setWeight : -1, startsAt[i]]).filter(([w]: [number]) => w >= 0);
            const start = startsAt[rollout.spec.strategy.canary.analysis.startingStep];
            for (const b of background) {
                const end = b.metric.count === undefined ? Infinity : start + seconds(b.metric.initialDelay ?? "0s") + b.metric.count * seconds(b.metric.interval);
                for (const [weight, at] of weightsAt.filter(([w]) => w < 100)) assert.ok(at < end, `${b.name} still measures when weight ${weight} is set at ${at} s (it ends at ${end} s)`);
                // Two 15 s scrapes of the new pods inside the 2m rate window.
                assert.ok(seconds(b.metric.initialDelay ?? "0s") >= 30, `${b.name} waits for the canary's first scrapes`);
            }
        });
    });
}

describe("the metric contract (CanaryApp validation)", () => {
    it("podinfo names its routes as the exclusion expects (fact from podinfo's source)", () => {
        assert.match(fact<string>("podinfo.routeLabel"), /lower case/);
        const paths = ["/readyz", "/healthz", "/metrics", "/", "/api/info", "/status/{code}"];
        assert.deepEqual(paths.map(routeName), ["readyz", "healthz", "metrics", "root", "api_info", "status_code"]);
        assert.deepEqual(paths.map(routeName), paths.map(podinfoRoute), "the product's exclusion names routes as podinfo does");
    });
    it("accepts the defaults and sensible labels; refuses reserved or invalid labels and paths that cannot be quoted", () => {
        assert.deepEqual(metricContractProblems({}), []);
        assert.deepEqual(metricContractProblems({ metrics: { routeLabel: "handler", statusLabel: "code", excludeRoutes: ["/admin/health"] } }), []);
        assert.deepEqual(metricContractProblems({ metrics: { routeLabel: "service", statusLabel: "2xx", path: "metrics", excludeRoutes: ['a"b'] }, probes: { readiness: { path: "/ready{x}" } } }), [
            'metrics.routeLabel "service" is a label the scrape sets on every series (__name__, le, job, instance, namespace, service, pod, container, endpoint, node, rollouts_pod_template_hash); name the app\'s label differently',
            'metrics.statusLabel "2xx" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
            'metrics.path "metrics" must be an absolute path of letters, digits and _ . / : - (it is left out of the analysis by value)',
            'probes.readiness.path "/ready{x}" must be an absolute path of letters, digits and _ . / : - (it is left out of the analysis by value)',
            'metrics.excludeRoutes[0] "a"b" must be a route of letters, digits and _ . / : -',
        ]);
        assert.deepEqual(metricContractProblems({ metrics: { routeLabel: "route", statusLabel: "route" } }), ['metrics.routeLabel and metrics.statusLabel are both "route"; the route and the status code need their own labels']);
    });
});
