/**
 * Property-based tests (fast-check) of the three parsers the policies rest on: image references,
 * quantities and the workload walker. Expected values are computed independently of the code
 * under test (string building and BigInt arithmetic), and arbitrary input must never throw.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { evaluatePack, parsePackConfig } from "../../policies/evaluate";
import { formatNanos, MAX_QUANTITY, parseQuantity, parseQuantityExact } from "../../policies/lib/quantity";
import { carriesPodSpec, extractWorkloads } from "../../policies/lib/workloads";
import { matchesRegistry, parseImage } from "../../policies/supply-chain/images";

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}$/);
const hexDigest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
/** Hosts and what a runtime pulls from: Docker Hub's aliases and case variants normalise. */
const hosts: [string | undefined, string][] = [
    [undefined, "docker.io"], ["docker.io", "docker.io"], ["index.docker.io", "docker.io"], ["registry-1.docker.io", "docker.io"], ["Index.Docker.IO", "docker.io"],
    ["ghcr.io", "ghcr.io"], ["GHCR.io", "ghcr.io"], ["localhost", "localhost"], ["localhost:5000", "localhost:5000"], ["registry.example.com:443", "registry.example.com:443"], ["123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012.dkr.ecr.eu-west-1.amazonaws.com"],
];

describe("properties: image references", () => {
    it("never throws, whatever the string", () => {
        fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
            const r = parseImage(s);
            assert.ok(r === undefined || (typeof r.registry === "string" && typeof r.repository === "string"));
        }));
    });
    it("parses every well-formed reference into its normalised parts", () => {
        fc.assert(fc.property(fc.constantFrom(...hosts), fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(tag, { nil: undefined }), fc.option(hexDigest, { nil: undefined }), ([host, registry], path, t, d) => {
            // Without a host, a first component with a dot or colon (or "localhost") would itself be a host.
            fc.pre(host !== undefined || path.length === 1 || (!/[.:]/.test(path[0]) && path[0] !== "localhost"));
            const image = `${host ? `${host}/` : ""}${path.join("/")}${t ? `:${t}` : ""}${d ? `@${d}` : ""}`;
            const repository = registry === "docker.io" && path.length === 1 ? `library/${path[0]}` : path.join("/");
            assert.deepEqual(parseImage(image), { registry, repository, tag: t, digest: d }, image);
        }));
    });
    it("normalisation is idempotent: the normalised reference parses to itself", () => {
        fc.assert(fc.property(fc.constantFrom(...hosts), fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(hexDigest, { nil: undefined }), ([host], path, d) => {
            fc.pre(host !== undefined || path.length === 1 || (!/[.:]/.test(path[0]) && path[0] !== "localhost"));
            const r = parseImage(`${host ? `${host}/` : ""}${path.join("/")}${d ? `@${d}` : ""}`)!;
            assert.deepEqual(parseImage(`${r.registry}/${r.repository}${d ? `@${d}` : ""}`), r);
        }));
    });
    it("registry prefixes match whole path segments only", () => {
        fc.assert(fc.property(fc.constantFrom(...hosts.slice(5)), fc.array(component, { minLength: 1, maxLength: 3 }), fc.nat(), ([, registry], path, cut) => {
            const ref = parseImage(`${registry}/${path.join("/")}`)!;
            const full = `${ref.registry}/${ref.repository}`;
            const k = 1 + (cut % full.length);
            const prefix = full.slice(0, k);
            // A trailing slash is dropped, so a prefix ending in "/" stops at a segment boundary too.
            const wholeSegments = k === full.length || full[k] === "/" || prefix.endsWith("/");
            assert.equal(matchesRegistry(ref, [prefix]), wholeSegments, `${full} vs ${prefix}`);
        }));
    });
});

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const cap = (n: bigint) => (n > MAX_QUANTITY ? MAX_QUANTITY : n);
const magnitude = fc.bigInt({ min: 0n, max: 10n ** 15n });

