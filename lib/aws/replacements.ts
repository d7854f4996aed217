/**
 * Which input changes make `pulumi up` replace a resource (delete and recreate), for every AWS,
 * random and Kubernetes type the platform creates, and what is lost when a stateful one is replaced.
 *
 * The AWS marks come from AWS's own specification (CloudFormation createOnlyProperties, derived into
 * lib/aws/cfn-replacements.json) mapped to `@pulumi/aws` input names, with the Terraform AWS
 * provider's view where it differs (lib/aws/replacement-table.ts); the Kubernetes marks from the
 * Pulumi Kubernetes provider and the API server's immutable fields (lib/kubernetes/replacements.ts).
 * test/aws/replacements.test.ts keeps the tables, the derived data and the provider SDK in step.
 */
import { AWS_REPLACEMENTS, OTHER_REPLACEMENTS, type AwsReplacementEntry } from "./replacement-table";
import { KUBERNETES_ALWAYS, KUBERNETES_REPLACEMENTS } from "../kubernetes/replacements";

export interface ReplacingInput {
    /** Pulumi input path; a change at or below it replaces (`*`: any input but tags). */
    input: string;
    /** The CloudFormation property it corresponds to, when AWS marks it as replacing. */
    cfn?: string;
    /** Why, where CloudFormation does not say it (provider-only ForceNew, Kubernetes provider). */
    note?: string;
}

/** lib/aws/cfn-replacements.json, written by `npm run derive -- replacements`. */
export interface CfnReplacementsFile {
    about: string;
    source: { package: string; version: string; integrity: string; published: string; file: string; sha256: string; regenerate: string };
    /** CloudFormation type -> replacing property paths (`A.B`) and possibly replacing ones. */
    types: Record<string, { replaces: string[]; mayReplace: string[] }>;
}

/** What is lost when each stateful type is replaced (the plan prints it as a data-loss warning). */
export const DATA_AT_RISK: Record<string, string> = {
    "aws:rds/instance:Instance": "the database, its automated backups (unless retained) and point-in-time recovery",
    "aws:rds/parameterGroup:ParameterGroup": "nothing stored, but the instance using it restarts onto the new group",
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": "the automated backups replicated to the DR region (point-in-time restore there starts again)",
    "aws:s3/bucket:Bucket": "every object and version in the bucket (a non-empty bucket cannot be deleted without forceDestroy)",
    "aws:kms/key:Key": "everything encrypted with the key once its deletion window ends (volumes, snapshots, buckets, secrets)",
    "aws:eks/cluster:Cluster": "the cluster and every Kubernetes object in it (restore from Velero)",
    "aws:opensearch/domain:Domain": "every index in the domain (stored traces)",
    "aws:backup/vault:Vault": "the vault's recovery points (a vault with points cannot be deleted; a locked vault never)",
    "aws:cloudwatch/logGroup:LogGroup": "the group's log events",
    "aws:ecr/repository:Repository": "every image in the repository (a repository with images cannot be deleted without forceDelete)",
    "kubernetes:core/v1:Namespace": "every object in the namespace (workloads, secrets, volume claims and, by their reclaim policy, their volumes)",
    "kubernetes:core/v1:PersistentVolumeClaim": "the claim's volume, when its reclaim policy is Delete",
};

/** What else a reviewer must know about replacing a type that holds no data. */
export const REPLACEMENT_NOTES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "a VPC cannot be deleted while anything (subnets, network interfaces of nodes, the database, endpoints) is in it: the replacement fails midway unless everything in it is replaced first",
    "aws:ec2/subnet:Subnet": "a subnet cannot be deleted while network interfaces (EKS nodes and control plane, RDS, endpoints, NAT) are in it: the replacement fails midway unless they move first",
    "aws:iam/role:Role": "the new role has a new ARN: trust policies, EKS access entries and pod identity associations naming the old ARN break until they are updated",
    "aws:eks/nodeGroup:NodeGroup": "every node of the group is drained and replaced",
    "kubernetes:helm.sh/v3:Release": "the release is uninstalled and installed again (an outage of what it runs)",
};

function awsInputs(entry: AwsReplacementEntry): ReplacingInput[] {
    if (entry.all) return [{ input: "*", note: entry.all }];
    const out: ReplacingInput[] = [];
    for (const [cfn, input] of Object.entries(entry.replaces ?? {})) for (const i of [input].flat()) out.push({ input: i, cfn });
    for (const [input, note] of Object.entries(entry.providerOnly ?? {})) out.push({ input, note });
    return out;
}

const REGION: ReplacingInput = { input: "region", note: "provider: a resource's region is ForceNew (it is created in the other region)" };

/** Every replacing input by Pulumi type token. */
export const REPLACING_INPUTS: Record<string, ReplacingInput[]> = {
    ...Object.fromEntries(Object.entries(AWS_REPLACEMENTS).map(([type, e]) => [type, e.all ? awsInputs(e) : [...awsInputs(e), REGION]])),
    ...Object.fromEntries(Object.entries(OTHER_REPLACEMENTS).map(([type, e]) => [type, awsInputs(e)])),
    ...Object.fromEntries(Object.entries(KUBERNETES_REPLACEMENTS).map(([kind, e]) => [`kubernetes:${kind}`, e.replaces.map((input) => ({ input, note: "Pulumi Kubernetes provider: forceNew" }))])),
};

/** CloudFormation properties marked as replacing that the Pulumi provider updates in place (or that are no input), with the reason. */
export const PROVIDER_UPDATES_IN_PLACE: Record<string, Record<string, string>> = Object.fromEntries(
    Object.entries(AWS_REPLACEMENTS).filter(([, e]) => e.inPlace).map(([type, e]) => [type, e.inPlace!]),
);

/** `a.b[0].c` -> `a.b.c`: list positions do not change what replaces. */
function normalize(p: string): string {
    return p.replace(/\[\d+\]/g, "").replace(/\["([^"]+)"\]/g, ".$1");
}

function under(p: string, input: string): boolean {
    return p === input || p.startsWith(`${input}.`);
}

/** The changed paths (`a.b[0].c`) of a resource of `type` whose change makes `pulumi up` replace it. */
export function replacingPaths(type: string, paths: string[]): string[] {
    const inputs = REPLACING_INPUTS[type] ?? [];
    // Every Kubernetes object (custom resources included) also replaces on its name and namespace.
    const k8s = type.startsWith("kubernetes:") && type !== "kubernetes:helm.sh/v3:Release";
    return paths.filter((raw) => {
        const p = normalize(raw);
        if (k8s && KUBERNETES_ALWAYS.some((i) => under(p, i))) return true;
        return inputs.some((t) => (t.input === "*" ? !/^tags(All)?(\.|$)/.test(p) : under(p, t.input)));
    });
}

/** The changed paths of a Kubernetes object the API server refuses to update and the provider does not replace, with why. */
export function immutablePaths(type: string, paths: string[]): { path: string; reason: string }[] {
    const entry = KUBERNETES_REPLACEMENTS[type.replace(/^kubernetes:/, "")];
    if (!entry?.immutable) return [];
    return paths.flatMap((raw) => {
        const field = Object.keys(entry.immutable!).find((f) => under(normalize(raw), f));
        return field ? [{ path: raw, reason: entry.immutable![field] }] : [];
    });
}
