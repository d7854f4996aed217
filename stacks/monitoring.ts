/**
 * What watches the components built after Observability: alert rules for Argo Rollouts and Velero's
 * schedules, the database dashboard (with the DR replica's lag in its region), and CloudWatch alarms
 * for RDS and OpenSearch delivered to the same receivers as Alertmanager's.
 */
import * as pulumi from "@pulumi/pulumi";
import { Postgres } from "../components/database/postgres";
import { DisasterRecovery } from "../components/dr/disaster-recovery";
import { Velero } from "../components/backup/velero";
import { Observability } from "../components/observability";
import { rolloutsRuleGroup, veleroRuleGroup } from "../components/observability/alerts/services";
import { AlarmDelivery, CloudWatchAlarms } from "../components/observability/cloudwatch";
import { PlatformContext } from "../components/shared/naming";
import { PlatformConfig } from "./config";

/** Velero's schedule whose age is the cluster-state RPO of the DR region (components/backup/velero.ts). */
const DR_SCHEDULE = "dr-objects";

export interface WatchedParts {
    ctx: PlatformContext;
    accountId: pulumi.Input<string>;
    observability: Observability;
    database: Postgres;
    velero: Velero;
    dr?: DisasterRecovery;
    rollouts: boolean;
}

export function watchPlatform(cfg: PlatformConfig, p: WatchedParts): void {
    const base = cfg.observability.runbookBaseUrl;
    if (p.rollouts) p.observability.alerts.add("delivery-alerts", [rolloutsRuleGroup(base)]);
    const schedules = Object.entries(p.velero.schedules).map(([name, cron]) => ({ name, cron, critical: name === DR_SCHEDULE }));
    if (schedules.length > 0) p.observability.alerts.add("backup-alerts", [veleroRuleGroup(base, schedules)]);

    // Failover changes nothing in the primary region (it may be down): the dashboard and the delivery stay as they are;
    // only the replica's lag alarm, in the DR region, goes (a promoted instance has no lag).
    const drDatabase = p.dr?.databaseIdentifier;
    const dr = p.dr && drDatabase && { instanceIdentifier: drDatabase, region: cfg.dr.region!, provider: p.dr.provider };
    p.observability.addDatabaseDashboard(p.database.instanceIdentifier, dr);
    const replica = cfg.dr.failover ? undefined : dr;
    const os = p.observability.jaeger.opensearchDomain;
    new CloudWatchAlarms("cloudwatch-alarms", {
        ctx: p.ctx,
        database: { instanceIdentifier: p.database.instanceIdentifier, allocatedStorageGiB: cfg.database.allocatedStorageGiB },
        replica: replica && { ...replica, maxLagSeconds: Math.max(60, cfg.dr.targets.database.rpoMinutes * 60) },
        openSearch: os && { domainName: os.domainName, accountId: p.accountId, volumeGiB: os.volumeGiB },
    });
    if (cfg.alerting.receivers.length > 0) {
        new AlarmDelivery("alarm-delivery", {
            ctx: p.ctx,
            accountId: p.accountId,
            receivers: cfg.alerting.receivers.map((r) => ({ name: r.name, type: r.type, severities: r.severities, credential: pulumi.secret(cfg.secrets[r.urlSecret]) })),
            regions: [{ region: cfg.region }, ...(dr ? [{ region: dr.region, provider: dr.provider }] : [])],
        });
    }
}
