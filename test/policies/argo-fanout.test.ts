/**
 * Argo Workflows pods are extracted in linear work (issue 23, class 8): the workflow's volumes and
 * the templateDefaults' volumes, sidecars and init containers are shared by every template's pod,
 * and judging each of them once per template made a crafted object cost volumes x templates
 * (gigabytes). Work is counted (property reads of the object during the whole pack's evaluation,
 * and the volumes and containers extracted), not timed.
 */
import * as assert from "node:assert/strict";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { typeOfManifest } from "../../policies/lib/inputs";
import type { PolicyResource } from "../../policies/lib/types";
import { extractWorkloads } from "../../policies/lib/workloads";
import { countingView } from "../harness/work";

const cfg = parsePackConfig({ environment: "prod" });
const DIGEST = "sha256:" + "e".repeat(64);
const RES = { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };
const HARDENED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
const good = (name: string) => ({ name, image: `ghcr.io/org/${name}@${DIGEST}`, resources: RES, securityContext: HARDENED });
const TYPE = typeOfManifest("argoproj.io/v1alpha1", "Workflow");
const workflow = (spec: Record<string, any>): PolicyResource => ({ urn: "wf", type: TYPE, name: "wf", props: { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: "wf", namespace: "ml" }, spec } });

/**
 * n workflow volumes (one a hostPath), n templateDefaults volumes, sidecars and init containers
 * (sidecar 0 without limits, overridden by name in every template), and n templates each running a pod.
 */
function crafted(n: number): Record<string, any> {
    const volumes = (p: string) => Array.from({ length: n }, (_, i) => (i === 0 && p === "w" ? { name: "host", hostPath: { path: "/" } } : { name: `${p}${i}`, emptyDir: {} }));
    return {
        securityContext: { runAsNonRoot: true },
        volumes: volumes("w"),
        templateDefaults: {
            volumes: volumes("d"),
            sidecars: Array.from({ length: n }, (_, i) => (i === 1 ? { ...good(`side${i}`), resources: undefined } : good(`side${i}`))),
            initContainers: Array.from({ length: n }, (_, i) => good(`init${i}`)),
        },
        templates: Array.from({ length: n }, (_, i) => ({ name: `t${i}`, container: good("main"), sidecars: [{ name: "side0", resources: RES }] })),
    };
}

describe("Argo Workflows: shared volumes and templateDefaults containers are judged once (linear work)", () => {
    it("reads of the object grow with its size, not with volumes x templates", () => {
        const reads = (n: number) => {
            const counter = { reads: 0 };
            evaluatePack([workflow(countingView(crafted(n), counter))], cfg);
            return counter.reads;
        };
        const small = reads(60);
        const large = reads(240);
        assert.ok(large <= small * 4.4, `60: ${small} reads; 240: ${large} reads (x${(large / small).toFixed(2)}; x4 is linear, x16 quadratic)`);
    });

    it("each shared volume and default container is extracted once; the findings are said once", () => {
        const n = 50;
        const ws = extractWorkloads(workflow(crafted(n)).props, TYPE);
        assert.equal(ws.length, n);
        assert.equal(ws.reduce((k, w) => k + (Array.isArray(w.podSpec.volumes) ? w.podSpec.volumes.length : 0), 0), 2 * n);
        // Per template its main container and its own side0; the n - 1 other default sidecars and the n default init containers once.
        assert.equal(ws.reduce((k, w) => k + w.containers.length, 0), 2 * n + (n - 1) + n);
        const found = evaluatePack([workflow(crafted(n))], cfg);
        assert.deepEqual(found.filter((v) => v.policy === "workload-hygiene").map((v) => v.message), ["Workflow wf mounts hostPath / (volume host) outside the system namespaces."]);
        assert.equal(found.filter((v) => v.policy === "container-resources").length, 4, found.map((v) => v.message).join("\n"));
        assert.ok(found.filter((v) => v.policy === "container-resources").every((v) => /^Workflow wf template t0: container side1 resources\./.test(v.message)));
    });

    it("a default container is judged in a pod that does not make it non-root, when there is one", () => {
        const side = { name: "side", image: `ghcr.io/org/side@${DIGEST}`, resources: RES, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true } };
        const spec = (second: Record<string, any>) => ({ templateDefaults: { sidecars: [side] }, templates: [{ name: "a", container: good("main"), securityContext: { runAsNonRoot: true } }, { name: "b", container: good("main"), ...second }] });
        const hygiene = (s: Record<string, any>) => evaluatePack([workflow(s)], cfg).filter((v) => v.policy === "workload-hygiene").map((v) => v.message);
        assert.deepEqual(hygiene(spec({ securityContext: { runAsNonRoot: true } })), []);
        assert.deepEqual(hygiene(spec({})), ["Workflow wf template b: container side must run as non-root (runAsNonRoot: true)."]);
        // Template b overrides the sidecar by name (and sets runAsNonRoot on it): the default runs only in a, which is non-root.
        assert.deepEqual(hygiene(spec({ sidecars: [{ name: "side", securityContext: { ...HARDENED } }] })), []);
    });
});
