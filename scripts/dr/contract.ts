/**
 * The `drDrill` stack output: everything the DR drill (scripts/dr) needs to know about a deployed
 * stack, in one typed object. The stack builds it (stacks/dr-drill.ts) from what its components
 * expose; the drill reads it from a file (`pulumi stack output drDrill --json > outputs.json`) and
 * checks it here before any AWS call. No secrets: ARNs, names and figures only.
 *
 * The database part is tagged by the DR mechanism a failover uses:
 * - `replica`: a cross-region read replica, promoted on failover (optionally with replicated
 *   automated backups as well);
 * - `pitr`: RDS automated backups replicated to the DR region, restored to the latest restorable
 *   time into a new instance on failover (`restore` says where that instance goes).
 */
import { z } from "zod";
import { CHAOS_EXPERIMENTS } from "../../components/resilience/keys";

export const DRILL_CONTRACT_VERSION = 1;

const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as eu-west-1");
const arn = z.string().regex(/^arn:(aws|aws-cn|aws-us-gov):[a-z0-9-]+:/, "must be an ARN");
const dbIdentifier = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "must be an RDS instance identifier");
const target = z.strictObject({ rpoMinutes: z.number().nonnegative(), rtoMinutes: z.number().nonnegative() });
const figure = z.strictObject({
    store: z.string(),
    mechanism: z.string(),
    rpoMinutes: z.number().nullable(),
    rtoMinutes: z.number().nullable(),
    setBy: z.string(),
});
/** A workload that must be available in the standby cluster for the smoke check to pass. */
const workload = z.strictObject({
    namespace: z.string().min(1),
    kind: z.enum(["Deployment", "StatefulSet", "DaemonSet"]),
    name: z.string().min(1),
});

const drDatabase = z.discriminatedUnion("mode", [
    z.strictObject({
        mode: z.literal("replica"),
        /** The standing cross-region read replica (its lag is the RPO; its settings are copied for the drill's own replica). */
        replica: z.strictObject({ identifier: dbIdentifier }),
        /** ARN of the replicated automated backups in the DR region, when those are replicated too. */
        replicatedBackupsArn: arn.optional(),
        /** The master credential's secret in the DR region (a replica of the primary's secret). */
        credentialSecretArn: arn.optional(),
    }),
    z.strictObject({
        mode: z.literal("pitr"),
        replicatedBackupsArn: arn,
        credentialSecretArn: arn.optional(),
        /** Where an instance restored in the DR region goes. */
        restore: z.strictObject({
            subnetGroupName: z.string().min(1),
            securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, "must be a security group id")).min(1),
            parameterGroupName: z.string().min(1).optional(),
            instanceClass: z.string().regex(/^db\./, "must be an RDS instance class"),
        }),
    }),
]);

export const drDrillSchema = z.strictObject({
    version: z.literal(DRILL_CONTRACT_VERSION),
    project: z.string().min(1),
    stack: z.string().min(1),
    /** platform:environment (dev, staging, prod). */
    environment: z.string().min(1),
    primary: z.strictObject({
        region,
        database: z.strictObject({ identifier: dbIdentifier, arn, port: z.number().int().positive(), name: z.string().min(1), multiAz: z.boolean() }),
        cluster: z.strictObject({ name: z.string().min(1) }),
        backupVaultArn: arn,
    }),
    dr: z.discriminatedUnion("enabled", [
        z.strictObject({ enabled: z.literal(false) }),
        z.strictObject({
            enabled: z.literal(true),
            region,
            /** platform:dr.failover: the stack runs in the DR region now. */
            failover: z.boolean(),
            database: drDatabase,
            cluster: z.strictObject({
                name: z.string().min(1),
                /** The standby cluster exists now (it may be built on failover only). */
                built: z.boolean(),
                workloads: z.array(workload),
            }),
            /** The CodeBuild runner in the DR VPC the drill workflow runs on. */
            runner: z.strictObject({ project: z.string().min(1) }).optional(),
            backupVaultArn: arn,
        }),
    ]),
    chaos: z.discriminatedUnion("enabled", [
        z.strictObject({ enabled: z.literal(false) }),
        z.strictObject({
            enabled: z.literal(true),
            region,
            logGroupName: z.string().min(1),
            stopAlarmArns: z.array(arn),
            templates: z.array(z.strictObject({ key: z.enum(CHAOS_EXPERIMENTS), id: z.string().regex(/^EXT[A-Za-z0-9]+$/, "must be an experiment template id (EXT...)"), action: z.string().startsWith("aws:") })),
        }),
    ]),
    /** platform:dr.targets. */
    targets: z.strictObject({ database: target.optional(), clusterState: target.optional(), objectStorage: target.optional() }),
    /** The DR report's figures for the design deployed (the `drReport` output). */
    design: z.array(figure),
});

export type DrDrillOutput = z.infer<typeof drDrillSchema>;
export type DrDrillEnabled = Extract<DrDrillOutput["dr"], { enabled: true }>;

/** Input the drill cannot use: one line per problem, naming the field. */
export class DrillInputError extends Error {}

/** Parses the drill's outputs file (the JSON of `pulumi stack output drDrill --json`, or of every output with a `drDrill` key). */
export function parseDrillOutputs(text: string, source: string): DrDrillOutput {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new DrillInputError(`${source}: not JSON (${(e as Error).message}); write it with \`pulumi stack output drDrill --json > ${source}\``);
    }
    if (raw && typeof raw === "object" && "drDrill" in raw) raw = (raw as { drDrill: unknown }).drDrill;
    if (raw && typeof raw === "object" && "version" in raw && (raw as { version: unknown }).version !== DRILL_CONTRACT_VERSION) {
        throw new DrillInputError(`${source}: drDrill.version is ${JSON.stringify((raw as { version: unknown }).version)}; this drill reads version ${DRILL_CONTRACT_VERSION} (update the repository or the stack so both agree)`);
    }
    const parsed = drDrillSchema.safeParse(raw);
    if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `  drDrill${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}: ${i.message}`);
        throw new DrillInputError(`${source}: not a drDrill stack output:\n${lines.join("\n")}`);
    }
    return parsed.data;
}