describe("properties: quantities (exact, BigInt nano-units)", () => {
    it("never throws, whatever the value; valid results are integers of nano-units within the cap", () => {
        const chars = fc.string({ unit: fc.constantFrom(..."0123456789.+-eEmkMGTPKiun xX"), maxLength: 30 });
        fc.assert(fc.property(fc.oneof(chars, fc.string({ maxLength: 80 }), fc.anything(), fc.double()), (q) => {
            const r = parseQuantityExact(q);
            if (r.ok) assert.ok(r.nanos <= MAX_QUANTITY && r.nanos >= -MAX_QUANTITY);
            else assert.equal(typeof r.reason, "string");
        }));
    });
    it("decimal and binary suffixes are exact multiples (capped at 2^63-1 units)", () => {
        fc.assert(fc.property(magnitude, fc.constantFrom(...Object.keys(DECIMAL), ...Object.keys(BINARY)), (k, suffix) => {
            const expected = suffix in BINARY ? (k * 10n ** 9n) << BINARY[suffix] : k * 10n ** BigInt(9 + DECIMAL[suffix]);
            assert.equal(parseQuantity(`${k}${suffix}`), cap(expected));
        }));
    });
    it("the same value in any spelling is the same quantity: 9m = 0.009 = 9e-3 = 9000000n", () => {
        fc.assert(fc.property(magnitude, fc.integer({ min: 0, max: 9 }), fc.boolean(), (k, scale, negative) => {
            const digits = k.toString().padStart(scale + 1, "0");
            const decimal = `${negative ? "-" : ""}${scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
            const nanos = (negative ? -k : k) * 10n ** BigInt(9 - scale);
            const spellings = [decimal, `${negative ? "-" : ""}${k}e-${scale}`, `${negative ? "-" : ""}${k}E-${scale}`, `${negative ? "-" : ""}${k * 10n ** BigInt(9 - scale)}n`];
            if (scale <= 3) spellings.push(`${negative ? "-" : ""}${k * 10n ** BigInt(3 - scale)}m`);
            for (const s of spellings) assert.equal(parseQuantity(s), nanos, s); // at most 10^24 nano-units: under the cap
        }));
    });
    it("order agrees with exact rational order, and the rendering parses back to the same value", () => {
        fc.assert(fc.property(magnitude, fc.constantFrom(...Object.keys(DECIMAL)), magnitude, fc.constantFrom(...Object.keys(DECIMAL)), (a, sa, b, sb) => {
            const [x, y] = [parseQuantity(`${a}${sa}`)!, parseQuantity(`${b}${sb}`)!];
            // a*10^ea vs b*10^eb, compared over a common power of ten
            const lhs = a * 10n ** BigInt(DECIMAL[sa] + 9);
            const rhs = b * 10n ** BigInt(DECIMAL[sb] + 9);
            assert.equal(x < y, cap(lhs) < cap(rhs));
            assert.equal(parseQuantity(formatNanos(x)), x);
        }));
    });
    it("non-zero values below a nano-unit round up to 1n, never to zero (as the API server rounds)", () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 10, max: 40 }), (k, e) => {
            assert.equal(parseQuantity(`${k}e-${e + 3}`), 1n);
        }));
    });
});

const POD_PLACES: [string, string][] = [
    ["kubernetes:core/v1:Pod", "spec"], ["kubernetes:core/v1:PodTemplate", "template.spec"], ["kubernetes:core/v1:ReplicationController", "spec.template.spec"],
    ...["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"].flatMap((g) => ["Deployment", "DaemonSet", "ReplicaSet"].flatMap((k): [string, string][] => [[`kubernetes:${g}:${k}`, "spec.template.spec"], [`kubernetes:${g}:${k}Patch`, "spec.template.spec"]])),
    ["kubernetes:batch/v1:Job", "spec.template.spec"], ["kubernetes:batch/v1beta1:CronJob", "spec.jobTemplate.spec.template.spec"], ["kubernetes:batch/v1:CronJobPatch", "spec.jobTemplate.spec.template.spec"],
    ["kubernetes:argoproj.io/v1alpha1:Rollout", "spec.template.spec"], ["kubernetes:serving.knative.dev/v1:Service", "spec.template.spec"], ["kubernetes:keda.sh/v1alpha1:ScaledJob", "spec.jobTargetRef.template.spec"],
];
const container = fc.record({ name: component, image: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) }, { requiredKeys: ["name"] });

describe("properties: the workload walker", () => {
    it("finds exactly the containers, init and ephemeral containers placed in any pod-carrying kind, at their paths", () => {
        fc.assert(fc.property(fc.constantFrom(...POD_PLACES), fc.array(container, { minLength: 1, maxLength: 4 }), fc.array(container, { maxLength: 3 }), fc.array(container, { maxLength: 2 }), fc.jsonValue({ maxDepth: 2 }), ([type, path], cs, inits, eph, noise) => {
            const podSpec: Record<string, any> = { containers: cs, ...(inits.length ? { initContainers: inits } : {}), ...(eph.length ? { ephemeralContainers: eph } : {}), noise };
            const props = path.split(".").reduceRight<Record<string, any>>((inner, k) => ({ [k]: inner }), podSpec);
            props.metadata = { name: "w" };
            assert.ok(carriesPodSpec(type, props), type);
            const ws = extractWorkloads(props, type);
            assert.equal(ws.length, 1);
            const expected = [...cs.map((_, i) => `${path}.containers[${i}]`), ...inits.map((_, i) => `${path}.initContainers[${i}]`), ...eph.map((_, i) => `${path}.ephemeralContainers[${i}]`)];
            assert.deepEqual(ws[0].containers.map((c) => c.path), expected);
            assert.equal(ws[0].patch, type.endsWith("Patch"));
        }));
    });
    it("never throws on arbitrary props and types, and the whole pack judges them without throwing", () => {
        const cfg = parsePackConfig({ environment: "prod" });
        const types = fc.constantFrom(...POD_PLACES.map(([t]) => t), "kubernetes:core/v1:Service", "kubernetes:example.com/v1:Thing", "aws:kms/key:Key", "kubernetes:helm.sh/v3:Release", "nonsense");
        const anyProps = fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.record({ spec: fc.record({ template: fc.record({ spec: fc.jsonValue({ maxDepth: 4 }) }) }) }), fc.record({ spec: fc.jsonValue({ maxDepth: 4 }) }));
        fc.assert(fc.property(types, anyProps, (type, props) => {
            const p = props as Record<string, any>;
            carriesPodSpec(type, p);
            extractWorkloads(p, type);
            if (p && typeof p === "object" && !Array.isArray(p)) evaluatePack([{ urn: "u", type, name: "n", props: p }], cfg);
        }), { numRuns: 300 });
    });
});
