/**
 * Builds a whole stack under the mocks from its own Pulumi.<stack>.yaml (read with js-yaml), the
 * same way `pulumi up` would, and returns every registered resource with query helpers.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { ConfigError, parsePlatformConfig, PlatformConfig, SECRETS_NAMESPACE } from "../../stacks/config";
import { buildCiBootstrap, buildPlatform, Platform } from "../../stacks/platform";
import { skipEngineDebugInfo } from "./debug-info";
import { assertBootstrapSafe } from "../../components/ci/bootstrap-guard";
import { MockAccount, PlatformMocks } from "./mocks";
import { record, RecordedResource } from "./recorder";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const PROJECT = "platform";
export const STACKS = ["dev", "staging", "prod"] as const;

/** The stacks of the repository: every Pulumi.<stack>.yaml beside Pulumi.yaml. */
export function repositoryStacks(root = REPO_ROOT): string[] {
    return fs.readdirSync(root).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

/**
 * Every stack's validated config (secrets replaced by placeholders), for the checks that need all stacks at once
 * (lib/aws/account.ts); a stack whose config is invalid is listed with its first problem instead.
 */
export function stackConfigs(root = REPO_ROOT): { configs: { stack: string; config: PlatformConfig }[]; invalid: string[] } {
    const configs: { stack: string; config: PlatformConfig }[] = [];
    const invalid: string[] = [];
    for (const stack of repositoryStacks(root)) {
        const values = structuredClone(readStackConfig(stack, root)) as Record<string, any>;
        withPlaceholderSecrets(values);
        try {
            configs.push({ stack, config: parsePlatformConfig({ project: PROJECT, stack, values }) });
        } catch (e) {
            invalid.push(`Pulumi.${stack}.yaml: ${(e as Error).message.split("\n").slice(1, 2).join("").trim()}`);
        }
    }
    return { configs, invalid };
}

/** No Pulumi.<stack>.yaml for the stack asked for; the message lists the known stacks. */
export class UnknownStackError extends Error {}

/** The `config:` map of Pulumi.<stack>.yaml. */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
    // A YAML error names the file, line and column (ConfigError, exit 2 from the plan).
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(root).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f)).map((f) => f.split(".")[1]);
        throw new UnknownStackError(`unknown stack "${stack}": no ${path.basename(file)}; known stacks: ${known.join(", ")}`);
    }
    let doc: unknown;
    try {
        doc = yaml.load(fs.readFileSync(file, "utf8"));
    } catch (e) {
        // Name the file: a bare YAML error does not say which stack file it is in.
        const err = e as yaml.YAMLException;
        const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : "";
        throw new ConfigError(path.basename(file), [`${path.basename(file)}${where}: not valid YAML: ${err.reason ?? err.message}`]);
    }
    const config = (doc as { config?: unknown } | null)?.config;
    if (doc !== undefined && doc !== null && (typeof doc !== "object" || Array.isArray(doc))) throw new ConfigError(path.basename(file), [`${path.basename(file)}: must be a YAML map with a config: key, not ${Array.isArray(doc) ? "a list" : typeof doc}`]);
    if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config))) throw new ConfigError(path.basename(file), [`${path.basename(file)}: config: must be a map of keys (platform:..., aws:region), not ${Array.isArray(config) ? "a list" : typeof config}`]);
    return (config ?? {}) as Record<string, unknown>;
}

export class BuiltStack {
    constructor(
        readonly stack: string,
        readonly config: PlatformConfig,
        readonly platform: Platform,
        readonly resources: RecordedResource[],
        /** Every custom resource's inputs as the mocks received them (a later build's `account.deployed`). */
        readonly registered: ReadonlyMap<string, unknown> = new Map(),
    ) {}

    /** Resources of a type token, e.g. `aws:ec2/subnet:Subnet`. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource with this type and name; throws when absent. */
    get(type: string, name: string): RecordedResource {
        const found = this.resources.find((r) => r.type === type && r.name === name);
        if (!found) throw new Error(`no ${type} named ${name}; have: ${this.ofType(type).map((r) => r.name).join(", ") || "none of that type"}`);
        return found;
    }

    /** The primary region only: this stack without the DisasterRecovery component's resources, nor any built through its provider. */
    primary(): BuiltStack {
        const parents = new Map(this.resources.map((r) => [r.key, r.parent]));
        const drProviders = new Set(this.resources.filter((r) => r.type === "pulumi:providers:aws" && inDrComponent(r.key)).map((r) => r.key));
        function inDrComponent(key: string): boolean {
            for (let k: string | undefined = key; k; k = parents.get(k)) if (k.startsWith("platform:dr:DisasterRecovery::")) return true;
            return false;
        }
        const inDr = (r: RecordedResource) => inDrComponent(r.key) || (r.provider !== undefined && drProviders.has(r.provider));
        return new BuiltStack(this.stack, this.config, this.platform, this.resources.filter((r) => !inDr(r)));
    }

