/**
 * The DR region's AWS provider: every `aws:` setting of the stack (allowedAccountIds, default
 * tags, ignoreTags, assume roles, retries, ...), so the account guard and the tagging hold in the
 * DR region as in the primary one; only the region and the STS region are the DR region's.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Provider settings that are credentials: kept as secrets. */
const CREDENTIAL_KEYS = new Set(["accessKey", "secretKey", "token"]);

/** Tag added to every resource the DR provider creates, naming the region it stands in for. */
export const DR_OF_TAG = "dr-of";

/** The DR provider's arguments from the stack's `aws:` settings (as stacks/dr-checks.ts decodes them). */
export function drProviderArgs(settings: Record<string, unknown>, region: string, primaryRegion: string): aws.ProviderArgs {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(settings)) out[key] = CREDENTIAL_KEYS.has(key) ? pulumi.secret(value) : value;
    const stackTags = ((settings.defaultTags as { tags?: Record<string, string> } | undefined)?.tags) ?? {};
    return {
        ...(out as aws.ProviderArgs),
        region: region as aws.Region,
        // STS in the DR region too: a failover must not validate credentials in the failed region.
        stsRegion: region,
        defaultTags: { ...(settings.defaultTags as object | undefined), tags: { ...stackTags, [DR_OF_TAG]: primaryRegion } },
    };
}
