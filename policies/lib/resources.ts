/**
 * Converts the offline plan's recorded resources into PolicyResources.
 */
import type { PolicyResource } from "./types";

interface RecordedLike {
    key: string;
    type: string;
    name: string;
    inputs: Record<string, any>;
    protect: boolean;
    /** AWS region of the resource's provider, when the recorder knows it. */
    region?: string;
}

export function toPolicyResource(r: RecordedLike): PolicyResource {
    return { urn: r.key, type: r.type, name: r.name, props: r.inputs, protect: r.protect, ...(r.region ? { region: r.region } : {}) };
}

/** A KMS key ARN in any partition (customer-managed key given by ARN, as the baseline requires). */
export const isKmsArn = (v: unknown): boolean => typeof v === "string" && /^arn:aws[a-z-]*:kms:/.test(v);
