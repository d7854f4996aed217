/**
 * Cron grammars, read exactly, for the one figure recovery needs: the longest time between two runs
 * of a schedule (the RPO a periodic copy gives). Anything the grammar refuses, or that this reader
 * does not model, gives `undefined`: no claim, so the store counts as not recoverable rather than
 * recoverable with an invented figure (a `*\/0` step is an error, never "every 0 minutes").
 *
 * - `standard`: what Velero schedules use (robfig/cron v3 `ParseStandard`): five fields
 *   (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week 0-6 or SUN-SAT),
 *   items `*`, `?`, `N`, `N-M`, each optionally `/step` (step >= 1; `N/step` means `N-max/step`),
 *   joined by commas; the descriptors `@yearly` `@annually` `@monthly` `@weekly` `@daily`
 *   `@midnight` `@hourly` and `@every <Go duration>` (exact, as robfig compares them); an optional
 *   `TZ=` / `CRON_TZ=` prefix naming a zone `time.LoadLocation` knows (else refused). Day of
 *   month and day of week: when either is `*` or `?` (without a step above 1) both must match,
 *   otherwise either may (robfig's rule).
 * - `aws`: AWS Backup and EventBridge `cron(Minutes Hours Day-of-month Month Day-of-week Year)`:
 *   day of week 1-7 is SUN-SAT, exactly one of the two day fields is `?`, and the `L`, `W` and `#`
 *   forms and a restricted year are not modelled (undefined).
 *
 * The gap is computed over nine calendar years (2024-2032, leap days included) in UTC; a schedule in
 * another time zone gets 60 minutes added for a daylight-saving shift (not `@every`: a constant delay).
 */

type Dialect = "standard" | "aws";

interface Bounds { min: number; max: number; names?: Record<string, number> }

const MONTH_NAMES = Object.fromEntries(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map((n, i) => [n, i + 1]));
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const STANDARD_FIELDS: Bounds[] = [
    { min: 0, max: 59 },
    { min: 0, max: 23 },
    { min: 1, max: 31 },
    { min: 1, max: 12, names: MONTH_NAMES },
    { min: 0, max: 6, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])) },
];
const AWS_FIELDS: Bounds[] = [
    STANDARD_FIELDS[0],
    STANDARD_FIELDS[1],
    STANDARD_FIELDS[2],
    STANDARD_FIELDS[3],
    { min: 1, max: 7, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i + 1])) },
];

/** A parsed field: the values it allows and whether it was unrestricted (`*`/`?`, robfig's star bit). */
interface Field { values: Set<number>; star: boolean }

/** A schedule as sets: minutes, hours, days of month, months, days of week (0 = Sunday). */
export interface CronSchedule {
    minutes: number[];
    hours: number[];
    daysOfMonth: Set<number>;
    months: Set<number>;
    daysOfWeek: Set<number>;
    /** Day of month OR day of week (robfig, when both are restricted), instead of AND. */
    dayOr: boolean;
    /** Not UTC: a daylight-saving change can stretch one gap by an hour. */
    zoned: boolean;
}

/** What Go's strconv.Atoi accepts and robfig's mustParseInt keeps (no minus: "negative number not allowed"). */
const INT = /^\+?\d+$/;

function value(text: string, b: Bounds): number | undefined {
    const lower = text.toLowerCase();
    if (b.names && Object.hasOwn(b.names, lower)) return b.names[lower];
    return INT.test(text) ? Number(text) : undefined;
}

