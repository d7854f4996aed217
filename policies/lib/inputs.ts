/**
 * Inputs of `npm run policy -- check`: Kubernetes manifests (YAML or JSON, multi-document, `List`
 * kinds), a `pulumi stack export` file, or the offline plan's snapshot (out/<stack>/plan.json),
 * turned into the PolicyResources the evaluator judges.
 *
 * Read the way the Kubernetes API server's decoder (sigs.k8s.io/yaml over go-yaml v2) reads them:
 * YAML 1.1 scalars (`yes`/`on` are booleans, timestamps stay strings), merge keys (`<<`) merged,
 * duplicate keys refused in YAML and JSON alike (json-strict.ts); with bounds on depth and on what aliases expand to, so no input hangs or
 * crashes the check. The format comes from the structure alone: anything with apiVersion and kind
 * is a Kubernetes object; a document that fits no format, or more than one, is refused.
 */
import * as fs from "node:fs";
import { boolYaml11Tag, defineScalarTag, FAILSAFE_SCHEMA, loadAll, mergeTag, NOT_RESOLVED, nullYaml11Tag, Schema } from "js-yaml";
import { parseStrictJson } from "./json-strict";
import { fromPlanSnapshot, fromStackExport, StackInputError, withInlineManifests } from "./stack-export";
import type { PolicyResource } from "./types";

/** Unreadable, malformed, ambiguous or oversized input; the message names the file and the reason. */
export class PolicyInputError extends Error {}

export const INPUT_LIMITS = {
    /** Nesting depth of a document, aliases expanded (JSON and YAML). */
    maxDepth: 256,
    /** Nodes a document may expand to through aliases beyond its own: max(this, 10 x its distinct nodes). */
    minExpandedNodes: 1_000_000,
    expansionFactor: 10,
    /** Keys copied by merges (`<<`) in one file: js-yaml's default of 10,000 would refuse large legitimate files. */
    maxMergeKeys: 1_000_000,
    /** Input file size. */
    maxBytes: 512 * 2 ** 20,
};

const GO_INT = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_SPECIAL: Record<string, number> = Object.fromEntries([
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((s) => [s, Infinity]),
    ...["-.inf", "-.Inf", "-.INF"].map((s) => [s, -Infinity]),
    ...[".nan", ".NaN", ".NAN"].map((s) => [s, NaN]),
]);

/**
 * Plain scalars that go-yaml v2 (under sigs.k8s.io/yaml) reads as numbers: underscores dropped, then
 * Go's strconv.ParseInt with base prefixes (0x, 0o, 0b, leading-0 octal), else a float of the form
 * [-+](.d+|d+(.d*)?)([eE][-+]?d+), so `1e3` and `09` are numbers and `1:20` stays a string.
 */
const goNumberTag = defineScalarTag("tag:yaml.org,2002:int", {
    implicit: true,
    implicitFirstChars: ["-", "+", ".", ..."0123456789"],
    resolve: (source) => {
        if (source in GO_SPECIAL) return GO_SPECIAL[source];
        const plain = source.replace(/_/g, "");
        const m = GO_INT.exec(plain);
        if (m) {
            const [, sign, hex, oct, bin, zeroOct, dec] = m;
            const v = hex ? parseInt(hex, 16) : oct ? parseInt(oct, 8) : bin ? parseInt(bin, 2) : zeroOct ? parseInt(zeroOct, 8) : Number(dec);
            return sign === "-" && v !== 0 ? -v : v; // Go integers have no -0
        }
        return GO_FLOAT.test(plain) ? Number(plain) : NOT_RESOLVED;
    },
    identify: (v) => typeof v === "number",
});

/** go-yaml v2's resolution as sigs.k8s.io/yaml uses it: YAML 1.1 bool and null, Go numbers, `<<` merges; timestamps stay strings; no JS types. */
const K8S_YAML = new Schema([...FAILSAFE_SCHEMA.tags, nullYaml11Tag, boolYaml11Tag, goNumberTag, mergeTag]);

/** A value the API server could not take: YAML's .inf and .nan have no JSON form. */
function checkScalar(v: unknown): void {
    if (typeof v === "number" && !Number.isFinite(v)) throw new PolicyInputError(`the number ${v} (YAML .inf/.nan) has no JSON form; the API server refuses it`);
}

const isObject = (v: unknown): v is Record<string, any> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Measures a parsed document without recursion: its depth and the number of nodes it expands to
 * (a node reached twice through aliases counts twice, computed once per distinct node). Refuses
 * cycles (a recursive alias), depth beyond the limit and alias expansion beyond the budget.
 */
