/**
 * The offline evaluator: runs the pack's policies over resources without the Pulumi engine, with
 * the configuration semantics of the engine (lib/config.ts). Used by the offline plan,
 * `npm run policy -- check` and the tests; index.ts runs the very same judging functions under
 * CrossGuard, so verdicts agree resource by resource.
 */
import { ALL_POLICIES } from "./policies";
import { withWorkloadCache } from "./lib/workloads";
import { configSchemaOf, PolicyConfigError, PolicyConfigs, PolicyInfo, policyConfigView, PolicySettings, reconcileConfig } from "./lib/config";
import { containsUnjudgeable, isEmpty, newReads, opaqueSentence, Reads, trackReads } from "./lib/unknown";
import { CONFIG_PROPERTIES, EnforcementLevel, isStackPolicy, PackConfig, Policy, PolicyResource, ResourcePolicy, StackFinding, StackPolicy, Verdict, Violation } from "./lib/types";

export { PolicyConfigError };
export type { PolicyConfigs };

/** The policies as the engine sees them (GetAnalyzerInfo): name, default level, configSchema. */
export function policyInfos(policies: Policy[] = ALL_POLICIES): PolicyInfo[] {
    return policies.map((p) => ({ name: p.name, enforcementLevel: p.enforcementLevel, configSchema: configSchemaOf(p.config) }));
}

/** Reads a `--policy-pack-config` document (engine format) into every policy's effective config. */
export function loadPackConfig(doc: unknown, policies: Policy[] = ALL_POLICIES): PolicyConfigs {
    return reconcileConfig(doc, policyInfos(policies));
}

/**
 * Config from one flat set of properties (tests, benchmarks): each policy gets the properties it
 * reads; `enforcement` sets per-policy levels. Unknown properties or policy names are errors.
 */
export function parsePackConfig(flat: Partial<PackConfig> & { enforcement?: Record<string, EnforcementLevel> } | Record<string, unknown> = {}, policies: Policy[] = ALL_POLICIES): PolicyConfigs {
    const { enforcement = {}, ...props } = flat as Record<string, any>;
    const unknownKeys = Object.keys(props).filter((k) => !Object.hasOwn(CONFIG_PROPERTIES, k));
    if (unknownKeys.length) throw new PolicyConfigError(`Invalid policy pack config:\n${unknownKeys.map((k) => `  - ${k}: unknown key; allowed keys: ${Object.keys(CONFIG_PROPERTIES).join(", ")}`).join("\n")}`);
    const unknownPolicies = Object.keys(enforcement).filter((n) => !policies.some((p) => p.name === n));
    if (unknownPolicies.length) throw new PolicyConfigError(`Invalid policy pack config:\n  - enforcement: unknown policy ${unknownPolicies.map((n) => JSON.stringify(n)).join(", ")}; known policies: ${policies.map((p) => p.name).join(", ")}`);
    const doc: Record<string, Record<string, unknown>> = {};
    for (const p of policies) {
        const own = Object.fromEntries(p.config.filter((k) => k in props).map((k) => [k, props[k]]));
        const level = enforcement[p.name];
        if (Object.keys(own).length || level) doc[p.name] = { ...own, ...(level ? { enforcementLevel: level } : {}) };
    }
    return loadPackConfig(doc, policies);
}

/** Why a policy did not run; stack policies need the whole stack. */
export interface Skipped { policy: string; reason: string }

export interface EvaluateOptions {
    /**
     * False for loose manifests only: stack policies (which judge the set of resources) are skipped.
     * Defaults to true: the resources are one stack, or, when they carry `stack` ids (stack exports
     * and plan snapshots read from files), each id is one stack judged on its own and resources
     * without one (manifests given alongside) get the policies that resolve within any input.
     */
    wholeStack?: boolean;
}

function settingsOf(p: Policy, config: PolicyConfigs): PolicySettings {
    const s = Object.hasOwn(config, p.name) ? config[p.name] : undefined;
    if (!s) throw new Error(`no configuration for policy ${p.name}; build the config with loadPackConfig or parsePackConfig`);
    return s;
}

