/**
 * The service stack (examples/service), a separate Pulumi project that consumes the platform: built
 * under the SDK mocks with its StackReference answered by the platform stack's real outputs (each
 * stack built here, as the offline plan builds it), it deploys into what the platform exports, keeps
 * the kubeconfig a secret, and passes the policy pack with the platform stack's policy config; the
 * offline plan plans it from the platform's plan.json.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildProject, BuiltProject } from "../../lib/offline/project";
import type { StackOutputs } from "../../lib/offline/mocks";
import { resolveOutputs, SECRET_MASK } from "../../lib/offline/recorder";
import { builtStack, REPO_ROOT } from "../../lib/offline/stack";
import { evaluatePack } from "../../policies/evaluate";
import { toPolicyResource } from "../../policies/lib/resources";
import { packConfigFile, PLATFORM_STACK_POLICIES, readPackConfigFile, servicePackConfigFile } from "../../scripts/lib/pack-config";
import { readServiceConfig } from "../../examples/service/service";
import { PlanInputError, planProject } from "../../scripts/lib/plan-project";
import { stackSnapshot } from "../../scripts/lib/snapshot";

const DIR = path.join(REPO_ROOT, "examples", "service");
const SERVICE_STACKS = ["dev", "prod"] as const;

/** The platform stack's outputs as its StackReference reads them (what `npm run plan -- <stack>` writes into plan.json). */
async function platformOutputs(stack: string): Promise<StackOutputs> {
    return resolveOutputs((await builtStack(stack)).platform.outputs);
}

const builds = new Map<string, Promise<{ platform: StackOutputs; service: BuiltProject }>>();
/** The service stack on the platform stack of the same name (each built once). */
function serviceOn(stack: string) {
    if (!builds.has(stack)) {
        builds.set(stack, (async () => {
            const platform = await platformOutputs(stack);
            const service = await buildProject(DIR, stack, (name) => (name === `organization/platform/${stack}` ? platform : undefined));
            return { platform, service };
        })());
    }
    return builds.get(stack)!;
}

