/**
 * Property-based differential tests against the real kubectl (v1.32): generated manifests of each
 * class where a reader can differ (merge-key order, Unicode line breaks, objects with `items`,
 * BOMs / JSON streams / UTF-16 / CRLF, standard and local tags, map keys of every scalar kind, and
 * quantity spellings) are read by kubectl (one process per batch) and by `policy check`'s reader.
 * For every file: kubectl refuses it and we refuse it, or both read exactly the same objects. The
 * one refusal allowed where kubectl reads is a duplicate key (the API server refuses those).
 *
 * The seed is random; a failure prints it: FC_SEED=<seed> npx mocha test/policies/decoder-generated.test.ts
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import fc from "fast-check";
import { loadPolicyInputs, PolicyInputError } from "../../policies/lib/inputs";
import { parseQuantityExact } from "../../policies/lib/quantity";
import { kubectlRead } from "../harness/kubectl-read";
import { tempDirs } from "../harness/tmp";
import { itemsManifest, mergeManifest, quantitySpelling, streamFile, tagManifest, unicodeBreakManifest, type Generated } from "../harness/manifest-generators";

const tmp = tempDirs("decoder-gen-");
const SEED = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 120;
/** Fewer quantity spellings: kubectl's typed decoding stops at the first invalid one, so each costs a kubectl run. */
const QUANTITY_RUNS = 60;
/**
 * Refusals where kubectl reads: duplicate keys (the API server refuses them), and text after a
 * document's first node (kubectl ignores it silently: it could hide a second object).
 */
const ALLOWED_REFUSAL = /duplicated mapping key|duplicate key|end of the stream or a document separator is expected/;

/** Generates a batch, reads it with kubectl and with policy check, and lists every disagreement. */
function differences(name: string, arb: fc.Arbitrary<Generated>, seedOffset: number): string[] {
    const samples = fc.sample(arb, { numRuns: RUNS, seed: SEED + seedOffset });
    const dir = tmp();
    const files: Record<string, string | Uint8Array> = {};
    samples.forEach((gen, i) => (files[`f${i}.${gen.ext}`] = gen.render(`f${i}`)));
    const read = (file: string) => {
        try {
            return { ours: loadPolicyInputs(path.join(dir, file)).map((r) => r.props) };
        } catch (e) {
            if (!(e instanceof PolicyInputError)) throw e;
            return { refusal: e.message };
        }
    };
    // Files kubectl printed fewer objects of than we read (or we refused) are read by kubectl alone
    // when an error of its cannot be placed.
    const theirs = kubectlRead(dir, files, "apply", (file, objects) => {
        const r = read(file);
        return r.ours === undefined || r.ours.length !== objects.length;
    });
    const problems: string[] = [];
    for (const [file, data] of Object.entries(files)) {
        const k = theirs.get(file)!;
        const { ours, refusal } = read(file);
        const shown = typeof data === "string" ? JSON.stringify(data) : `bytes ${Buffer.from(data).toString("hex").slice(0, 400)}`;
        if (k.error !== undefined) {
            if (refusal === undefined) problems.push(`${name} ${file}: kubectl refuses (${k.error}) but policy check reads ${JSON.stringify(ours)}\n  input: ${shown}`);
        } else if (refusal !== undefined) {
            if (!ALLOWED_REFUSAL.test(refusal)) problems.push(`${name} ${file}: policy check refuses (${refusal}) but kubectl reads ${JSON.stringify(k.objects)}\n  input: ${shown}`);
        } else {
            try {
                assert.deepStrictEqual(ours, k.objects);
            } catch {
                problems.push(`${name} ${file}: read differently\n  kubectl: ${JSON.stringify(k.objects)}\n  ours:    ${JSON.stringify(ours)}\n  input: ${shown}`);
            }
        }
    }
    return problems;
}

describe(`manifests read exactly as kubectl reads them, on generated inputs (FC_SEED=${SEED})`, function () {
    this.timeout(120_000);
    const classes: [string, fc.Arbitrary<Generated>][] = [
        ["merge keys in any order (later `<<` over explicit keys, several `<<`, merged lists)", mergeManifest],
        ["U+2028, U+2029, NEL and CR as line breaks in comments, block, plain and quoted scalars", unicodeBreakManifest],
        ["objects with an items field of any kind, items with and without kind/apiVersion", itemsManifest],
        ["BOMs at the start and before later documents, JSON streams, UTF-16, CRLF, separators with comments", streamFile],
        ["standard, local and verbatim tags on scalars and collections; keys of every scalar kind", tagManifest],
    ];
    classes.forEach(([title, arb], i) => {
        it(title, () => {
            const problems = differences(title.split(" ")[0], arb, i);
            assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${RUNS} generated files differ from kubectl (FC_SEED=${SEED})`);
        });
    });
    it("quantity spellings (class 9): surrounding spaces, long digit strings, exponents, suffixes, as the typed decoder parses them", () => {
        const samples = fc.sample(quantitySpelling, { numRuns: QUANTITY_RUNS, seed: SEED + 100 });
        const dir = tmp();
        const files = Object.fromEntries(samples.map((q, i) => [`f${i}.yaml`, `apiVersion: v1\nkind: Pod\nmetadata: { name: f${i}-pod }\nspec:\n  containers:\n  - name: c\n    image: x\n    resources:\n      requests: { memory: ${JSON.stringify(q)} }\n`]));
        const theirs = kubectlRead(dir, files, "typed");
        const problems: string[] = [];
        samples.forEach((q, i) => {
            const k = theirs.get(`f${i}.yaml`)!;
            const ours = parseQuantityExact(q);
            if (k.error !== undefined) {
                if (ours.ok) problems.push(`${JSON.stringify(q)}: the API server's parser refuses it (${k.error}) but policy check reads ${ours.nanos} nano-units`);
                return;
            }
            if (k.objects.length !== 1) throw new Error(`kubectl printed ${k.objects.length} objects for ${JSON.stringify(q)}`);
            const canonical = k.objects[0].spec.containers[0].resources.requests.memory as string;
            const expected = parseQuantityExact(canonical);
            if (!ours.ok) problems.push(`${JSON.stringify(q)}: refused (${ours.reason}) but the API server reads it as ${canonical}`);
            else if (!expected.ok || expected.nanos !== ours.nanos) problems.push(`${JSON.stringify(q)}: ${ours.nanos} nano-units, the API server ${canonical}`);
        });
        assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${QUANTITY_RUNS} spellings differ (FC_SEED=${SEED})`);
    });
});
