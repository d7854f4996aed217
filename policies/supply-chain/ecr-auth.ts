/**
 * Registry authentication for Amazon ECR private registries. ECR answers an unauthenticated pull
 * with a `Basic` challenge and takes the credential `GetAuthorizationToken` returns (base64
 * `AWS:<password>`, valid 12 hours) as Basic auth: fetched through the SDK's ECR client (./aws.ts,
 * the default credential chain) in the registry's own region, partition, FIPS or dual-stack
 * endpoint, cached per registry host until shortly before it expires. Only hosts that are ECR
 * registry endpoints get it: a Basic challenge from any other host is refused (the token would be
 * a credential handed to a stranger).
 */
import { describeAwsError, ecrClient } from "./aws";

export class RegistryAuthError extends Error {}

export interface EcrRegistry { account: string; region: string; fips: boolean; dualstack: boolean }

/**
 * The ECR registry a host name is, if any: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
 * (commercial, GovCloud, China) or the dual-stack `<account>.dkr-ecr[-fips].<region>.on.aws`.
 */
export function ecrRegistryOf(host: string): EcrRegistry | undefined {
    const h = host.toLowerCase().replace(/:443$/, "");
    const m = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(h)
        ?? /^(\d{12})\.dkr-ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.on\.aws$/.exec(h);
    if (!m) return undefined;
    return { account: m[1], fips: m[2] !== undefined, region: m[3], dualstack: h.endsWith(".on.aws") };
}

/** Time before expiry at which a cached token is fetched again. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const tokens = new Map<string, Promise<{ header: string; expiresAt: number }>>();

async function fetchToken(host: string, registry: EcrRegistry, timeoutMs: number): Promise<{ header: string; expiresAt: number }> {
    let data: { authorizationToken?: string; expiresAt?: Date } | undefined;
    try {
        const client = await ecrClient({ region: registry.region, useFipsEndpoint: registry.fips, useDualstackEndpoint: registry.dualstack, timeoutMs });
        const { GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
        data = (await client.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
    } catch (e) {
        throw new RegistryAuthError(`registry ${host} is Amazon ECR and needs a GetAuthorizationToken credential, which failed: ${describeAwsError(e)}; failing closed`);
    }
    if (!data?.authorizationToken) throw new RegistryAuthError(`registry ${host}: ECR GetAuthorizationToken returned no token; failing closed`);
    return { header: `Basic ${data.authorizationToken}`, expiresAt: data.expiresAt ? new Date(data.expiresAt).getTime() : Date.now() + 60 * 60 * 1000 };
}

/**
 * The `Authorization` header for a registry that sent a Basic challenge: ECR's token for an ECR
 * host (cached for its lifetime), an error for any other host.
 */
export async function basicAuthorization(host: string, timeoutMs: number, now = Date.now): Promise<string> {
    const registry = ecrRegistryOf(host);
    if (!registry) throw new RegistryAuthError(`registry ${host} asks for Basic credentials, which the pack has only for Amazon ECR registries (<account>.dkr.ecr.<region>.amazonaws.com); failing closed`);
    let pending = tokens.get(host);
    const fresh = pending && (await pending.then((t) => t.expiresAt - REFRESH_MARGIN_MS > now(), () => false));
    if (!pending || !fresh) {
        pending = fetchToken(host, registry, timeoutMs);
        tokens.set(host, pending);
        const mine = pending;
        mine.catch(() => (tokens.get(host) === mine ? tokens.delete(host) : undefined));
    }
    return (await pending).header;
}

/** Forgets cached tokens (tests). */
export function resetEcrTokens(): void {
    tokens.clear();
}
