/**
 * The engine's side of the CrossGuard analyzer protocol, for tests. It starts a policy pack the way
 * the Pulumi CLI does for a `runtime: nodejs` pack (resolve `@pulumi/pulumi/cmd/run-policy-pack` from
 * the pack directory, run it with node in that directory with `<engine address> .` and the
 * PULUMI_* environment, read the port it prints), serves the Engine service the pack logs to, and
 * talks gRPC to its Analyzer service with the stubs generated from pulumi/analyzer.proto that ship
 * in @pulumi/pulumi/proto: Handshake, ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure,
 * Analyze, AnalyzeStack. Properties travel as protobuf Structs with secrets and unknowns encoded as
 * the engine encodes them.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { PolicyConfigs, PolicyInfo } from "../../policies/lib/config";
import { isUnknown } from "../../policies/lib/unknown";
import { replacedAt } from "../../policies/lib/resources";
import type { RecordedResource } from "../../lib/offline/recorder";
import { pluginEnv, resolveFrom, waitForPort } from "../../lib/offline/plugin-process";

export { resolveFrom };

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const enginePb = require("@pulumi/pulumi/proto/engine_pb");
const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
const structPb = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [protoDir] }));
const emptyPb = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [protoDir] }));
/* eslint-enable @typescript-eslint/no-require-imports */

/** Property-protocol constants (sdk/go/common/resource/plugin/rpc.go, @pulumi/pulumi runtime/rpc). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** The engine marshals every unknown value (KeepUnknowns) as this string. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const; // proto EnforcementLevel order
export type Level = (typeof LEVELS)[number];
const levelCode = (l: string) => LEVELS.indexOf(l as Level);

export interface EngineResource {
    urn: string;
    type: string;
    name: string;
    /** Already encoded (secrets as signature objects, unknowns as the sentinel). */
    properties: Record<string, unknown>;
    protect?: boolean;
    parent?: string;
    dependencies?: string[];
    /** Per top-level property, the URNs its value came from (AnalyzerResource.propertyDependencies). */
    propertyDependencies?: Record<string, string[]>;
    provider?: { urn: string; type: string; name: string; properties: Record<string, unknown> };
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    urn: string;
    message: string;
    enforcementLevel: Level;
}

export interface AnalyzerInfo {
    name: string;
    version: string;
    supportsConfig: boolean;
    /** As the engine keeps them (GetAnalyzerInfo): name, default level, configSchema. */
    policies: PolicyInfo[];
}

