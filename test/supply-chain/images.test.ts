/**
 * The platform's own images by digest: `npm run images -- lock` against Debian's docker-registry
 * (as a mirror holding every platform image), the lock feeding each chart's own digest fields, the
 * plan's pinned/unpinned report, `requirePinned`, and the upstream publishers' admission rule.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildStack, builtStack, readStackConfig } from "../../lib/offline/stack";
import { ImageLock, pinValues, readImageLock, useImageLock, withPinnedImages } from "../../components/shared/image-lock";
import { IMAGES } from "../../components/shared/images";
import { CHART_IMAGES, digestKey, SIGNING_PUBLISHERS } from "../../components/shared/platform-images";
import { parseImage } from "../../policies/supply-chain/images";
import { main as images } from "../../scripts/images";
import { platformImageReport } from "../../scripts/lib/image-report";
import { ConfigError } from "../../stacks/config";
import { TestRegistry } from "../harness/oci-registry";
import { imageBlock, missingCommentedKeys } from "../harness/reference";
import { tempDirs } from "../harness/tmp";
import { CHARTS } from "../../components/shared/helm";

const REFS = [...new Set(CHART_IMAGES.map((i) => i.ref))].sort();
const fakeDigest = (ref: string) => `sha256:${Buffer.from(ref).toString("hex").padEnd(64, "0").slice(0, 64)}`;
const fullLock = (): ImageLock => ({ version: 1, images: Object.fromEntries(REFS.map((r) => [r, { digest: fakeDigest(r) }])) });

describe("npm run images -- lock (docker-registry as the mirror)", function () {
    this.timeout(60000);
    let registry: TestRegistry;
    let dir: string;
    const tmp = tempDirs("images-lock-");
    const pushed: Record<string, string> = {};
    before(async () => {
        registry = await TestRegistry.start();
        dir = tmp();
        for (const ref of REFS) {
            const p = parseImage(ref)!;
            pushed[ref] = await registry.pushImage(`${p.registry}/${p.repository}`, p.tag!, ref);
        }
        for (const image of Object.values(IMAGES)) {
            const p = parseImage(image)!;
            await registry.pushImage(`${p.registry}/${p.repository}`, p.tag!, `mirror copy of ${image}`);
        }
    });
    after(() => registry?.stop());

    it("pins every chart image to the digest its registry serves, and reports code pins that no longer match their tags", async () => {
        const file = path.join(dir, "lock.json");
        const r = await images(["lock", "--mirror", registry.host, "--insecure", registry.host, "--lock", file]);
        const lock = readImageLock(file);
        assert.deepEqual(Object.keys(lock.images).sort(), REFS);
        for (const ref of REFS) assert.equal(lock.images[ref].digest, pushed[ref], ref);
        assert.match(r.stdout, new RegExp(`${REFS.length} of ${REFS.length} chart images pinned`));
        // The mirror's copies of the code-pinned images are different images: the command says so and fails.
        assert.equal(r.code, 1);
        for (const name of Object.keys(IMAGES)) assert.match(r.stderr, new RegExp(`IMAGES\\.${name}: tag .* now points at sha256:[0-9a-f]{64}, the code pins`));
    });

    it("an image it cannot resolve keeps its previous entry (null stays null): nothing is invented", async () => {
        const file = path.join(dir, "partial.json");
        const missing = REFS[0];
        fs.writeFileSync(file, JSON.stringify({ version: 1, images: { [missing]: { digest: null } } }));
        const p = parseImage(missing)!;
        // A mirror (a path on the same registry) that lacks the first image only.
        for (const ref of REFS.slice(1)) {
            const q = parseImage(ref)!;
            await registry.pushImage(`partial/${q.registry}/${q.repository}`, q.tag!, ref);
        }
        const r = await images(["lock", "--mirror", `${registry.host}/partial`, "--insecure", registry.host, "--lock", file]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: .*${p.repository}:${p.tag} does not exist`));
        const lock = readImageLock(file);
        assert.equal(lock.images[missing].digest, null);
        assert.equal(lock.images[REFS[1]].digest, pushed[REFS[1]]);
    });

    it("bad usage exits 2; status reads the lock offline", async () => {
        assert.equal((await images(["pin"])).code, 2);
        assert.equal((await images(["lock", "--mirror"])).code, 2);
        const s = await images(["status"]);
        assert.equal(s.code, 0);
        assert.match(s.stdout, new RegExp(`of ${REFS.length} chart images pinned`));
    });
});

describe("images.lock.json feeds each chart's digest fields", () => {
    after(() => useImageLock(undefined));

    it("the committed lock lists exactly the platform chart images, each a real digest or null (never a placeholder)", () => {
        const lock = readImageLock();
        assert.deepEqual(Object.keys(lock.images).sort(), REFS);
        for (const [ref, e] of Object.entries(lock.images)) assert.ok(e.digest === null || /^sha256:[0-9a-f]{64}$/.test(e.digest), ref);
    });

    it("sha fields get bare hex, digest fields sha256:<hex>, charts without one tag@digest", () => {
        const d = `sha256:${"a".repeat(64)}`;
        assert.deepEqual(pinValues(CHART_IMAGES.find((i) => i.path === "prometheus.prometheusSpec.image")!, d), { sha: "a".repeat(64) });
        assert.deepEqual(pinValues(CHART_IMAGES.find((i) => i.path === "loki.image")!, d), { digest: d });
        assert.deepEqual(pinValues(CHART_IMAGES.find((i) => i.path === "controller.image")!, d), { tag: `v1.9.0@${d}` });
        assert.deepEqual(pinValues(CHART_IMAGES.find((i) => i.path === "kubectl.image")!, d), { digest: d, tag: "v1.35.0" });
        const merged = withPinnedImages("kubePrometheusStack", { prometheus: { prometheusSpec: { retention: "15d" } } }, fullLock());
        assert.equal((merged as any).prometheus.prometheusSpec.retention, "15d");
        assert.equal((merged as any).prometheus.prometheusSpec.image.sha, fakeDigest("quay.io/prometheus/prometheus:v3.14.0-distroless").slice(7));
    });

    it("with a complete lock the plan pins every platform image (and requirePinned builds); with the committed lock it reports the unpinned ones", async () => {
        useImageLock(fullLock());
        const pinned = await buildStack("dev", { mutate: (v) => (v["platform:supplyChain"].platformImages = { requirePinned: true }) });
        const lines = platformImageReport(pinned.resources);
        assert.deepEqual(lines.filter((l) => !l.pinned), []);
        const kps = pinned.get("kubernetes:helm.sh/v3:Release", "kps").inputs.values as any;
        assert.equal(kps["kube-state-metrics"].image.sha, fakeDigest("registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0"), "kube-state-metrics prints its sha after '@': sha256:<hex>");
        const kyverno = pinned.get("kubernetes:helm.sh/v3:Release", "kyverno").inputs.values as any;
        assert.equal(kyverno.admissionController.container.image.tag, `v1.19.0@${fakeDigest("reg.kyverno.io/kyverno/kyverno:v1.19.0")}`);
        assert.equal(kyverno.admissionController.replicas, 1, "the pins merge into, not over, the component's values (dev: one replica)");
        useImageLock(undefined);
        const committed = platformImageReport((await builtStack("prod")).resources);
        const nullInLock = new Set(Object.entries(readImageLock().images).filter(([, e]) => !e.digest).map(([r]) => r));
        for (const l of committed.filter((x) => !x.pinned)) assert.ok(nullInLock.has(l.image), `${l.image} is reported unpinned but the lock has its digest`);
        assert.ok(committed.filter((l) => l.pinned).some((l) => l.image === IMAGES.veleroAwsPlugin), "code-pinned images count as pinned");
    });

    it("requirePinned refuses to build while the lock is incomplete, naming the key and the command", async () => {
        const mutate = (v: Record<string, any>) => (v["platform:supplyChain"].platformImages = { requirePinned: true });
        useImageLock({ version: 1, images: { ...fullLock().images, [REFS[3]]: { digest: null } } });
        await assert.rejects(buildStack("prod", { mutate }), (e: unknown) => e instanceof ConfigError && /platformImages\.requirePinned: 1 platform image\(s\) have no digest.*npm run images -- lock/.test(e.problems[0]) && e.problems[0].includes(REFS[3]));
        useImageLock(undefined);
        assert.equal((readStackConfig("prod")["platform:supplyChain"] as any).platformImages.requirePinned, false, "prod may require pins only once the committed lock is complete");
    });
});

describe("upstream publishers' signatures at admission", () => {
    const glob = (pattern: string, value: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`).test(value);

    it("every publisher pattern covers platform images, with the publisher's issuer and subject", async () => {
        for (const p of SIGNING_PUBLISHERS) assert.ok(REFS.some((r) => p.imageReferences.some((pat) => glob(pat, r))), p.name);
        const prod = await builtStack("prod");
        const policy = prod.ofType("kubernetes:kyverno.io/v1:ClusterPolicy").find((r) => r.inputs.metadata.name === "verify-upstream-publisher-signatures")!;
        const vis = policy.inputs.spec.rules[0].verifyImages;
        const argo = vis.find((v: any) => v.imageReferences.includes("quay.io/argoproj/argo-rollouts*"));
        assert.deepEqual(argo.attestors[0].entries[0].keyless.issuer, "https://token.actions.githubusercontent.com");
        assert.ok(new RegExp(argo.attestors[0].entries[0].keyless.subjectRegExp).test("https://github.com/argoproj/argo-rollouts/.github/workflows/image-reuse.yaml@refs/tags/v1.9.0"));
        assert.ok(!new RegExp(argo.attestors[0].entries[0].keyless.subjectRegExp).test("https://github.com/attacker/argo-rollouts/.github/workflows/image-reuse.yaml@refs/tags/v1.9.0"));
        const k8s = vis.find((v: any) => v.imageReferences.includes("registry.k8s.io/kube-state-metrics/*"));
        assert.deepEqual(k8s.attestors[0].entries[0].keyless, { issuer: "https://accounts.google.com", subject: "krel-trust@k8s-releng-prod.iam.gserviceaccount.com", rekor: { url: "https://rekor.sigstore.dev" } });
        assert.equal(argo.failureAction, "Enforce");
        assert.equal(policy.inputs.spec.failurePolicy, "Fail");
    });
    it("dev audits publisher signatures (admission: audit)", async () => {
        const dev = await builtStack("dev");
        const policy = dev.ofType("kubernetes:kyverno.io/v1:ClusterPolicy").find((r) => r.inputs.metadata.name === "verify-upstream-publisher-signatures")!;
        assert.equal(policy.inputs.spec.rules[0].verifyImages[0].failureAction, "Audit");
    });
});

describe("the image inventory matches the pinned charts' default values", () => {
    const SUBCHARTS: Record<string, string> = { "kube-state-metrics": "kube-state-metrics", "prometheus-node-exporter": "prometheus-node-exporter" };
    for (const image of CHART_IMAGES) {
        it(`${image.chart} ${image.path}: the block exists, names ${image.ref.split(":")[0]}, and takes a ${image.field}`, () => {
            const [head, ...rest] = image.path.split(".");
            const chart = SUBCHARTS[head] ?? CHARTS[image.chart].chart;
            const keys = SUBCHARTS[head] ? rest : [head, ...rest];
            const found = imageBlock(chart, keys.join("."));
            assert.ok(found, `${chart}: no image block ${keys.join(".")} in the chart's values index`);
            const block = found.defaults;
            const registry = block.registry || block.defaultRegistry;
            const repository = String(block.repository);
            const full = registry ? `${registry}/${repository}` : repository.split("/")[0].includes(".") ? repository : `docker.io/${repository}`;
            const expected = parseImage(image.ref)!;
            assert.equal(full, `${expected.registry}/${expected.repository}`);
            const field = digestKey(image.field);
            assert.ok(found.keys.includes(field) || missingCommentedKeys(chart, [`${keys.join(".")}.${field}`]).length === 0, `${chart}: ${keys.join(".")}.${field} is neither a default key nor documented`);
        });
    }
});
