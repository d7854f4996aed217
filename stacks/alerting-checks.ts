/**
 * Cross-field checks of alerting config, one rule each (a rule that reads a value that failed its
 * schema is skipped): every receiver's secret is set; the dead man's switch has its heartbeat URL
 * (an https URL, never echoed) and is not turned off while a receiver pages; and Prometheus keeps at
 * least the 3 days of data the SLO burn-rate alerts read.
 */
import { durationSeconds } from "../components/observability/alerts/durations";
import type { PlatformSettings } from "./config-schema";

export function alertingRules(cfg: PlatformSettings, secrets: Record<string, string>, namespace: string, problems: string[]): (() => void)[] {
    const setIt = (key: string) => `set it with: pulumi config set --secret ${namespace}:${key} <value>`;
    return [
        () => cfg.alerting.receivers.forEach((r, i) => {
            if (!secrets[r.urlSecret]) problems.push(`platform:alerting.receivers[${i}].urlSecret: secret ${namespace}:${r.urlSecret} is not set; ${setIt(r.urlSecret)}`);
        }),
        () => {
            const dms = cfg.alerting.deadMansSwitch;
            if (dms.enabled) {
                const url = secrets[dms.urlSecret];
                if (!url) {
                    problems.push(`platform:alerting.deadMansSwitch.urlSecret: secret ${namespace}:${dms.urlSecret} is not set: the heartbeat URL Alertmanager posts the Watchdog alert to every minute, which pages you when it stops (a free healthchecks.io check or a self-hosted Healthchecks works: create a check with a 1-minute period and use its ping URL); ${setIt(dms.urlSecret)}; or set platform:alerting.deadMansSwitch.enabled to false where nobody is paged`);
                } else if (!/^https:\/\/[^\s/]+\/\S*$/.test(url)) {
                    problems.push(`platform:alerting.deadMansSwitch.urlSecret: secret ${namespace}:${dms.urlSecret} is not an https URL (such as https://hc-ping.com/<uuid>)`);
                }
                return;
            }
            const paging = cfg.alerting.receivers.filter((r) => r.severities.includes("critical")).map((r) => r.name);
            if (paging.length > 0) problems.push(`platform:alerting.deadMansSwitch.enabled: false is refused while receivers take critical alerts (${paging.join(", ")}): a dead Prometheus or Alertmanager would page nobody`);
        },
        () => {
            const retention = cfg.observability.prometheus.retention;
            if (durationSeconds(retention) < 3 * 86400) {
                problems.push(`platform:observability.prometheus.retention: ${retention} is shorter than 3d, the longest window the SLO burn-rate alerts read; keep at least 3d`);
            }
        },
    ];
}
