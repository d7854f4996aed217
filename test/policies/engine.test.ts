/**
 * The policy pack driven exactly as the Pulumi engine drives it: policies/ on the dependencies its
 * own lockfile installs (test/harness/pack-install.ts), started through
 * `@pulumi/pulumi/cmd/run-policy-pack`, spoken to over the Analyzer gRPC protocol
 * (test/harness/analyzer.ts). Each stack's committed policy config is reconciled and validated the
 * way the CLI does it (against the schemas the pack itself advertises), sent with Configure, and
 * every resource of the stack's offline build goes through Analyze, then the stack through
 * AnalyzeStack. One pack process serves the whole file.
 */
import * as assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { evaluatePack, judgeResource } from "../../policies/evaluate";
import { ALL_POLICIES } from "../../policies/policies";
import { PolicyConfigError, PolicyConfigs, reconcileConfig } from "../../policies/lib/config";
import { toPolicyResource } from "../../policies/lib/resources";
import { isStackPolicy, PolicyResource, Violation } from "../../policies/lib/types";
import { packConfigFile, readPackConfigFile } from "../../scripts/lib/pack-config";
import { BuiltStack, builtFirstPreview, builtStack, PROJECT, STACKS } from "../../lib/offline/stack";
import { isUnknown } from "../../policies/lib/unknown";
import type { RecordedResource } from "../../lib/offline/recorder";
import { AnalyzerInfo, AnalyzerSession, Diagnostic, engineResources, resolveFrom, UNKNOWN_STRING } from "../harness/analyzer";
import { AWS_ENV, LocalAwsEndpoint, profileFiles } from "../harness/aws-endpoint";
import { defectsFor } from "../harness/defects";
import { TestRegistry } from "../harness/oci-registry";
import { installDrift, PACK_SOURCE, packSources, PackUnderTest, packUnderTest } from "../harness/pack-install";
import { tempDirs } from "../harness/tmp";

/** A verdict in a form both sides produce: policy, level, URN, message. */
type Verdict = [string, string, string, string];
const fromEngine = (d: Diagnostic[]): Verdict[] => d.map((x): Verdict => [x.policyName, x.enforcementLevel, x.urn, x.message]).sort();
const fromOffline = (v: Violation[], urnOf: Map<string, string>): Verdict[] => v.map((x): Verdict => [x.policy, x.enforcementLevel, urnOf.get(x.resource) ?? "", x.message]).sort();

/** Resources with changed properties, keeping every other recorded fact. */
function withProps(s: BuiltStack, props: (r: RecordedResource) => Record<string, any>): RecordedResource[] {
    return s.resources.map((r) => ({ ...r, inputs: props(r) }));
}

/** Runs a whole stack through the protocol: Analyze for every resource, then AnalyzeStack once. */
async function analyzeStack(session: AnalyzerSession, stack: string, resources: RecordedResource[]) {
    const { resources: engine, urnOf } = engineResources(stack, PROJECT, resources);
    const diagnostics = [...(await session.analyzeAll(engine)), ...(await session.analyzeStack(engine))];
    return { diagnostics, urnOf };
}