/** One comma-separated item; undefined when the grammar refuses it. */
function item(text: string, b: Bounds, dialect: Dialect): Field | undefined {
    const parts = text.split("/");
    if (parts.length > 2) return undefined;
    const [range, stepText] = parts;
    const bounds = range.split("-");
    let start: number | undefined;
    let end: number | undefined;
    let star = false;
    if (range === "*" || (range === "?" && dialect === "standard")) {
        [start, end, star] = [b.min, b.max, true];
    } else {
        if (bounds.length > 2) return undefined;
        start = value(bounds[0], b);
        end = bounds.length === 2 ? value(bounds[1], b) : start;
    }
    let step = 1;
    if (stepText !== undefined) {
        if (!INT.test(stepText)) return undefined;
        step = Number(stepText);
        if (bounds.length === 1 && !star) end = b.max; // "N/step" means "N-max/step"
        if (step > 1) star = false;
    }
    if (start === undefined || end === undefined || start < b.min || end > b.max || start > end || step < 1) return undefined;
    const values = new Set<number>();
    for (let v = start; v <= end; v += step) values.add(v);
    return { values, star };
}

function field(text: string, b: Bounds, dialect: Dialect): Field | undefined {
    const out: Field = { values: new Set(), star: false };
    for (const part of text.split(",")) {
        const f = item(part, b, dialect);
        if (!f) return undefined;
        f.values.forEach((v) => out.values.add(v));
        out.star ||= f.star;
    }
    return out;
}

const DESCRIPTORS: Record<string, string> = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};

/** A Go duration (`1h30m`, `90s`, `1.5h`) in seconds; undefined when Go's time.ParseDuration would refuse it. */
function goDurationSeconds(text: string): number | undefined {
    const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, "μs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    const sign = text.startsWith("-") ? -1 : 1;
    text = text.replace(/^[-+]/, "");
    if (text === "0") return 0;
    const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
    let total = 0;
    let at = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        total += Number(m[1]) * unit[m[2]];
        at = re.lastIndex;
    }
    return at === text.length && at > 0 ? sign * total : undefined;
}

/** Parses five fields (after descriptors and the time-zone prefix; AWS's `?` day field already read as `*`). */
function parseFields(fields: string[], dialect: Dialect, zoned: boolean): CronSchedule | undefined {
    const bounds = dialect === "aws" ? AWS_FIELDS : STANDARD_FIELDS;
    const parsed: Field[] = [];
    for (let i = 0; i < 5; i++) {
        const f = field(fields[i], bounds[i], dialect);
        if (!f) return undefined;
        parsed.push(f);
    }
    const [min, hour, dom, month, dow] = parsed;
    const daysOfWeek = new Set([...dow.values].map((d) => (dialect === "aws" ? d - 1 : d)));
    return {
        minutes: [...min.values].sort((a, b) => a - b),
        hours: [...hour.values].sort((a, b) => a - b),
        daysOfMonth: dom.values,
        months: month.values,
        daysOfWeek,
        // AWS: one day field is always `?` (read as `*`), so this is robfig's rule in both dialects.
        dayOr: !dom.star && !dow.star,
        zoned,
    };
}

/** AWS `cron(M H DOM MON DOW YEAR)`: exactly one day field `?`, the year `*` (L, W and # fail as unknown values). */
function parseAws(text: string): CronSchedule | undefined {
    const m = /^cron\((.*)\)$/s.exec(text.trim());
    if (!m) return undefined;
    const fields = m[1].trim().split(/\s+/);
    if (fields.length !== 6) return undefined;
    const [minute, hour, dom, month, dow, year] = fields;
    if (year !== "*" || (dom === "?") === (dow === "?")) return undefined;
    return parseFields([minute, hour, dom === "?" ? "*" : dom, month, dow === "?" ? "*" : dow], "aws", false);
}

