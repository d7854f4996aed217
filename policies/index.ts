/**
 * The CrossGuard entry point: `pulumi preview --policy-pack policies [--policy-pack-config cfg.json]`.
 * Adapts the pure policies in ./policies.ts to @pulumi/policy; the offline evaluator runs the same ones.
 */
import { PolicyPack, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { z } from "zod";
import { parsePackConfig } from "./evaluate";
import { ALL_POLICIES } from "./policies";
import { isStackPolicy, PackConfig, packConfigSchema } from "./lib/types";

/**
 * Every policy takes the whole pack config (`{"all": {...}}` in --policy-pack-config), checked by
 * the same zod schema the offline evaluator uses, so a typo is an error, not a silent default.
 */
function configOf(args: { getConfig<T extends object>(): T }): PackConfig {
    return parsePackConfig(args.getConfig<Record<string, unknown>>());
}

const configSchema = { properties: (z.toJSONSchema(packConfigSchema, { io: "input" }) as { properties: Record<string, any> }).properties };

const policies = ALL_POLICIES.map((p): ResourceValidationPolicy | StackValidationPolicy =>
    isStackPolicy(p)
        ? {
              name: p.name, description: p.description, enforcementLevel: p.enforcementLevel, configSchema,
              validateStack: (args, report) => {
                  const resources = args.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.props, protect: r.opts.protect }));
                  for (const v of p.validateStack(resources, configOf(args))) report(v.message, v.resource?.urn);
              },
          }
        : {
              name: p.name, description: p.description, enforcementLevel: p.enforcementLevel, configSchema,
              validateResource: async (args, report) => {
                  if (!(p.appliesTo ? p.appliesTo(args.type, args.props) : p.resourceTypes.includes(args.type))) return;
                  for (const m of await p.validate({ urn: args.urn, type: args.type, name: args.name, props: args.props, protect: args.opts.protect }, configOf(args))) report(m);
              },
          },
);

new PolicyPack("platform-guardrails", { policies });
