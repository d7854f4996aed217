/**
 * The drill's database smoke check: a TLS connection (certificate verified against the RDS CA
 * bundle of the region, as `rds.force_ssl` and `sslmode=verify-full` need) with the master
 * credential from the DR region, and `SELECT 1`.
 */
import * as fs from "node:fs";
import { Client, ClientConfig } from "pg";

export interface DbTarget {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    /** PEM bundle of the RDS certificate authorities. */
    ca: string;
}

/** What the check needs of a pg client (the tests pass a fake). */
export interface SqlClient {
    connect(): Promise<unknown>;
    query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
    end(): Promise<void>;
}
export type SqlConnect = (config: ClientConfig) => SqlClient;
export const PG_CONNECT: SqlConnect = (config) => new Client(config);

/** node-postgres settings: verified TLS (host name included), bounded connect and query times. */
export function pgConfig(t: DbTarget, timeoutMs: number): ClientConfig {
    return {
        host: t.host, port: t.port, database: t.database, user: t.user, password: t.password,
        ssl: { ca: t.ca, rejectUnauthorized: true, servername: t.host },
        connectionTimeoutMillis: timeoutMs,
        query_timeout: timeoutMs,
        statement_timeout: timeoutMs,
    };
}

/** Connects and runs SELECT 1; throws with the driver's message when either fails. */
export async function selectOne(t: DbTarget, timeoutMs: number, connect: SqlConnect = PG_CONNECT): Promise<void> {
    const client = connect(pgConfig(t, timeoutMs));
    try {
        await client.connect();
        const r = await client.query("SELECT 1 AS ok");
        if (r.rows[0]?.ok !== 1) throw new Error(`SELECT 1 returned ${JSON.stringify(r.rows)}`);
    } finally {
        await client.end().catch(() => undefined);
    }
}

/** The regional RDS CA bundle: a file given with --rds-ca, else AWS's trust store for the region. */
export async function rdsCaBundle(region: string, file?: string, get: (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }> = fetch): Promise<string> {
    if (file) return fs.readFileSync(file, "utf8");
    const url = `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
    const r = await get(url);
    if (!r.ok) throw new Error(`RDS CA bundle: ${url} answered ${r.status}; pass --rds-ca <file>`);
    const pem = await r.text();
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`RDS CA bundle: ${url} returned no PEM certificate; pass --rds-ca <file>`);
    return pem;
}