/** The level a finding is reported at: "remediate" reports as mandatory (the pack has no remediations), as the engine does. */
function reportLevel(s: PolicySettings): EnforcementLevel {
    return s.enforcementLevel === "remediate" ? "mandatory" : s.enforcementLevel;
}

/** A finding of one policy, its message final; `undecided` lists the unknown values it depended on (reported advisory). */
export interface Finding { message: string; resource?: PolicyResource; undecided?: string[] }

const undecidedText = (undecided: string[]) => `${undecided.join(", ")} unknown until the update; decided at \`pulumi up\``;

/** The final form of a finding that depends on unknowns; an empty message means the check could not decide. */
function formatUndecided(message: string, undecided: string[]): string {
    return message ? `undecided during preview (${undecidedText(undecided)}): ${message}` : `cannot decide during preview: ${undecidedText(undecided)}.`;
}

/** Findings after the reads no subject scope claimed: unknown ones make every finding undecided, opaque ones fail the check closed. */
function withReadsOf(findings: StackFinding[], reads: Reads, resource?: PolicyResource): Finding[] {
    const base = [...reads.unknown].sort();
    const out: Finding[] = findings.map((f) => {
        const undecided = base.length || f.undecided?.length ? [...new Set([...base, ...(f.undecided ?? [])])].sort() : undefined;
        return undecided ? { resource: f.resource, undecided, message: formatUndecided(f.message, undecided) } : { resource: f.resource, message: f.message };
    });
    if (findings.length === 0 && base.length) out.push({ resource, undecided: base, message: formatUndecided("", base) });
    if (reads.opaque.size) out.push({ resource, message: opaqueSentence(reads.opaque) });
    return out;
}

/**
 * Within one evaluation pass (walk), whether a props object holds unknown or opaque values and each
 * policy's config view are computed once, not once per policy and resource.
 */
let pass: { anySpecial: boolean; special: WeakMap<object, boolean>; views: Map<string, PackConfig> } | undefined;

function hasSpecial(props: Record<string, any>): boolean {
    if (pass && !pass.anySpecial) return false; // the common case: everything known and readable
    // Outside a pass (CrossGuard judges one resource per call) there is no memo.
    // Stryker disable next-line ConditionalExpression: skipping the memo computes the same answer.
    if (!pass) return containsUnjudgeable(props);
    if (!props || typeof props !== "object") return false; // nothing inside (and no WeakMap key)
    let v = pass.special.get(props);
    // Stryker disable next-line ConditionalExpression: recomputing a memoized answer gives the same answer.
    if (v === undefined) pass.special.set(props, (v = containsUnjudgeable(props)));
    return v;
}

function configView(p: Policy, config: PolicyConfigs): PackConfig {
    const view = pass?.views.get(p.name);
    if (view) return view;
    const made = policyConfigView(p.name, p.config, settingsOf(p, config).properties);
    pass?.views.set(p.name, made);
    return made;
}

/** Runs one resource policy on one resource (aware of unknown and opaque values). */
export function judgeResource(p: ResourcePolicy, r: PolicyResource, config: PolicyConfigs): Finding[] | Promise<Finding[]> {
    const cfg = configView(p, config);
    if (!hasSpecial(r.props)) {
        // The common case, kept free of per-call allocations: nothing to track.
        const result = p.validate(r, cfg);
        return result instanceof Promise ? result.then((messages) => findingsOf(messages, r)) : findingsOf(result, r);
    }
    const reads = newReads();
    const finish = (verdicts: Verdict[]) => withReadsOf(verdicts.map((v) => (typeof v === "string" ? { message: v, resource: r } : { message: v.message, resource: r, undecided: v.undecided })), reads, r);
    // A check that fails on a value it could not judge (reading into an unknown list) has decided nothing.
    const failed = (e: unknown) => {
        if (isEmpty(reads)) throw e;
        return finish([]);
    };
    try {
        const result = p.validate({ ...r, props: trackReads(r.props, "", reads) }, cfg);
        return result instanceof Promise ? result.then(finish, failed) : finish(result);
    } catch (e) {
        return failed(e);
    }
}

