/**
 * A real PostgreSQL (Debian's server binaries) for the database tests: its own cluster in a temporary
 * directory, run as the unprivileged `postgres` user, on a free loopback port, reachable only by TLS
 * (`hostssl` lines alone in pg_hba.conf, scram-sha-256) with a CA and server certificate made here.
 * Stopped by its postmaster's pid.
 */
import * as fs from "fs";
import * as path from "path";
import { freePort, requireTool, run, runOk, tempDir } from "./helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverBin(): string {
    const base = "/usr/lib/postgresql";
    const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin/initdb"))) : [];
    if (versions.length === 0) throw new Error("PostgreSQL server binaries are missing: scripts/setup.sh installs the Debian `postgresql` package");
    return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], "bin");
}

/** A CA and a leaf certificate for 127.0.0.1 / localhost (and `extraNames`, e.g. `IP:10.0.2.2`), signed by that CA. */
export function makeCa(dir: string, name: string, extraNames: string[] = []): { ca: string; cert: string; key: string } {
    const ca = path.join(dir, `${name}-ca.pem`);
    const caKey = path.join(dir, `${name}-ca.key`);
    const key = path.join(dir, `${name}-server.key`);
    const csr = path.join(dir, `${name}-server.csr`);
    const cert = path.join(dir, `${name}-server.pem`);
    const ext = path.join(dir, `${name}-server.ext`);
    runOk("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", `/CN=${name} test CA`, "-keyout", caKey, "-out", ca]);
    runOk("openssl", ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr]);
    fs.writeFileSync(ext, `subjectAltName=${["IP:127.0.0.1", "DNS:localhost", ...extraNames].join(",")}\nextendedKeyUsage=serverAuth\n`);
    runOk("openssl", ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert]);
    return { ca, cert, key };
}

export class Postgres {
    readonly dir: string;
    readonly superPassword = "super-secret-for-tests-only";
    port = 0;
    ca = "";
    private pid = 0;

    /** `certNames`: more subject alternative names for the server certificate (e.g. `IP:10.0.2.2`, the host as a VM sees it). */
    constructor(private readonly certNames: string[] = []) {
        this.dir = tempDir("pg");
    }

    async start(): Promise<void> {
        requireTool("openssl");
        requireTool("psql");
        requireTool("runuser");
        const bin = serverBin();
        const data = path.join(this.dir, "data");
        const tls = makeCa(this.dir, "server", this.certNames);
        this.ca = tls.ca;
        fs.writeFileSync(path.join(this.dir, "pwfile"), this.superPassword + "\n");
        fs.chmodSync(tls.key, 0o600);
        runOk("chown", ["-R", "postgres:postgres", this.dir]);
        runOk("runuser", ["-u", "postgres", "--", path.join(bin, "initdb"), "-D", data, "-U", "postgres", "--pwfile", path.join(this.dir, "pwfile"), "--auth", "scram-sha-256", "-E", "UTF8", "--no-instructions"], { timeoutMs: 120000 });
        this.port = await freePort();
        fs.appendFileSync(
            path.join(data, "postgresql.conf"),
            [
                "listen_addresses = '127.0.0.1'",
                `port = ${this.port}`,
                `unix_socket_directories = '${this.dir}'`,
                "ssl = on",
                `ssl_cert_file = '${tls.cert}'`,
                `ssl_key_file = '${tls.key}'`,
                "ssl_min_protocol_version = 'TLSv1.2'",
                "password_encryption = 'scram-sha-256'",
                "max_connections = 40",
                "shared_buffers = 16MB",
                "fsync = off",
                "",
            ].join("\n"),
        );
        // Only TLS connections over TCP exist: no `local`, no `host`, no `hostnossl` line.
        fs.writeFileSync(path.join(data, "pg_hba.conf"), "hostssl all all 127.0.0.1/32 scram-sha-256\n");
        runOk("runuser", ["-u", "postgres", "--", path.join(bin, "pg_ctl"), "-D", data, "-l", path.join(this.dir, "server.log"), "-w", "-t", "60", "start"], { timeoutMs: 90000 });
        this.pid = Number(fs.readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
        if (!Number.isInteger(this.pid) || this.pid <= 1) throw new Error("no postmaster pid");
    }

    /** Asks the postmaster (by its pid) for a fast shutdown without waiting, for a test interrupted by a signal. */
    kill(): void {
        if (this.pid > 1) {
            try {
                process.kill(this.pid, "SIGINT");
            } catch {
                // already gone
            }
        }
    }

    /** Fast shutdown by the postmaster's pid, waiting (at most 30 s) for it to exit. */
    async stop(): Promise<void> {
        if (this.pid > 1) {
            const alive = () => {
                try {
                    process.kill(this.pid, 0);
                    return true;
                } catch {
                    return false;
                }
            };
            if (alive()) process.kill(this.pid, "SIGINT");
            const deadline = Date.now() + 30000;
            while (alive() && Date.now() < deadline) await sleep(100);
            if (alive()) process.kill(this.pid, "SIGKILL");
            this.pid = 0;
        }
        fs.rmSync(this.dir, { recursive: true, force: true });
    }

    /** libpq environment for a verified TLS connection as `user`. */
    env(user: string, password: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return {
            PATH: process.env.PATH,
            PGHOST: "127.0.0.1",
            PGPORT: String(this.port),
            PGUSER: user,
            PGPASSWORD: password,
            PGSSLMODE: "verify-full",
            PGSSLROOTCERT: this.ca,
            PGCONNECT_TIMEOUT: "10",
            PGPASSFILE: "/dev/null",
            ...extra,
        };
    }

    /** Runs SQL as `user` on `database`; returns status and output (unaligned, tuples only). */
    psql(user: string, password: string, database: string, sql: string, extra: NodeJS.ProcessEnv = {}) {
        return run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql], { env: this.env(user, password, extra), timeoutMs: 30000 });
    }

    /** Like `psql`, throwing with the output on failure. */
    sql(user: string, password: string, database: string, sql: string): string {
        const r = this.psql(user, password, database, sql);
        if (r.status !== 0) throw new Error(`psql as ${user} on ${database} failed: ${r.stderr}\n${sql}`);
        return r.stdout.trim();
    }

    asSuper(database: string, sql: string): string {
        return this.sql("postgres", this.superPassword, database, sql);
    }
}
