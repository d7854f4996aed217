/**
 * The engine's side of a source-based component plugin (the tests, `npm run package:verify`). It starts the package the way the
 * Pulumi CLI's Node.js language host does for `pulumi package add` and for every deployment that
 * uses it (RunPlugin: resolve `@pulumi/pulumi/cmd/run-plugin` from the package directory, run it
 * with node in the consumer's directory with `<package dir> <engine address>`, read the port it
 * prints), serves the Engine service it logs to and a ResourceMonitor that records what the
 * components register, and talks gRPC to its ResourceProvider service with the stubs that ship in
 * @pulumi/pulumi/proto: GetSchema and Construct.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { PlatformMocks } from "./mocks";
import { pluginEnv, resolveFrom, waitForPort } from "./plugin-process";

/* eslint-disable @typescript-eslint/no-require-imports */
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const resourceGrpc = require("@pulumi/pulumi/proto/resource_grpc_pb");
const resourcePb = require("@pulumi/pulumi/proto/resource_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const enginePb = require("@pulumi/pulumi/proto/engine_pb");
const rpc = require("@pulumi/pulumi/runtime/rpc");
const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const structPb = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [protoDir] }));
const emptyPb = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [protoDir] }));
/* eslint-enable @typescript-eslint/no-require-imports */

/** One resource the provider's components registered with the monitor. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    /** `<provider urn>::<id>` of a custom resource's provider ("" for the default). */
    provider: string;
    /** Inputs as the engine receives them, decoded (secrets stay wrapped as the SDK's secret objects). */
    inputs: Record<string, any>;
}

const listen = (server: grpc.Server) => new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));

/** The Engine service (logs) and a ResourceMonitor that records registrations and answers with the offline mocks' state (ids, ARNs). */
async function startEngine(project: string, stack: string, region: string) {
    const mocks = new PlatformMocks(region);
    const logs: string[] = [];
    const registrations: Registration[] = [];
    const engine = new grpc.Server();
    engine.addService(engineGrpc.EngineService, {
        log: (call: any, cb: any) => {
            logs.push(`${call.request.getSeverity()}: ${call.request.getMessage()}`);
            cb(null, new emptyPb.Empty());
        },
        getRootResource: (_: any, cb: any) => cb(null, new enginePb.GetRootResourceResponse()),
        setRootResource: (_: any, cb: any) => cb(null, new enginePb.SetRootResourceResponse()),
    });
    /** What getResource answers: every registration, and the consumer's resources a Construct names (its providers). */
    const resources = new Map<string, { id: string; state: Record<string, unknown> }>();
    const monitor = new grpc.Server();
    // The engine's URN: the parent's qualified type (its whole chain of types, the stack's excluded), `$`, the type.
    const urnOf = (parent: string, type: string, name: string) => {
        const parentType = parent ? parent.split("::")[2] : "pulumi:pulumi:Stack";
        return `urn:pulumi:${stack}::${project}::${parentType === "pulumi:pulumi:Stack" ? "" : `${parentType}$`}${type}::${name}`;
    };
    monitor.addService(resourceGrpc.ResourceMonitorService, {
        supportsFeature: (call: any, cb: any) => {
            const res = new resourcePb.SupportsFeatureResponse();
            // As the SDK's own mock monitor: no output values, so inputs arrive as plain values and secrets.
            res.setHassupport(call.request.getId() !== "outputValues");
            cb(null, res);
        },
        registerPackage: (_: any, cb: any) => {
            const res = new resourcePb.RegisterPackageResponse();
            res.setRef("test-package-ref");
            cb(null, res);
        },
        registerResource: (call: any, cb: any) => {
            const req = call.request;
            const urn = urnOf(req.getParent(), req.getType(), req.getName());
            const inputs = rpc.deserializeProperties(req.getObject());
            registrations.push({ urn, type: req.getType(), name: req.getName(), parent: req.getParent(), custom: req.getCustom(), provider: req.getProvider(), inputs });
            const { id, state } = mocks.newResource({ type: req.getType(), name: req.getName(), inputs, provider: req.getProvider(), custom: req.getCustom() });
            rpc.serializeProperties("state", state).then((serialized: Record<string, unknown>) => {
                resources.set(urn, { id: id ?? "", state: serialized });
                const res = new resourcePb.RegisterResourceResponse();
                res.setUrn(urn);
                if (id) res.setId(id);
                res.setObject(structPb.Struct.fromJavaScript(serialized));
                cb(null, res);
            }, (e: Error) => cb(e));
        },
        registerResourceOutputs: (_: any, cb: any) => cb(null, new emptyPb.Empty()),
        invoke: (call: any, cb: any) => {
            const tok = call.request.getTok();
            const args = rpc.deserializeProperties(call.request.getArgs());
            // The engine answers getResource for any resource of the deployment: the SDK rehydrates the consumer's provider with it.
            const known = tok === "pulumi:pulumi:getResource" ? resources.get(args.urn) : undefined;
            if (!known) return cb(new Error(`invoke not expected from a component: ${tok} ${JSON.stringify(args)}`));
            const res = new resourcePb.ResourceInvokeResponse();
            res.setReturn(structPb.Struct.fromJavaScript({ urn: args.urn, id: known.id, state: known.state }));
            cb(null, res);
        },
    });
    const [enginePort, monitorPort] = await Promise.all([listen(engine), listen(monitor)]);
    return {
        engineAddress: `127.0.0.1:${enginePort}`, monitorAddress: `127.0.0.1:${monitorPort}`, logs, registrations, resources,
        stop: () => { engine.forceShutdown(); monitor.forceShutdown(); },
    };
}

