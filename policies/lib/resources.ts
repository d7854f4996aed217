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
}

export function toPolicyResource(r: RecordedLike): PolicyResource {
    return { urn: r.key, type: r.type, name: r.name, props: r.inputs, protect: r.protect };
}
