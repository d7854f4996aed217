/**
 * The failover plan of a built stack with its primary region down: platform:dr.failover, the
 * STS region and the pinned cosign public key a failover needs (stacks/dr-checks.ts), built with
 * every invoke, create and update in the primary region failing (lib/offline/mocks.ts), against
 * what the standby build deployed.
 */
import { BuiltStack, buildStack, promiseOf } from "../../lib/offline/stack";

const shared = new Map<BuiltStack, Promise<BuiltStack>>();

/** The failover plan of a standby build, built once per test run (the test files share it). */
export function failoverOf(standby: BuiltStack): Promise<BuiltStack> {
    if (!shared.has(standby)) shared.set(standby, buildFailover(standby));
    return shared.get(standby)!;
}

export async function buildFailover(standby: BuiltStack, options: { deployed?: ReadonlyMap<string, unknown>; mutate?: (v: Record<string, any>) => void } = {}): Promise<BuiltStack> {
    const drRegion = standby.config.dr.region!;
    const publicKeyPem = standby.config.supplyChain.signing.enabled ? await promiseOf(standby.platform.outputs.cosignPublicKey as string) : undefined;
    return buildStack(standby.stack, {
        mutate: (v) => {
            v["platform:dr"] = { ...v["platform:dr"], failover: true };
            v["aws:stsRegion"] = drRegion;
            if (publicKeyPem) v["platform:supplyChain"] = { ...v["platform:supplyChain"], signing: { ...v["platform:supplyChain"].signing, publicKeyPem } };
            options.mutate?.(v);
        },
        account: { unavailableRegions: [standby.config.region], deployed: options.deployed ?? standby.registered },
    });
}
