/**
 * One run of the bench's synthetic fleet, in its own process: the dev stack plus `copies` extra
 * CanaryApps (each with its namespace, guardrails, Rollout, Services, analysis and autoscaling),
 * planned the way `npm run plan` plans a stack: build under the mocks, snapshot, the whole policy
 * pack, plan.json and manifests written (to a temporary directory). Prints one JSON line:
 * { copies, resources, ms, cpuMs }: the plan's work after startup, wall and CPU (user + system) time.
 * Usage: node --import tsx scripts/lib/bench-fleet.ts <copies>
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { CanaryApp } from "../../components/delivery/canary-app";
import { resources } from "../../components/shared/helm";
import { IMAGES } from "../../components/shared/images";
import { buildStack } from "../../lib/offline/stack";
import { evaluatePackAsync } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import type { Platform } from "../../stacks/platform";
import { packConfigFromPlatform } from "./pack-config";
import { toSnapshot } from "./snapshot";

/** `copies` CanaryApps like the stack's example app, each in its own namespace. */
export function addFleet(platform: Platform, copies: number): void {
    for (let i = 0; i < copies; i++) {
        const name = `fleet-${i}`;
        new CanaryApp(name, {
            name,
            namespace: name,
            image: IMAGES.podinfo,
            port: 9898,
            replicas: 2,
            resources: resources("50m", "64Mi", "500m", "256Mi"),
            autoscaling: { maxReplicas: 6, targetCpuPercent: 70 },
            guardrails: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "16", limitsMemory: "16Gi", persistentVolumeClaims: 10, requestsStorage: "100Gi" },
            otlpEndpoint: platform.observability.jaeger.otlpGrpcEndpoint,
            crds: [platform.observability.prometheus.release],
        }, { providers: [platform.cluster.provider] });
    }
}

async function main(copies: number): Promise<void> {
    // As in the plan: the SDK's stack traces are not mapped through source maps (scripts/plan.ts).
    process.setSourceMapsEnabled(false);
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const built = await buildStack("dev", { extend: (p) => addFleet(p, copies) });
    const snapshot = toSnapshot("dev", built.config.environment, built.resources);
    const violations = await evaluatePackAsync(built.resources.map(toPolicyResource), packConfigFromPlatform(built.config));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-fleet-"));
    fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(snapshot, null, 2));
    fs.writeFileSync(path.join(dir, "manifests.yaml"), snapshot.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")).map((r) => yaml.dump(r.inputs, { noRefs: true, lineWidth: 160 })).join("---\n"));
    fs.rmSync(dir, { recursive: true, force: true });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    console.log(JSON.stringify({ copies, resources: snapshot.resources.filter((r) => r.custom).length, ms, cpuMs, mandatory }));
    process.exit(mandatory > 0 ? 1 : 0);
}

if (require.main === module) void main(Number(process.argv[2] ?? "0"));
