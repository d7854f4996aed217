/** Prometheus durations (`30d`, `1h30m`, `2w`) as seconds, and back to the shortest such string. */
const UNITS: [string, number][] = [["y", 365 * 86400], ["w", 7 * 86400], ["d", 86400], ["h", 3600], ["m", 60], ["s", 1], ["ms", 0.001]];
const FACTOR = Object.fromEntries(UNITS);

export function durationSeconds(text: string): number {
    const parts = [...text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`"${text}" is not a Prometheus duration (e.g. 30d, 12h, 1h30m)`);
    return parts.reduce((sum, p) => sum + Number(p[1]) * FACTOR[p[2]], 0);
}

/** The shortest duration string for whole seconds, in days, hours, minutes and seconds (never weeks or years, so `7d` stays `7d`). */
export function formatDuration(seconds: number): string {
    let rest = Math.round(seconds);
    let out = "";
    for (const [unit, size] of UNITS.filter(([u]) => ["d", "h", "m", "s"].includes(u))) {
        const n = Math.floor(rest / size);
        if (n > 0) out += `${n}${unit}`;
        rest -= n * size;
    }
    return out || "0s";
}
