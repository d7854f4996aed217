/**
 * Every alert and recording rule the stacks deploy, unit-tested with promtool on series shaped as the
 * pinned exporters produce them: the test files are generated from the deployed PrometheusRules and
 * the cases in test/observability/cases/ (test/harness/rule-tests.ts), and a rule without a firing
 * and a quiet case (or a record without a value check) fails the suite. Every metric and label a rule
 * reads must be one the exporter writes (test/data/metrics/exporters.json) or the scrape adds.
 */
import * as assert from "node:assert/strict";
import type { RuleGroup } from "../../components/observability/alerts/types";
import { STACKS } from "../../lib/offline/stack";
import { tempDirs } from "../harness/tmp";
import { casesFor, deployedGroups, labelProblems, promtoolFiles, runPromtoolTests } from "../harness/rule-tests";

const tmp = tempDirs("platform-rules-");
const run = (files: Record<string, string>) => runPromtoolTests(files, (f) => tmp.files(f));

describe("rule unit tests (promtool, generated from the deployed rules)", () => {
    const groups: Record<string, RuleGroup[]> = {};
    before(async () => {
        for (const stack of STACKS) groups[stack] = await deployedGroups(stack);
    });

    /** What the platform runs, and the alerts that watch it (each must be deployed, so its cases run). */
    const WATCHED: Record<string, string[]> = {
        "Kubernetes workloads": ["PodCrashLooping", "ContainerOOMKilled", "PodNotReady", "KubeJobFailed"],
        "the alerting pipeline": ["Watchdog", "AlertmanagerFailedToSendAlerts", "PrometheusNotConnectedToAlertmanagers"],
        "Loki and its agent": ["LokiRequestErrors", "LokiCompactorNotRunning", "LokiDiscardingLogs", "AlloyDroppingLogs"],
        "the Jaeger collector": ["JaegerExportFailures", "JaegerSpansRefused"],
        "Velero": ["VeleroBackupFailed", "VeleroBackupTooOld"],
        "Argo Rollouts": ["RolloutDegraded", "RolloutPausedTooLong"],
    };
    for (const stack of STACKS) {
        it(`${stack}: alerts watch everything the platform runs`, () => {
            const deployed = new Set(groups[stack].flatMap((g) => g.rules).map((r) => ("alert" in r ? r.alert : "")));
            const missing = Object.entries(WATCHED).flatMap(([what, alerts]) => alerts.filter((a) => !deployed.has(a)).map((a) => `${what}: ${a}`));
            assert.deepEqual(missing, []);
        });
        it(`${stack}: every alert has a firing and a quiet case, every record a value check`, () => {
            assert.deepEqual(casesFor(groups[stack]).missing, []);
        });
        it(`${stack}: every metric and label the rules read is one the pinned exporters write or the scrape adds`, () => {
            assert.deepEqual(labelProblems(groups[stack]), []);
        });
    }

    it("promtool test rules passes every case of every stack (a case shared by stacks runs once)", function () {
        // About 4 s of promtool CPU for 83 unique cases; the wall time grows with the machine's load.
        this.timeout(240000);
        const files: Record<string, string> = {};
        let count = 0;
        for (const stack of STACKS) {
            const { cases } = casesFor(groups[stack]);
            assert.ok(cases.length >= 40, `${stack}: ${cases.length} cases`);
            count += cases.length;
            Object.assign(files, promtoolFiles(groups[stack], cases));
        }
        const r = run(files);
        assert.equal(r.code, 0, r.output);
        assert.match(r.output, /SUCCESS/);
        assert.ok(Object.keys(files).filter((f) => f.startsWith("case-")).length < count, "shared cases run once");
    });

    it("a rule without cases is reported, and an alert expected to fire that does not fails promtool (the checks can fail)", () => {
        const g: RuleGroup = { name: "x", rules: [{ alert: "NoSuchCases", expr: "vector(1)", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: "u" } }] };
        assert.deepEqual(casesFor([g]).missing, [
            "alert NoSuchCases: no cases (add them to test/observability/cases/)",
            'alert NoSuchCases {"severity":"warning"}: no case where it fires',
            'alert NoSuchCases {"severity":"warning"}: no case where it stays quiet',
        ]);
        const quiet: RuleGroup = { name: "y", rules: [{ alert: "PodCrashLooping", expr: "vector(1) == 0", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: "u" } }] };
        const r = run(promtoolFiles([quiet], casesFor([quiet]).cases));
        assert.notEqual(r.code, 0);
        assert.deepEqual(labelProblems([{ name: "z", rules: [{ record: "r", expr: 'sum by (nodename) (kube_pod_status_ready{ready="true"})' }] }]), [
            "r: kube_pod_status_ready has no label ready (it has pod, namespace, condition, uid, job, service, container, endpoint, instance)",
            "r: groups or matches on nodename, which none of its series has",
        ]);
    });
});