export function checkDocumentBounds(doc: unknown, limits = INPUT_LIMITS, opts: { aliases: boolean } = { aliases: true }): void {
    if (!doc || typeof doc !== "object") return;
    if (!opts.aliases) return checkDepth(doc, limits.maxDepth);
    const size = new Map<object, number>();
    const depth = new Map<object, number>();
    const open = new Set<object>();
    const stack: { node: object; children: unknown[]; i: number; size: number; depth: number }[] = [];
    const push = (node: object) => {
        open.add(node);
        stack.push({ node, children: Array.isArray(node) ? node : Object.values(node), i: 0, size: 1, depth: 0 });
        if (stack.length > limits.maxDepth) throw new PolicyInputError(`nested deeper than ${limits.maxDepth} levels`);
    };
    push(doc);
    let budget: number;
    while (stack.length) {
        const f = stack[stack.length - 1];
        if (f.i < f.children.length) {
            const c = f.children[f.i++];
            if (!c || typeof c !== "object") {
                checkScalar(c);
                f.size++;
                f.depth = Math.max(f.depth, 1);
                continue;
            }
            if (open.has(c)) throw new PolicyInputError("a recursive alias makes the document infinite");
            const known = size.get(c);
            if (known === undefined) {
                push(c);
                continue;
            }
            f.size += known;
            f.depth = Math.max(f.depth, depth.get(c)! + 1);
        } else {
            stack.pop();
            open.delete(f.node);
            size.set(f.node, f.size);
            depth.set(f.node, f.depth);
            if (f.depth + stack.length > limits.maxDepth) throw new PolicyInputError(`nested deeper than ${limits.maxDepth} levels (through aliases)`);
            const parent = stack[stack.length - 1];
            if (parent) {
                parent.size += f.size;
                parent.depth = Math.max(parent.depth, f.depth + 1);
            }
        }
        // The budget grows with the document's distinct nodes; aliases may not multiply it.
        budget = Math.max(limits.minExpandedNodes, limits.expansionFactor * size.size);
        if (f.size > budget) throw new PolicyInputError(`aliases expand the document beyond ${budget} nodes (an alias bomb?)`);
    }
}

/** Depth of a tree without shared nodes (JSON, YAML without aliases), without recursion. */
function checkDepth(doc: object, maxDepth: number): void {
    const stack: [unknown, number][] = [[doc, 1]];
    while (stack.length) {
        const [node, d] = stack.pop()!;
        if (d > maxDepth) throw new PolicyInputError(`nested deeper than ${maxDepth} levels`);
        for (const c of Array.isArray(node) ? node : Object.values(node as object)) {
            if (c && typeof c === "object") stack.push([c, d + 1]);
            else checkScalar(c);
        }
    }
}

/**
 * Could the text share nodes through aliases? Only if it defines an anchor (`&name` after a space, a
 * flow indicator or a line start): an alias without one does not parse. Cron strings do not count.
 */
