/**
 * The CrossGuard entry point, loaded by the Pulumi CLI through `@pulumi/pulumi/cmd/run-policy-pack`:
 * `pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json`.
 * Each policy is served with the configSchema of exactly the properties it reads; the engine fills
 * in defaults, applies the file's levels and sends each policy its own entry. Judging is the same
 * code as the offline evaluator (evaluate.ts), including the handling of values unknown in preview.
 *
 * Unknown values exist only in a preview: the engine starts the pack with PULUMI_DRY_RUN (and
 * PULUMI_NODEJS_DRY_RUN) "true" for `pulumi preview` and the preview phase of `pulumi up`, "false"
 * for the update. Only then are the protocol's unknown sentinels read as UNKNOWN; during an update
 * they are ordinary strings, judged as such. Without the variable (never set by the engine) the pack
 * judges strictly, as in an update.
 */
import { PolicyPack, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { judgeResource, judgeStack, policyInfos, type Finding } from "./evaluate";
import { ALL_POLICIES } from "./policies";
import { PolicyConfigs, policyConfigProblems } from "./lib/config";
import { plainCopy } from "./lib/unknown";
import { isStackPolicy, Policy, PolicyResource } from "./lib/types";

const INFOS = new Map(policyInfos().map((i) => [i.name, i]));
const PREVIEW = process.env.PULUMI_DRY_RUN === "true" || (process.env.PULUMI_DRY_RUN === undefined && process.env.PULUMI_NODEJS_DRY_RUN === "true");
const checked = new Map<string, string[]>();

/**
 * The policy's configuration as the engine sent it (defaults filled in). The CLI validated it
 * against the schema already, except for properties the policy does not read (the engine does not
 * pass `additionalProperties` on): those, and anything else wrong, fail the run here with the list.
 */
function configOf(p: Policy, args: { getConfig<T extends object>(): T }): PolicyConfigs {
    const properties = args.getConfig<Record<string, unknown>>();
    const id = `${p.name} ${JSON.stringify(properties)}`;
    let problems = checked.get(id);
    if (!problems) {
        problems = policyConfigProblems(INFOS.get(p.name)!, properties);
        checked.set(id, problems);
    }
    if (problems.length) throw new Error(`Invalid policy pack config:\n${problems.map((l) => `  - ${l}`).join("\n")}`);
    // The level is the engine's business (it reports each finding at the policy's configured level).
    return { [p.name]: { enforcementLevel: "mandatory", properties } };
}

/** Reports a finding: at the policy's configured level, or advisory when it depends on values unknown in preview. */
function reportAll(report: ReportViolation, findings: Finding[]): void {
    // @pulumi/policy accepts a violation object (message, urn, enforcementLevel) at run time; its type only declares the string form.
    const reportObject = report as unknown as (v: { message: string; urn?: string; enforcementLevel?: "advisory" }) => void;
    for (const f of findings) reportObject({ message: f.message, urn: f.resource?.urn, ...(f.undecided ? { enforcementLevel: "advisory" as const } : {}) });
}

interface EngineResource { urn: string; type: string; name: string; props: Record<string, any>; opts: { protect?: boolean; parent?: string }; provider?: { props?: Record<string, unknown> } }
interface EngineStackResource extends EngineResource { parent?: { urn: string }; dependencies?: { urn: string }[]; propertyDependencies?: Record<string, { urn: string }[]> }

/** The region of an AWS resource: its provider's `region` input (the default provider's comes from `aws:region`). */
function providerRegion(r: EngineResource): string | undefined {
    const region = r.type.startsWith("aws:") ? plainCopy(r.provider?.props ?? {})?.region : undefined;
    return typeof region === "string" && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region) ? region : undefined;
}

const asResource = (r: EngineResource): PolicyResource => {
    const region = providerRegion(r);
    return { urn: r.urn, type: r.type, name: r.name, props: plainCopy(r.props, PREVIEW), protect: r.opts.protect, fromStack: true, ...(region ? { region } : {}) };
};

/** A resource of AnalyzeStack, with what it depends on (by URN): how stack policies tie resources together while ids are unknown. */
function asStackResource(r: EngineStackResource): PolicyResource {
    const propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)]));
    return { ...asResource(r), parent: r.parent?.urn ?? r.opts.parent, dependencies: (r.dependencies ?? []).map((d) => d.urn), propertyDependencies };
}

const policies = ALL_POLICIES.map((p): ResourceValidationPolicy | StackValidationPolicy => {
    const common = { name: p.name, description: p.description, enforcementLevel: p.enforcementLevel, configSchema: INFOS.get(p.name)!.configSchema! };
    if (isStackPolicy(p)) {
        return { ...common, validateStack: (args, report) => reportAll(report, judgeStack(p, args.resources.map((r) => asStackResource(r as EngineStackResource)), configOf(p, args))) };
    }
    return {
        ...common,
        validateResource: async (args, report) => {
            if (!(p.appliesTo ? p.appliesTo(args.type, args.props) : p.resourceTypes.includes(args.type))) return;
            reportAll(report, await judgeResource(p, asResource(args), configOf(p, args)));
        },
    };
});

new PolicyPack("platform-guardrails", { policies });
