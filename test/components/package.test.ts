/**
 * The component package (packages/components): its files are what `pulumi package add` needs, its
 * dependencies cover everything its sources import, and the plugin, started as the CLI's language
 * host starts it, serves the schema the SDK infers from the TypeScript types (every public component
 * with its inputs, outputs and descriptions) and constructs each component through the engine's
 * protocol, registering the platform's components under it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import * as yaml from "js-yaml";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as pkg from "../../packages/components/index";
import { publicCanaryProblems, statementProblems, toPlatformCanaryArgs, toPolicyStatements } from "../../packages/components/bindings";
import { REPO_ROOT } from "../../lib/offline/stack";
import { ComponentPluginSession } from "../../lib/offline/component-plugin";

const DIR = path.join(REPO_ROOT, "packages", "components");
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, "package.json"), "utf8"));
const DIGEST = "ghcr.io/example-org/orders@sha256:" + "b".repeat(64);

/**
 * The public API, as the schema must carry it: per component its inputs (`name?` optional, type
 * `string|number|boolean`, `T[]`, `map<T>`, a named type, `Input<...>` when not plain) and outputs.
 */
const API = {
    CanaryApp: {
        inputs: {
            name: "string", namespace: "string", image: "string", "requireDigest?": "boolean", port: "number", "replicas?": "number",
            resources: "ContainerResources", "env?": "map<string>", "probes?": "Probes", "metrics?": "MetricContract", "serviceAccount?": "string", "weights?": "number[]",
            "pauseDuration?": "string", "analysis?": "CanaryAnalysis", "trafficRouting?": "TrafficRouting", "autoscaling?": "Autoscaling",
            "guardrails?": "NamespaceQuota", otlpEndpoint: "Input<string>",
        },
        outputs: { rolloutName: "string", stableService: "string", canaryService: "string" },
    },
    GuardedNamespace: {
        inputs: { name: "string", "podSecurity?": "PodSecurityLevel", quota: "NamespaceQuota", "maxContainer?": "ResourceQuantities", "labels?": "map<string>" },
        outputs: { namespaceName: "string" },
    },
    WorkloadIdentity: {
        inputs: {
            clusterName: "Input<string>", namespace: "string", serviceAccount: "string", statements: "IamStatement[]", "managedPolicyArns?": "string[]",
            permissionsBoundaryArn: "Input<string>", rolePath: "string", "tags?": "map<string>",
        },
        outputs: { roleArn: "string", roleName: "string" },
    },
} as const;

const TYPES = {
    ContainerResources: { requests: "ResourceQuantities", limits: "ResourceQuantities" },
    ResourceQuantities: { cpu: "string", memory: "string" },
    Probes: { "readiness?": "HttpProbe", "liveness?": "HttpProbe" },
    HttpProbe: { path: "string", "initialDelaySeconds?": "number", "periodSeconds?": "number" },
    MetricContract: { "path?": "string", "routeLabel?": "string", "statusLabel?": "string", "excludeRoutes?": "string[]" },
    CanaryAnalysis: { "minSuccessRate?": "number", "failSuccessRateBelow?": "number", "p95MaxSeconds?": "number", "p95FailAboveSeconds?": "number" },
    TrafficRouting: { "nginx?": "NginxRouting", "alb?": "AlbRouting" },
    NginxRouting: { stableIngress: "string" },
    AlbRouting: { ingress: "string", servicePort: "number" },
    Autoscaling: { maxReplicas: "number", targetCpuPercent: "number" },
    NamespaceQuota: { requestsCpu: "string", requestsMemory: "string", limitsCpu: "string", limitsMemory: "string", "persistentVolumeClaims?": "number", "requestsStorage?": "string" },
    IamStatement: { "sid?": "string", "effect?": "PolicyEffect", actions: "string[]", resources: "Input<string>[]", "conditions?": "IamCondition[]" },
    IamCondition: { test: "string", variable: "string", values: "Input<string>[]" },
} as const;

const ENUMS = { PodSecurityLevel: ["restricted", "baseline", "privileged"], PolicyEffect: ["Allow", "Deny"] };

/** A schema property in the notation of API and TYPES. */
function notation(p: any, inOutput = false): string {
    const prefix = `#/types/${pkg.PACKAGE_NAME}:index:`;
    const inner = p.$ref ? String(p.$ref).replace(prefix, "")
        : p.type === "array" ? `${notation(p.items, inOutput)}[]`
        : p.type === "object" && p.additionalProperties ? `map<${notation(p.additionalProperties, inOutput)}>`
        : String(p.type);
    return p.plain || inOutput || p.type === "array" || p.type === "object" ? inner : `Input<${inner}>`;
}