export interface ConstructOptions {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Input name -> URNs it depends on (the provider wraps such inputs in Outputs). */
    inputDependencies?: Record<string, string[]>;
    /** Package -> provider reference `<urn>::<id>`, as `providers: {...}` of the resource options. */
    providers?: Record<string, string>;
}

export interface ConstructResult {
    urn: string;
    state: Record<string, unknown>;
    /** Everything the component registered, in order. */
    registrations: Registration[];
}

/** One running component plugin, with its engine and monitor. */
export class ComponentPluginSession {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        private readonly engine: Awaited<ReturnType<typeof startEngine>>,
        private readonly output: { stderr: string },
        private readonly consumerDir: string,
        readonly project: string,
        readonly stack: string,
        /** Milliseconds from spawn until the plugin printed its port. */
        readonly startupMs: number,
    ) {}

    get stderr(): string {
        return this.output.stderr;
    }

    get logs(): string[] {
        return this.engine.logs;
    }

    /** Starts the plugin in `packageDir` as the CLI's language host does, from an empty consumer directory. */
    static async start(packageDir: string, options: { project?: string; stack?: string; region?: string; timeoutMs?: number } = {}): Promise<ComponentPluginSession> {
        const project = options.project ?? "service";
        const stack = options.stack ?? "dev";
        const engine = await startEngine(project, stack, options.region ?? "eu-west-1");
        const runner = resolveFrom(packageDir, "@pulumi/pulumi/cmd/run-plugin");
        const consumerDir = fs.mkdtempSync(path.join(os.tmpdir(), "component-consumer-"));
        const env = pluginEnv();
        const started = Date.now();
        const child = spawn(process.execPath, [runner, packageDir, engine.engineAddress], { cwd: consumerDir, env, stdio: ["ignore", "pipe", "pipe"] });
        const output = { stderr: "" };
        child.stderr!.on("data", (d) => (output.stderr += String(d)));
        const timeoutMs = options.timeoutMs ?? 90000;
        try {
            const port = await waitForPort(child, `component plugin in ${packageDir}`, output, timeoutMs);
            const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 64 * 1024 * 1024 });
            return new ComponentPluginSession(child, client, engine, output, consumerDir, project, stack, Date.now() - started);
        } catch (e) {
            child.kill();
            engine.stop();
            fs.rmSync(consumerDir, { recursive: true, force: true });
            throw e;
        }
    }

    private unary<Res>(method: string, req: unknown): Promise<Res> {
        return new Promise((resolve, reject) => this.client[method](req, (e: grpc.ServiceError | null, res: Res) => (e ? reject(e) : resolve(res))));
    }

    /** GetSchema: the package schema the CLI generates SDKs from. */
    async getSchema(): Promise<any> {
        const res: any = await this.unary("getSchema", new providerPb.GetSchemaRequest());
        return JSON.parse(res.getSchema());
    }

    /** The stack resource's URN, the parent of a top-level component. */
    get stackUrn(): string {
        return `urn:pulumi:${this.stack}::${this.project}::pulumi:pulumi:Stack::${this.project}-${this.stack}`;
    }

    /** Construct: what the engine asks when a program registers a component of this package (remote). */
    async construct(o: ConstructOptions): Promise<ConstructResult> {
        const req = new providerPb.ConstructRequest();
        req.setProject(this.project);
        req.setStack(this.stack);
        req.setOrganization("organization");
        req.setDryrun(false);
        req.setParallel(4);
        req.setMonitorendpoint(this.engine.monitorAddress);
        req.setType(o.type);
        req.setName(o.name);
        req.setParent(this.stackUrn);
        // As the SDKs serialize: absent and undefined inputs are not sent.
        req.setInputs(structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(o.inputs))));
        req.setAcceptsOutputValues(true);
        for (const [k, urns] of Object.entries(o.inputDependencies ?? {})) {
            const deps = new providerPb.ConstructRequest.PropertyDependencies();
            deps.setUrnsList(urns);
            req.getInputdependenciesMap().set(k, deps);
        }
        for (const [pkg, ref] of Object.entries(o.providers ?? {})) {
            req.getProvidersMap().set(pkg, ref);
            const [urn, id] = [ref.slice(0, ref.lastIndexOf("::")), ref.slice(ref.lastIndexOf("::") + 2)];
            this.engine.resources.set(urn, { id, state: {} });
        }
        const before = this.engine.registrations.length;
        const res: any = await this.unary("construct", req);
        return { urn: res.getUrn(), state: rpc.deserializeProperties(res.getState()), registrations: this.engine.registrations.slice(before) };
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill();
            await exited;
        }
        this.engine.stop();
        fs.rmSync(this.consumerDir, { recursive: true, force: true });
    }
}