/** A minimal Engine service: the address given to the pack; collects what it logs. */
async function startEngine(logs: string[]): Promise<{ address: string; server: grpc.Server }> {
    const server = new grpc.Server();
    server.addService(engineGrpc.EngineService, {
        log: (call: any, cb: any) => {
            logs.push(`${call.request.getSeverity()}: ${call.request.getMessage()}`);
            cb(null, new emptyPb.Empty());
        },
        getRootResource: (_: any, cb: any) => cb(null, new enginePb.GetRootResourceResponse()),
        setRootResource: (_: any, cb: any) => cb(null, new enginePb.SetRootResourceResponse()),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    return { address: `127.0.0.1:${port}`, server };
}

export interface StartOptions {
    stack: string;
    project: string;
    organization?: string;
    /** PULUMI_DRY_RUN: true for preview, false for update. */
    dryRun: boolean;
    /** Project config passed as PULUMI_CONFIG (JSON of `key: string`), as the CLI does. */
    config?: Record<string, string>;
    /** The pack process's environment over the test's (an undefined value removes the variable), e.g. the AWS credentials it finds. */
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
}

function unary<Req, Res>(client: any, method: string, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => client[method](req, (e: grpc.ServiceError | null, res: Res) => (e ? reject(e) : resolve(res))));
}

const toStruct = (obj: Record<string, unknown>) => structPb.Struct.fromJavaScript(obj);

function diagnostics(res: any): Diagnostic[] {
    return res.getDiagnosticsList().map((d: any) => ({
        policyName: d.getPolicyname(), policyPackName: d.getPolicypackname(), urn: d.getUrn(), message: d.getMessage(), enforcementLevel: LEVELS[d.getEnforcementlevel()],
    }));
}

function resourceOptions(r: EngineResource) {
    const o = new analyzerPb.AnalyzerResourceOptions();
    o.setProtect(r.protect === true);
    if (r.parent) o.setParent(r.parent);
    return o;
}

function providerOf(r: EngineResource) {
    if (!r.provider) return undefined;
    const p = new analyzerPb.AnalyzerProviderResource();
    p.setUrn(r.provider.urn);
    p.setType(r.provider.type);
    p.setName(r.provider.name);
    p.setProperties(toStruct(r.provider.properties));
    return p;
}

/** The fields AnalyzeRequest and AnalyzerResource share (urn, type, name, properties, options, provider), set from `r`. */
function withResource<T>(msg: T, r: EngineResource): T {
    const m = msg as any;
    m.setUrn(r.urn);
    m.setType(r.type);
    m.setName(r.name);
    m.setProperties(toStruct(r.properties));
    m.setOptions(resourceOptions(r));
    const provider = providerOf(r);
    if (provider) m.setProvider(provider);
    return msg;
}


/** One running policy pack and a connection to it. */
export class AnalyzerSession {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        private readonly engine: grpc.Server,
        readonly options: StartOptions,
        private readonly output: { stderr: string },
        readonly logs: string[],
        /** Milliseconds from spawn until the pack printed its port. */
        readonly startupMs: number,
    ) {}

    get stderr(): string {
        return this.output.stderr;
    }

    /** Starts the pack in `packDir` as the CLI's analyzer plugin does. */
    static async start(packDir: string, options: StartOptions): Promise<AnalyzerSession> {
        const logs: string[] = [];
        const engine = await startEngine(logs);
        const runner = resolveFrom(packDir, "@pulumi/pulumi/cmd/run-policy-pack");
        const env = pluginEnv({
            PULUMI_NODEJS_PROJECT: options.project, PULUMI_NODEJS_STACK: options.stack, PULUMI_NODEJS_DRY_RUN: String(options.dryRun),
            PULUMI_PROJECT: options.project, PULUMI_STACK: options.stack, PULUMI_DRY_RUN: String(options.dryRun),
            ...(options.organization ? { PULUMI_NODEJS_ORGANIZATION: options.organization, PULUMI_ORGANIZATION: options.organization } : {}),
            ...(options.config ? { PULUMI_CONFIG: JSON.stringify(options.config) } : {}),
        });
        for (const [k, v] of Object.entries(options.env ?? {})) {
            if (v === undefined) delete env[k];
            else env[k] = v;
        }
        const started = Date.now();
        const child = spawn(process.execPath, [runner, engine.address, "."], { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
        const output = { stderr: "" };
        child.stderr!.on("data", (d) => (output.stderr += String(d)));
        const port = await waitForPort(child, `policy pack in ${packDir}`, output, options.timeoutMs ?? 45000);
        const startupMs = Date.now() - started;
        const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 400 * 1024 * 1024, "grpc.max_send_message_length": 400 * 1024 * 1024 });
        return new AnalyzerSession(child, client, engine.server, options, output, logs, startupMs);
    }

    /** Handshake (newer engines send it first); "unimplemented" is what the engine tolerates and falls back from. */
    async handshake(packDir: string, engineAddress = "127.0.0.1:0"): Promise<"ok" | "unimplemented"> {
        const req = new analyzerPb.AnalyzerHandshakeRequest();
        req.setEngineAddress(engineAddress);
        req.setRootDirectory(packDir);
        req.setProgramDirectory(packDir);
        try {
            await unary(this.client, "handshake", req);
            return "ok";
        } catch (e) {
            if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return "unimplemented";
            throw e;
        }
    }

    async configureStack(): Promise<void> {
        const req = new analyzerPb.AnalyzerStackConfigureRequest();
        req.setStack(this.options.stack);
        req.setProject(this.options.project);
        req.setOrganization(this.options.organization ?? "");
        req.setDryRun(this.options.dryRun);
        for (const [k, v] of Object.entries(this.options.config ?? {})) req.getConfigMap().set(k, v);
        await unary(this.client, "configureStack", req);
    }

    async pluginInfo(): Promise<{ version: string }> {
        const res: any = await unary(this.client, "getPluginInfo", new emptyPb.Empty());
        return { version: res.getVersion() };
    }

    async analyzerInfo(): Promise<AnalyzerInfo> {
        const res: any = await unary(this.client, "getAnalyzerInfo", new emptyPb.Empty());
        return {
            name: res.getName(), version: res.getVersion(), supportsConfig: res.getSupportsconfig(),
            policies: res.getPoliciesList().map((p: any) => {
                const schema = p.getConfigschema();
                return {
                    name: p.getName(), enforcementLevel: LEVELS[p.getEnforcementlevel()],
                    ...(schema ? { configSchema: { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() } } : {}),
                };
            }),
        };
    }

    /** Configure with the engine's reconciled config (every policy: level + properties). */
    async configure(config: PolicyConfigs): Promise<void> {
        const req = new analyzerPb.ConfigureAnalyzerRequest();
        const map = req.getPolicyconfigMap();
        for (const [name, s] of Object.entries(config)) {
            if (levelCode(s.enforcementLevel) < 0) throw new Error(`invalid enforcement level ${JSON.stringify(s.enforcementLevel)}`); // the engine's own check
            const pc = new analyzerPb.PolicyConfig();
            pc.setEnforcementlevel(levelCode(s.enforcementLevel));
            pc.setProperties(toStruct(s.properties));
            map.set(name, pc);
        }
        await unary(this.client, "configure", req);
    }

    async analyze(r: EngineResource): Promise<Diagnostic[]> {
        return diagnostics(await unary(this.client, "analyze", withResource(new analyzerPb.AnalyzeRequest(), r)));
    }

    /** Analyze for many resources, a few in flight at once as the engine's step generator does. */
    async analyzeAll(resources: EngineResource[], concurrency = 16): Promise<Diagnostic[]> {
        const out: Diagnostic[][] = new Array(resources.length);
        let next = 0;
        const worker = async () => {
            while (next < resources.length) {
                const i = next++;
                out[i] = await this.analyze(resources[i]);
            }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, resources.length) }, worker));
        return out.flat();
    }

    async analyzeStack(resources: EngineResource[]): Promise<Diagnostic[]> {
        const req = new analyzerPb.AnalyzeStackRequest();
        req.setResourcesList(resources.map((r) => {
            const a = withResource(new analyzerPb.AnalyzerResource(), r);
            if (r.parent) a.setParent(r.parent);
            a.setDependenciesList(r.dependencies ?? []);
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const deps = new analyzerPb.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                a.getPropertydependenciesMap().set(k, deps);
            }
            return a;
        }));
        return diagnostics(await unary(this.client, "analyzeStack", req));
    }

    close(): void {
        this.client.close();
        this.engine.forceShutdown();
        this.child.kill();
    }
}

