/**
 * Every container of every chart the platform installs has requests and limits: the container list
 * comes from each pinned chart's default values (lib/charts/containers.json, derived by
 * `npm run derive -- containers`, scripts/derive/containers.ts), not from memory. A container the chart does not render with
 * our values (its `enabled` switch off, no replicas, or a mode we do not use) is skipped, the latter
 * only when listed in NOT_RENDERED with the reason.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS } from "../../components/shared/helm";
import { builtStack, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import type { ContainersFile } from "../../scripts/derive/containers";
import { HELM_OPTIONAL_WORKLOAD_RESOURCES, HELM_WORKLOAD_RESOURCES } from "../../policies/kubernetes/guardrails";

const facts = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "lib", "charts", "containers.json"), "utf8")) as ContainersFile).charts;

/** Containers our values never render, by chart, with the reason. */
const NOT_RENDERED: Record<string, Record<string, string>> = {
    loki: Object.fromEntries(["bloomBuilder", "bloomGateway", "bloomPlanner", "compactor", "distributor", "indexGateway", "ingester", "overridesExporter", "patternIngester", "querier", "queryFrontend", "queryScheduler", "ruler"].map((c) => [`${c}.resources`, "Distributed mode only; the platform runs SimpleScalable or Monolithic"]).concat([
        ["tableManager.resources", "legacy table manager, only for schema stores before tsdb"],
        ["minio.resources", "MinIO subchart disabled (minio.enabled false): S3 is the store"],
        ["chunksCache.l2.resources", "second cache tier, off unless chunksCache.l2.enabled"],
    ])),
    jaeger: {
        "spark.resources": "dependencies job, off unless spark.enabled",
        "esLookback.resources": "index rollover lookback, off unless esLookback.enabled",
        "esRollover.resources": "index rollover, off unless esRollover.enabled",
    },
    grafana: {
        "imageRenderer.resources": "image renderer, off unless imageRenderer.enabled",
        "downloadDashboards.resources": "init container only when dashboards are downloaded from URLs (none)",
    },
    "kube-prometheus-stack": {
        "thanosRuler.thanosRulerSpec.resources": "Thanos Ruler, off unless thanosRuler.enabled",
        "crds.upgradeJob.resources": "CRD upgrade job, off unless crds.upgradeJob.enabled",
        "kube-state-metrics.kubeRBACProxy.resources": "kube-rbac-proxy sidecar, off unless kubeRBACProxy.enabled",
        "prometheus-node-exporter.kubeRBACProxy.resources": "kube-rbac-proxy sidecar, off unless kubeRBACProxy.enabled",
    },
    velero: { "nodeAgent.resources": "node agent (file-system backup) not deployed: deployNodeAgent false, EBS snapshots instead" },
    kyverno: { "test.resources": "helm test pod, not run by Pulumi" },
};

function get(o: unknown, p: string): unknown {
    return p.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined), o);
}

/** Why the chart does not render the container at `resPath` with `values`, or undefined when it does. */
function notRendered(chart: string, resPath: string, values: unknown): string | undefined {
    const parts = resPath.split(".").slice(0, -1);
    for (let i = parts.length; i >= 1; i--) {
        const prefix = parts.slice(0, i).join(".");
        const enabled = get(values, `${prefix}.enabled`) ?? facts[chart].switches[prefix];
        if (enabled === false) return `${prefix}.enabled is false`;
        if (get(values, `${prefix}.replicas`) === 0) return `${prefix}.replicas is 0`;
    }
    return NOT_RENDERED[chart]?.[resPath];
}

type Res = { requests?: Record<string, string>; limits?: Record<string, string> } | undefined;

/** The block the chart renders: our values merged over the chart's defaults (Helm merges maps key by key). */
function effective(chart: string, resPath: string, values: unknown): Res {
    const ours = get(values, resPath) as Res;
    const def = facts[chart].resourceDefaults?.[resPath] as Res;
    return { requests: { ...def?.requests, ...ours?.requests }, limits: { ...def?.limits, ...ours?.limits } };
}

const complete = (res: Res) => !!(res?.requests?.cpu && res.requests.memory && res.limits?.cpu && res.limits.memory);

