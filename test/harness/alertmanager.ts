/**
 * The Alertmanager config as the Debian tools can read it, and a real Alertmanager (Debian's
 * prometheus-alertmanager 0.25) started on 127.0.0.1 for a test. Debian's 0.25 predates `url_file`
 * on webhook receivers (0.27; the chart runs 0.34, whose fields are in test/data/metrics/exporters.json),
 * so `forAlertmanager025` gives each webhook a literal URL and points every other `*_file` at a
 * file in the test's directory; nothing else changes.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";

type Config = Record<string, any>;

export function forAlertmanager025(config: Config, dir: string, webhookUrls: Record<string, string> = {}): Config {
    const out = structuredClone(config);
    for (const r of out.receivers ?? []) {
        for (const w of r.webhook_configs ?? []) {
            w.url = webhookUrls[r.name] ?? "https://webhook.invalid/";
            delete w.url_file;
        }
        for (const p of r.pagerduty_configs ?? []) p.routing_key_file = secretFile(dir, "routing-key", "0123456789abcdef0123456789abcdef");
        for (const s of r.slack_configs ?? []) s.api_url_file = secretFile(dir, "slack-url", "https://slack.invalid/hook");
    }
    delete out.templates;
    return out;
}

function secretFile(dir: string, name: string, value: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, value);
    return file;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer().listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        }).on("error", reject);
    });
}

/** An HTTP server on 127.0.0.1 that records every POST body (the dead man's switch's heartbeat endpoint). */
export async function recordingServer(): Promise<{ url: string; bodies: unknown[]; close: () => Promise<void> }> {
    const bodies: unknown[] = [];
    const server = http.createServer((req, res) => {
        let data = "";
        req.on("data", (c) => (data += c)).on("end", () => {
            try { bodies.push(JSON.parse(data)); } catch { bodies.push(data); }
            res.writeHead(200).end("OK");
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as net.AddressInfo).port;
    return { url: `http://127.0.0.1:${port}/ping`, bodies, close: () => new Promise((r) => server.close(() => r())) };
}

export interface RunningAlertmanager { url: string; stop: () => void; post: (alerts: { labels: Record<string, string> }[]) => Promise<void>; alerts: () => Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]> }

export async function startAlertmanager(configFile: string, dir: string): Promise<RunningAlertmanager> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let proc: ChildProcess;
    let log = "";
    try {
        proc = spawn("prometheus-alertmanager", [`--config.file=${configFile}`, `--storage.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
        throw new Error(`prometheus-alertmanager could not start (${(e as Error).message}): install the Debian package prometheus-alertmanager; .ci/run does this`);
    }
    proc.stdout?.on("data", (d) => (log += d));
    proc.stderr?.on("data", (d) => (log += d));
    const exited = new Promise<never>((_, reject) => proc.on("exit", (code) => reject(new Error(`alertmanager exited with ${code}:\n${log}`))).on("error", (e) => reject(new Error(`prometheus-alertmanager: ${e.message} (install the Debian package prometheus-alertmanager)`))));
    const ready = (async () => {
        for (let i = 0; i < 100; i++) {
            try {
                if ((await fetch(`${url}/-/ready`)).ok) return;
            } catch { /* not yet */ }
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`alertmanager did not become ready:\n${log}`);
    })();
    await Promise.race([ready, exited]);
    return {
        url,
        stop: () => proc.kill("SIGTERM"),
        post: async (alerts) => {
            const res = await fetch(`${url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts.map((a) => ({ ...a, startsAt: new Date().toISOString() }))) });
            if (!res.ok) throw new Error(`POST /api/v2/alerts: ${res.status} ${await res.text()}`);
        },
        alerts: async () => (await fetch(`${url}/api/v2/alerts`)).json() as Promise<{ labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[]>,
    };
}

/** Polls `check` until it returns true or `ms` pass. */
export async function eventually(check: () => Promise<boolean>, ms = 10000): Promise<boolean> {
    for (const end = Date.now() + ms; Date.now() < end;) {
        if (await check()) return true;
        await new Promise((r) => setTimeout(r, 200));
    }
    return check();
}
