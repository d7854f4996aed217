/**
 * lib/aws/cfn-replacements.json: for every CloudFormation type the platform's AWS resources map to
 * (lib/aws/replacement-table.ts), the property paths whose change AWS marks as replacing the resource
 * ("createOnlyProperties"; `causesReplacement: yes`) or as possibly replacing it (`maybe`), from the
 * CloudFormation resource schemas as @aws-cdk/aws-service-spec ships them (db.json.gz). Facts only:
 * type names and property paths. The package is fetched with `npm pack` at a pinned version and its
 * registry integrity is checked, so the file is reproducible.
 *
 *   npm run derive -- replacements        (needs the npm registry)
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { AWS_REPLACEMENTS } from "../../lib/aws/replacement-table";
import type { CfnReplacementsFile } from "../../lib/aws/replacements";

export const SERVICE_SPEC = {
    name: "@aws-cdk/aws-service-spec",
    version: "0.1.216",
    /** `npm view @aws-cdk/aws-service-spec@0.1.216 dist.integrity` */
    integrity: "sha512-O3Lu6v6J6RnI+Eenklbw8237kV64cTpM94QEXmlcmsIAzhcKrdd+qApZhlTL+H3IDt1JP6Vphbd+OOmq6r8pqw==",
    /** `npm view @aws-cdk/aws-service-spec time` for the version. */
    published: "2026-09-29",
};

interface SpecProperty { type?: SpecType; causesReplacement?: "yes" | "maybe" | "no" }
interface SpecType { type: string; element?: SpecType; reference?: { $ref: string } }
interface SpecDb { schema: { resource: { entities: { cloudFormationType: string; properties: Record<string, SpecProperty> }[] }; typeDefinition: { entities: { $id: string; properties: Record<string, SpecProperty> }[] } } }

/** Every property path (`A.B.C`) marked yes / maybe, walking nested type definitions; a path under a replacing one is left out (the parent covers it). */
export function replacingPaths(db: SpecDb, cfnType: string): { replaces: string[]; mayReplace: string[] } {
    const resource = db.schema.resource.entities.find((e) => e.cloudFormationType === cfnType);
    if (!resource) throw new Error(`${cfnType}: not in ${SERVICE_SPEC.name}@${SERVICE_SPEC.version}`);
    const defs = new Map(db.schema.typeDefinition.entities.map((t) => [t.$id, t]));
    const out = { replaces: [] as string[], mayReplace: [] as string[] };
    const walk = (props: Record<string, SpecProperty>, at: string, seen: Set<string>, underReplacing: boolean) => {
        for (const [name, p] of Object.entries(props)) {
            const here = at ? `${at}.${name}` : name;
            const replaces = p.causesReplacement === "yes";
            if (replaces && !underReplacing) out.replaces.push(here);
            else if (p.causesReplacement === "maybe" && !underReplacing) out.mayReplace.push(here);
            let t = p.type;
            while (t && (t.type === "array" || t.type === "map") && t.element) t = t.element;
            const ref = t?.type === "ref" ? t.reference?.$ref : undefined;
            if (ref && !seen.has(ref) && defs.has(ref)) walk(defs.get(ref)!.properties, here, new Set([...seen, ref]), underReplacing || replaces);
        }
    };
    walk(resource.properties, "", new Set(), false);
    return { replaces: out.replaces.sort(), mayReplace: out.mayReplace.sort() };
}

export function deriveReplacements(): { file: string; data: CfnReplacementsFile } {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "service-spec-"));
    try {
        const spec = `${SERVICE_SPEC.name}@${SERVICE_SPEC.version}`;
        const tgz = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", tmp], { encoding: "utf8" }).trim().split("\n").pop()!;
        const bytes = fs.readFileSync(path.join(tmp, tgz));
        const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
        if (integrity !== SERVICE_SPEC.integrity) throw new Error(`${spec}: integrity ${integrity} is not the pinned ${SERVICE_SPEC.integrity}`);
        execFileSync("tar", ["xzf", path.join(tmp, tgz), "-C", tmp]);
        const gz = fs.readFileSync(path.join(tmp, "package", "db.json.gz"));
        const db = JSON.parse(zlib.gunzipSync(gz).toString("utf8")) as SpecDb;
        const cfnTypes = [...new Set(Object.values(AWS_REPLACEMENTS).flatMap((e) => (e.cfn ? [e.cfn] : [])))].sort();
        const data: CfnReplacementsFile = {
            about: "CloudFormation properties whose change replaces the resource (createOnlyProperties: replaces) or may replace it (mayReplace), per CloudFormation type the platform's AWS resources map to; paths are CloudFormation property names joined with dots",
            source: { package: SERVICE_SPEC.name, version: SERVICE_SPEC.version, integrity: SERVICE_SPEC.integrity, published: SERVICE_SPEC.published, file: "db.json.gz", sha256: createHash("sha256").update(gz).digest("hex"), regenerate: "npm run derive -- replacements" },
            types: Object.fromEntries(cfnTypes.map((t) => [t, replacingPaths(db, t)])),
        };
        return { file: path.join(__dirname, "..", "..", "lib", "aws", "cfn-replacements.json"), data };
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
