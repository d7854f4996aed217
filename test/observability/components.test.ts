/**
 * Observability components, asserted on the inputs their resources receive in each environment.
 */
import * as assert from "node:assert/strict";
import * as yaml from "js-yaml";
import { TRACE_METRICS_QUERY } from "../../components/observability/grafana";
import { alloyConfig, POSITIONS_HOST_PATH } from "../../components/observability/log-agent";
import { BuiltStack, builtStack } from "../../lib/offline/stack";
import { podinfoSeries, probes } from "../harness/podinfo";
import { runTool } from "../harness/tools";
import { tempDirs } from "../harness/tmp";

const tmp = tempDirs("platform-components-");

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    bucket: "aws:s3/bucket:Bucket",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    domain: "aws:opensearch/domain:Domain",
    secret: "kubernetes:core/v1:Secret",
};
const values = (s: BuiltStack, chart: string) => s.ofType(T.release).find((r) => r.inputs.chart === chart)!.inputs.values;

describe("observability components", () => {
    let dev: BuiltStack;
    let prod: BuiltStack;
    before(async () => {
        dev = await builtStack("dev");
        prod = await builtStack("prod");
    });

    it("Loki buckets are KMS-encrypted, private, versioned, TLS-only and expire after retention + 7 days", () => {
        for (const s of [dev, prod]) {
            const buckets = s.ofType(T.bucket).filter((b) => b.name.startsWith("loki-"));
            assert.deepEqual(buckets.map((b) => b.name).sort(), ["loki-chunks", "loki-ruler"]);
            for (const b of buckets) {
                const kids = s.childrenOf(b.parent!);
                const sse = kids.find((k) => k.type === T.sse)!.inputs.rules[0];
                assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                assert.match(sse.applyServerSideEncryptionByDefault.kmsMasterKeyId, /^arn:aws:kms:/);
                const pab = kids.find((k) => k.type === T.pab)!.inputs;
                assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
                assert.equal(kids.find((k) => k.type === T.versioning)!.inputs.versioningConfiguration.status, "Enabled");
                const deny = JSON.parse(kids.find((k) => k.type === T.policy)!.inputs.policy).Statement[0];
                assert.deepEqual([deny.Effect, deny.Condition.Bool["aws:SecureTransport"]], ["Deny", false]);
                const rule = kids.find((k) => k.type === T.lifecycle)!.inputs.rules[0];
                assert.equal(rule.expiration.days, s.config.observability.loki.retentionDays + 7);
                assert.equal(b.protect, s.config.database.deletionProtection);
            }
            assert.equal(values(s, "loki").loki.limits_config.retention_period, `${s.config.observability.loki.retentionDays * 24}h`);
            assert.equal(values(s, "loki").loki.compactor.retention_enabled, true);
        }
    });

    it("Loki reaches S3 through a Pod Identity role scoped to its buckets and key, with no static keys", () => {
        const assoc = prod.ofType(T.association).find((a) => a.inputs.serviceAccount === "loki")!;
        assert.equal(assoc.inputs.namespace, "observability");
        const policy = JSON.parse(prod.ofType(T.rolePolicy).find((p) => p.parent === assoc.parent)!.inputs.policy);
        const resources = policy.Statement.flatMap((s: any) => [s.Resource].flat());
        assert.ok(resources.every((r: string) => /^arn:aws:s3:::platform-prod-loki-(chunks|ruler)-123456789012(\/\*)?$/.test(r) || /^arn:aws:kms:/.test(r)), resources.join(", "));
        assert.ok(!resources.includes("*"));
        const s3 = values(prod, "loki").loki.storage.s3;
        assert.equal(s3.accessKeyId, undefined);
        assert.equal(s3.secretAccessKey, undefined);
    });

    it("dev runs Loki as one binary, prod scalable with replication factor 3", () => {
        assert.equal(values(dev, "loki").deploymentMode, "Monolithic");
        assert.equal(values(dev, "loki").singleBinary.replicas, 1);
        const p = values(prod, "loki");
        assert.equal(p.deploymentMode, "SimpleScalable");
        assert.deepEqual([p.write.replicas, p.read.replicas, p.backend.replicas, p.loki.commonConfig.replication_factor], [3, 3, 3, 3]);
    });

    it("prod runs 2 Prometheus and 2 Alertmanager replicas on the tainted observability nodes, dev one each", () => {
        const p = values(prod, "kube-prometheus-stack");
        assert.deepEqual([p.prometheus.prometheusSpec.replicas, p.alertmanager.alertmanagerSpec.replicas], [2, 2]);
        assert.deepEqual(p.prometheus.prometheusSpec.nodeSelector, { workload: "observability" });
        assert.deepEqual(p.prometheus.prometheusSpec.tolerations, [{ key: "workload", operator: "Equal", value: "observability", effect: "NoSchedule" }]);
        assert.equal(p.prometheus.prometheusSpec.retention, "30d");
        assert.equal(p.prometheus.prometheusSpec.retentionSize, "170GB");
        assert.equal(p.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "gp3-encrypted");
        assert.equal(p.grafana.enabled, false);
        const d = values(dev, "kube-prometheus-stack");
        assert.deepEqual([d.prometheus.prometheusSpec.replicas, d.alertmanager.alertmanagerSpec.replicas], [1, 1]);
        assert.equal(d.prometheus.prometheusSpec.nodeSelector, undefined);
    });

    it("Alertmanager reads receiver credentials from a Secret built from Pulumi secrets", () => {
        const secret = prod.ofType(T.secret).find((s) => s.inputs.metadata.name === "alertmanager-receivers")!;
        assert.ok(secret.secretPaths.some((p) => p.startsWith("stringData")), `secret paths: ${secret.secretPaths.join(", ")}`);
        assert.deepEqual(values(prod, "kube-prometheus-stack").alertmanager.alertmanagerSpec.secrets, ["alertmanager-receivers"]);
    });

    it("Grafana's admin password is generated, secret, and only referenced by the chart", () => {
        const secret = prod.ofType(T.secret).find((s) => s.inputs.metadata.name === "grafana-admin")!;
        assert.ok(secret.secretPaths.some((p) => p.startsWith("stringData")));
        const g = values(prod, "grafana");
        assert.deepEqual(g.admin, { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        assert.equal(g.persistence.enabled, true);
        assert.equal(g.persistence.size, "20Gi");
    });

    it("Grafana links metrics, logs and traces through fixed datasource uids", () => {
        const ds = values(prod, "grafana").datasources["datasources.yaml"].datasources;
        const by = Object.fromEntries(ds.map((d: any) => [d.uid, d]));
        assert.equal(by.prometheus.url, "http://kps-prometheus.observability.svc.cluster.local:9090");
        assert.equal(by.prometheus.jsonData.exemplarTraceIdDestinations[0].datasourceUid, "jaeger");
        assert.equal(by.loki.jsonData.derivedFields[0].datasourceUid, "jaeger");
        assert.equal(by.jaeger.jsonData.tracesToLogsV2.datasourceUid, "loki");
        assert.equal(by.jaeger.jsonData.tracesToMetrics.datasourceUid, "prometheus");
        assert.equal(by.alertmanager.url, "http://kps-alertmanager.observability.svc.cluster.local:9093");
        assert.ok(new RegExp(by.loki.jsonData.derivedFields[0].matcherRegex).test('level=error trace_id=4bf92f3577b34da6a3ce929d0e0e4736 msg="x"'));
    });

    it("Jaeger stores traces in memory in dev and in a VPC-only, encrypted OpenSearch domain in prod", () => {
        assert.equal(dev.ofType(T.domain).length, 0);
        assert.deepEqual(values(dev, "jaeger").userconfig.extensions.jaeger_storage.backends.main, { memory: { max_traces: 50000 } });
        const d = prod.ofType(T.domain)[0];
        assert.equal(d.protect, true);
        assert.equal(d.inputs.encryptAtRest.enabled, true);
        assert.match(d.inputs.encryptAtRest.kmsKeyId, /^arn:aws:kms:/);
        assert.equal(d.inputs.nodeToNodeEncryption.enabled, true);
        assert.equal(d.inputs.domainEndpointOptions.enforceHttps, true);
        assert.equal(d.inputs.vpcOptions.subnetIds.length, 3);
        assert.equal(d.inputs.clusterConfig.zoneAwarenessConfig.availabilityZoneCount, 3);
        assert.ok(d.secretPaths.some((p) => p.startsWith("advancedSecurityOptions")), `secret paths: ${d.secretPaths.join(", ")}`);
        const backend = values(prod, "jaeger").userconfig.extensions.jaeger_storage.backends.main.opensearch;
        assert.match(backend.server_urls[0], /^https:\/\/vpc-platform-prod-traces-/);
        assert.equal(backend.auth.basic.password, "${env:OPENSEARCH_PASSWORD}");
        assert.equal(values(prod, "jaeger").esIndexCleaner.numberOfDays, 14);
    });

    it("Jaeger keeps every error trace and the configured share of the rest", () => {
        const policies = values(prod, "jaeger").userconfig.processors.tail_sampling.policies;
        assert.deepEqual(policies.map((p: any) => p.type), ["status_code", "probabilistic"]);
        assert.deepEqual(policies[0].status_code.status_codes, ["ERROR"]);
        assert.equal(policies[1].probabilistic.sampling_percentage, 10);
        assert.equal(values(dev, "jaeger").userconfig.processors.tail_sampling.policies[1].probabilistic.sampling_percentage, 100);
    });

    it("Grafana's span links return data for the example app: metrics and logs by the span's service name (promtool evaluates the link's query)", () => {
        const ds = values(prod, "grafana").datasources["datasources.yaml"].datasources;
        const jaeger = ds.find((d: any) => d.uid === "jaeger").jsonData;
        // podinfo's spans carry service.name (its resource); Grafana replaces $__tags with the mapped tags the span has.
        const span: Record<string, string> = { "service.name": "podinfo", "service.version": "6.11.0" };
        const tags = (list: { key: string; value: string }[]) => list.filter((t) => span[t.key]).map((t) => `${t.value}="${span[t.key]}"`).join(", ");
        const query = jaeger.tracesToMetrics.queries[0].query.replace("$$__tags", tags(jaeger.tracesToMetrics.tags));
        const input = podinfoSeries(prod, "podinfo-stable", "podinfo-6f9c7d8b4-aaaaa", "6f9c7d8b4", [...probes(prod), { path: "root", status: "200", perMinute: 60, seconds: 0.004 }]);
        // 60 user requests, 12 probes and 4 scrapes a minute: 1.27 per second.
        const test = { interval: "1m", input_series: input, promql_expr_test: [{ expr: `round(${query}, 0.01)`, eval_time: "10m", exp_samples: [{ labels: "{}", value: 1.27 }] }] };
        const dir = tmp.files({ "r.yaml": "groups: []\n", "t.yaml": yaml.dump({ rule_files: ["r.yaml"], tests: [test] }, { lineWidth: -1 }) });
        const r = runTool("promtool", "prometheus", ["test", "rules", "t.yaml"], dir);
        assert.equal(r.code, 0, r.output);
        assert.equal(query, TRACE_METRICS_QUERY.replace("$__tags", 'container="podinfo"'));
        // Logs: every mapped label is one the log agent sets on its streams.
        const streamLabels = [...alloyConfig("http://loki").matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
        assert.ok(jaeger.tracesToLogsV2.tags.length > 0 && jaeger.tracesToLogsV2.tags.every((t: any) => streamLabels.includes(t.value)), JSON.stringify(jaeger.tracesToLogsV2.tags));
        assert.ok(tags(jaeger.tracesToLogsV2.tags).includes('container="podinfo"'));
    });

    it("the log agent keeps its read positions on the node, so a restarted pod does not re-ship whole files", () => {
        const ds = prod.ofType("kubernetes:apps/v1:DaemonSet").find((d) => d.inputs.metadata.name === "alloy")!.inputs.spec.template.spec;
        const args: string[] = ds.containers[0].args;
        const storage = args.find((a) => a.startsWith("--storage.path="))!.split("=")[1];
        const mount = ds.containers[0].volumeMounts.find((m: any) => storage.startsWith(m.mountPath));
        const volume = ds.volumes.find((v: any) => v.name === mount.name);
        assert.deepEqual(volume.hostPath, { path: POSITIONS_HOST_PATH, type: "DirectoryOrCreate" });
        assert.equal(volume.emptyDir, undefined);
    });

    it("the database dashboard shows the primary's metrics and the DR replica's lag, in the DR region (prod), and no lag panel without DR (dev)", async () => {
        const dash = (s: BuiltStack) => {
            const cm = s.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.inputs.metadata.labels?.grafana_dashboard === "1" && c.inputs.data["platform-database.json"])!;
            return JSON.parse(cm.inputs.data["platform-database.json"]);
        };
        const target = (d: any, title: RegExp) => d.panels.find((p: any) => title.test(p.title))?.targets[0];
        const primary = prod.ofType("aws:rds/instance:Instance").find((r) => !r.inputs.replicateSourceDb)!.inputs.identifier;
        const replica = prod.ofType("aws:rds/instance:Instance").find((r) => r.inputs.replicateSourceDb)!.inputs.identifier;
        assert.deepEqual(target(dash(prod), /^CPU$/).dimensions, { DBInstanceIdentifier: primary });
        const lag = target(dash(prod), /Replica lag/);
        assert.deepEqual([lag.metricName, lag.dimensions, lag.region], ["ReplicaLag", { DBInstanceIdentifier: replica }, prod.config.dr.region]);
        assert.equal(target(dash(dev), /Replica lag/), undefined);
    });

    it("the log agent runs on every node and labels streams with namespace, pod and container only", () => {
        const ds = prod.ofType("kubernetes:apps/v1:DaemonSet").find((d) => d.inputs.metadata.name === "alloy")!;
        assert.equal(ds.inputs.metadata.namespace, "observability-agents");
        assert.deepEqual(ds.inputs.spec.template.spec.tolerations, [{ operator: "Exists" }]);
        assert.match(ds.inputs.spec.template.spec.containers[0].image, /@sha256:[0-9a-f]{64}$/);
        const cfg = alloyConfig("http://loki-gateway.observability.svc.cluster.local");
        const labels = [...cfg.matchAll(/target_label\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
        assert.deepEqual(labels, ["namespace", "pod", "container", "job", "__path__"]);
        assert.match(cfg, /url = "http:\/\/loki-gateway\.observability\.svc\.cluster\.local\/loki\/api\/v1\/push"/);
    });

    it("namespaces carry a LimitRange and a ResourceQuota; node agents get the privileged namespace", () => {
        const ns = prod.ofType("kubernetes:core/v1:Namespace");
        for (const n of ns) {
            const kids = prod.childrenOf(n.parent!).map((k) => k.type);
            assert.ok(kids.includes("kubernetes:core/v1:LimitRange") && kids.includes("kubernetes:core/v1:ResourceQuota"), n.inputs.metadata.name);
        }
        const level = (name: string) => ns.find((n) => n.inputs.metadata.name === name)!.inputs.metadata.labels["pod-security.kubernetes.io/enforce"];
        assert.equal(level("observability"), "restricted");
        assert.equal(level("observability-agents"), "privileged");
        assert.equal(values(prod, "kube-prometheus-stack")["prometheus-node-exporter"].namespaceOverride, "observability-agents");
    });
});
