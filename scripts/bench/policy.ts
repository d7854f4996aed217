/**
 * The policy section of `npm run bench`: synthetic stacks of 10k, 50k and 100k Kubernetes resources
 * (namespaces with their LimitRange and ResourceQuota, Deployments, CronJobs, Rollouts, Services,
 * ConfigMaps), timed through the evaluator with every policy (offline mode), and apart from that
 * the time to read the same resources as multi-document YAML and as JSON. Prints resources per
 * second and the growth from 10k to 100k (10x for linear work). A script that prints figures.
 */
import * as os from "node:os";
import { dump } from "js-yaml";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { parseDocuments, resourcesOf } from "../../policies/lib/inputs";
import type { PolicyResource } from "../../policies/lib/types";
import { typeOfManifest } from "../../policies/lib/inputs";
import { namespaceGuardrails as namespaceGuardrailsPolicy } from "../../policies/kubernetes/guardrails";

const DIGEST = "sha256:" + "b".repeat(64);

/**
 * A namespace's LimitRange and ResourceQuota as the platform creates them (components/security/namespace.ts,
 * GuardedNamespace with stacks/app-namespace.ts's APP_NAMESPACE_QUOTA): compliant with namespace-guardrails, so the bench
 * measures a realistic compliant run rather than a flood of violations.
 */
export function namespaceGuardrails(ns: string): [Record<string, any>, Record<string, any>] {
    return [
        { apiVersion: "v1", kind: "LimitRange", metadata: { name: "default-limits", namespace: ns }, spec: { limits: [{ type: "Container", defaultRequest: { cpu: "50m", memory: "64Mi" }, default: { cpu: "500m", memory: "256Mi" }, max: { cpu: "4", memory: "16Gi" } }] } },
        { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "compute", namespace: ns }, spec: { hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "16", "limits.memory": "16Gi", persistentvolumeclaims: "10", "requests.storage": "100Gi" } } },
    ];
}
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };

/** n Kubernetes objects: per 10, one namespace with its LimitRange and ResourceQuota and 7 workloads and others in it. */
export function syntheticManifests(n: number): Record<string, any>[] {
    const out: Record<string, any>[] = [];
    // One namespace in ten has a tag-pinned app image and one container in seven a CPU limit spelt 0.1 (not 100m).
    const container = (name: string, i: number) => ({
        name, image: name === "app" && Math.floor(i / 10) % 10 === 0 ? `ghcr.io/org/${name}:1.0` : `ghcr.io/org/${name}@${DIGEST}`, securityContext: HARDENED,
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: i % 7 === 0 ? "0.1" : "500m", memory: "256Mi" } },
    });
    for (let i = 0; out.length < n; i++) {
        const ns = `team-${Math.floor(i / 10)}`;
        const meta = (name: string) => ({ name, namespace: ns });
        switch (i % 10) {
            case 0: out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }); break;
            case 1: out.push(namespaceGuardrails(ns)[0]); break;
            case 2: out.push(namespaceGuardrails(ns)[1]); break;
            case 3: case 4: case 5:
                out.push({ apiVersion: "apps/v1", kind: "Deployment", metadata: meta(`web-${i}`), spec: { replicas: 2, template: { metadata: { labels: { app: `web-${i}` } }, spec: { initContainers: [container("init", i + 1)], containers: [container("app", i), container("sidecar", i + 2)] } } } });
                break;
            case 6: out.push({ apiVersion: "batch/v1", kind: "CronJob", metadata: meta(`job-${i}`), spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [container("job", i)] } } } } } }); break;
            case 7: out.push({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: meta(`ro-${i}`), spec: { template: { spec: { containers: [container("canary", i)] } } } }); break;
            case 8: out.push({ apiVersion: "v1", kind: "Service", metadata: meta(`svc-${i}`), spec: { ports: [{ port: 80 }] } }); break;
            default: out.push({ apiVersion: "v1", kind: "ConfigMap", metadata: meta(`cm-${i}`), data: { key: "value" } });
        }
    }
    return out;
}

