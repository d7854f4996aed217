/**
 * A CustomResourceDefinition reduced to what validation needs: group, kind, plural, scope and, per
 * version, the openAPIV3Schema without prose (see schema.ts).
 */
import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { readSourcesTable, Source, sourceOf } from "./provenance";
import { stripProse } from "./schema";

export interface CrdSchema {
    source: Source;
    group: string;
    kind: string;
    plural: string;
    scope: string;
    versions: { name: string; served: boolean; storage: boolean; schema: unknown }[];
}

interface CrdDoc {
    kind?: string;
    metadata?: { name?: string; annotations?: Record<string, string> };
    spec?: { group: string; scope: string; names: { kind: string; plural: string }; versions?: { name: string; served: boolean; storage: boolean; schema?: { openAPIV3Schema?: unknown } }[] };
}

/** Every CRD in one YAML file (multi-document files allowed); `version` is the release of the project it comes from. */
export function deriveCrds(file: string, regenerate: string, opts: { referenceDir?: string; version?: string } = {}): CrdSchema[] {
    const { referenceDir } = opts;
    const docs = yaml.loadAll(fs.readFileSync(file, "utf8")) as CrdDoc[];
    const crds = docs.filter((d) => d?.kind === "CustomResourceDefinition" && d.spec?.versions);
    if (crds.length === 0) throw new Error(`${file}: no CustomResourceDefinition with versions`);
    const table = referenceDir ? readSourcesTable(referenceDir) : new Map();
    return crds.map((d) => {
        const spec = d.spec!;
        // The release the CRD belongs to: given by the caller, from the reference table, or the operator's annotation.
        const version = opts.version ?? d.metadata?.annotations?.["operator.prometheus.io/version"] ?? "unknown";
        const source = sourceOf(file, { project: spec.group, version, file: file.split("/").pop()! }, regenerate, table, referenceDir);
        return {
            source,
            group: spec.group,
            kind: spec.names.kind,
            plural: spec.names.plural,
            scope: spec.scope,
            versions: spec.versions!.map((v) => {
                if (!v.schema?.openAPIV3Schema) throw new Error(`${file}: ${spec.names.kind} ${v.name} has no openAPIV3Schema`);
                return { name: v.name, served: v.served, storage: v.storage, schema: stripProse(v.schema.openAPIV3Schema) };
            }),
        };
    });
}
