/**
 * The drill's cluster smoke check, through the EKS API and the Kubernetes API of the standby
 * cluster: the cluster is ACTIVE, its API server answers /readyz, and each workload the outputs
 * name is available. Authentication as `aws eks get-token` does it: a presigned STS
 * GetCallerIdentity URL carrying the cluster name (header x-k8s-aws-id), base64url-encoded after
 * `k8s-aws-v1.`; the cluster maps the caller's role through its access entries.
 */
import * as https from "node:https";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { SignatureV4 } from "@smithy/signature-v4";
import { workloadReady } from "./decide";

type SignerConfig = ConstructorParameters<typeof SignatureV4>[0];

function stsHost(region: string): string {
    return `sts.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** A bearer token for the cluster's API server, valid 60 s from signingDate (the EKS maximum is 15 min). */
export async function eksToken(clusterName: string, region: string, credentials: SignerConfig["credentials"], sha256: SignerConfig["sha256"], signingDate = new Date()): Promise<string> {
    const host = stsHost(region);
    const signer = new SignatureV4({ credentials, region, service: "sts", sha256 });
    const signed = await signer.presign({
        method: "GET", protocol: "https:", hostname: host, path: "/",
        query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
        headers: { host, "x-k8s-aws-id": clusterName },
    }, { expiresIn: 60, signingDate });
    const query = Object.entries(signed.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    return `k8s-aws-v1.${Buffer.from(`https://${host}/?${query}`).toString("base64url")}`;
}

export interface KubeResponse { status: number; body: string }
export type KubeGet = (url: string, ca: string, token: string, timeoutMs: number) => Promise<KubeResponse>;

/** GET on the API server, verifying its certificate against the cluster's CA. */
export const KUBE_GET: KubeGet = (url, ca, token, timeoutMs) => new Promise((resolve, reject) => {
    const req = https.request(url, { method: "GET", ca, headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, timeout: timeoutMs }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => { body += chunk; });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
});

const API_PATHS = { Deployment: "deployments", StatefulSet: "statefulsets", DaemonSet: "daemonsets" } as const;

export interface Workload { namespace: string; kind: keyof typeof API_PATHS; name: string }

/** The cluster check; `ok` only when every part passed, `details` says what each found. */
export async function checkCluster(eks: EKSClient, clusterName: string, workloads: Workload[], timeoutMs: number, get: KubeGet = KUBE_GET, signingDate?: Date): Promise<{ ok: boolean; details: string[] }> {
    const details: string[] = [];
    const cluster = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    if (cluster?.status !== "ACTIVE" || !cluster.endpoint || !cluster.certificateAuthority?.data) {
        return { ok: false, details: [`cluster ${clusterName} is ${cluster?.status ?? "not found"}${cluster?.endpoint ? "" : " (no endpoint)"}`] };
    }
    details.push(`cluster ${clusterName} ACTIVE (Kubernetes ${cluster.version ?? "?"})`);
    const region = await eks.config.region();
    const token = await eksToken(clusterName, region, eks.config.credentials, eks.config.sha256, signingDate);
    const ca = Buffer.from(cluster.certificateAuthority.data, "base64").toString("utf8");
    const ready = await get(`${cluster.endpoint}/readyz`, ca, token, timeoutMs);
    if (ready.status !== 200) return { ok: false, details: [...details, `API server /readyz answered ${ready.status}: ${ready.body.slice(0, 200)}`] };
    details.push("API server /readyz ok");
    let ok = true;
    for (const w of workloads) {
        const path = `/apis/apps/v1/namespaces/${encodeURIComponent(w.namespace)}/${API_PATHS[w.kind]}/${encodeURIComponent(w.name)}`;
        const r = await get(`${cluster.endpoint}${path}`, ca, token, timeoutMs);
        if (r.status !== 200) {
            ok = false;
            details.push(`${w.kind} ${w.namespace}/${w.name}: the API answered ${r.status}${r.status === 401 || r.status === 403 ? " (no access entry for this role?)" : ""}`);
            continue;
        }
        const state = workloadReady(w.kind, JSON.parse(r.body));
        ok &&= state.ready;
        details.push(`${w.kind} ${w.namespace}/${w.name}: ${state.detail}${state.ready ? "" : " (not ready)"}`);
    }
    return { ok, details };
}
