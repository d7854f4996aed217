/**
 * Cross-field rules of `platform:supplyChain.signing` (one message per problem, naming the key).
 */
import type { SigningSettings } from "./supply-chain-schema";
import { signingTrustPolicyLength } from "../components/supply-chain/ci-identity";

export function signingChecks(signing: SigningSettings, ciRepository?: string): string[] {
    const at = "platform:supplyChain.signing";
    const problems: string[] = [];
    if (signing.enabled && signing.signers.length === 0) {
        problems.push(`${at}.signers: required when signing.enabled is true; list the GitHub repositories (owner/name, with ownerId, repositoryId and refs) whose workflows may sign`);
    }
    if (!signing.enabled && (signing.signers.length > 0 || signing.repositories.length > 0)) {
        problems.push(`${at}.enabled: signers and repositories are set but signing.enabled is false; set it to true or remove them`);
    }
    const seen = new Set<string>();
    signing.signers.forEach((s, i) => {
        if (s.refs.length === 0) problems.push(`${at}.signers[${i}].refs: ${s.repository} lists no refs, so no job could ever sign; list at least one`);
        if (seen.has(s.repository.toLowerCase())) problems.push(`${at}.signers[${i}].repository: ${s.repository} is listed twice; merge its refs and environments into one entry`);
        seen.add(s.repository.toLowerCase());
    });
    if (signing.enabled && signing.signers.length > 0) {
        const workflow = { repository: signing.buildSignWorkflow.repository ?? ciRepository ?? "x/x", refs: signing.buildSignWorkflow.refs };
        const length = signingTrustPolicyLength(signing.signers, workflow);
        if (length > signing.trustPolicyQuota) {
            problems.push(`${at}.signers: the CI role's trust policy would be ${length} characters, over the account's "Role trust policy length" quota of ${signing.trustPolicyQuota} (each signer × ref × buildSignWorkflow ref adds two subjects); list fewer refs, or raise the quota in Service Quotas (IAM, up to 4096) and set ${at}.trustPolicyQuota`);
        }
    }
    const names = new Set<string>();
    const signers = signing.signers.map((s) => s.repository.toLowerCase());
    signing.repositories.forEach((r, i) => {
        if (names.has(r.name)) problems.push(`${at}.repositories[${i}].name: "${r.name}" is listed twice; repository names must be unique`);
        names.add(r.name);
        if (r.signer !== undefined && !signers.includes(r.signer.toLowerCase())) problems.push(`${at}.repositories[${i}].signer: ${r.signer} is not one of signers[].repository (${signing.signers.map((s) => s.repository).join(", ") || "none"})`);
        if (r.signer === undefined && signing.signers.length > 1) problems.push(`${at}.repositories[${i}].signer: required with several signers; name the GitHub repository whose build-sign.yml runs may sign ${r.name}`);
    });
    return problems;
}

/** The GitHub repository allowed to sign each ECR repository (its `signer`, or the only signer). */
export function repositorySigner(signing: SigningSettings, name: string): string | undefined {
    const spec = signing.repositories.find((r) => r.name === name);
    return spec?.signer ?? (signing.signers.length === 1 ? signing.signers[0].repository : undefined);
}

/**
 * `aws:allowedAccountIds` (the AWS provider's own guard against deploying to the wrong account).
 * Signing needs exactly one: the policy config names the key and registry by account.
 */
export function parseAllowedAccountIds(value: unknown, signingEnabled: boolean, problems: string[]): string[] {
    if (value === undefined) {
        if (signingEnabled) problems.push(`aws:allowedAccountIds: required when platform:supplyChain.signing.enabled is true; set the one account this stack deploys to, e.g. ["123456789012"]`);
        return [];
    }
    const ids = Array.isArray(value) ? value : [value];
    if (ids.length === 0 || ids.some((id) => typeof id !== "string" || !/^\d{12}$/.test(id))) {
        problems.push(`aws:allowedAccountIds: ${JSON.stringify(value)} must be a list of 12-digit AWS account ids`);
        return [];
    }
    if (signingEnabled && ids.length !== 1) problems.push(`aws:allowedAccountIds: lists ${ids.length} accounts; with supplyChain.signing.enabled the stack must name exactly one`);
    return ids as string[];
}
