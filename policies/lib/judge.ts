/**
 * Judging one subject of a stack policy (a bucket, a vault, a namespace, a release) with its own
 * reads: a finding depends on the unknown values read while judging that subject, not on every
 * unknown the policy met elsewhere in the stack, and an opaque value read for it fails it closed.
 */
import { isEmpty, opaqueSentence, withReads } from "./unknown";
import type { PolicyResource, StackFinding, Verdict } from "./types";

export type { Verdict };

/** Runs `check` in its own read scope: its verdicts with the unknowns it read, "cannot decide" if it found nothing but read one, and a fail-closed verdict for what it could not read. */
function scopedVerdicts(check: () => Verdict[]): { message: string; undecided?: string[] }[] {
    let failure: { error: unknown } | undefined;
    const { value, reads } = withReads(() => {
        try {
            return check();
        } catch (error) {
            failure = { error };
            return [];
        }
    });
    // A check that fails on a value it could not judge (reading into an unknown list) has decided nothing; any other failure is a bug.
    if (failure && isEmpty(reads)) throw failure.error;
    const read = [...reads.unknown];
    const out: { message: string; undecided?: string[] }[] = value.map((v) => {
        const message = typeof v === "string" ? v : v.message;
        const undecided = [...new Set([...read, ...(typeof v === "string" ? [] : v.undecided)])].sort();
        return undecided.length ? { message, undecided } : { message };
    });
    if (value.length === 0 && read.length) out.push({ message: "", undecided: read.sort() });
    if (reads.opaque.size) out.push({ message: opaqueSentence(reads.opaque) });
    return out;
}

/** Runs `check` for `resource` of a stack policy in its own read scope and turns its verdicts and reads into findings. */
export function judgeSubject(resource: PolicyResource | undefined, check: () => Verdict[]): StackFinding[] {
    return scopedVerdicts(check).map((v) => ({ resource, ...v }));
}

/**
 * A resource policy's independent checks, each in its own read scope: a finding depends on the
 * unknowns its own check read (the encryption key's ARN), not on every unknown the policy met, so
 * a public instance is refused in the first preview while its key's ARN is still unknown.
 */
export function eachCheck(...checks: (() => string[])[]): Verdict[] {
    return checks.flatMap((c) => scopedVerdicts(c).map((v): Verdict => (v.undecided ? { message: v.message, undecided: v.undecided } : v.message)));
}