describe("service stack: a separate project on the platform's outputs", () => {
    for (const stack of SERVICE_STACKS) {
        it(`${stack}: deploys the CanaryApp into the platform's namespace, cluster and collector, and a bounded workload role`, async () => {
            const { platform, service } = await serviceOn(stack);
            const out = platform.outputs;
            assert.deepEqual(service.references, [`organization/platform/${stack}`]);
            const get = (type: string, name: string) => {
                const r = service.resources.find((x) => x.type === type && x.name === name);
                assert.ok(r, `${type} ${name}: ${service.resources.map((x) => x.key).join(", ")}`);
                return r;
            };
            const app = get("platform-components:index:CanaryApp", "orders");
            assert.equal(app.parent, undefined);
            assert.equal(get("platform:delivery:CanaryApp", "orders").parent, app.key);
            const rollout = get("kubernetes:argoproj.io/v1alpha1:Rollout", "orders-rollout");
            assert.equal(rollout.inputs.metadata.namespace, out.appNamespace);
            const container = rollout.inputs.spec.template.spec.containers[0];
            assert.equal(container.env.find((e: any) => e.name === "OTEL_EXPORTER_OTLP_ENDPOINT").value, out.otlpEndpoint);
            assert.match(container.image, /@sha256:[0-9a-f]{64}$/);
            const provider = get("pulumi:providers:kubernetes", "platform");
            for (const r of service.resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) assert.equal(r.provider, provider.key, `${r.key} runs on the platform cluster's provider`);
            const role = get("aws:iam/role:Role", "orders-role");
            assert.deepEqual([role.inputs.permissionsBoundary, role.inputs.path], [out.permissionsBoundaryArn, out.rolePath]);
            const association = get("aws:eks/podIdentityAssociation:PodIdentityAssociation", "orders-association");
            assert.deepEqual([association.inputs.clusterName, association.inputs.namespace, association.inputs.serviceAccount], [out.clusterName, out.appNamespace, get("kubernetes:core/v1:ServiceAccount", "orders-sa").inputs.metadata.name]);
            assert.deepEqual(service.outputs.outputs.namespace, out.appNamespace);
        });

        it(`${stack}: passes the policy pack with its platform stack's service config, which judges its resources`, async () => {
            const { service } = await serviceOn(stack);
            const cfg = readPackConfigFile(servicePackConfigFile(stack));
            const resources = service.resources.map(toPolicyResource);
            assert.deepEqual(evaluatePack(resources, cfg), []);
            // The pack sees the service's workloads and roles: a tag-only image and a role without the boundary are caught.
            const copy = structuredClone(resources);
            copy.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!.props.spec.template.spec.containers[0].image = "ghcr.io/stefanprodan/podinfo:6.11.0";
            delete copy.find((r) => r.type === "aws:iam/role:Role")!.props.permissionsBoundary;
            assert.deepEqual([...new Set(evaluatePack(copy, cfg).map((v) => v.policy))].sort(), ["iam-role-boundary", "image-digest-and-registry"]);
        });
    }

    it("the kubeconfig stays a secret across the StackReference, and the service's outputs hold no secret", async () => {
        const { platform, service } = await serviceOn("dev");
        assert.deepEqual(platform.secretOutputNames, ["kubeconfig"]);
        const provider = service.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        assert.deepEqual(provider.secretPaths, ["kubeconfig"]);
        assert.equal(provider.inputs.kubeconfig, SECRET_MASK);
        assert.deepEqual(service.outputs.secretOutputNames, []);
        assert.ok(!JSON.stringify(service.outputs.outputs).includes("get-token"), "no kubeconfig in the service's outputs");
    });

    it("the StackReference hands out exactly the referenced stack's secrets as secrets (engine semantics)", async () => {
        // Built on its own: a platform stack whose kubeconfig is (wrongly) in clear, and one with an extra secret output.
        const clear = await platformOutputs("dev");
        const leaked: StackOutputs = { outputs: { ...clear.outputs, kubeconfig: "{\"clusters\":[]}" }, secretOutputNames: [] };
        await assert.rejects(buildProject(DIR, "dev", () => leaked), /kubeconfig: must be a secret/);
        const missing: StackOutputs = { outputs: Object.fromEntries(Object.entries(clear.outputs).filter(([k]) => k !== "otlpEndpoint")), secretOutputNames: clear.secretOutputNames };
        await assert.rejects(buildProject(DIR, "dev", () => missing), /otlpEndpoint: not exported/);
    });

    it("refuses a stack whose aws:region is not the platform's, and bad config by key", async () => {
        const values = { "aws:region": "us-east-1", "orders:platformStack": "organization/platform/dev", "orders:image": "ghcr.io/x/y@sha256:" + "a".repeat(64) };
        const platform = await platformOutputs("dev");
        await assert.rejects(buildProject(DIR, "dev", () => platform, { values }), /aws:region us-east-1 must be the platform's region eu-west-1/);
        pulumi.runtime.setAllConfig({ "orders:platformStack": "dev", "orders:replicas": "0" });
        assert.throws(() => readServiceConfig(new pulumi.Config("orders")), (e: Error) =>
            e.message === 'invalid config:\n  - orders:platformStack "dev" must name the platform stack as <organization>/<project>/<stack>, e.g. acme/platform/dev\n  - orders:image is required: the service\'s image, pinned by digest (repo@sha256:<64 hex>)\n  - orders:replicas 0 must be an integer from 1 to 50');
    });
});

describe("service stack: the offline plan", function () {
    this.timeout(120000);

    it("without the platform's plan it says what to run first", async () => {
        await assert.rejects(planProject({ project: DIR, stack: "dev", platformPlan: path.join(os.tmpdir(), "no-such-plan.json"), out: os.tmpdir(), quiet: true }),
            (e: Error) => e instanceof PlanInputError && /^StackReference organization\/platform\/dev: no offline plan of the platform stack at .*no-such-plan\.json; run npm run plan -- dev first/.test(e.message));
    });

    it("`npm run plan -- --project examples/service dev` plans it from the platform's plan.json: tree, outputs, verdicts, files", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "service-plan-"));
        try {
            // The platform's plan.json as `npm run plan -- dev` writes it (the same snapshot function), from the stack built here.
            const dev = await builtStack("dev");
            const platformPlan = path.join(out, "plan.json");
            fs.writeFileSync(platformPlan, JSON.stringify(await stackSnapshot("dev", dev.config.environment, dev.resources, dev.platform.outputs)));
            const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "plan.cjs"), "--project", "examples/service", "dev", "--platform-plan", platformPlan, "--out", path.join(out, "service")],
                { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
            assert.equal(r.status, 0, r.stdout + r.stderr);
            assert.match(r.stdout, /StackReference organization\/platform\/dev answered with the outputs of .*plan\.json \(platform stack dev, dev\)/);
            assert.match(r.stdout, /└─ platform-components:index:CanaryApp orders \(8 resources\)/);
            assert.match(r.stdout, /Policy config: policies\/config\/service\/dev\.json/);
            assert.match(r.stdout, /Policies: no violations/);
            const snapshot = JSON.parse(fs.readFileSync(path.join(out, "service", "plan.json"), "utf8"));
            assert.deepEqual(snapshot.secretOutputNames, []);
            assert.equal(snapshot.outputs.namespace, "apps");
            assert.ok(fs.readFileSync(path.join(out, "service", "manifests.yaml"), "utf8").includes("kind: Rollout"));
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});

describe("service stack: its policy config", () => {
    for (const stack of ["dev", "staging", "prod"]) {
        it(`policies/config/service/${stack}.json is policies/config/${stack}.json with only the platform's own-design policies disabled`, () => {
            const platform = JSON.parse(fs.readFileSync(packConfigFile(stack), "utf8"));
            const service = JSON.parse(fs.readFileSync(servicePackConfigFile(stack), "utf8"));
            for (const p of PLATFORM_STACK_POLICIES) {
                assert.deepEqual(service[p], { enforcementLevel: "disabled" });
                delete service[p];
                delete platform[p];
            }
            assert.deepEqual(service, platform);
        });
    }

    it("the platform's own-design policies would fail a service stack on prod: they judge what only the platform stack holds", async () => {
        const { service } = await serviceOn("prod");
        const failing = evaluatePack(service.resources.map(toPolicyResource), readPackConfigFile(packConfigFile("prod"))).filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual([...new Set(failing.map((v) => v.policy))].sort(), [...PLATFORM_STACK_POLICIES].sort());
    });
});