/** The engine's encoding of values unknown in preview: the policies' UNKNOWN (from a first-preview build) as the sentinel string. */
function encodeUnknowns(v: unknown): any {
    if (isUnknown(v)) return UNKNOWN_STRING;
    if (Array.isArray(v)) return v.map(encodeUnknowns);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeUnknowns(x)]));
    return v;
}

/** Wraps the value at each secret path (`a.b[0].c`) in the engine's secret envelope. */
function withSecrets(props: Record<string, unknown>, secretPaths: string[]): Record<string, unknown> {
    return replacedAt(encodeUnknowns(props), secretPaths, (value) => ({ [SIG_KEY]: SECRET_SIG, value }));
}

/** The resources of an offline build as the engine presents them, with URNs formed as the engine forms them. */
export function engineResources(stack: string, project: string, resources: RecordedResource[], props: (r: RecordedResource) => Record<string, unknown> = (r) => r.inputs): { resources: EngineResource[]; urnOf: Map<string, string> } {
    const byKey = new Map(resources.map((r) => [r.key, r]));
    const qualified = (r: RecordedResource): string => {
        const parent = r.parent ? byKey.get(r.parent) : undefined;
        return parent && parent.type !== "pulumi:pulumi:Stack" ? `${qualified(parent)}$${r.type}` : r.type;
    };
    const urnOf = new Map(resources.map((r) => [r.key, `urn:pulumi:${stack}::${project}::${qualified(r)}::${r.name}`]));
    // An AWS resource without an explicit provider has the engine's default provider, whose inputs are the stack's aws: config.
    const defaultAws = (region: string) => ({ urn: `urn:pulumi:${stack}::${project}::pulumi:providers:aws::default`, type: "pulumi:providers:aws", name: "default", properties: { region } });
    const encoded = resources.map((r): EngineResource => {
        const provider = r.provider ? byKey.get(r.provider) : undefined;
        return {
            urn: urnOf.get(r.key)!, type: r.type, name: r.name, protect: r.protect,
            properties: withSecrets(props(r), r.secretPaths),
            parent: r.parent ? urnOf.get(r.parent) : undefined,
            dependencies: [...new Set([...r.dependsOn, ...Object.values(r.propertyDependencies ?? {}).flat()])].map((d) => urnOf.get(d)!).filter(Boolean),
            propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, keys]) => [k, keys.map((d) => urnOf.get(d)!).filter(Boolean)])),
            provider: provider
                ? { urn: urnOf.get(provider.key)!, type: provider.type, name: provider.name, properties: withSecrets(provider.inputs, provider.secretPaths) }
                : r.type.startsWith("aws:") && r.region ? defaultAws(r.region) : undefined,
        };
    });
    return { resources: encoded, urnOf };
}
