/**
 * The cron grammars of policies/lib/cron.ts against an independent reading of the same grammar
 * (per-value matching, minute by minute or day by day with JavaScript dates), on generated
 * schedules: the longest gap between runs is what the oracle sees, every refused form gives no
 * figure, and no input ever gives a zero or negative RPO.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { maxGapMinutes } from "../../policies/lib/cron";
import { awsCronIntervalMinutes, cronIntervalMinutes } from "../../policies/lib/recovery";

type Spec = { min: number; max: number; names?: string[]; nameBase?: number };
const MINUTE: Spec = { min: 0, max: 59 };
const HOUR: Spec = { min: 0, max: 23 };
const DOM: Spec = { min: 1, max: 31 };
const MONTH: Spec = { min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], nameBase: 1 };
const DOW: Spec = { min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], nameBase: 0 };

// ---- the oracle: does `value` satisfy the field text? (robfig's rules, read item by item) ----
function num(text: string, spec: Spec): number {
    const i = spec.names?.indexOf(text.toLowerCase()) ?? -1;
    return i >= 0 ? i + spec.nameBase! : Number(text);
}
function itemMatches(item: string, v: number, spec: Spec): boolean {
    const [range, step] = item.split("/");
    const s = step === undefined ? 1 : Number(step);
    let lo: number, hi: number;
    if (range === "*" || range === "?") [lo, hi] = [spec.min, spec.max];
    else if (range.includes("-")) [lo, hi] = range.split("-").map((x) => num(x, spec)) as [number, number];
    else [lo, hi] = [num(range, spec), step === undefined ? num(range, spec) : spec.max];
    return v >= lo && v <= hi && (v - lo) % s === 0;
}
const matches = (field: string, v: number, spec: Spec) => field.split(",").some((item) => itemMatches(item, v, spec));
/** robfig's star bit: the field has an item `*` or `?` whose step is at most 1. */
const starred = (field: string) => field.split(",").some((item) => /^[*?](\/1)?$/.test(item));

/** Longest gap between runs of a five-field standard schedule, by walking days with Date and minutes of each day. */
function oracleGap(fields: string[], days: number): number | undefined {
    const [m, h, dom, mon, dow] = fields;
    const inDay: number[] = [];
    for (let hour = 0; hour < 24; hour++) for (let minute = 0; minute < 60; minute++) if (matches(h, hour, HOUR) && matches(m, minute, MINUTE)) inDay.push(hour * 60 + minute);
    const or = !starred(dom) && !starred(dow);
    const runs: number[] = [];
    const start = Date.UTC(2024, 0, 1);
    for (let d = 0; d < days; d++) {
        const date = new Date(start + d * 86_400_000);
        if (!matches(mon, date.getUTCMonth() + 1, MONTH)) continue;
        const a = matches(dom, date.getUTCDate(), DOM);
        const b = matches(dow, date.getUTCDay(), DOW);
        if (or ? a || b : a && b) for (const t of inDay) runs.push(d * 1440 + t);
    }
    let worst = 0;
    for (let i = 1; i < runs.length; i++) worst = Math.max(worst, runs[i] - runs[i - 1]);
    return runs.length < 2 ? undefined : worst;
}

// ---- generators of valid fields ----
const value = (spec: Spec) => fc.integer({ min: spec.min, max: spec.max }).chain((v) =>
    spec.names ? fc.constantFrom(String(v), spec.names[v - spec.nameBase!], spec.names[v - spec.nameBase!].toUpperCase()) : fc.constant(String(v)));
