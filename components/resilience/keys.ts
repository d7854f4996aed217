/**
 * Keys of the chaos experiments, without any Pulumi import: the drill (scripts/dr) reads them from
 * the stack outputs and names them in `--chaos <key>`.
 */
export const CHAOS_EXPERIMENTS = ["node-zone", "nodegroup", "rds-failover", "network-zone"] as const;
export type ChaosExperimentKey = (typeof CHAOS_EXPERIMENTS)[number];