/** Zone names Go's time.LoadLocation reads as UTC or as a fixed zero offset (IANA's Etc zones and their links); "" is UTC too. */
const UTC_ZONES = new Set(["", "UTC", "Etc/UTC", "UCT", "Etc/UCT", "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "GMT+0", "Etc/GMT+0", "GMT-0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"]);

/** A zone robfig's time.LoadLocation would load (an IANA name; `Local` is the Velero pod's zone). */
function knownZone(name: string): boolean {
    if (UTC_ZONES.has(name) || name === "Local") return true;
    try {
        new Intl.DateTimeFormat("en", { timeZone: name });
    } catch {
        return false;
    }
    return true;
}

/**
 * Parses a schedule; `undefined` when the grammar refuses it or it uses a form not modelled here.
 * Standard schedules are read as robfig's Parse reads them: a `TZ=`/`CRON_TZ=` prefix up to the
 * first space names an IANA zone; descriptors are exact (`@daily`, not `@Daily`; `@every ` with one
 * space); five fields split on any whitespace.
 */
export function parseCron(expression: string, dialect: Dialect): CronSchedule | { everySeconds: number } | undefined {
    if (dialect === "aws") return parseAws(expression);
    let text = expression;
    let zoned = false;
    if (text.startsWith("TZ=") || text.startsWith("CRON_TZ=")) {
        // Without a space there is nothing after the zone: the fields below are then empty and refused.
        const [prefix, ...rest] = text.split(" ");
        const zone = prefix.slice(prefix.indexOf("=") + 1);
        if (!knownZone(zone)) return undefined;
        zoned = !UTC_ZONES.has(zone);
        text = rest.join(" ").trim();
    }
    if (text.startsWith("@")) {
        if (text.startsWith("@every ")) {
            const seconds = goDurationSeconds(text.slice("@every ".length));
            // robfig runs every max(1 s, d), rounded down to whole seconds (a zero or negative duration is one second).
            return seconds === undefined ? undefined : { everySeconds: Math.max(1, Math.floor(seconds)) };
        }
        const d = DESCRIPTORS[text];
        return d ? parseFields(d.split(" "), dialect, zoned) : undefined;
    }
    const fields = text.trim().split(/\s+/);
    return fields.length === 5 ? parseFields(fields, dialect, zoned) : undefined;
}

const DAY_MS = 86_400_000;
/** 2024-01-01 .. 2032-12-31: two leap cycles and every weekday/date combination of a month. */
const FIRST_DAY = Date.UTC(2024, 0, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2032, 11, 31) / DAY_MS;

function dayMatches(s: CronSchedule, day: number): boolean {
    const d = new Date(day * DAY_MS);
    if (!s.months.has(d.getUTCMonth() + 1)) return false;
    const dom = s.daysOfMonth.has(d.getUTCDate());
    const dow = s.daysOfWeek.has(d.getUTCDay());
    return s.dayOr ? dom || dow : dom && dow;
}

/**
 * The longest time between two consecutive runs, in minutes (rounded up), or undefined when the
 * schedule is refused, not modelled, or runs fewer than twice in nine years.
 */
export function maxGapMinutes(expression: string, dialect: Dialect): number | undefined {
    const s = parseCron(expression, dialect);
    if (!s) return undefined;
    // A constant delay (@every) does not follow the wall clock: no daylight-saving shift.
    if ("everySeconds" in s) return Math.ceil(s.everySeconds / 60);
    const dst = s.zoned ? 60 : 0;
    const inDay = s.hours.flatMap((h) => s.minutes.map((m) => h * 60 + m));
    let worst = 0;
    for (let i = 1; i < inDay.length; i++) worst = Math.max(worst, inDay[i] - inDay[i - 1]);
    let previous: number | undefined;
    let days = 0;
    // Stryker disable next-line EqualityOperator: the gap ending on 2032-12-31 is also in the window earlier (March to December 2027 has the same dates and weekdays; a pure date schedule repeats from leap year 2028), so leaving out the last day changes no figure
    for (let day = FIRST_DAY; day <= LAST_DAY; day++) {
        if (!dayMatches(s, day)) continue;
        if (previous !== undefined) worst = Math.max(worst, (day - previous) * 1440 - (inDay[inDay.length - 1] - inDay[0]));
        previous = day;
        days++;
    }
    // Stryker disable next-line EqualityOperator: no schedule runs exactly twice in the nine years (a day set is yearly, weekly, or February 29th's three), so < 2 and <= 2 agree
    return days < 2 ? undefined : worst + dst;
}