const ANCHOR = /(?:^|[\s[{,])&[^\s,[\]{}]/m;

/** Parses a file's text: JSON when it starts with { or [, else YAML (multi-document). Documents are bounded. */
export function parseDocuments(text: string, file: string, limits = INPUT_LIMITS): unknown[] {
    const json = /^\s*[[{]/.test(text);
    let docs: unknown[];
    try {
        docs = json ? [parseStrictJson(text)] : loadAll(text, { schema: K8S_YAML, maxDepth: limits.maxDepth, maxTotalMergeKeys: limits.maxMergeKeys, filename: file });
    } catch (e) {
        throw new PolicyInputError(`${file}: not valid ${json ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`);
    }
    docs.forEach((d, i) => {
        try {
            checkDocumentBounds(d, limits, { aliases: !json && ANCHOR.test(text) });
        } catch (e) {
            throw new PolicyInputError(`${file}${docs.length > 1 ? ` document ${i + 1}` : ""}: ${(e as Error).message}; refused`);
        }
    });
    return docs;
}

const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]+$/;

/** The Pulumi type token of a Kubernetes object, as Pulumi names it: `kubernetes:<group or core>/<version>:<Kind>`. */
export function typeOfManifest(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

function fromManifest(obj: Record<string, any>, where: string): PolicyResource[] {
    if (typeof obj.apiVersion !== "string" || !API_VERSION.test(obj.apiVersion)) throw new PolicyInputError(`${where}: apiVersion ${JSON.stringify(obj.apiVersion)} is not <group>/<version> or <version>`);
    if (typeof obj.kind !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(obj.kind)) throw new PolicyInputError(`${where}: kind ${JSON.stringify(obj.kind)} is not a Kubernetes kind`);
    if (obj.kind === "List" || (obj.kind.endsWith("List") && "items" in obj)) {
        if (!Array.isArray(obj.items)) throw new PolicyInputError(`${where}: ${obj.kind} items is ${obj.items === null ? "null" : typeof obj.items}, not a list of objects`);
        return obj.items.flatMap((item: unknown, i: number) => {
            if (!isObject(item)) throw new PolicyInputError(`${where}.items[${i}] is ${item === null ? "null" : Array.isArray(item) ? "a list" : typeof item}, not a Kubernetes object`);
            return fromManifest(item, `${where}.items[${i}]`);
        });
    }
    if (obj.metadata !== undefined && !isObject(obj.metadata)) throw new PolicyInputError(`${where}: ${obj.kind} metadata is not an object`);
    const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "(unnamed)";
    const ns = typeof obj.metadata?.namespace === "string" ? `${obj.metadata.namespace}/` : "";
    return [{ urn: `${where} ${obj.kind} ${ns}${name}`, type: typeOfManifest(obj.apiVersion, obj.kind), name, props: obj }];
}

/** Which format a document has, from its structure alone; ambiguous or unknown structures are refused. */
function formatOf(d: Record<string, any>, where: string): "manifest" | "stack-export" | "plan" {
    if ("apiVersion" in d && "kind" in d) return "manifest";
    if ("apiVersion" in d || "kind" in d) throw new PolicyInputError(`${where} has ${"kind" in d ? "kind" : "apiVersion"} but no ${"kind" in d ? "apiVersion" : "kind"}: not a Kubernetes object, and refused as anything else`);
    const stackExport = isObject(d.deployment) && "resources" in d.deployment;
    const plan = "stack" in d && "resources" in d;
    if (stackExport && plan) throw new PolicyInputError(`${where} looks like both a stack export (deployment.resources) and a plan snapshot (stack, resources); refused as ambiguous`);
    if (stackExport) {
        const extra = Object.keys(d).filter((k) => k !== "version" && k !== "deployment");
        if (extra.length) throw new PolicyInputError(`${where} has deployment.resources but also ${extra.join(", ")}: not a pulumi stack export (version, deployment); refused as ambiguous`);
        if (!Array.isArray(d.deployment.resources)) throw new PolicyInputError(`${where}: deployment.resources is ${d.deployment.resources === null ? "null" : typeof d.deployment.resources}, not a list`);
        return "stack-export";
    }
    if (plan) {
        if (typeof d.stack !== "string" || !Array.isArray(d.resources)) throw new PolicyInputError(`${where}: a plan snapshot needs stack (a string) and resources (a list)`);
        return "plan";
    }
    throw new PolicyInputError(`${where} has no apiVersion/kind and is not a stack export (version, deployment.resources) or plan snapshot (stack, resources)`);
}

/** Turns parsed documents into resources. */
export function resourcesOf(docs: unknown[], file: string): PolicyResource[] {
    const out: PolicyResource[] = [];
    docs.forEach((doc, i) => {
        const where = docs.length > 1 ? `${file}#${i + 1}` : file;
        if (doc === null || doc === undefined) return; // an empty YAML document, as kubectl skips it
        if (Array.isArray(doc)) {
            doc.forEach((item, j) => {
                if (!isObject(item)) throw new PolicyInputError(`${where}[${j}] is ${item === null ? "null" : typeof item}, not a Kubernetes object`);
                if (!("apiVersion" in item && "kind" in item)) throw new PolicyInputError(`${where}[${j}] has no apiVersion and kind: a top-level list holds Kubernetes objects only`);
                out.push(...fromManifest(item, `${where}[${j}]`));
            });
            return;
        }
        if (!isObject(doc)) throw new PolicyInputError(`${file}: document ${i + 1} is a ${typeof doc}, not a Kubernetes object, stack export or plan snapshot`);
        const format = formatOf(doc, docs.length > 1 ? `${file}: document ${i + 1}` : `${file}: the document`);
        if (format === "manifest") out.push(...fromManifest(doc, where));
        else out.push(...wholeStack(format, doc, where));
    });
    return out;
}

/** A stack export or plan snapshot (stack-export.ts), with the inline manifests of its ConfigGroups read like any manifest. */
function wholeStack(format: "stack-export" | "plan", doc: Record<string, any>, where: string): PolicyResource[] {
    try {
        const resources = format === "stack-export" ? fromStackExport(doc, where) : fromPlanSnapshot(doc, where);
        const manifestsOnly = (rs: PolicyResource[], at: string) => {
            if (rs.some((r) => r.fromStack)) throw new PolicyInputError(`${at}: holds a stack document, not Kubernetes objects`);
            return rs;
        };
        return withInlineManifests(resources, (text, at) => manifestsOnly(resourcesOf(parseDocuments(text, at), at), at), (objs, at) => manifestsOnly(resourcesOf([objs], at), at));
    } catch (e) {
        if (e instanceof StackInputError) throw new PolicyInputError(e.message);
        throw e;
    }
}

/** Reads one input file (`-` for standard input). */
export function loadPolicyInputs(file: string, limits = INPUT_LIMITS): PolicyResource[] {
    let text: string;
    try {
        const fd = file === "-" ? 0 : fs.openSync(file, "r");
        try {
            if (file !== "-" && fs.fstatSync(fd).size > limits.maxBytes) throw new PolicyInputError(`${file}: larger than ${limits.maxBytes / 2 ** 20} MiB; refused`);
            text = fs.readFileSync(fd, "utf8");
        } finally {
            if (file !== "-") fs.closeSync(fd);
        }
    } catch (e) {
        if (e instanceof PolicyInputError) throw e;
        throw new PolicyInputError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (text.length > limits.maxBytes) throw new PolicyInputError(`${file}: larger than ${limits.maxBytes / 2 ** 20} MiB; refused`);
    return resourcesOf(parseDocuments(text, file === "-" ? "(stdin)" : file, limits), file === "-" ? "(stdin)" : file);
}
