/**
 * The `platform:resilience` block: the AWS FIS chaos experiments of components/resilience (see
 * docs/runbooks/disaster-recovery.md, "Chaos experiments"). Kept apart from config-schema.ts so the
 * resilience keys read as one block; resilienceProblems holds the checks that need other blocks.
 */
import { z } from "zod";

/** arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>. */
const ALARM_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudwatch:([a-z]{2}(-gov)?-[a-z]+-\d):\d{12}:alarm:.{1,255}$/;

export const resilienceSchema = z.strictObject({
    chaos: z
        .strictObject({
            /** Create the AWS FIS experiment templates, their stop alarms, role and log group. Defaults to false. */
            enabled: z.boolean().default(false),
            /** Zone the zonal experiments hit; one of platform:network.availabilityZones. Defaults to the VPC's first zone. */
            zone: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "must be an AZ name such as eu-west-1a").optional(),
            /** Minutes the network-zone experiment cuts the zone's subnets off. Defaults to 5. */
            networkDisruptionMinutes: z.number().int().min(1).max(60).default(5),
            /** Share of each node group's instances the nodegroup experiment terminates, percent. Defaults to 34 (one zone of three). */
            nodeTerminationPercent: z.number().int().min(1).max(100).default(34),
            /** More CloudWatch alarms (ARNs in aws:region) that stop every experiment, e.g. your services' SLO alarms. Defaults to []. */
            extraStopAlarmArns: z.array(z.string().regex(ALARM_ARN, "must be a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)")).default([]),
        })
        .prefault({}),
});

export type ResilienceSettings = z.infer<typeof resilienceSchema>;

/** Problems between platform:resilience and the rest of the config (the zone must be one of the VPC's, alarms in the stack's region). */
export function resilienceProblems(resilience: ResilienceSettings, availabilityZones: string[] | undefined, region: string): string[] {
    const problems: string[] = [];
    const chaos = resilience.chaos;
    if (chaos.zone !== undefined && !(availabilityZones ?? []).includes(chaos.zone)) {
        problems.push(availabilityZones
            ? `platform:resilience.chaos.zone: ${JSON.stringify(chaos.zone)} is not one of platform:network.availabilityZones (${availabilityZones.join(", ")})`
            : `platform:resilience.chaos.zone: naming a zone needs platform:network.availabilityZones (the zones the VPC uses); set them, or omit the key to use the VPC's first zone`);
    }
    for (const [i, arn] of chaos.extraStopAlarmArns.entries()) {
        const alarmRegion = arn.split(":")[3];
        if (alarmRegion !== region) problems.push(`platform:resilience.chaos.extraStopAlarmArns[${i}]: the alarm is in ${alarmRegion}; FIS stop conditions must be alarms in aws:region ${region}`);
    }
    return problems;
}
