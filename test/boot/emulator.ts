/**
 * moto_server on loopback with IAM enforcement: the test's AWS. Started by the test, stopped by its pid.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

const HERE = __dirname;

/** A python3 that can import moto and boto3: moto_server's own interpreter, else python3 on the PATH. */
function motoPython(): string {
    const candidates: string[] = [];
    try {
        const server = fs.realpathSync(execFileSync("sh", ["-c", "command -v moto_server"], { encoding: "utf8" }).trim());
        const first = fs.readFileSync(server, "utf8").split("\n")[0];
        if (first.startsWith("#!") && first.includes("python")) candidates.push(first.slice(2).trim().split(/\s+/)[0]);
    } catch {
        // moto_server not on the PATH: fall back to python3
    }
    candidates.push("python3");
    for (const py of candidates) {
        try {
            execFileSync(py, ["-c", "import moto.server, boto3"], { stdio: "ignore" });
            return py;
        } catch {
            // try the next interpreter
        }
    }
    throw new Error("no python3 with moto[server] and boto3 found: run scripts/setup.sh");
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
        srv.on("error", reject);
    });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        const ok = await new Promise<boolean>((resolve) => {
            const s = net.connect(port, "127.0.0.1", () => {
                s.destroy();
                resolve(true);
            });
            s.on("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

export interface Credentials {
    accessKeyId: string;
    secretAccessKey: string;
}

/** A role session's credentials, as the metadata service serves them. */
export interface SessionCredentials {
    AccessKeyId: string;
    SecretAccessKey: string;
    Token: string;
}

export type CallResult = { ok: true; response: any } | { ok: false; code: string; message: string; status: number };

export class Emulator {
    private proc?: ChildProcess;
    readonly python = motoPython();
    port = 0;
    admin?: Credentials;

    /** The endpoint as a guest sees it: the host's loopback through QEMU's user-mode network. */
    get guestEndpoint(): string {
        return `http://10.0.2.2:${this.port}`;
    }

    get hostEndpoint(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async start(logFile: string): Promise<void> {
        this.port = await freePort();
        const log = fs.openSync(logFile, "w");
        // Three unauthenticated requests create the administrator (aws_setup.py); every later one is judged.
        this.proc = spawn(this.python, [path.join(HERE, "moto_iam.py"), "-H", "127.0.0.1", "-p", String(this.port)], {
            env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: "3" },
            stdio: ["ignore", log, log],
        });
        await waitForPort(this.port, 30_000);
    }

    /** Creates what the plan says exists; returns aws_setup.py's answer. */
    setup(spec: object): any {
        const out = execFileSync(this.python, [path.join(HERE, "aws_setup.py")], {
            input: JSON.stringify({ endpoint: this.hostEndpoint, ...spec }),
            encoding: "utf8",
            maxBuffer: 64 << 20,
        });
        const result = JSON.parse(out);
        this.admin = result.admin;
        return result;
    }

    /** One call as the administrator (for inspection), e.g. call("s3", "list_objects_v2", { Bucket }). */
    call(service: string, operation: string, params: object = {}): any {
        if (!this.admin) throw new Error("emulator not set up");
        const r = this.request({ AWS_ACCESS_KEY_ID: this.admin.accessKeyId, AWS_SECRET_ACCESS_KEY: this.admin.secretAccessKey }, service, operation, params);
        if (!r.ok) throw new Error(`${service} ${operation} as the administrator: ${r.code}: ${r.message}`);
        return r.response;
    }

    /**
     * One call with a node's own credentials (the role session its metadata service hands out). The
     * emulator judges the request's signature against the role's policies; where the request comes from
     * plays no part, so the host asks in the node's name.
     */
    callAs(creds: SessionCredentials, region: string, service: string, operation: string, params: object = {}): CallResult {
        return this.request(
            { AWS_ACCESS_KEY_ID: creds.AccessKeyId, AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey, AWS_SESSION_TOKEN: creds.Token, AWS_DEFAULT_REGION: region },
            service,
            operation,
            params,
        );
    }

    private request(credentials: Record<string, string>, service: string, operation: string, params: object): CallResult {
        // Only these credentials: none of the caller's own AWS settings leak in.
        const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
        const r = spawnSync(this.python, [path.join(HERE, "aws_call.py"), service, operation, JSON.stringify(params)], {
            encoding: "utf8",
            maxBuffer: 256 << 20,
            timeout: 120_000,
            env: { ...env, AWS_ENDPOINT_URL: this.hostEndpoint, AWS_DEFAULT_REGION: "eu-west-1", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", ...credentials },
        });
        if (r.status === 0) return { ok: true, response: JSON.parse(r.stdout) };
        if (r.status === 3) {
            const e = JSON.parse(r.stdout);
            return { ok: false, code: String(e.Error?.Code ?? ""), message: String(e.Error?.Message ?? ""), status: Number(e.HTTPStatusCode ?? 0) };
        }
        throw new Error(`aws_call.py ${service} ${operation} failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.error?.message || "").trim().slice(-600)}`);
    }

    /** Signals the server to stop without waiting (for a test interrupted by a signal). */
    kill(): void {
        const p = this.proc;
        if (p?.pid !== undefined && p.exitCode === null) process.kill(p.pid, "SIGTERM");
    }

    async stop(): Promise<void> {
        const p = this.proc;
        if (!p || p.exitCode !== null || p.pid === undefined) return;
        const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
        process.kill(p.pid, "SIGTERM");
        const timer = setTimeout(() => p.pid !== undefined && p.exitCode === null && process.kill(p.pid, "SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
    }
}