    /** Direct children of a resource key. */
    childrenOf(key: string): RecordedResource[] {
        return this.resources.filter((r) => r.parent === key);
    }

}

/** Awaits an Output's value (mocks run with preview off, so every value is known). */
export function promiseOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
    return (pulumi.output(output) as any).promise();
}

/**
 * Builds `stack` under the mocks. `mutate` may change the raw config first (tests of config
 * effects); `values` replaces the YAML config entirely; `extend` adds resources to the built
 * platform in the same program (the bench's synthetic fleet); `firstPreview` builds it as the
 * first `pulumi preview` of a new stack sees it (every id and computed output unknown).
 */
export async function buildStack(stack: string, options: { mutate?: (values: Record<string, any>) => void; values?: Record<string, unknown>; extend?: (platform: Platform) => void; account?: MockAccount; firstPreview?: boolean } = {}): Promise<BuiltStack> {
    const values = structuredClone(options.values ?? readStackConfig(stack)) as Record<string, any>;
    options.mutate?.(values);
    withPlaceholderSecrets(values);
    const config = parsePlatformConfig({ project: PROJECT, stack, values });
    skipEngineDebugInfo();
    // firstPreview: the mock runtime in preview mode, every id and computed output unknown (lib/offline/mocks.ts).
    const mocks = new PlatformMocks(config.region, options.account, { firstPreview: options.firstPreview });
    await pulumi.runtime.setMocks(mocks, PROJECT, stack, options.firstPreview === true);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    // The bootstrap guard asks AWS (the mocks) first, as stacks/index.ts does.
    if (config.ciBootstrap) await assertBootstrapSafe({ prefix: `${config.project}-${config.stack}`, environment: config.environment });
    // platform:ciBootstrap (first deploy of an account/region) builds the network and CI runner only, as stacks/index.ts does;
    // such a build has no cluster, database or observability, and `platform` then holds only vpc, runner and outputs.
    const { result, resources } = await record(() => {
        const platform = config.ciBootstrap ? (buildCiBootstrap(config) as unknown as Platform) : buildPlatform(config);
        options.extend?.(platform);
        return platform;
    });
    // `pulumi up` serializes the stack outputs: a failing invoke behind one fails the update, so it fails here too.
    await Promise.all(Object.values((result as { outputs?: Record<string, unknown> }).outputs ?? {}).map((o) => promiseOf(o)));
    setRegions(resources, config.region);
    return new BuiltStack(stack, config, result, resources, mocks.registered);
}

/** Each `aws:` resource's region: its explicit provider's `region` input, else the stack's (the default provider). */
export function setRegions(resources: RecordedResource[], stackRegion: string): void {
    const providers = new Map(resources.filter((r) => r.type === "pulumi:providers:aws").map((p) => [p.key, String(p.inputs.region ?? stackRegion)]));
    for (const r of resources) if (r.custom && r.type.startsWith("aws:")) r.region = (r.provider && providers.get(r.provider)) || stackRegion;
}

/**
 * Secrets are never in the stack files; the offline build fills each missing receiver secret, and the
 * dead man's switch URL, with a visible placeholder so the plan can render (a real `pulumi up`
 * refuses a missing one).
 */
export function withPlaceholderSecrets(values: Record<string, any>): void {
    const alerting = typeof values["platform:alerting"] === "string" ? JSON.parse(values["platform:alerting"]) : values["platform:alerting"];
    for (const r of alerting?.receivers ?? []) {
        const key = `${SECRETS_NAMESPACE}:${r?.urlSecret}`;
        if (typeof r?.urlSecret === "string" && !(key in values)) values[key] = "offline-plan-placeholder";
    }
    const dms = alerting?.deadMansSwitch;
    if (dms?.enabled !== false) {
        const key = `${SECRETS_NAMESPACE}:${typeof dms?.urlSecret === "string" ? dms.urlSecret : "deadMansSwitchUrl"}`;
        if (!(key in values)) values[key] = "https://offline-plan.invalid/heartbeat-placeholder";
    }
}

const builds = new Map<string, Promise<BuiltStack>>();

/** Each stack built once per test run from its YAML file and shared by the test files. */
export function builtStack(stack: string): Promise<BuiltStack> {
    if (!builds.has(stack)) builds.set(stack, buildStack(stack));
    return builds.get(stack)!;
}

const previews = new Map<string, Promise<BuiltStack>>();

/** Each stack's first preview (buildStack's firstPreview) built once per test run and shared by the test files. */
export function builtFirstPreview(stack: string): Promise<BuiltStack> {
    if (!previews.has(stack)) previews.set(stack, buildStack(stack, { firstPreview: true }));
    return previews.get(stack)!;
}

/** The physical id the mocks gave a recorded custom resource. */
export function idOf(r: RecordedResource): Promise<string> {
    return promiseOf((r.resource as pulumi.CustomResource).id);
}
