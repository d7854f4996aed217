/**
 * Stack outputs as a contract (stacks/outputs.ts): every platform stack exports what service stacks
 * read, of the declared kind and secrecy; a stack that stops exporting one, or exports a secret in
 * clear, fails the check by name; the set of version 1 cannot shrink or change without a new major
 * version; the docs list it. And the application namespace the contract names is the platform's
 * own, whether or not the example app runs, kept (not recreated) across the upgrade that moved it.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildStack, builtStack, promiseOf, REPO_ROOT, STACKS } from "../../lib/offline/stack";
import { resolveOutputs, SECRET_MASK } from "../../lib/offline/recorder";
import { contractProblems, OUTPUT_NAMES, SERVICE_CONTRACT_VERSION, SERVICE_OUTPUTS } from "../../stacks/outputs";
import { APP_NAMESPACE_QUOTA } from "../../stacks/app-namespace";

/** Version 1 of the contract as released: a name here may not disappear or change kind or secrecy while the version is 1. */
const V1 = {
    contractVersion: "number", environment: "string", region: "string", clusterName: "string", kubeconfig: "string (secret)",
    otlpEndpoint: "string", prometheusUrl: "string", appNamespace: "string", requireImageDigest: "boolean",
    permissionsBoundaryArn: "string", rolePath: "string",
} as const;

describe("stack outputs: the contract service stacks read", () => {
    for (const stack of STACKS) {
        it(`${stack} exports every contract output, of its kind, the kubeconfig as a secret`, async () => {
            const s = await builtStack(stack);
            const { outputs, secretOutputNames } = await resolveOutputs(s.platform.outputs);
            assert.deepEqual(contractProblems(outputs, new Set(secretOutputNames)), []);
            assert.equal(outputs.kubeconfig, SECRET_MASK);
            assert.equal(outputs.contractVersion, SERVICE_CONTRACT_VERSION);
            assert.equal(outputs.appNamespace, s.config.backup.velero.appNamespaces[0]);
            assert.equal(outputs.otlpEndpoint, s.platform.observability.jaeger.otlpGrpcEndpoint);
            assert.equal(outputs.prometheusUrl, s.platform.observability.prometheus.url);
            assert.equal(outputs.rolePath, s.config.ci.rolePath);
            assert.match(String(outputs.permissionsBoundaryArn), new RegExp(`^arn:aws:iam::\\d{12}:policy/${s.config.ci.permissionsBoundaryName}$`));
            assert.equal(outputs.requireImageDigest, s.config.delivery.requireImageDigest);
        });
    }

    it("a platform that stops exporting an output, exports a secret in clear or another kind fails by name", async () => {
        const { outputs, secretOutputNames } = await resolveOutputs((await builtStack("dev")).platform.outputs);
        const secrets = new Set(secretOutputNames);
        const without = (name: string) => Object.fromEntries(Object.entries(outputs).filter(([k]) => k !== name));
        assert.deepEqual(contractProblems(without("otlpEndpoint"), secrets), ["otlpEndpoint: not exported (service stacks read it; removing it needs a new contract version)"]);
        assert.deepEqual(contractProblems(outputs, new Set()), ["kubeconfig: must be a secret"]);
        assert.deepEqual(contractProblems(outputs, new Set([...secrets, "otlpEndpoint"])), ["otlpEndpoint: must not be a secret"]);
        assert.deepEqual(contractProblems({ ...outputs, requireImageDigest: "true" }, secrets), ['requireImageDigest: must be a boolean, is "true"']);
        assert.deepEqual(contractProblems({ ...outputs, contractVersion: 2 }, secrets), ["contractVersion: 2, this code reads version 1"]);
    });

    it("version 1's outputs are all still there, of the same kind and secrecy (renaming or removing one needs version 2)", () => {
        assert.equal(SERVICE_CONTRACT_VERSION, 1, "a new major version: record its outputs here as V2 and test against them");
        for (const [name, kind] of Object.entries(V1)) {
            const spec = SERVICE_OUTPUTS[name as keyof typeof SERVICE_OUTPUTS];
            assert.ok(spec, `${name} was removed or renamed within version 1`);
            assert.equal(`${spec.kind}${spec.secret ? " (secret)" : ""}`, kind, `${name} changed within version 1`);
        }
    });

    it("docs/configuration.md lists every contract output and its version", () => {
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Stack outputs"));
        assert.match(section, new RegExp(`contract version ${SERVICE_CONTRACT_VERSION}`, "i"));
        for (const name of OUTPUT_NAMES) {
            const row = section.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${name}\``));
            assert.ok(row, `docs/configuration.md "Stack outputs" has no row for ${name}`);
            assert.match(row, /contract/, `${name}'s row says it is part of the contract`);
            if (SERVICE_OUTPUTS[name].secret) assert.match(row, /secret/, `${name}'s row says it is a secret`);
        }
    });
});