const NO_FINDINGS = Object.freeze([]) as unknown as Finding[];
function findingsOf(verdicts: Verdict[], resource: PolicyResource): Finding[] {
    if (verdicts.length === 0) return NO_FINDINGS;
    if (verdicts.every((v) => typeof v === "string")) return (verdicts as string[]).map((message) => ({ message, resource }));
    return withReadsOf(verdicts.map((v) => (typeof v === "string" ? { message: v, resource } : { message: v.message, resource, undecided: v.undecided })), newReads(), resource);
}

/** Runs one stack policy over the whole stack (aware of unknown and opaque values, per subject where the policy scopes them). */
export function judgeStack(p: StackPolicy, resources: PolicyResource[], config: PolicyConfigs): Finding[] {
    const cfg = configView(p, config);
    const reads = newReads();
    const originals = new Map<PolicyResource, PolicyResource>();
    const subjects = resources.map((r) => {
        if (!hasSpecial(r.props)) return r;
        const s = { ...r, props: trackReads(r.props, r.name, reads) };
        originals.set(s, r);
        return s;
    });
    let found: StackFinding[];
    try {
        found = p.validateStack(subjects, cfg).map((f) => ({ ...f, resource: f.resource ? (originals.get(f.resource) ?? f.resource) : undefined }));
    } catch (e) {
        // A check that fails on a value it could not judge (reading into an unknown list) has decided nothing.
        if (isEmpty(reads)) throw e;
        // Stryker disable next-line ArrayDeclaration: a string finding reads as one without message or resource, which withReadsOf words exactly as no finding.
        found = [];
    }
    return withReadsOf(found, reads);
}

function violation(p: Policy, level: EnforcementLevel, f: Finding): Violation {
    const live = f.resource?.view === "outputs";
    return {
        resource: f.resource?.urn ?? "(stack)", type: f.resource?.type ?? "pulumi:pulumi:Stack", policy: p.name,
        enforcementLevel: f.undecided ? "advisory" : level, message: live ? `${f.message} (in the live outputs)` : f.message,
        ...(f.undecided ? { undecided: f.undecided } : {}), ...(live ? { view: "outputs" as const } : {}),
    };
}

/**
 * A stack export's resource is judged on its inputs and on its live outputs: a finding the outputs
 * share with the inputs is reported once; one only the outputs have says so.
 */
function mergeViews(violations: Violation[]): Violation[] {
    if (!violations.some((v) => v.view === "outputs")) return violations;
    const key = (v: Violation, message = v.message) => `${v.policy}\u0000${v.resource}\u0000${message}`;
    // Keys of every violation: an outputs one keeps its suffix here, so it never matches a lookup below.
    const fromInputs = new Set(violations.map((v) => key(v)));
    const seen = new Set<string>();
    return violations.filter((v) => {
        if (v.view !== "outputs") return true;
        const k = key(v, v.message.slice(0, -" (in the live outputs)".length));
        if (fromInputs.has(k) || seen.has(k)) return false;
        seen.add(k);
        return true;
    });
}

/** Which policies run over these inputs, and which are skipped and why. */
export function plannedPolicies(config: PolicyConfigs, options: EvaluateOptions = {}, policies: Policy[] = ALL_POLICIES): { run: Policy[]; skipped: Skipped[] } {
    const run: Policy[] = [];
    const skipped: Skipped[] = [];
    for (const p of policies) {
        if (settingsOf(p, config).enforcementLevel === "disabled") skipped.push({ policy: p.name, reason: "disabled by its enforcementLevel in the policy config" });
        else if (isStackPolicy(p) && options.wholeStack === false && !p.withinInput) skipped.push({ policy: p.name, reason: "stack policy: judges a whole stack, so it runs on a plan snapshot or `pulumi stack export`, not on loose manifests" });
        else run.push(p);
    }
    return { run, skipped };
}

