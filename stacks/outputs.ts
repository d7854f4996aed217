/**
 * The platform's stack outputs that service stacks read (through a StackReference): the contract
 * between the platform and the teams that ship on it. Typed here once; the platform exports them
 * (stacks/platform.ts), docs/configuration.md ("Stack outputs") documents them, examples/service
 * reads them, and test/stacks/outputs.test.ts fails when a stack stops exporting one, changes its
 * kind or secrecy, or the set changes without a new major version.
 *
 * Versioning: `contractVersion` is the major version. Adding an output keeps it; renaming or
 * removing one, or changing its kind or secrecy, is a new major version (and a note in
 * docs/configuration.md), so consumers can refuse a platform they were not written for.
 */
import * as pulumi from "@pulumi/pulumi";

export const SERVICE_CONTRACT_VERSION = 1;

/** The outputs, as a consumer reads them. */
export interface ServiceOutputs {
    /** Major version of this contract. */
    contractVersion: number;
    /** dev, staging or prod. */
    environment: string;
    /** AWS region of the cluster. */
    region: string;
    /** EKS cluster name (for Pod Identity associations). */
    clusterName: string;
    /** Kubeconfig (JSON) for the cluster, authenticating with `aws eks get-token`. */
    kubeconfig: string;
    /** OTLP gRPC endpoint applications export traces to. */
    otlpEndpoint: string;
    /** In-cluster Prometheus URL (what the canary analysis queries). */
    prometheusUrl: string;
    /** Namespace services deploy into: guarded, under image verification, backed up hourly by Velero. */
    appNamespace: string;
    /** Whether workload images must be pinned by digest (CanaryApp's requireDigest). */
    requireImageDigest: boolean;
    /** Permissions boundary every IAM role must carry (WorkloadIdentity's permissionsBoundaryArn). */
    permissionsBoundaryArn: string;
    /** IAM path every role must sit under (WorkloadIdentity's rolePath). */
    rolePath: string;
}

export type OutputName = keyof ServiceOutputs;
type Kind = "string" | "number" | "boolean";

/** Each output's kind and whether it is a Pulumi secret (what each is for: ServiceOutputs above, and the docs' table). */
export const SERVICE_OUTPUTS: { readonly [K in OutputName]: { kind: Kind; secret: boolean } } = {
    contractVersion: { kind: "number", secret: false },
    environment: { kind: "string", secret: false },
    region: { kind: "string", secret: false },
    clusterName: { kind: "string", secret: false },
    kubeconfig: { kind: "string", secret: true },
    otlpEndpoint: { kind: "string", secret: false },
    prometheusUrl: { kind: "string", secret: false },
    appNamespace: { kind: "string", secret: false },
    requireImageDigest: { kind: "boolean", secret: false },
    permissionsBoundaryArn: { kind: "string", secret: false },
    rolePath: { kind: "string", secret: false },
};

export const OUTPUT_NAMES = Object.keys(SERVICE_OUTPUTS) as OutputName[];

/** What the platform exports for the contract: each output as an Input of its type (stacks/platform.ts). */
export type ServiceOutputInputs = { [K in Exclude<OutputName, "contractVersion">]: pulumi.Input<ServiceOutputs[K]> };

/** The contract's outputs, with the version, for the platform's stack outputs. */
export function serviceOutputs(values: ServiceOutputInputs): { [K in OutputName]: pulumi.Input<ServiceOutputs[K]> } {
    return { contractVersion: SERVICE_CONTRACT_VERSION, ...values };
}

/**
 * What is wrong with a stack's resolved outputs for the contract: a missing output, a value of
 * another kind, a secret exported in clear or a clear value marked secret, another major version.
 */
export function contractProblems(outputs: Record<string, unknown>, secretNames: ReadonlySet<string>): string[] {
    const problems: string[] = [];
    for (const name of OUTPUT_NAMES) {
        const spec = SERVICE_OUTPUTS[name];
        if (!(name in outputs)) {
            problems.push(`${name}: not exported (service stacks read it; removing it needs a new contract version)`);
            continue;
        }
        if (secretNames.has(name) !== spec.secret) problems.push(`${name}: must ${spec.secret ? "" : "not "}be a secret`);
        if (typeof outputs[name] !== spec.kind) problems.push(`${name}: must be a ${spec.kind}, is ${JSON.stringify(outputs[name])}`);
    }
    if (outputs.contractVersion !== undefined && outputs.contractVersion !== SERVICE_CONTRACT_VERSION) problems.push(`contractVersion: ${JSON.stringify(outputs.contractVersion)}, this code reads version ${SERVICE_CONTRACT_VERSION}`);
    return problems;
}

/** The outputs a consumer needs as values while the program runs (they name resources or are checked): read with getOutputDetails. */
export type PlainOutputName = "contractVersion" | "appNamespace" | "requireImageDigest" | "rolePath" | "region";

/** The platform's outputs through a StackReference: every output as an Output (secrets stay secrets), and the plain ones as values. */
export interface PlatformReference {
    outputs: { [K in OutputName]: pulumi.Output<ServiceOutputs[K]> };
    values: Pick<ServiceOutputs, PlainOutputName>;
}

/**
 * Reads the contract from a StackReference to the platform stack: refuses a platform that lacks an
 * output, or exports another major version, with one message naming each problem.
 */
export async function readPlatform(ref: pulumi.StackReference): Promise<PlatformReference> {
    const details = await Promise.all(OUTPUT_NAMES.map(async (name) => [name, await ref.getOutputDetails(name)] as const));
    const present = Object.fromEntries(details.filter(([, d]) => d.value !== undefined || d.secretValue !== undefined).map(([n, d]) => [n, d.value ?? d.secretValue]));
    const secrets = new Set(details.filter(([, d]) => d.secretValue !== undefined).map(([n]) => n));
    const problems = contractProblems(present, secrets);
    if (problems.length > 0) throw new pulumi.RunError(`the platform stack's outputs do not meet the service contract (version ${SERVICE_CONTRACT_VERSION}, docs/configuration.md "Stack outputs"):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    const outputs = Object.fromEntries(OUTPUT_NAMES.map((name) => [name, ref.requireOutput(name)])) as PlatformReference["outputs"];
    const values = present as unknown as ServiceOutputs;
    return { outputs, values: { contractVersion: values.contractVersion, appNamespace: values.appNamespace, requireImageDigest: values.requireImageDigest, rolePath: values.rolePath, region: values.region } };
}
