/**
 * Observability components, asserted on the inputs their resources receive in each environment.
 */
import * as assert from "node:assert/strict";
import { alloyConfig } from "../../components/observability/log-agent";
import { BuiltStack, builtStack } from "../../lib/offline/stack";

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
    before(async () => ([dev, prod] = await Promise.all([builtStack("dev"), builtStack("prod")])));

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