const item = (spec: Spec) => fc.oneof(
    fc.constant("*"),
    value(spec),
    fc.tuple(fc.integer({ min: spec.min, max: spec.max }), fc.integer({ min: spec.min, max: spec.max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.integer({ min: 1, max: spec.max + 1 }).map((s) => `*/${s}`),
    fc.tuple(fc.integer({ min: spec.min, max: spec.max }), fc.integer({ min: 1, max: spec.max + 1 })).map(([a, s]) => `${a}/${s}`),
    fc.tuple(fc.integer({ min: spec.min, max: spec.max }), fc.integer({ min: spec.min, max: spec.max }), fc.integer({ min: 1, max: 10 })).map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
);
const field = (spec: Spec) => fc.array(item(spec), { minLength: 1, maxLength: 3 }).map((items) => items.join(","));
const dayStar = fc.constantFrom("*", "?");

describe("cron grammar (policies/lib/cron.ts) against an independent reading", () => {
    it("weekly-periodic schedules (any day-of-week, day of month unrestricted): the longest gap is the oracle's", () => {
        fc.assert(fc.property(field(MINUTE), field(HOUR), dayStar, field(DOW), (m, h, dom, dow) => {
            const expr = `${m} ${h} ${dom} * ${dow}`;
            assert.equal(maxGapMinutes(expr, "standard"), oracleGap([m, h, dom, "*", dow], 28), expr);
        }), { numRuns: 150 });
    });

    it("calendar schedules (day of month, month, both day fields: robfig's OR when both are restricted): the oracle's gap over nine years", () => {
        fc.assert(fc.property(fc.constantFrom("0", "30", "*/20"), fc.constantFrom("0", "12", "*/8"), field(DOM), fc.oneof(fc.constant("*"), field(MONTH)), fc.oneof(fc.constant("*"), field(DOW)), (m, h, dom, mon, dow) => {
            const expr = `${m} ${h} ${dom} ${mon} ${dow}`;
            assert.equal(maxGapMinutes(expr, "standard"), oracleGap([m, h, dom, mon, dow], 3288), expr);
        }), { numRuns: 40 });
    });

    it("AWS cron(M H ? * D *) is the standard schedule with Sunday = 1, and cron(M H * * ? *) the daily one", () => {
        const awsDow = fc.array(fc.oneof(
            fc.constant("*"),
            fc.integer({ min: 1, max: 7 }).map(String),
            fc.constantFrom("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"),
            fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        ), { minLength: 1, maxLength: 3 }).map((xs) => xs.join(","));
        const toStandard = (d: string) => d.split(",").map((x) => (x === "*" || /[A-Z]/.test(x) ? x : x.split("-").map((n) => String(Number(n) - 1)).join("-"))).join(",");
        fc.assert(fc.property(field(MINUTE), field(HOUR), awsDow, (m, h, d) => {
            assert.equal(maxGapMinutes(`cron(${m} ${h} ? * ${d} *)`, "aws"), maxGapMinutes(`${m} ${h} * * ${toStandard(d)}`, "standard"), `${m} ${h} ${d}`);
            assert.equal(maxGapMinutes(`cron(${m} ${h} * * ? *)`, "aws"), maxGapMinutes(`${m} ${h} * * *`, "standard"));
        }), { numRuns: 80 });
    });

    it("a step of 0, a value out of range, a reversed range, an empty item, a sign, extra hyphens or slashes, an unknown name: no figure", () => {
        const PAST_MAX = ["60", "24", "32", "13", "7"];
        const broken = fc.constantFrom("*/0", "5/0", "1-5/0", "PAST_MAX", "5-2", "", "-5", "1-2-3", "1/2/3", "foo", "*/-1", "1.5", "0x1", "5,", ",5");
        fc.assert(fc.property(fc.tuple(field(MINUTE), field(HOUR), dayStar, fc.constant("*"), field(DOW)), fc.integer({ min: 0, max: 4 }), broken, (fields, at, bad) => {
            const f = [...fields];
            f[at] = bad === "PAST_MAX" ? PAST_MAX[at] : bad;
            const expr = f.join(" ");
            assert.equal(maxGapMinutes(expr, "standard"), undefined, expr);
            if (at < 2) assert.equal(maxGapMinutes(`cron(${f[0]} ${f[1]} ? * * *)`, "aws"), undefined, expr);
        }), { numRuns: 200 });
    });

    it("no input at all gives a zero, negative or fractional RPO (it is undefined or a whole number of minutes >= 1)", () => {
        const cronish = fc.array(fc.constantFrom(..."0123456789*/-,? LW#".split(""), "@every ", "@hourly", "cron(", ")", "SUN", "jan", "TZ=UTC "), { maxLength: 24 }).map((xs) => xs.join(""));
        fc.assert(fc.property(fc.oneof(fc.string(), cronish), (text) => {
            for (const dialect of ["standard", "aws"] as const) {
                const gap = maxGapMinutes(text, dialect);
                assert.ok(gap === undefined || (Number.isInteger(gap) && gap >= 1), `${JSON.stringify(text)} ${dialect}: ${gap}`);
            }
        }), { numRuns: 500 });
    });

    it("spacing between fields and the case of names do not change the figure", () => {
        fc.assert(fc.property(field(MINUTE), field(HOUR), field(DOW), fc.constantFrom(" ", "  ", "\t", " \t "), (m, h, dow, sep) => {
            const expr = `${m} ${h} * * ${dow}`;
            assert.equal(maxGapMinutes(` ${[m, h, "*", "*", dow.toLowerCase()].join(sep)} `, "standard"), maxGapMinutes(expr, "standard"));
        }), { numRuns: 60 });
    });

    it("the schedules the platform and Velero users write", () => {
        const std = (e: string) => cronIntervalMinutes(e);
        assert.deepEqual(["*/5 * * * *", "0 * * * *", "0 3 * * *", "0 6 * * 0", "0 7 1 * *", "0 */3 1 * *", "*/2 * * 1 *"].map(std), [5, 60, 1440, 10080, 44640, 43380, 482402]);
        assert.deepEqual(["@every 5m", "@every 1h30m", "@every 90s", "@every 0s", "@hourly", "@daily", "@weekly", "@monthly", "@yearly"].map(std), [5, 90, 2, 1, 60, 1440, 10080, 44640, 527040]);
        assert.deepEqual(["CRON_TZ=UTC 0 3 * * *", "CRON_TZ=Europe/Paris 0 3 * * *", "TZ=America/New_York */5 * * * *"].map(std), [1440, 1500, 65]);
        assert.deepEqual(["*/0 * * * *", "0 0 30 2 *", "0 0 * * 7", "@every", "@every 5", "@reboot", "0 3 * *", "0 3 * * * *"].map(std), [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
        assert.deepEqual(["cron(0 5 ? * * *)", "cron(0 6 ? * SUN *)", "cron(0/15 * * * ? *)", "cron(0 7 1 * ? *)", "cron(*/10 * ? * * *)"].map(awsCronIntervalMinutes), [1440, 10080, 15, 44640, 10]);
        assert.deepEqual(["rate(1 hour)", "cron(0 5 L * ? *)", "cron(0 5 ? * 6#3 *)", "cron(0 5 15W * ? *)", "cron(0 5 * * * *)", "cron(0 5 ? * ? *)", "cron(0 5 ? * * 2030)", "cron(0 5 ? * 0 *)", "cron(*/0 5 ? * * *)"].map(awsCronIntervalMinutes),
            [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    });
});
