/**
 * Inputs of `npm run policy -- check`: Kubernetes manifests (YAML or JSON, multi-document, lists),
 * a `pulumi stack export` file, or the offline plan's snapshot (out/<stack>/plan.json), turned into
 * the PolicyResources the evaluator judges.
 *
 * Manifests are read as `kubectl apply -f` reads them (kubectl v1.32; differential tests against
 * the real kubectl in test/policies/decoder*.test.ts): its byte decoding, JSON-or-YAML guess and
 * document splitting (kube-stream.ts), go-yaml v2's YAML (kube-yaml.ts, yaml-scalars.ts), and any
 * object with an `items` list applied item by item. Stricter than kubectl where a value could hide:
 * duplicate keys are refused in YAML and JSON alike (json-strict.ts), as the API server's strict
 * field validation refuses them; depth and alias expansion are bounded, so no input hangs or
 * crashes the check. Files are read only when regular, with a byte cap applied while reading.
 * The format comes from the structure alone: anything with apiVersion and kind is a Kubernetes
 * object; a document that fits no format, or more than one, is refused.
 */
import * as fs from "node:fs";
import { parseStrictJson } from "./json-strict";
import { decodeManifestBytes, isJsonStream, splitJsonStream, splitYamlStream } from "./kube-stream";
import { readYamlDocument } from "./kube-yaml";
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
    maxBytes: 256 * 2 ** 20,
};

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
    // Stryker disable next-line ConditionalExpression: a fast path; without shared nodes the walk below gives the same verdict
    if (!opts.aliases) return checkDepth(doc, limits.maxDepth);
    const size = new Map<object, number>();
    const depth = new Map<object, number>();
    const open = new Set<object>();
    /** depth: the levels of objects and lists from the node down, itself included (as checkDepth counts them). */
    const stack: { node: object; children: unknown[]; i: number; size: number; depth: number }[] = [];
    const push = (node: object) => {
        open.add(node);
        stack.push({ node, children: Array.isArray(node) ? node : Object.values(node), i: 0, size: 1, depth: 1 });
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

/** Parses a file's text into its documents (undefined for an empty one), each bounded. */
export function parseDocuments(text: string, file: string, limits = INPUT_LIMITS): unknown[] {
    const json = isJsonStream(text);
    const docs: unknown[] = [];
    const budget = { mergeKeys: 0 };
    let pieces: string[];
    try {
        pieces = json ? splitJsonStream(text) : splitYamlStream(text);
    } catch (e) {
        throw new PolicyInputError(`${file}: not valid ${json ? "JSON" : "YAML"}: ${(e as Error).message}`);
    }
    pieces.forEach((piece, i) => {
        const where = pieces.length > 1 ? `${file} document ${i + 1}` : file;
        let doc: unknown;
        let aliases = false;
        try {
            if (json) doc = parseStrictJson(piece);
            else ({ value: doc, aliases } = readYamlDocument(piece, limits, budget));
        } catch (e) {
            throw new PolicyInputError(`${where}: not valid ${json ? "JSON" : "YAML"}: ${(e as Error).message.split("\n")[0]}`);
        }
        try {
            checkDocumentBounds(doc, limits, { aliases });
        } catch (e) {
            throw new PolicyInputError(`${where}: ${(e as Error).message}; refused`);
        }
        docs.push(doc);
    });
    return docs;
}

const API_VERSION = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]+$/;

