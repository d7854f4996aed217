/**
 * The registry-mode budgets are pack config of image-signature-and-sbom, with the client's defaults
 * and bounds (one source: the pack's configSchema), settable per stack under
 * `platform:supplyChain.registryLimits` and carried into policies/config/<stack>.json only when set.
 */
import * as assert from "node:assert/strict";
import { loadPackConfig, parsePackConfig, PolicyConfigError } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import { configSchemaOf } from "../../policies/lib/config";
import type { PackConfig } from "../../policies/lib/types";
import { REGISTRY_LIMITS, RegistryClient, registryOptionsOf } from "../../policies/supply-chain/registry";
import { packConfigDocument } from "../../scripts/lib/pack-config";
import { parsePlatformConfig } from "../../stacks/config";
import { PROJECT, readStackConfig, withPlaceholderSecrets } from "../../lib/offline/stack";

const PROPS = ["registryTimeoutSeconds", "registryImageBudgetSeconds", "registryRunBudgetSeconds", "registryMaxManifestMiB", "registryMaxBlobMiB", "registryMaxReferrers"];
const signatures = ALL_POLICIES.find((p) => p.name === "image-signature-and-sbom")!;
/** What image-signature-and-sbom is given for flat properties. */
const sigConfig = (flat: Record<string, unknown>) => parsePackConfig(flat)["image-signature-and-sbom"].properties as unknown as PackConfig;

describe("registry limits as pack config", () => {
    it("image-signature-and-sbom declares them; their schema defaults are the client's defaults", () => {
        const schema = configSchemaOf(signatures.config).properties;
        for (const k of PROPS) assert.ok(schema[k], k);
        assert.deepEqual(new RegistryClient().limits, REGISTRY_LIMITS);
        assert.deepEqual(REGISTRY_LIMITS, { timeoutMs: 10_000, imageBudgetMs: 60_000, runBudgetMs: 300_000, maxManifestBytes: 4 * 2 ** 20, maxBlobBytes: 32 * 2 ** 20, maxReferrers: 32 });
        const defaults: Record<string, unknown> = { ...registryOptionsOf(sigConfig({})) };
        delete defaults.insecureHosts;
        assert.deepEqual(defaults, REGISTRY_LIMITS);
    });
    it("a configured value reaches the client", () => {
        const o = registryOptionsOf(sigConfig({ registryMaxReferrers: 2, registryMaxManifestMiB: 1, registryMaxBlobMiB: 8, registryImageBudgetSeconds: 5, registryRunBudgetSeconds: 30 }));
        assert.deepEqual([o.maxReferrers, o.maxManifestBytes, o.maxBlobBytes, o.imageBudgetMs, o.runBudgetMs], [2, 2 ** 20, 8 * 2 ** 20, 5000, 30_000]);
    });
    it("out-of-bounds and wrongly typed values are refused, naming the policy and the property", () => {
        const refuse = (props: Record<string, unknown>, re: RegExp) => assert.throws(() => loadPackConfig({ "image-signature-and-sbom": props }), (e: Error) => e instanceof PolicyConfigError && re.test(e.message), JSON.stringify(props));
        refuse({ registryMaxManifestMiB: 8 }, /"image-signature-and-sbom"\.registryMaxManifestMiB: must be <= 4/);
        refuse({ registryMaxReferrers: 0 }, /registryMaxReferrers: must be >= 1/);
        refuse({ registryMaxReferrers: 2.5 }, /registryMaxReferrers: must be integer/);
        refuse({ registryRunBudgetSeconds: 0 }, /registryRunBudgetSeconds: must be > 0/);
        refuse({ registryImageBudgetSeconds: "60" }, /registryImageBudgetSeconds: must be number/);
    });
});

describe("registry limits per stack (platform:supplyChain.registryLimits)", () => {
    const stackConfig = (limits?: unknown) => {
        const values = readStackConfig("prod") as Record<string, any>;
        withPlaceholderSecrets(values);
        const supplyChain = typeof values["platform:supplyChain"] === "string" ? JSON.parse(values["platform:supplyChain"]) : { ...(values["platform:supplyChain"] ?? {}) };
        if (limits !== undefined) supplyChain.registryLimits = limits;
        return parsePlatformConfig({ project: PROJECT, stack: "prod", values: { ...values, "platform:supplyChain": supplyChain } });
    };
    it("unset keys stay out of the generated file; set ones go to image-signature-and-sbom under their pack names", () => {
        assert.ok(!PROPS.some((k) => k in (packConfigDocument(stackConfig())["image-signature-and-sbom"] ?? {})));
        const doc = packConfigDocument(stackConfig({ maxReferrers: 64, runBudgetSeconds: 600 }));
        assert.equal(doc["image-signature-and-sbom"].registryMaxReferrers, 64);
        assert.equal(doc["image-signature-and-sbom"].registryRunBudgetSeconds, 600);
        assert.equal(loadPackConfig(doc)["image-signature-and-sbom"].properties.registryMaxReferrers, 64);
    });
    it("the stack config refuses what the pack would refuse, and unknown keys", () => {
        assert.throws(() => stackConfig({ maxManifestMiB: 16 }), /platform:supplyChain\.registryLimits\.maxManifestMiB/);
        assert.throws(() => stackConfig({ maxReferrers: 0 }), /platform:supplyChain\.registryLimits\.maxReferrers/);
        assert.throws(() => stackConfig({ maxRefs: 3 }), /maxRefs/);
    });
});