describe("chart containers: requests and limits (from each chart's values)", () => {
    it("the derived facts list every chart the platform pins, at its pinned version", () => {
        assert.deepEqual(Object.entries(facts).map(([c, f]) => `${c} ${f.version}`), Object.values(CHARTS).map((p) => `${p.chart} ${p.version}`), "regenerate: npm run derive -- containers --chart <chart dir>");
        assert.ok(facts["kube-prometheus-stack"].resources.includes("prometheus-node-exporter.resources"));
    });
    for (const stack of STACKS) {
        it(`${stack}: every rendered container of every release has cpu and memory requests and limits`, async () => {
            const s = await builtStack(stack);
            const missing: string[] = [];
            for (const r of s.ofType("kubernetes:helm.sh/v3:Release")) {
                const chart = r.inputs.chart as string;
                assert.ok(facts[chart], `no container facts for chart ${chart}: run npm run derive -- containers --chart <chart dir>`);
                for (const resPath of facts[chart].resources) {
                    if (notRendered(chart, resPath, r.inputs.values)) continue;
                    if (!complete(effective(chart, resPath, r.inputs.values))) missing.push(`${r.name} (${chart}): ${resPath}`);
                }
            }
            assert.deepEqual(missing, []);
        });
    }
    it("the exceptions name containers the charts have", () => {
        for (const [chart, paths] of Object.entries(NOT_RENDERED)) for (const p of Object.keys(paths)) assert.ok(facts[chart].resources.includes(p), `${chart}: ${p}`);
    });
    it("an exception that says a switch is off is checked against the chart's default (Loki's gateway.metrics is on by default)", () => {
        const wrong: string[] = [];
        for (const [chart, paths] of Object.entries(NOT_RENDERED)) {
            for (const [p, why] of Object.entries(paths)) {
                for (const m of why.matchAll(/([\w.-]+)\.enabled/g)) {
                    // The switch as written, or relative to the container's own prefix (a subchart's key).
                    const parts = p.split(".");
                    const candidates = [m[1], ...parts.map((_, i) => [...parts.slice(0, i), m[1]].join("."))];
                    if (!candidates.some((c) => facts[chart].switches[c] === false)) wrong.push(`${chart}: ${p} says ${m[1]}.enabled is off, the chart's default is ${candidates.map((c) => facts[chart].switches[c]).find((v) => v !== undefined)}`);
                }
            }
        }
        assert.deepEqual(wrong, []);
        assert.equal(facts.loki.switches["gateway.metrics"], true);
    });
    it("the index finds resources blocks under other key names (velero upgradeJobResources, kyverno crds.migration.podResources) and the chart defaults", () => {
        assert.ok(facts.velero.resources.includes("upgradeJobResources"));
        assert.ok(facts.kyverno.resources.includes("crds.migration.podResources"));
        assert.ok(complete(facts.kyverno.resourceDefaults["crds.migration.podResources"] as Res));
        assert.ok(!facts["kube-prometheus-stack"].resources.some((p) => /Labels|Annotations|controlledResources/.test(p)), "label maps and VPA lists are not containers");
    });
    for (const stack of STACKS) {
        it(`${stack}: the policy pack's helm-workload-resources list covers every rendered container whose chart defaults are incomplete`, async () => {
            const s = await builtStack(stack);
            const uncovered: string[] = [];
            for (const r of s.ofType("kubernetes:helm.sh/v3:Release")) {
                const chart = r.inputs.chart as string;
                for (const resPath of facts[chart].resources) {
                    if (notRendered(chart, resPath, r.inputs.values) || complete(facts[chart].resourceDefaults?.[resPath] as Res)) continue;
                    if (![...(HELM_WORKLOAD_RESOURCES[chart] ?? []), ...(HELM_OPTIONAL_WORKLOAD_RESOURCES[chart] ?? [])].includes(resPath)) uncovered.push(`${chart}: ${resPath}`);
                }
            }
            assert.deepEqual(uncovered, [], "add these to HELM_WORKLOAD_RESOURCES (policies/kubernetes/guardrails.ts) so `pulumi preview` refuses a release that drops them");
        });
    }
});

describe("chart containers: the rule finds a container without limits", () => {
    it("a rendered container whose resources are missing is reported, a disabled one is not", () => {
        assert.equal(notRendered("grafana", "sidecar.resources", { sidecar: {} }), undefined);
        assert.equal(notRendered("grafana", "imageRenderer.resources", {}), "imageRenderer.enabled is false");
        assert.equal(notRendered("loki", "write.resources", { write: { replicas: 0 } }), "write.replicas is 0");
        assert.match(notRendered("loki", "ingester.resources", {}) ?? "", /Distributed mode only/);
    });
});
