/**
 * AWS access of the policy pack: the AWS SDK for JavaScript v3 clients (KMS for cosign keys, ECR
 * for registry tokens), loaded only when registry-mode verification needs them, so a pack run
 * without it never loads the SDK.
 *
 * Everything else is the SDK's: credentials come from its default provider chain (environment
 * keys, `AWS_PROFILE` with the shared config and credentials files including SSO and
 * credential_process profiles, a web-identity token file, ECS/EKS container credentials, EC2
 * instance metadata), requests are signed with Signature Version 4, retried with its standard
 * retry strategy (throttling and transient errors, 3 attempts), and sent to the regional endpoint
 * its endpoint rules pick, or to the one `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL` or the
 * profile's `services` section configures; `AWS_USE_FIPS_ENDPOINT` and
 * `AWS_USE_DUALSTACK_ENDPOINT` apply as the SDK defines them.
 */
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { KMSClient } from "@aws-sdk/client-kms";

export interface ClientOptions {
    /** Defaults to the SDK's (AWS_REGION, the profile's region). */
    region?: string;
    /** An explicit endpoint (the host of an `awskms://<host>/` reference); otherwise the SDK's. */
    endpoint?: string;
    /** FIPS endpoint (an ECR FIPS registry host asks for it). */
    useFipsEndpoint?: boolean;
    /** Dual-stack endpoint (an ECR `*.on.aws` registry host asks for it). */
    useDualstackEndpoint?: boolean;
    /** Per-request timeout (each attempt). */
    timeoutMs: number;
}

/** The SDK client settings every pack client shares. */
function config(o: ClientOptions) {
    return {
        ...(o.region ? { region: o.region } : {}),
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        ...(o.useFipsEndpoint ? { useFipsEndpoint: true } : {}),
        ...(o.useDualstackEndpoint ? { useDualstackEndpoint: true } : {}),
        requestHandler: { connectionTimeout: o.timeoutMs, requestTimeout: o.timeoutMs },
    };
}

const clients = new Map<string, Promise<KMSClient | ECRClient>>();

function cached<T extends KMSClient | ECRClient>(kind: string, o: ClientOptions, make: () => Promise<T>): Promise<T> {
    const id = JSON.stringify([kind, config(o)]);
    let c = clients.get(id);
    if (!c) clients.set(id, (c = make()));
    return c as Promise<T>;
}

/** A KMS client (one per region/endpoint/timeout for the process); the SDK module is imported on first use. */
export function kmsClient(o: ClientOptions): Promise<KMSClient> {
    return cached("kms", o, async () => new (await import("@aws-sdk/client-kms")).KMSClient(config(o)));
}

/** An ECR client, as kmsClient. */
export function ecrClient(o: ClientOptions): Promise<ECRClient> {
    return cached("ecr", o, async () => new (await import("@aws-sdk/client-ecr")).ECRClient(config(o)));
}

/** Forgets the clients (tests that change the environment the default chain reads). */
export function resetAwsClients(): void {
    for (const c of clients.values()) void c.then((x) => x.destroy(), () => undefined);
    clients.clear();
}

/**
 * One line saying why an SDK call failed: no credentials (with the sources the chain tried),
 * refused or expired credentials, the service's error code, or the network.
 */
export function describeAwsError(e: unknown): string {
    const err = e as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; tryNextLink?: boolean };
    const name = err?.name ?? "Error";
    if (name === "CredentialsProviderError" || err?.tryNextLink !== undefined) {
        return `no AWS credentials from the default chain (environment keys, AWS_PROFILE and the shared config/credentials files incl. SSO, web identity, container or instance metadata): ${err.message}`;
    }
    const status = err?.$metadata?.httpStatusCode;
    const attempts = err?.$metadata?.attempts;
    const tried = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";
    if (status) return `${status} ${name}${err.message && err.message !== name && err.message !== "UnknownError" ? ` (${err.message})` : ""}${tried}`;
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? err?.code;
    return `${name}${cause && cause !== name ? ` ${cause}` : ""}: ${err?.message ?? String(e)}${tried}`;
}