/** The Pulumi type token of a Kubernetes object, as Pulumi names it: `kubernetes:<group or core>/<version>:<Kind>`. */
export function typeOfManifest(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

const nonEmpty = (v: unknown) => typeof v === "string" && v !== "";

/**
 * The objects kubectl applies for one object: itself, or, when it has an `items` field (whatever its
 * kind), each item; `items: null` applies nothing. Items with neither kind nor apiVersion take the
 * list's apiVersion and its kind without the `List` suffix, as kubectl sets them.
 */
function fromManifest(obj: Record<string, any>, where: string, inList = false): PolicyResource[] {
    if (typeof obj.apiVersion !== "string" || !API_VERSION.test(obj.apiVersion)) throw new PolicyInputError(`${where}: apiVersion ${JSON.stringify(obj.apiVersion)} is not <group>/<version> or <version>`);
    if (typeof obj.kind !== "string" || !/^[A-Za-z][A-Za-z0-9]*$/.test(obj.kind)) throw new PolicyInputError(`${where}: kind ${JSON.stringify(obj.kind)} is not a Kubernetes kind`);
    if (!inList && "items" in obj) {
        if (obj.items === null) return [];
        if (!Array.isArray(obj.items)) throw new PolicyInputError(`${where}: ${obj.kind} has items ${typeof obj.items === "object" ? "that are an object" : `of type ${typeof obj.items}`}: kubectl reads any object with items as a list, and refuses this one`);
        const itemKind = obj.kind.endsWith("List") ? obj.kind.slice(0, -4) : obj.kind;
        return obj.items.flatMap((item: unknown, i: number) => {
            const at = `${where}.items[${i}]`;
            if (!isObject(item)) throw new PolicyInputError(`${at} is ${item === null ? "null" : Array.isArray(item) ? "a list" : typeof item}, not a Kubernetes object`);
            if (Array.isArray(item.items)) throw new PolicyInputError(`${at} is itself a list (it has items): kubectl does not apply lists inside lists; refused`);
            const typed = nonEmpty(item.kind) || nonEmpty(item.apiVersion) ? item : { ...item, apiVersion: obj.apiVersion, kind: itemKind };
            return fromManifest(typed, at, true);
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

/** Appends in a loop: `out.push(...items)` passes every item as an argument and overflows the stack past about 100k. */
function append<T>(out: T[], items: readonly T[]): void {
    for (const item of items) out.push(item);
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
                append(out, fromManifest(item, `${where}[${j}]`));
            });
            return;
        }
        if (!isObject(doc)) throw new PolicyInputError(`${file}: document ${i + 1} is a ${typeof doc}, not a Kubernetes object, stack export or plan snapshot`);
        const format = formatOf(doc, docs.length > 1 ? `${file}: document ${i + 1}` : `${file}: the document`);
        append(out, format === "manifest" ? fromManifest(doc, where) : wholeStack(format, doc, where));
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

/**
 * The bytes of a file, or of standard input for `-`: only a regular file (a symlink to one is
 * fine); a FIFO, device or directory is refused before any read, so `/dev/zero` or a pipe with no
 * writer cannot fill the memory or hang. The cap applies while reading, so a file that grows
 * (or standard input) stops at `maxBytes`.
 */
export function readInputBytes(file: string, maxBytes: number): Buffer {
    const name = file === "-" ? "(stdin)" : file;
    const tooLarge = () => new PolicyInputError(`${name}: larger than ${maxBytes / 2 ** 20} MiB; refused`);
    let fd: number;
    try {
        // O_NONBLOCK: opening a FIFO without a writer returns at once (it is refused below).
        fd = file === "-" ? 0 : fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
        throw new PolicyInputError(`${name}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
        if (file !== "-") {
            const st = fs.fstatSync(fd);
            if (!st.isFile()) throw new PolicyInputError(`${name}: ${st.isDirectory() ? "is a directory" : `is not a regular file (${st.isFIFO() ? "a FIFO" : st.isCharacterDevice() ? "a character device" : "a block device"})`}; refused`); // a socket cannot be opened (ENXIO)
            if (st.size > maxBytes) throw tooLarge();
        }
        const chunks: Buffer[] = [];
        let total = 0;
        for (;;) {
            const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total));
            let n: number;
            try {
                n = fs.readSync(fd, chunk, 0, chunk.length, null);
            } catch (e) {
                // Standard input may be non-blocking: wait a moment and read again.
                if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
                continue;
            }
            if (n === 0) break;
            chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
            total += n;
            if (total > maxBytes) throw tooLarge();
        }
        return Buffer.concat(chunks, total);
    } catch (e) {
        if (e instanceof PolicyInputError) throw e;
        throw new PolicyInputError(`${name}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    } finally {
        if (file !== "-") fs.closeSync(fd);
    }
}

/** Reads one input file (`-` for standard input). */
export function loadPolicyInputs(file: string, limits = INPUT_LIMITS): PolicyResource[] {
    const name = file === "-" ? "(stdin)" : file;
    let text: string;
    try {
        text = decodeManifestBytes(readInputBytes(file, limits.maxBytes));
    } catch (e) {
        if (e instanceof PolicyInputError) throw e;
        throw new PolicyInputError(`${name}: ${(e as Error).message}; refused`);
    }
    return resourcesOf(parseDocuments(text, name, limits), name);
}