const toResources = (objs: Record<string, any>[]): PolicyResource[] =>
    objs.map((o, i) => ({ urn: `bench#${i} ${o.kind} ${o.metadata.name}`, type: typeOfManifest(o.apiVersion, o.kind), name: o.metadata.name, props: o }));

const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString("en-US").padStart(9)}/s`;

/** Wall time and this process's CPU time (user + system) of fn: on a shared machine the CPU time is the fair figure. */
function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    const value = fn();
    const u = process.cpuUsage(c);
    return { value, wall: Number(process.hrtime.bigint() - t) / 1e9, cpu: (u.user + u.system) / 1e6 };
}

export function benchPolicy(sizes = [10_000, 50_000, 100_000]): void {
    const cfg = parsePackConfig({ environment: "prod" });
    console.log(`policy evaluator, offline mode, every policy; synthetic stacks; resources/s by CPU time (wall time in brackets; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores):`);
    const evalCpu: number[] = [];
    // Warm up (JIT, parse caches) on a stack of its own, so the first size is not charged for it.
    const warm = toResources(syntheticManifests(10_000));
    for (let i = 0; i < 3; i++) evaluatePack(warm, cfg);
    for (const n of sizes) {
        const objs = syntheticManifests(n);
        const resources = toResources(objs);
        const ev = timed(() => evaluatePack(resources, cfg));
        evalCpu.push(ev.cpu);
        const yaml = objs.map((o) => dump(o, { lineWidth: -1 })).join("---\n");
        const fromYaml = timed(() => resourcesOf(parseDocuments(yaml, "bench.yaml"), "bench.yaml"));
        const json = JSON.stringify({ apiVersion: "v1", kind: "List", items: objs });
        const fromJson = timed(() => resourcesOf(parseDocuments(json, "bench.json"), "bench.json"));
        if (fromYaml.value.length !== n || fromJson.value.length !== n) throw new Error(`parsed ${fromYaml.value.length}/${fromJson.value.length} of ${n} resources`);
        console.log(`  ${String(n).padStart(7)} resources  evaluate ${rate(n, ev.cpu)} (${rate(n, ev.wall)}) ${ev.cpu.toFixed(2)} s, ${ev.value.length} violations` +
            `   parse YAML ${rate(n, fromYaml.cpu)} (${rate(n, fromYaml.wall)})   parse JSON ${rate(n, fromJson.cpu)} (${rate(n, fromJson.wall)})`);
    }
    if (sizes.length > 1) console.log(`  growth ${sizes[0]} -> ${sizes[sizes.length - 1]} resources: evaluation CPU time x${(evalCpu[evalCpu.length - 1] / evalCpu[0]).toFixed(1)} (x${sizes[sizes.length - 1] / sizes[0]} is linear)`);
    // namespace-guardrails alone at its worst case: every third resource a namespace, each with the guardrails the platform gives it.
    const nsOnly = (k: number): PolicyResource[] => toResources(Array.from({ length: k }, (_, i) => [{ apiVersion: "v1", kind: "Namespace", metadata: { name: `ns-${i}` } }, ...namespaceGuardrails(`ns-${i}`)]).flat());
    for (const k of [10_000, 100_000]) {
        const resources = nsOnly(k);
        const ns = timed(() => evaluatePack(resources, cfg, [namespaceGuardrailsPolicy]));
        // The fixture is compliant: a violation means the bench no longer measures a compliant run.
        if (ns.value.length > 0) throw new Error(`namespace-guardrails bench fixture: ${ns.value.length} violations, e.g. ${ns.value[0].message}`);
        console.log(`  namespace-guardrails: ${String(k).padStart(6)} namespaces (+ a LimitRange and a ResourceQuota each, as the platform creates them) ${ns.cpu.toFixed(2)} s CPU (${ns.wall.toFixed(2)} s wall), no violations`);
    }
}

if (require.main === module) benchPolicy();
