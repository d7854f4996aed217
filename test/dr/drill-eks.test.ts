/**
 * The drill's cluster check: the EKS token is the presigned STS GetCallerIdentity URL `aws eks
 * get-token` makes (its SigV4 signature recomputed here from the algorithm, independently of the
 * SDK's signer), and the check reads DescribeCluster (stubbed with aws-sdk-client-mock) and the
 * Kubernetes API (a fake GET) the way the API server answers.
 */
import * as assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { DescribeClusterCommand, EKSClient, ResourceNotFoundException } from "@aws-sdk/client-eks";
import { mockClient } from "aws-sdk-client-mock";
import { checkCluster, eksToken, KubeGet } from "../../scripts/dr/eks";
import { activeCluster } from "./drill-fixtures";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n";
const DATE = new Date("2026-12-03T04:20:00Z");

/** SigV4 for a presigned GET with the two signed headers, written from the AWS General Reference's steps. */
function expectedSignature(host: string, query: Record<string, string>, cluster: string, region: string): string {
    const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonicalQuery = Object.keys(query).filter((k) => k !== "X-Amz-Signature").sort().map((k) => `${enc(k)}=${enc(query[k])}`).join("&");
    const canonical = ["GET", "/", canonicalQuery, `host:${host}`, `x-k8s-aws-id:${cluster}`, "", "host;x-k8s-aws-id", createHash("sha256").update("").digest("hex")].join("\n");
    const scope = `20261203/${region}/sts/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", "20261203T042000Z", scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
    const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
    const key = ["eu-central-1", "sts", "aws4_request"].reduce((k, part) => hmac(k, part), hmac(`AWS4${credentials.secretAccessKey}`, "20261203"));
    return createHmac("sha256", key).update(toSign).digest("hex");
}

describe("DR drill: EKS token", () => {
    it("is k8s-aws-v1. + base64url of a presigned regional STS GetCallerIdentity URL naming the cluster, valid 60 s", async () => {
        const eks = new EKSClient({ region: "eu-central-1", credentials });
        const token = await eksToken("platform-staging-dr-eks", "eu-central-1", eks.config.credentials, eks.config.sha256, DATE);
        assert.match(token, /^k8s-aws-v1\.[A-Za-z0-9_-]+$/, "base64url without padding");
        const url = new URL(Buffer.from(token.slice("k8s-aws-v1.".length), "base64url").toString());
        assert.equal(url.origin, "https://sts.eu-central-1.amazonaws.com");
        const q = Object.fromEntries(url.searchParams);
        assert.deepEqual([q.Action, q.Version, q["X-Amz-Algorithm"], q["X-Amz-Expires"], q["X-Amz-SignedHeaders"], q["X-Amz-Date"], q["X-Amz-Security-Token"]],
            ["GetCallerIdentity", "2011-06-15", "AWS4-HMAC-SHA256", "60", "host;x-k8s-aws-id", "20261203T042000Z", credentials.sessionToken]);
        assert.equal(q["X-Amz-Credential"], "AKIDEXAMPLE/20261203/eu-central-1/sts/aws4_request");
        assert.equal(q["X-Amz-Signature"], expectedSignature(url.host, q, "platform-staging-dr-eks", "eu-central-1"));
        // Another cluster name signs differently (the name is a signed header, so a token cannot be replayed on another cluster).
        const other = await eksToken("platform-prod-dr-eks", "eu-central-1", eks.config.credentials, eks.config.sha256, DATE);
        assert.notEqual(new URL(Buffer.from(other.slice(11), "base64url").toString()).searchParams.get("X-Amz-Signature"), q["X-Amz-Signature"]);
    });
});

describe("DR drill: cluster check", () => {
    const eks = new EKSClient({ region: "eu-central-1", credentials });
    const stub = mockClient(eks);
    const coredns = [{ namespace: "kube-system", kind: "Deployment" as const, name: "coredns" }];
    afterEach(() => stub.reset());

    const api = (answers: Record<string, { status: number; body: unknown }>, seen: { url: string; ca: string; token: string }[]): KubeGet => async (url, ca, token) => {
        seen.push({ url, ca, token });
        const path = new URL(url).pathname;
        const a = answers[path] ?? { status: 404, body: { kind: "Status", status: "Failure", reason: "NotFound", code: 404 } };
        return { status: a.status, body: typeof a.body === "string" ? a.body : JSON.stringify(a.body) };
    };

    it("passes an ACTIVE cluster whose API server is ready and whose workloads are available, with the cluster's CA and a token", async () => {
        stub.on(DescribeClusterCommand, { name: "platform-staging-dr-eks" }).resolves(activeCluster("platform-staging-dr-eks", CA));
        const seen: { url: string; ca: string; token: string }[] = [];
        const r = await checkCluster(eks, "platform-staging-dr-eks", coredns, 10_000, api({
            "/readyz": { status: 200, body: "ok" },
            "/apis/apps/v1/namespaces/kube-system/deployments/coredns": { status: 200, body: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "coredns", namespace: "kube-system" }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2 } } },
        }, seen), DATE);
        assert.deepEqual(r, { ok: true, details: ["cluster platform-staging-dr-eks ACTIVE (Kubernetes 1.35)", "API server /readyz ok", "Deployment kube-system/coredns: 2/2 available"] });
        assert.deepEqual(seen.map((s) => s.url), ["https://A95FBC180B680B58A6468EF929D8F7A3.gr7.eu-central-1.eks.amazonaws.com/readyz", "https://A95FBC180B680B58A6468EF929D8F7A3.gr7.eu-central-1.eks.amazonaws.com/apis/apps/v1/namespaces/kube-system/deployments/coredns"]);
        assert.ok(seen.every((s) => s.ca === CA && s.token.startsWith("k8s-aws-v1.")));
    });

    it("fails a cluster that is not ACTIVE, an API server that is not ready, a denied role and an unavailable workload", async () => {
        const broken = activeCluster("c", CA);
        broken.cluster!.status = "CREATING";
        stub.on(DescribeClusterCommand).resolvesOnce(broken).resolves(activeCluster("c", CA));
        assert.deepEqual(await checkCluster(eks, "c", coredns, 10_000, api({}, [])), { ok: false, details: ["cluster c is CREATING"] });
        const notReady = await checkCluster(eks, "c", coredns, 10_000, api({ "/readyz": { status: 500, body: "[-]etcd failed: reason withheld" } }, []));
        assert.match(notReady.details.at(-1)!, /\/readyz answered 500/);
        const denied = await checkCluster(eks, "c", coredns, 10_000, api({ "/readyz": { status: 200, body: "ok" }, "/apis/apps/v1/namespaces/kube-system/deployments/coredns": { status: 403, body: { kind: "Status", reason: "Forbidden", code: 403 } } }, []));
        assert.equal(denied.ok, false);
        assert.match(denied.details.at(-1)!, /answered 403 \(no access entry for this role\?\)/);
        const down = await checkCluster(eks, "c", coredns, 10_000, api({ "/readyz": { status: 200, body: "ok" }, "/apis/apps/v1/namespaces/kube-system/deployments/coredns": { status: 200, body: { spec: { replicas: 2 }, status: { replicas: 2, unavailableReplicas: 2 } } } }, []));
        assert.deepEqual([down.ok, down.details.at(-1)], [false, "Deployment kube-system/coredns: 0/2 available (not ready)"]);
    });

    it("lets DescribeCluster's not-found error through (the standby does not exist)", async () => {
        stub.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: "No cluster found for name: c.", $metadata: { httpStatusCode: 404 } }));
        await assert.rejects(checkCluster(eks, "c", coredns, 10_000, api({}, [])), /No cluster found for name: c\./);
    });
});