describe("the application namespace is the platform's", () => {
    const oldUrn = (stack: string, rest: string) => `urn:pulumi:${stack}::platform::platform:delivery:CanaryApp$platform:security:Namespace${rest}`;

    for (const stack of STACKS) {
        it(`${stack}: a top-level guarded namespace, the example app inside it and waiting for it, the old namespace aliased`, async () => {
            const s = await builtStack(stack);
            const name = s.config.backup.velero.appNamespaces[0];
            const guarded = s.get("platform:security:Namespace", name);
            assert.equal(guarded.parent, undefined);
            const ns = s.childrenOf(guarded.key).find((r) => r.type === "kubernetes:core/v1:Namespace")!;
            assert.deepEqual({ backup: ns.inputs.metadata.labels.backup, tier: ns.inputs.metadata.labels["platform.io/tier"] }, { backup: "hourly", tier: "applications" });
            const quota = s.childrenOf(guarded.key).find((r) => r.type === "kubernetes:core/v1:ResourceQuota")!;
            assert.equal(quota.inputs.spec.hard["limits.memory"], APP_NAMESPACE_QUOTA.limitsMemory);
            // Nothing under the example app creates a namespace any more; everything it registers waits for this one.
            const podinfo = s.get("platform:delivery:CanaryApp", "podinfo");
            const under = (key: string): typeof s.resources => s.childrenOf(key).flatMap((c) => [c, ...under(c.key)]);
            assert.ok(under(podinfo.key).every((r) => r.type !== "kubernetes:core/v1:Namespace" && r.type !== "platform:security:Namespace"));
            for (const r of under(podinfo.key).filter((x) => x.custom)) assert.ok(r.dependsOn.includes(guarded.key), `${r.key} waits for the namespace`);
            assert.equal(s.get("kubernetes:argoproj.io/v1alpha1:Rollout", "podinfo-rollout").inputs.metadata.namespace, name);

            // The URNs the namespace and its children had under the example app (before this release) are their aliases,
            // so the upgrade moves them instead of deleting the namespace with every service in it.
            const resource = guarded.resource as unknown as { __aliases: pulumi.Output<string>[] };
            assert.deepEqual(await Promise.all(resource.__aliases.map((a) => promiseOf(a))), [oldUrn(stack, `::${name}`)]);
            for (const child of s.childrenOf(guarded.key)) {
                const inherited = pulumi.allAliases([], child.name, child.type, guarded.resource, name);
                assert.ok((await Promise.all(inherited.map((a) => promiseOf(a)))).includes(oldUrn(stack, `$${child.type}::${child.name}`)), `${child.key} keeps its old URN`);
            }
        });
    }

    it("stays when the example app is disabled", async () => {
        const s = await buildStack("dev", { mutate: (v) => (v["platform:delivery"] = { ...v["platform:delivery"], exampleApp: { enabled: false } }) });
        assert.equal(s.ofType("platform:delivery:CanaryApp").length, 0);
        assert.equal(s.get("platform:security:Namespace", "apps").parent, undefined);
        const { outputs } = await resolveOutputs(s.platform.outputs);
        assert.equal(outputs.appNamespace, "apps");
    });
});
