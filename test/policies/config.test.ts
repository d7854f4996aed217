/**
 * Policy pack config in the engine's format: the committed policies/config/<stack>.json equal what
 * `npm run policy -- config <stack>` generates from Pulumi.<stack>.yaml; the file is read with the
 * engine's semantics (schema defaults, "all" for the level only, one entry per policy); policies
 * read only what they declare; `check` on loose manifests skips stack policies and says so.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { evaluatePack, loadPackConfig, parsePackConfig, PolicyConfigError } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import { policyConfigProblems, policyConfigView } from "../../policies/lib/config";
import { containsUnjudgeable, newReads, plainCopy, trackReads, UNKNOWN, UNKNOWN_STRING } from "../../policies/lib/unknown";
import { CONFIG_PROPERTIES } from "../../policies/lib/types";
import { packConfigFile, packConfigText } from "../../scripts/lib/pack-config";
import { main } from "../../scripts/policy";
import { parsePlatformConfig } from "../../stacks/config";
import { PROJECT, readStackConfig, STACKS, withPlaceholderSecrets } from "../../lib/offline/stack";
import { COMPLIANT_DEPLOYMENT } from "../harness/manifests";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("pack-config-").file;

describe("policy pack config files (engine format)", () => {
    for (const stack of STACKS) {
        it(`policies/config/${stack}.json is what \`npm run policy -- config ${stack}\` generates from Pulumi.${stack}.yaml`, async () => {
            const values = readStackConfig(stack) as Record<string, any>;
            withPlaceholderSecrets(values);
            assert.equal(fs.readFileSync(packConfigFile(stack), "utf8"), packConfigText(parsePlatformConfig({ project: PROJECT, stack, values })));
            const r = await main(["config", stack, "--check"]);
            assert.deepEqual([r.code, r.stdout], [0, `policies/config/${stack}.json and policies/config/service/${stack}.json are up to date with Pulumi.${stack}.yaml`]);
        });
    }

    it("every top-level key is a policy of the pack holding only properties that policy reads; no \"all\" properties", () => {
        for (const stack of STACKS) {
            const doc = JSON.parse(fs.readFileSync(packConfigFile(stack), "utf8")) as Record<string, Record<string, unknown>>;
            for (const [policy, props] of Object.entries(doc)) {
                const p = ALL_POLICIES.find((x) => x.name === policy);
                assert.ok(p, `${stack}: ${policy} is a policy`);
                for (const k of Object.keys(props)) assert.ok(k === "enforcementLevel" || (p.config as string[]).includes(k), `${stack}: ${policy}.${k}`);
            }
        }
    });

    it("config of an unknown stack or with a bad option exits 2", async () => {
        const r = await main(["config", "qa"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown stack "qa"/);
        assert.equal((await main(["config", "dev", "--write"])).code, 2);
    });
});

describe("engine config semantics", () => {
    it("a policy without an entry gets its schema defaults and its own level, as the engine gives them", () => {
        const cfg = loadPackConfig({});
        assert.deepEqual(cfg["rds-baseline"], { enforcementLevel: "mandatory", properties: { environment: "prod", minBackupRetentionDays: 7 } });
        assert.deepEqual(cfg["workload-hygiene"], { enforcementLevel: "advisory", properties: { systemNamespaces: ["kube-system", "observability-agents"] } });
        assert.deepEqual(cfg["dr-targets"], { enforcementLevel: "mandatory", properties: { drFailover: false } }, "drTargets has no default: no DR requirement; drFailover defaults to false");
        assert.deepEqual(cfg["kms-key-rotation"], { enforcementLevel: "mandatory", properties: {} });
    });

    it("an entry overrides only what it names; \"all\" sets every level and a policy's own level wins; a bare string is a level", () => {
        const cfg = loadPackConfig({ all: { enforcementLevel: "advisory" }, "rds-baseline": { environment: "dev" }, "kms-key-rotation": "disabled", "workload-hygiene": { enforcementLevel: "mandatory" } });
        assert.deepEqual(cfg["rds-baseline"], { enforcementLevel: "advisory", properties: { environment: "dev", minBackupRetentionDays: 7 } });
        assert.equal(cfg["kms-key-rotation"].enforcementLevel, "disabled");
        assert.equal(cfg["workload-hygiene"].enforcementLevel, "mandatory");
        assert.equal(cfg["s3-baseline"].enforcementLevel, "advisory");
    });

    it("remediate reports as mandatory, disabled skips the policy", () => {
        const key = { urn: "k", type: "aws:kms/key:Key", name: "k", props: { enableKeyRotation: false } };
        assert.equal(evaluatePack([key], loadPackConfig({ "kms-key-rotation": "remediate" }))[0].enforcementLevel, "mandatory");
        assert.deepEqual(evaluatePack([key], loadPackConfig({ "kms-key-rotation": "disabled" })), []);
    });

    it("the old {\"all\": {...}} layout is refused with the policies to move each property to", () => {
        assert.throws(() => loadPackConfig({ all: { environment: "dev", admission: "audit" } }), (e: Error) => e instanceof PolicyConfigError
            && /"all"\.environment: "all" takes only enforcementLevel; give environment to the policies that read it \(rds-baseline, s3-baseline, backup-vault-baseline\)/.test(e.message)
            && /"all"\.admission: .*\(admission-sbom-rule\)/.test(e.message));
    });

    it("every property some policy reads is in the schema, and every schema property is read by some policy", () => {
        const read = new Set(ALL_POLICIES.flatMap((p) => p.config));
        assert.deepEqual([...read].sort(), Object.keys(CONFIG_PROPERTIES).sort());
    });

    it("a policy reading a property it does not declare fails loudly instead of seeing undefined", () => {
        const view = policyConfigView("kms-key-rotation", [], {});
        assert.throws(() => view.environment, /policy kms-key-rotation reads config property environment but does not declare it/);
        const own = policyConfigView("rds-baseline", ["environment"], { environment: "dev" });
        assert.equal(own.environment, "dev");
    });

    it("parsePackConfig (tests and benchmarks) gives each policy the flat properties it reads", () => {
        const cfg = parsePackConfig({ environment: "dev", maxCpuCores: 2 });
        assert.equal(cfg["s3-baseline"].properties.environment, "dev");
        assert.equal(cfg["container-resources"].properties.maxCpuCores, 2);
        assert.equal("maxCpuCores" in cfg["s3-baseline"].properties, false);
    });
});

describe("values unknown in preview (unit)", () => {
    it("tracks only the unknown values a policy reads, and copies @pulumi/policy's throwing proxies without reading through them", () => {
        const reads = newReads();
        const props = trackReads({ a: UNKNOWN, b: { c: [1, UNKNOWN] }, d: 1 }, "res", reads);
        assert.equal(props.d, 1);
        assert.equal(reads.unknown.size, 0);
        assert.equal(props.b.c[1], UNKNOWN);
        assert.deepEqual([...reads.unknown], ["res.b.c[1]"]);
        const throwing = new Proxy({ x: UNKNOWN_STRING, y: { z: 2 } }, { get: (t, k) => { if ((t as any)[k] === UNKNOWN_STRING) throw new Error("unknown"); return (t as any)[k]; } });
        // The engine's sentinel is an unknown only in a preview; in an update it is the string it is.
        assert.deepEqual(plainCopy(throwing, true), { x: UNKNOWN, y: { z: 2 } });
        assert.deepEqual(plainCopy(throwing, false), { x: UNKNOWN_STRING, y: { z: 2 } });
        assert.equal(containsUnjudgeable({ y: [{ z: UNKNOWN }] }), true);
        assert.equal(containsUnjudgeable({ y: [{ z: UNKNOWN_STRING }] }), false);
    });

    it("a finding that depends on an unknown is advisory and says what was unknown; a clean check on unknowns says it could not decide", () => {
        const cfg = parsePackConfig({});
        const lg = (props: Record<string, unknown>) => evaluatePack([{ urn: "lg", type: "aws:cloudwatch/logGroup:LogGroup", name: "lg", props }], cfg);
        assert.deepEqual(lg({ kmsKeyId: UNKNOWN, retentionInDays: 30 }).map((v) => [v.enforcementLevel, v.message]), [
            ["advisory", "undecided during preview (kmsKeyId unknown until the update; decided at `pulumi up`): CloudWatch log group must be encrypted with a customer-managed KMS key."],
        ]);
        assert.deepEqual(lg({ kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", retentionInDays: 30 }), []);
        const sg = evaluatePack([{ urn: "sg", type: "aws:ec2/securityGroup:SecurityGroup", name: "sg", props: { ingress: [{ cidrBlocks: UNKNOWN }] } }], cfg);
        assert.deepEqual(sg.map((v) => [v.enforcementLevel, v.message]), [["advisory", "cannot decide during preview: ingress[0].cidrBlocks unknown until the update; decided at `pulumi up`."]]);
    });
});

describe("npm run policy -- check: stack policies on whole-stack inputs only", () => {
    it("plain manifests with the prod config: dr-targets and admission-sbom-rule are skipped with the reason, resource policies run", async () => {
        const r = await main(["check", tmp("web.yaml", COMPLIANT_DEPLOYMENT), "--config", packConfigFile("prod")]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /^policies run: .*image-digest-and-registry.*$/m);
        assert.match(r.stdout, /^policy skipped: dr-targets: stack policy: judges a whole stack, so it runs on a plan snapshot or `pulumi stack export`, not on loose manifests$/m);
        assert.match(r.stdout, /^policy skipped: admission-sbom-rule: stack policy/m);
        assert.doesNotMatch(r.stdout, /^policies run: .*dr-targets/m);
    });

    it("a plan snapshot is a whole stack: the stack policies run on it", async () => {
        const snapshot = { stack: "prod", environment: "prod", resources: [{ key: "kubernetes:apps/v1:Deployment::web", type: "kubernetes:apps/v1:Deployment", name: "web", custom: true, protect: false, inputs: yaml.load(COMPLIANT_DEPLOYMENT) }] };
        const r = await main(["check", tmp("plan.json", JSON.stringify(snapshot)), "--config", packConfigFile("prod")]);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /^\[mandatory\] admission-sbom-rule: \(stack\)/m);
        assert.match(r.stdout, /^\[mandatory\] dr-targets: \(stack\)/m);
        assert.doesNotMatch(r.stdout, /policy skipped/);
    });
});

describe("class 7: config values no policy can be given", () => {
    const refused = (text: string, pattern: RegExp) => async () => {
        const r = await main(["check", tmp("web.yaml", COMPLIANT_DEPLOYMENT), "--config", tmp("config.json", text)]);
        assert.equal(r.code, 2, r.stdout);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "one line, no stack trace");
    };

    it("a maximum of 1e999 (Infinity once parsed) is refused, not read as no maximum", refused(
        '{"container-resources": {"maxCpuCores": 1e999}}',
        /"container-resources"\.maxCpuCores: Infinity is not a finite number \(the Pulumi CLI refuses numbers beyond float64, such as 1e999\)/,
    ));
    it("-1e999 inside a nested property is refused too", refused(
        '{"dr-targets": {"drTargets": {"database": {"rpoMinutes": -1e999, "rtoMinutes": 60}}}}',
        /"dr-targets"\.drTargets\.database\.rpoMinutes: -Infinity is not a finite number/,
    ));
    it("a policy named __proto__ is refused, with any value, and pollutes nothing", async () => {
        for (const text of ['{"__proto__": "disabled"}', '{"__proto__": {"enforcementLevel": "disabled"}}', '{"__proto__": {"maxCpuCores": 1000}}']) {
            await refused(text, /"__proto__": the key "__proto__" is not allowed \(it is not a policy or property name\)/)();
            assert.equal(({} as Record<string, unknown>).enforcementLevel, undefined, text);
        }
    });
    it("a property named __proto__ inside a policy's entry is refused", refused(
        '{"container-resources": {"__proto__": {"maxCpuCores": 1000}}}',
        /"container-resources"\.__proto__: the key "__proto__" is not allowed/,
    ));
    it("other names of Object.prototype are unknown policies, named as such", async () => {
        for (const name of ["constructor", "toString", "hasOwnProperty"]) {
            assert.throws(() => loadPackConfig({ [name]: "disabled" }), (e: Error) => e instanceof PolicyConfigError && e.message.includes(`"${name}": no policy of that name in this pack`), name);
        }
    });
    it("the pack refuses a non-finite value sent by the engine, as the CLI would", () => {
        const info = { name: "container-resources", enforcementLevel: "mandatory" as const, configSchema: { properties: { maxCpuCores: CONFIG_PROPERTIES.maxCpuCores, maxMemoryGiB: CONFIG_PROPERTIES.maxMemoryGiB } } };
        assert.deepEqual(policyConfigProblems(info, { maxCpuCores: Infinity, maxMemoryGiB: 32 }), ['"container-resources".maxCpuCores: Infinity is not a finite number (the Pulumi CLI refuses numbers beyond float64, such as 1e999)']);
    });
});