/** The resources a policy judges: its appliesTo filter (computed once per filter and input), or its exact type tokens. */
const filtered = new WeakMap<PolicyResource[], Map<(type: string, props: Record<string, any>) => boolean, PolicyResource[]>>();
function targetsOf(p: ResourcePolicy, resources: PolicyResource[], byType: Map<string, PolicyResource[]>): PolicyResource[] {
    if (!p.appliesTo) return p.resourceTypes.flatMap((t) => byType.get(t) ?? []);
    let cache = filtered.get(resources);
    if (!cache) filtered.set(resources, (cache = new Map()));
    let list = cache.get(p.appliesTo);
    if (!list) cache.set(p.appliesTo, (list = resources.filter((r) => p.appliesTo!(r.type, r.props))));
    return list;
}

/**
 * The sets stack policies judge: the whole input; or, when resources name the stack input they
 * came from, one set per stack and one of the loose resources (judged only by the policies that
 * resolve within any input).
 */
function stackSets(resources: PolicyResource[], options: EvaluateOptions): { resources: PolicyResource[]; whole: boolean }[] {
    // Stryker disable next-line BooleanLiteral: with wholeStack false, plannedPolicies has already left out every stack policy this flag would admit.
    if (options.wholeStack === false) return [{ resources, whole: false }];
    if (!resources.some((r) => r.stack !== undefined)) return [{ resources, whole: true }];
    const groups = new Map<string | undefined, PolicyResource[]>();
    for (const r of resources) {
        const list = groups.get(r.stack);
        if (list) list.push(r);
        else groups.set(r.stack, [r]);
    }
    return [...groups].map(([stack, list]) => ({ resources: list, whole: stack !== undefined }));
}

function walk<T>(resources: PolicyResource[], config: PolicyConfigs, policies: Policy[], options: EvaluateOptions, each: (p: ResourcePolicy, r: PolicyResource, level: EnforcementLevel) => T): (T | Violation[])[] {
    // Workloads, unknown checks and config views once per pass, however many policies ask.
    const outer = pass;
    pass = { anySpecial: resources.some((r) => containsUnjudgeable(r.props)), special: new WeakMap(), views: new Map() };
    try {
        return withWorkloadCache(() => walkPolicies(resources, config, policies, options, each));
    } finally {
        pass = outer;
    }
}

function walkPolicies<T>(resources: PolicyResource[], config: PolicyConfigs, policies: Policy[], options: EvaluateOptions, each: (p: ResourcePolicy, r: PolicyResource, level: EnforcementLevel) => T): (T | Violation[])[] {
    const out: (T | Violation[])[] = [];
    const byType = new Map<string, PolicyResource[]>();
    for (const r of resources) {
        const list = byType.get(r.type);
        if (list) list.push(r);
        else byType.set(r.type, [r]);
    }
    const sets = stackSets(resources, options);
    for (const p of plannedPolicies(config, options, policies).run) {
        const level = reportLevel(settingsOf(p, config));
        if (!isStackPolicy(p)) {
            for (const r of targetsOf(p, resources, byType)) out.push(each(p, r, level));
            continue;
        }
        for (const set of sets) if (set.whole || p.withinInput) out.push(judgeStack(p, set.resources, config).map((f) => violation(p, level, f)));
    }
    return out;
}

/** Runs every policy; results of async policies (registry lookups) are awaited per resource, in parallel. */
export async function evaluatePackAsync(resources: PolicyResource[], config: PolicyConfigs, policies: Policy[] = ALL_POLICIES, options: EvaluateOptions = {}): Promise<Violation[]> {
    const batches = walk(resources, config, policies, options, (p, r, level) => Promise.resolve(judgeResource(p, r, config)).then((fs) => fs.map((f) => violation(p, level, f))));
    return mergeViews((await Promise.all(batches)).flat());
}

/**
 * The synchronous evaluator (the tests, and stacks without registry lookups). A policy that needs
 * the network (registry mode) is refused here with a pointer to evaluatePackAsync.
 */
export function evaluatePack(resources: PolicyResource[], config: PolicyConfigs, policies: Policy[] = ALL_POLICIES, options: EvaluateOptions = {}): Violation[] {
    return mergeViews(walk(resources, config, policies, options, (p, r, level) => {
        const result = judgeResource(p, r, config);
        if (result instanceof Promise) throw new Error(`policy ${p.name} is asynchronous here (registry lookups); use evaluatePackAsync`);
        return result.map((f) => violation(p, level, f));
    }).flat());
}
