/**
 * The AWS facts derived by scripts/derive-aws-facts.ts (lib/aws/facts.json) and typed access to them.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What the API accepts for one input. `pattern` follows the model's semantics (not anchored unless it says so). */
export interface Constraint {
    enum?: (string | number)[];
    /** Values still in the enum that AWS has deprecated (ignored or no longer sent). */
    deprecated?: string[];
    min?: number;
    max?: number;
    pattern?: string;
    source: string;
}

export interface AwsFacts {
    sources: Record<string, unknown>;
    /** `<pulumi type> <input path>` -> constraint. */
    inputs: Record<string, Constraint>;
    /** IAM service prefix -> action name -> condition keys the action (or its resource types) carries. */
    conditionKeys: Record<string, Record<string, string[]>>;
    /** Pulumi type of a stateful resource -> CloudFormation properties whose change replaces it. */
    replacements: Record<string, { cloudFormationType: string; replaces: string[]; mayReplace: string[] }>;
}

let cached: AwsFacts | undefined;
export function awsFacts(): AwsFacts {
    cached ??= JSON.parse(fs.readFileSync(path.join(__dirname, "facts.json"), "utf8")) as AwsFacts;
    return cached;
}