describe("policy pack through the engine's analyzer protocol (run-policy-pack, gRPC)", function () {
    this.timeout(300000); // the first run may `npm ci` the pack's lockfile
    let pack: PackUnderTest;
    let session: AnalyzerSession;
    let info: AnalyzerInfo;

    // Registry mode's AWS side (the describe at the end): a local KMS endpoint and a profile-based
    // credential in the pack process's environment, as on a laptop (`AWS_PROFILE`, shared files).
    const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const awsFiles = tempDirs("engine-aws-");
    let kms: LocalAwsEndpoint;

    before(async () => {
        pack = packUnderTest();
        kms = await LocalAwsEndpoint.start({ AKIAPROFILE: "profile-s3cret" });
        kms.on("TrentService.GetPublicKey", (body) => ({ body: { KeyId: body.KeyId, KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY", PublicKey: signer.publicKey.export({ type: "spki", format: "der" }).toString("base64") } }));
        const aws = { ...Object.fromEntries(AWS_ENV.map((k) => [k, undefined])), AWS_EC2_METADATA_DISABLED: "true", ...profileFiles(awsFiles(), "platform-prod", { accessKeyId: "AKIAPROFILE", secretAccessKey: "profile-s3cret" }), AWS_ENDPOINT_URL_KMS: kms.url };
        session = await AnalyzerSession.start(pack.dir, { stack: "prod", project: PROJECT, dryRun: true, timeoutMs: 120000, env: aws });
        console.log(`      policy pack: ${pack.how}; started in ${session.startupMs} ms`);
        assert.equal(await session.handshake(pack.dir), "unimplemented"); // the engine falls back, as for every @pulumi/policy pack
        await session.configureStack();
        info = await session.analyzerInfo();
    });
    after(async () => {
        session?.close();
        await kms?.close();
    });

    it("policies/ imports nothing outside the directory, and only packages its package.json declares", () => {
        const declared = Object.keys(JSON.parse(fs.readFileSync(path.join(PACK_SOURCE, "package.json"), "utf8")).dependencies);
        const problems: string[] = [];
        for (const file of packSources().filter((f) => f.endsWith(".ts"))) {
            for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from\s+|import\(\s*|require\(\s*)"([^"]+)"/g)) {
                const spec = m[1];
                const where = `${path.relative(PACK_SOURCE, file)}: ${spec}`;
                if (spec.startsWith(".")) {
                    if (path.relative(PACK_SOURCE, path.resolve(path.dirname(file), spec)).startsWith("..")) problems.push(`${where} leaves policies/`);
                    continue;
                }
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!spec.startsWith("node:") && !builtinModules.includes(name) && !declared.includes(name)) problems.push(`${where} is not a dependency in policies/package.json`);
            }
        }
        assert.deepEqual(problems, []);
    });

    it("runs on its own `npm ci` dependencies: run-policy-pack and the TypeScript that compiles it come from them, not from the repository", function () {
        if (pack.standalone) {
            console.warn(`      skipped: ${pack.standalone}`);
            this.skip();
        }
        const own = fs.realpathSync(pack.ownDependencies!);
        const runner = resolveFrom(pack.dir, "@pulumi/pulumi/cmd/run-policy-pack");
        assert.ok(runner.startsWith(own), `run-policy-pack from the pack's own dependencies: ${runner}`);
        const ts = resolveFrom(path.dirname(runner), "typescript");
        assert.ok(ts.startsWith(own), `the runner compiles with the pack's TypeScript, not its vendored 3.8: ${ts}`);
        assert.equal(JSON.parse(fs.readFileSync(path.join(own, "typescript", "package.json"), "utf8")).version, JSON.parse(fs.readFileSync(path.join(PACK_SOURCE, "package.json"), "utf8")).dependencies.typescript);
    });

    it("loads as the CLI loads it: PulumiPolicy.yaml parses, the pack serves every policy with a schema of exactly the properties it reads", async () => {
        const project = yaml.load(fs.readFileSync(path.join(pack.dir, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
        assert.equal(project.runtime, "nodejs");
        assert.equal(typeof project.description, "string");
        assert.match((await session.pluginInfo()).version, /^\d+\.\d+\.\d+/);
        assert.equal(info.name, "platform-guardrails");
        assert.equal(info.supportsConfig, true);
        assert.deepEqual(info.policies.map((p) => p.name).sort(), ALL_POLICIES.map((p) => p.name).sort());
        for (const p of ALL_POLICIES) {
            const served = info.policies.find((x) => x.name === p.name)!;
            assert.equal(served.enforcementLevel, p.enforcementLevel, p.name);
            assert.deepEqual(Object.keys(served.configSchema?.properties ?? {}).sort(), [...p.config].sort(), p.name);
        }
        assert.equal(session.stderr, "");
    });

    for (const stack of STACKS) {
        it(`${stack}: its committed config is valid for the CLI, and its plan passes under it with the offline evaluator's verdicts`, async () => {
            const file = packConfigFile(stack);
            const engineConfig = reconcileConfig(JSON.parse(fs.readFileSync(file, "utf8")), info.policies);
            assert.deepEqual(engineConfig, readPackConfigFile(file), "the engine's reconciled config equals the offline reading of the file");
            await session.configure(engineConfig);
            const s = await builtStack(stack);
            const { diagnostics, urnOf } = await analyzeStack(session, stack, s.resources);
            assert.deepEqual(fromEngine(diagnostics), fromOffline(evaluatePack(s.resources.map(toPolicyResource), engineConfig), urnOf));
            assert.deepEqual(diagnostics, []);
        });

        it(`${stack}: a defect injected for each policy is reported by that policy at its configured level, as offline`, async () => {
            const config = readPackConfigFile(packConfigFile(stack));
            await session.configure(config);
            const s = await builtStack(stack);
            for (const defect of defectsFor(s.config)) {
                const target = s.resources.find((r) => defect.pick(toPolicyResource(r)))!;
                assert.ok(target, `${stack}: no resource for ${defect.policy}`);
                const broken = withProps(s, (r) => {
                    if (r !== target) return r.inputs;
                    const p = toPolicyResource({ ...r, inputs: structuredClone(r.inputs) });
                    defect.inject(p);
                    return p.props;
                });
                const policy = ALL_POLICIES.find((p) => p.name === defect.policy)!;
                const { resources, urnOf } = engineResources(stack, PROJECT, broken);
                const engine = isStackPolicy(policy) ? await session.analyzeStack(resources) : await session.analyze(resources[s.resources.indexOf(target)]);
                assert.deepEqual([...new Set(engine.map((d) => d.policyName))], [defect.policy], `${stack}: ${defect.policy}`);
                for (const d of engine) assert.equal(d.enforcementLevel, config[defect.policy].enforcementLevel, `${stack}: ${defect.policy} level`);
                const offline = isStackPolicy(policy)
                    ? evaluatePack(broken.map(toPolicyResource), config).filter((v) => v.policy === defect.policy)
                    : evaluatePack([toPolicyResource(broken[s.resources.indexOf(target)])], config, ALL_POLICIES.filter((p) => !isStackPolicy(p)));
                assert.deepEqual(fromEngine(engine), fromOffline(offline, urnOf), `${stack}: ${defect.policy} verdicts`);
            }
        });
    }

    describe("preview and update", () => {
        let prod: BuiltStack;
        let config: PolicyConfigs;
        before(async () => {
            prod = await builtStack("prod");
            config = readPackConfigFile(packConfigFile("prod"));
            await session.configure(config);
        });
        const db = () => prod.resources.find((r) => r.type === "aws:rds/instance:Instance" && !r.inputs.replicateSourceDb)!;
        /** The first `pulumi preview` of prod (lib/offline/mocks.ts firstPreview). */
        const firstPreview = () => builtFirstPreview("prod");
        const publicDb = (r: RecordedResource, props: Record<string, any>) => (r.key === db().key ? { ...props, publiclyAccessible: true } : props);

        it("first preview of a new stack (the mocks in preview: every id and computed output unknown): undecided findings are advisory, never a false mandatory, and what does not depend on an unknown stays mandatory; same verdicts offline", async () => {
            const preview = await firstPreview();
            assert.ok(preview.resources.some((r) => isUnknown(r.inputs.kmsKeyId)), "ids and ARNs are unknown");
            const clean = await analyzeStack(session, "prod", preview.resources);
            assert.deepEqual(clean.diagnostics.filter((d) => d.enforcementLevel === "mandatory"), []);
            const { diagnostics, urnOf } = await analyzeStack(session, "prod", withProps(preview, (r) => publicDb(r, r.inputs)));
            // Each check of a resource policy depends on what it reads: a public database is refused while its key's ARN is unknown.
            const dbUrn = urnOf.get(db().key)!;
            const onDb = diagnostics.filter((d) => d.urn === dbUrn && d.policyName === "rds-baseline").map((d) => [d.enforcementLevel, d.message]);
            assert.deepEqual(onDb, [
                ["advisory", "undecided during preview (kmsKeyId unknown until the update; decided at `pulumi up`): RDS instance must encrypt storage with a customer-managed KMS key (storageEncrypted, and kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3]."],
                ["mandatory", "RDS instance must not be publicly accessible [RDS.2]."],
            ]);
            assert.deepEqual(diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.urn), [dbUrn]);
            // Stack policies decide what the unknown ids do not hide: the replica is tied to its primary, each bucket to its settings.
            // Velero's values are built from ARNs, so the cluster-state figure (only) waits for the update.
            const dr = diagnostics.filter((d) => d.policyName === "dr-targets").map((d) => d.message);
            assert.ok(dr.length > 0 && dr.every((m) => /^(undecided|cannot decide) during preview[ (:].*velero\.values/.test(m) && !/database|objectStorage/.test(m)), dr.join("\n"));
            assert.ok(!diagnostics.some((d) => d.policyName === "s3-baseline" && /it has none/.test(d.message)));
            const offline = evaluatePack(withProps(preview, (r) => publicDb(r, r.inputs)).map(toPolicyResource), config);
            assert.deepEqual(fromEngine(diagnostics), fromOffline(offline, urnOf));
        });

        it("first preview: a bucket without any encryption configuration and a stack without the DR replica are mandatory, tied by property dependencies while ids are unknown", async () => {
            const preview = await firstPreview();
            const bucket = preview.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
            const sse = preview.resources.find((r) => r.type.startsWith("aws:s3/bucketServerSideEncryptionConfiguration") && r.propertyDependencies?.bucket?.includes(bucket.key))!;
            const replica = preview.resources.find((r) => r.type === "aws:rds/instance:Instance" && r.inputs.replicateSourceDb !== undefined)!;
            assert.ok(sse && replica && isUnknown(replica.inputs.replicateSourceDb), "the SSE configuration and the replica of the first preview");
            const broken = preview.resources.filter((r) => r !== sse && r !== replica);
            const { diagnostics, urnOf } = await analyzeStack(session, "prod", broken);
            const mandatory = diagnostics.filter((d) => d.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map((d) => [d.policyName, d.urn === urnOf.get(bucket.key) ? "(the bucket)" : d.urn || "(stack)"]).sort(), [
                ["dr-targets", "(stack)"], ["dr-targets", "(stack)"], ["s3-baseline", "(the bucket)"],
            ]);
            assert.match(mandatory.find((d) => d.policyName === "s3-baseline")!.message, /^S3 bucket \S+ must be encrypted with a customer-managed KMS key .* it has none\.$/);
            assert.ok(mandatory.filter((d) => d.policyName === "dr-targets").every((d) => /^Recovery target missed: database: (RPO|RTO) /.test(d.message)));
            assert.deepEqual(fromEngine(diagnostics), fromOffline(evaluatePack(broken.map(toPolicyResource), config), urnOf));
        });

        it("update (values known; AnalyzeStack gets the outputs after the update): the same resources are decided, the defect is mandatory", async () => {
            const update = withProps(prod, (r) => publicDb(r, r.inputs));
            const { diagnostics, urnOf } = await analyzeStack(session, "prod", update);
            assert.deepEqual(fromEngine(diagnostics), [["rds-baseline", "mandatory", urnOf.get(db().key)!, "RDS instance must not be publicly accessible [RDS.2]."]]);
        });
    });

    describe("only values the engine marks unknown are unknown (class 2)", () => {
        let update: AnalyzerSession;
        let prod: BuiltStack;
        before(async () => {
            prod = await builtStack("prod");
            // `pulumi up` starts the pack with PULUMI_DRY_RUN=false: nothing is unknown during an update.
            update = await AnalyzerSession.start(pack.dir, { stack: "prod", project: PROJECT, dryRun: false, timeoutMs: 120000 });
            await update.configureStack();
            const config = readPackConfigFile(packConfigFile("prod"));
            await update.configure(config);
            await session.configure(config);
        });
        after(() => update?.close());

        /** The canary Rollout with its first container renamed, its namespace set, and its limits removed. */
        const rollout = (name: string, namespace: string) => {
            const r = prod.resources.find((x) => x.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!;
            const props = structuredClone(r.inputs);
            props.metadata.namespace = namespace;
            props.spec.template.spec.containers[0].name = name;
            delete props.spec.template.spec.containers[0].resources.limits;
            const { resources } = engineResources("prod", PROJECT, [{ ...r, inputs: props }]);
            return resources[0];
        };
        const limits = (d: Diagnostic[]) => d.filter((x) => x.policyName === "container-resources");

        it("update: a container name and namespace equal to the unknown sentinel are plain strings; the missing limits are mandatory", async () => {
            const found = limits(await update.analyze(rollout(UNKNOWN_STRING, UNKNOWN_STRING)));
            assert.deepEqual(found.map((d) => d.enforcementLevel), ["mandatory", "mandatory"]);
            assert.ok(found.every((d) => d.message.includes(`container ${UNKNOWN_STRING} resources.limits`)), found.map((d) => d.message).join("\n"));
        });

        it("preview: an unknown container name or namespace only labels the finding; the missing limits stay mandatory", async () => {
            const found = limits(await session.analyze(rollout(UNKNOWN_STRING, UNKNOWN_STRING)));
            assert.deepEqual(found.map((d) => d.enforcementLevel), ["mandatory", "mandatory"], found.map((d) => d.message).join("\n"));
        });

        it("update: an RDS kmsKeyId equal to the sentinel is judged as that string: mandatory [RDS.3]", async () => {
            const db = prod.resources.find((r) => r.type === "aws:rds/instance:Instance" && !r.inputs.replicateSourceDb)!;
            const { resources } = engineResources("prod", PROJECT, [{ ...db, inputs: { ...db.inputs, kmsKeyId: UNKNOWN_STRING } }]);
            const found = (await update.analyze(resources[0])).filter((d) => d.policyName === "rds-baseline");
            assert.deepEqual(found.map((d) => [d.enforcementLevel, d.message]), [["mandatory", "RDS instance must encrypt storage with a customer-managed KMS key (storageEncrypted, and kmsKeyId a key or alias ARN outside alias/aws/) [RDS.3]."]]);
            const inPreview = (await session.analyze(resources[0])).filter((d) => d.policyName === "rds-baseline");
            assert.deepEqual(inPreview.map((d) => d.enforcementLevel), ["advisory"], "in a preview the engine's sentinel is an unknown");
        });
    });

    describe("config the CLI refuses, and what the pack refuses itself", () => {
        const refused = (doc: unknown, pattern: RegExp) => assert.throws(() => reconcileConfig(doc, info.policies), (e: Error) => e instanceof PolicyConfigError && pattern.test(e.message));

        it("schema violations and bad levels are refused before the pack runs, naming policy, property and allowed values", () => {
            refused({ "rds-baseline": { minBackupRetentionDays: 40 } }, /"rds-baseline"\.minBackupRetentionDays: must be <= 35/);
            refused({ "admission-sbom-rule": { admission: "block" } }, /"admission-sbom-rule"\.admission: must be equal to one of the allowed values: "enforce", "audit"/);
            refused({ "dr-targets": { drTargets: { databse: { rpoMinutes: 5, rtoMinutes: 60 } } } }, /"dr-targets"\.drTargets: must NOT have additional properties \("databse"\)/);
            refused({ "kms-key-rotation": "strict" }, /"kms-key-rotation": enforcementLevel "strict" is not one of advisory, mandatory, remediate, disabled/);
            refused({ all: { environment: "prod" } }, /"all"\.environment: "all" takes only enforcementLevel; give environment to the policies that read it \(rds-baseline, s3-baseline, backup-vault-baseline\)/);
            refused({ "rds-baseilne": { environment: "prod" } }, /"rds-baseilne": no policy of that name in this pack/);
        });

        it("a property the policy does not read passes the CLI (it does not forward additionalProperties) and fails the run in the pack", async () => {
            await session.configure({ ...readPackConfigFile(packConfigFile("prod")), "rds-baseline": { enforcementLevel: "mandatory", properties: { environment: "prod", minBackupRetentionDays: 7, enviroment: "dev" } } });
            const { resources, urnOf } = engineResources("prod", PROJECT, (await builtStack("prod")).resources);
            const rds = resources.find((r) => r.type === "aws:rds/instance:Instance")!;
            await assert.rejects(session.analyze(rds), /"rds-baseline"\.enviroment: not a property of this policy; it reads environment, minBackupRetentionDays/);
            assert.ok(urnOf.size > 0);
        });

        it("levels only through the engine: \"all\" and a policy's own entry set the level findings are reported at", async () => {
            const s = await builtStack("dev");
            const doc = { ...JSON.parse(fs.readFileSync(packConfigFile("dev"), "utf8")), all: "advisory", "kms-key-rotation": { enforcementLevel: "mandatory" } };
            const config = reconcileConfig(doc, info.policies);
            await session.configure(config);
            const broken = (p: PolicyResource) => structuredClone(p);
            const key = s.resources.find((r) => r.type === "aws:kms/key:Key")!;
            const lt = s.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
            const { resources } = engineResources("dev", PROJECT, withProps(s, (r) => (r === key ? { ...r.inputs, enableKeyRotation: false } : r === lt ? { ...r.inputs, metadataOptions: {} } : r.inputs)));
            const byKey = new Map(s.resources.map((r, i) => [r, resources[i]]));
            const keyDiags = await session.analyze(byKey.get(key)!);
            const ltDiags = await session.analyze(byKey.get(lt)!);
            assert.deepEqual(keyDiags.map((d) => [d.policyName, d.enforcementLevel]), [["kms-key-rotation", "mandatory"]]);
            assert.ok(ltDiags.length > 0 && ltDiags.every((d) => d.policyName === "launch-template-baseline" && d.enforcementLevel === "advisory"));
            const offline = await judgeResource(ALL_POLICIES.find((p) => p.name === "kms-key-rotation") as any, broken(toPolicyResource({ ...key, inputs: { ...key.inputs, enableKeyRotation: false } })), config);
            assert.deepEqual(offline.map((f) => f.message), keyDiags.map((d) => d.message));
        });
    });

    describe("registry mode as `pulumi preview --policy-pack policies` runs it: the AWS SDK from the pack's own dependencies, a profile-based credential", () => {
        const KEY = "awskms:///arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-0000-4000-8000-00000000c051";
        let registry: TestRegistry;
        const digests: Record<string, string> = {};
        before(async () => {
            registry = await TestRegistry.start();
            digests.signed = await registry.pushSigned("platform-prod/signed", signer.privateKey);
            digests.stranger = await registry.pushSigned("platform-prod/stranger", generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
        });
        after(() => registry?.stop());

        it("the KMS key is read with the AWS_PROFILE credential through @aws-sdk/client-kms resolved in the pack's node_modules; a signed image passes, another key's fails", async () => {
            if (!pack.standalone) assert.ok(resolveFrom(pack.dir, "@aws-sdk/client-kms").startsWith(fs.realpathSync(pack.ownDependencies!)), "the SDK comes from the pack's own install");
            const config = readPackConfigFile(packConfigFile("prod"));
            const policy = "image-signature-and-sbom";
            await session.configure({ ...config, [policy]: { ...config[policy], properties: { ...config[policy].properties, verificationMode: "registry", signedRegistries: [`${registry.host}/platform-prod`], insecureRegistries: [registry.host], cosignPublicKeys: [], cosignKmsKeys: [KEY], signerAnnotations: [] } } });
            const s = await builtStack("prod");
            const workload = s.resources.find((r) => r.type === "kubernetes:apps/v1:DaemonSet" && r.inputs.spec?.template?.spec?.containers?.length)!;
            const withImage = (image: string) => {
                const inputs = structuredClone(workload.inputs);
                inputs.spec.template.spec.containers[0].image = image;
                return engineResources("prod", PROJECT, [{ ...workload, inputs }]).resources[0];
            };
            const verdicts = async (repo: string) => (await session.analyze(withImage(`${registry.host}/platform-prod/${repo}@${digests[repo]}`))).filter((d) => d.policyName === policy).map((d) => d.message);
            assert.deepEqual(await verdicts("signed"), []);
            assert.match((await verdicts("stranger")).join("\n"), /is not signed by a configured key/);
            const asked = kms.seen.filter((r) => r.target === "TrentService.GetPublicKey");
            assert.deepEqual(asked.map((r) => [r.accessKeyId, r.region, r.body.KeyId]), [["AKIAPROFILE", "eu-west-1", KEY.slice("awskms:///".length)]], "one GetPublicKey, signed with the profile's key");
        });
    });
});

describe("the pack's own install is recognised only when it is exactly its lockfile's (test/harness/pack-install.ts)", () => {
    const lock = { packages: { "": { name: "p" }, "node_modules/a": { version: "1.0.0", integrity: "sha512-a" }, "node_modules/b": { version: "2.0.0", integrity: "sha512-b" }, "node_modules/c": { version: "1.0.0", integrity: "sha512-c", optional: true } } };
    const tmp = tempDirs("pack-drift-");
    const drift = (installed: Record<string, unknown>) => {
        const dir = tmp.files({ "lock.json": JSON.stringify(lock), "hidden.json": JSON.stringify({ packages: installed }) });
        return installDrift(path.join(dir, "lock.json"), path.join(dir, "hidden.json"));
    };
    const without = (packages: Record<string, unknown>, name: string) => Object.fromEntries(Object.entries(packages).filter(([k]) => k !== name));
    const required = without(lock.packages, "node_modules/c");

    it("the lockfile's packages, an optional one not installed: no drift", () => {
        assert.deepEqual(drift(lock.packages), []);
        assert.deepEqual(drift(required), []);
    });

    it("a missing, changed or extra package is drift, named", () => {
        assert.deepEqual(drift(without(required, "node_modules/b")), ["node_modules/b missing"]);
        assert.deepEqual(drift({ ...required, "node_modules/a": { version: "1.0.1", integrity: "sha512-x" } }), ["node_modules/a is 1.0.1, the lockfile has 1.0.0"]);
        assert.deepEqual(drift({ ...required, "node_modules/a": { version: "1.0.0", integrity: "sha512-x" } }), ["node_modules/a 1.0.0 has another integrity than the lockfile's"]);
        assert.deepEqual(drift({ ...required, "node_modules/z": { version: "9.0.0" } }), ["node_modules/z is not in the lockfile"]);
    });
});