/** `{name or name?: notation}` of a schema's properties. */
function shape(properties: Record<string, any>, required: string[], inOutput = false): Record<string, string> {
    return Object.fromEntries(Object.entries(properties).map(([k, p]) => [required.includes(k) ? k : `${k}?`, notation(p, inOutput)]));
}

describe("component package: files and dependencies", () => {
    it("has the manifest the Node.js language host runs and a semver version with its CHANGELOG entry", () => {
        assert.deepEqual(yaml.load(fs.readFileSync(path.join(DIR, "PulumiPlugin.yaml"), "utf8")), { runtime: "nodejs" });
        assert.equal(manifest.name, pkg.PACKAGE_NAME);
        assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
        assert.ok(fs.existsSync(path.join(DIR, manifest.main)), manifest.main);
        const changelog = fs.readFileSync(path.join(DIR, "CHANGELOG.md"), "utf8");
        assert.equal(changelog.match(/^## (\d+\.\d+\.\d+)/m)?.[1], manifest.version, "the newest CHANGELOG.md entry is package.json's version");
        const lock = JSON.parse(fs.readFileSync(path.join(DIR, "package-lock.json"), "utf8"));
        assert.deepEqual(lock.packages[""].dependencies, manifest.dependencies, "package-lock.json is in step with package.json");
    });

    it("pins every dependency, at the platform's own versions, and they cover every package its sources import", async () => {
        const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        for (const [name, version] of Object.entries(manifest.dependencies as Record<string, string>)) {
            assert.match(version, /^\d+\.\d+\.\d+$/, `${name} ${version} is not pinned`);
            const platformVersion = root.dependencies[name] ?? root.devDependencies[name];
            assert.equal(version, platformVersion, `${name}: the package must run on the versions the platform is tested with`);
        }
        // What the plugin loads at runtime: the host (provider.cjs) and the bindings with the platform's sources.
        const result = await esbuild.build({
            entryPoints: [path.join(DIR, "provider.cjs"), path.join(DIR, "bindings.ts")], bundle: true, write: false, outdir: "out",
            platform: "node", metafile: true, packages: "external", logLevel: "silent", tsconfigRaw: {},
        });
        const imported = new Set(Object.values(result.metafile.inputs).flatMap((i) => i.imports).filter((i) => i.external && !i.path.startsWith(".")).map((i) => i.path));
        const packages = [...imported].filter((p) => !p.startsWith("node:")).map((p) => p.split("/").slice(0, p.startsWith("@") ? 2 : 1).join("/"));
        const missing = [...new Set(packages)].filter((p) => !(p in manifest.dependencies));
        assert.deepEqual(missing, [], "imported by the package's sources but not a dependency of packages/components/package.json");
        assert.ok(packages.includes("@pulumi/kubernetes") && packages.includes("@pulumi/aws") && packages.includes("tsx"), [...imported].join(", "));
    });

    it("the provider hosts exactly the exported components", () => {
        assert.deepEqual(getPulumiComponents(pkg).map((c) => c.name).sort(), pkg.COMPONENTS.map((c) => c.name).sort());
        assert.deepEqual(Object.keys(API).sort(), pkg.COMPONENTS.map((c) => c.name).sort());
    });
});

describe("component package: public args mapped to the platform's components", () => {
    const args: pkg.CanaryAppArgs = { name: "orders", namespace: "apps", image: DIGEST, port: 8080, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }, otlpEndpoint: "http://otlp:4317" };

    it("trafficRouting needs exactly one controller, and becomes the platform's union", () => {
        assert.deepEqual(publicCanaryProblems(args), []);
        assert.deepEqual(publicCanaryProblems({ ...args, trafficRouting: {} }), ["trafficRouting must set exactly one of nginx or alb"]);
        assert.deepEqual(publicCanaryProblems({ ...args, trafficRouting: { nginx: { stableIngress: "a" }, alb: { ingress: "b", servicePort: 80 } } }), ["trafficRouting must set exactly one of nginx or alb"]);
        assert.deepEqual(toPlatformCanaryArgs({ ...args, trafficRouting: { alb: { ingress: "orders", servicePort: 80 } } }).trafficRouting, { alb: { ingress: "orders", servicePort: 80 } });
        assert.deepEqual(toPlatformCanaryArgs({ ...args, trafficRouting: { nginx: { stableIngress: "orders" } } }).trafficRouting, { nginx: { stableIngress: "orders" } });
        const mapped = toPlatformCanaryArgs(args);
        assert.equal(mapped.trafficRouting, undefined);
        assert.deepEqual(mapped.crds, []);
        assert.equal(mapped.otlpEndpoint, args.otlpEndpoint);
    });

    it("IAM statements become a policy document's, and unscoped or malformed ones are refused by field", () => {
        const statements: pkg.IamStatement[] = [{ actions: ["sqs:ReceiveMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:orders"], conditions: [{ test: "StringEquals", variable: "aws:ResourceTag/service", values: ["orders"] }, { test: "StringEquals", variable: "aws:RequestedRegion", values: ["eu-west-1"] }] }];
        assert.deepEqual(statementProblems(statements), []);
        assert.deepEqual(toPolicyStatements(statements), [{
            Effect: "Allow", Action: ["sqs:ReceiveMessage"], Resource: ["arn:aws:sqs:eu-west-1:123456789012:orders"],
            Condition: { StringEquals: { "aws:ResourceTag/service": ["orders"], "aws:RequestedRegion": ["eu-west-1"] } },
        }]);
        assert.deepEqual(toPolicyStatements([{ sid: "Deny", effect: pkg.PolicyEffect.Deny, actions: ["s3:*"], resources: ["*"] }]), [{ Sid: "Deny", Effect: "Deny", Action: ["s3:*"], Resource: ["*"] }]);
        assert.deepEqual(statementProblems([]), ["statements is empty: give the workload the permissions it needs, scoped to its own resources"]);
        assert.deepEqual(statementProblems([{ actions: ["*", "GetObject"], resources: [] }]), [
            'statements[0].actions[0] "*" must be <service>:<Action>, e.g. s3:GetObject',
            'statements[0].actions[1] "GetObject" must be <service>:<Action>, e.g. s3:GetObject',
            "statements[0].resources is empty: scope the statement to the workload's own resources",
        ]);
    });
});

describe("component package: the plugin as `pulumi package add` and the engine run it", function () {
    this.timeout(180000);
    let session: ComponentPluginSession;
    let schema: any;
    const k8sProvider = "urn:pulumi:dev::service::pulumi:providers:kubernetes::platform::11111111-2222-3333-4444-555555555555";
    const stackRef = "urn:pulumi:dev::service::pulumi:pulumi:StackReference::platform";

    before(async () => {
        session = await ComponentPluginSession.start(DIR);
        schema = await session.getSchema();
    });
    after(async () => session?.stop());

    it("serves the schema inferred from the TypeScript types: every public component, its inputs, outputs and descriptions", () => {
        assert.equal(schema.name, pkg.PACKAGE_NAME);
        assert.equal(schema.version, manifest.version);
        assert.deepEqual(schema.dependencies, [], "no resource references: the schema needs no other package's schema");
        assert.deepEqual(Object.keys(schema.resources).sort(), Object.keys(API).map((c) => `${pkg.PACKAGE_NAME}:index:${c}`).sort());
        for (const [component, api] of Object.entries(API)) {
            const r = schema.resources[`${pkg.PACKAGE_NAME}:index:${component}`];
            assert.equal(r.isComponent, true, component);
            assert.ok(r.description && r.description.length > 40, `${component} has a description`);
            assert.deepEqual(shape(r.inputProperties, r.requiredInputs), api.inputs, `${component} inputs`);
            assert.deepEqual(shape(r.properties, r.required, true), api.outputs, `${component} outputs`);
            for (const [k, p] of Object.entries<any>({ ...r.inputProperties, ...r.properties })) assert.ok(p.description?.length > 10, `${component}.${k} has a description`);
            for (const k of Object.keys(r.inputProperties).filter((k) => !r.requiredInputs.includes(k))) assert.match(r.inputProperties[k].description, /Defaults to/, `${component}.${k} says its default`);
        }
        const objects = Object.fromEntries(Object.entries<any>(schema.types).filter(([, t]) => t.type === "object").map(([k, t]) => [k.split(":").pop(), shape(t.properties, t.required)]));
        assert.deepEqual(objects, TYPES);
        for (const [name, t] of Object.entries<any>(schema.types)) {
            for (const [k, p] of Object.entries<any>(t.properties ?? {})) assert.ok(p.description?.length > 5, `${name}.${k} has a description`);
        }
        const enums = Object.fromEntries(Object.entries<any>(schema.types).filter(([, t]) => t.enum).map(([k, t]) => [k.split(":").pop(), t.enum.map((e: any) => e.value)]));
        assert.deepEqual(enums, ENUMS);
    });

    it("constructs CanaryApp: the platform's CanaryApp under it, on the consumer's Kubernetes provider, with the endpoint it was given", async () => {
        const inputs = {
            name: "orders", namespace: "apps", image: DIGEST, port: 8080, replicas: 2,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            env: { LOG_LEVEL: "info" }, trafficRouting: { nginx: { stableIngress: "orders" } }, otlpEndpoint: "http://jaeger-collector.observability:4317",
            metrics: { path: "/internal/metrics", excludeRoutes: ["/admin/health"] },
        };
        const r = await session.construct({ type: `${pkg.PACKAGE_NAME}:index:CanaryApp`, name: "orders", inputs, inputDependencies: { otlpEndpoint: [stackRef] }, providers: { kubernetes: k8sProvider } });
        assert.equal(r.urn, `urn:pulumi:dev::service::${pkg.PACKAGE_NAME}:index:CanaryApp::orders`);
        assert.deepEqual(r.state, { rolloutName: "orders", stableService: "orders-stable", canaryService: "orders-canary" });
        const inner = r.registrations.find((x) => x.type === "platform:delivery:CanaryApp");
        assert.equal(inner?.parent, r.urn);
        const rollout = r.registrations.find((x) => x.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!;
        assert.equal(rollout.parent, inner!.urn);
        const custom = r.registrations.filter((x) => x.custom);
        assert.ok(custom.length >= 6, custom.map((x) => x.type).join(", "));
        for (const x of custom) assert.equal(x.provider, k8sProvider, `${x.type} ${x.name} runs on the consumer's provider`);
        const container = rollout.inputs.spec.template.spec.containers[0];
        assert.equal(container.image, DIGEST);
        assert.deepEqual(container.env.find((e: any) => e.name === "OTEL_EXPORTER_OTLP_ENDPOINT"), { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: inputs.otlpEndpoint });
        assert.deepEqual(container.env.find((e: any) => e.name === "LOG_LEVEL"), { name: "LOG_LEVEL", value: "info" });
        assert.deepEqual(rollout.inputs.spec.strategy.canary.trafficRouting, { nginx: { stableIngress: "orders" } });
        assert.equal(rollout.inputs.spec.replicas, 2);
        const monitor = r.registrations.find((x) => x.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")!;
        assert.equal(monitor.inputs.spec.endpoints[0].path, "/internal/metrics");
    });

    it("refuses bad args through the protocol with the field and what is allowed", async () => {
        const inputs = { name: "orders", namespace: "apps", image: "ghcr.io/example-org/orders:1.0", port: 8080, resources: { requests: { cpu: "1", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } }, otlpEndpoint: "http://otlp:4317", trafficRouting: {} };
        await assert.rejects(session.construct({ type: `${pkg.PACKAGE_NAME}:index:CanaryApp`, name: "bad", inputs }), /trafficRouting must set exactly one of nginx or alb/);
        await assert.rejects(session.construct({ type: `${pkg.PACKAGE_NAME}:index:CanaryApp`, name: "bad2", inputs: { ...inputs, trafficRouting: undefined } }), (e: Error) => /must be pinned by digest/.test(e.message) && /resources\.limits\.cpu \(500m\) is below resources\.requests\.cpu \(1\)/.test(e.message));
    });

    // WorkloadIdentity (which loads the AWS SDK in the plugin) is constructed through the protocol by npm run
    // package:verify; here the service stack builds it (test/stacks/service.test.ts).
    it("constructs GuardedNamespace", async () => {
        const ns = await session.construct({
            type: `${pkg.PACKAGE_NAME}:index:GuardedNamespace`, name: "orders-ns", providers: { kubernetes: k8sProvider },
            inputs: { name: "orders", podSecurity: "restricted", quota: { requestsCpu: "4", requestsMemory: "8Gi", limitsCpu: "8", limitsMemory: "16Gi" }, labels: { "platform.io/tier": "applications" } },
        });
        assert.deepEqual(ns.state, { namespaceName: "orders" });
        const namespace = ns.registrations.find((x) => x.type === "kubernetes:core/v1:Namespace")!;
        assert.equal(namespace.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.equal(namespace.inputs.metadata.labels["platform.io/tier"], "applications");
        assert.ok(ns.registrations.some((x) => x.type === "kubernetes:core/v1:ResourceQuota"));
    });
});
