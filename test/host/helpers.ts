/** Running real tools from the host tests: bounded in time, failing (never skipping) when a tool is missing. */
import { spawn, spawnSync, ChildProcess, SpawnSyncReturns } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { NODE_LIB, nodeScriptFile, nodeSettings, renderNodeEnv } from "../../components/host";
import type { NodeHostInput } from "../../components/host/types";

export interface RunResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command to completion (at most `timeoutMs`), never through a shell. */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {}): RunResult {
    const r: SpawnSyncReturns<string> = spawnSync(cmd, args, {
        encoding: "utf8",
        env: opts.env ?? process.env,
        input: opts.input,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60000,
        maxBuffer: 32 * 1024 * 1024,
    });
    if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `run`, but throws with the output when the exit status is not 0. */
export function runOk(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): string {
    const r = run(cmd, args, opts);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
}

/** Fails the test when a tool is missing: CI installs it (`.ci/run`). */
export function requireTool(name: string): string {
    const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${name} is not installed; .ci/run installs it (Debian package) and these tests need it`);
    return r.stdout.trim();
}

export function tempDir(label: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `wso2-host-${label}-`));
}

/** Writes a node's settings file (what cloud-init writes to /etc/wso2/node.env) into `dir`. */
export function writeNodeEnv(dir: string, name: string, input: NodeHostInput): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, renderNodeEnv(nodeSettings(input)));
    return file;
}

/** The repository file of a node step, e.g. `step(HOST_SCRIPTS.keystore)`. */
export function step(hostPath: string): string {
    return nodeScriptFile(hostPath);
}

/** Environment that runs a node step from the repository with the settings file `settingsFile`. */
export function stepEnv(settingsFile: string, extra: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return { ...base, WSO2_NODE_LIB: nodeScriptFile(NODE_LIB), WSO2_NODE_ENV: settingsFile, ...extra };
}

/** Writes a rendered script to `dir` and returns its path. */
export function writeScript(dir: string, name: string, content: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content, { mode: 0o750 });
    return file;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Access key of an emulator IAM user. */
export interface AccessKey {
    id: string;
    secret: string;
}

/** The moto_server launcher that makes IAM enforcement faithful for the node's calls (see its header). */
export const MOTO_IAM_SERVER = path.join(__dirname, "..", "support", "moto_iam_server.py");

/** The Python that runs moto_server (a virtual environment's, as scripts/setup.sh installs it, or pyenv's). */
function motoPython(): string {
    const beside = path.join(path.dirname(fs.realpathSync(requireTool("moto_server"))), "python3");
    return fs.existsSync(beside) ? beside : requireTool("python3");
}

/**
 * A local S3/EC2/Secrets Manager/IAM API (`moto_server`) on a free loopback port. With `iam: true` it
 * starts unauthenticated for set-up (done as an administrator user, whose key `aws()` keeps using) until
 * `enforceIam()`, after which every request is checked against the caller's IAM policies.
 */
export class Moto {
    private proc?: ChildProcess;
    endpoint = "";
    private admin?: AccessKey;

    constructor(private readonly options: { iam?: boolean } = {}) {}

    async start(): Promise<void> {
        requireTool("moto_server");
        requireTool("aws");
        const port = await freePort();
        const args = ["-H", "127.0.0.1", "-p", String(port)];
        this.proc = this.options.iam
            ? spawn(motoPython(), [MOTO_IAM_SERVER, ...args], { stdio: "ignore", env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: "1000000" } })
            : spawn("moto_server", args, { stdio: "ignore" });
        this.endpoint = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + 20000;
        let up = false;
        while (!up && Date.now() < deadline) {
            up = await new Promise<boolean>((resolve) => {
                const s = net.connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)));
                s.on("error", () => resolve(false));
            });
            if (!up) await sleep(200);
        }
        if (!up) throw new Error("moto_server did not start within 20 s");
        if (this.options.iam) {
            this.admin = this.createUser("emulator-admin", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
        }
    }

    /** An IAM user with `policy` as its only (inline) policy, and its access key. */
    createUser(name: string, policy: object): AccessKey {
        this.aws(["iam", "create-user", "--user-name", name]);
        this.aws(["iam", "put-user-policy", "--user-name", name, "--policy-name", name, "--policy-document", JSON.stringify(policy)]);
        const key = JSON.parse(this.aws(["iam", "create-access-key", "--user-name", name])).AccessKey;
        return { id: key.AccessKeyId, secret: key.SecretAccessKey };
    }

    /** From now on every request is checked against its caller's IAM policies. */
    async enforceIam(): Promise<void> {
        if (!this.options.iam) throw new Error("this moto_server was started without IAM enforcement");
        const r = await fetch(`${this.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
        if (!r.ok) throw new Error(`moto reset-auth: ${r.status}`);
    }

    /** Credentials of `key` for the AWS CLI. */
    static credentials(key: AccessKey): NodeJS.ProcessEnv {
        return { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret };
    }

    /** Environment for the AWS CLI (and the rendered scripts) pointing at this server. */
    env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return {
            ...process.env,
            AWS_ACCESS_KEY_ID: this.admin?.id ?? "testing",
            AWS_SECRET_ACCESS_KEY: this.admin?.secret ?? "testing",
            AWS_DEFAULT_REGION: "eu-west-1",
            AWS_ENDPOINT_URL: this.endpoint,
            AWS_EC2_METADATA_DISABLED: "true",
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
            ...extra,
        };
    }

    /**
     * Environment for a node step: credentials only; the step reaches this server through the settings
     * file's WSO2_TEST_AWS_ENDPOINT_URL (the node's own knob), never through AWS_ENDPOINT_URL.
     */
    stepEnv(settingsFile: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        const { AWS_ENDPOINT_URL: _endpoint, ...base } = this.env();
        return stepEnv(settingsFile, extra, base);
    }

    aws(args: string[]): string {
        return runOk("aws", ["--region", "eu-west-1", ...args], { env: this.env() });
    }

    async stop(): Promise<void> {
        const p = this.proc;
        if (!p || p.exitCode !== null) return;
        const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
        p.kill("SIGTERM");
        await Promise.race([exited, sleep(5000)]);
        if (p.exitCode === null) p.kill("SIGKILL");
    }
}

/**
 * Counts JVM starts: `keytool` and `java` wrappers in `dir`, earlier on PATH, log each call to a file and
 * run the real tool. `env` adds them to an environment; `take` returns the calls since the last take.
 */
export function jvmCounter(dir: string): { env: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv; take: () => string[] } {
    const bin = path.join(dir, "jvm-counting-bin");
    const log = path.join(dir, "jvm-calls.log");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(log, "");
    for (const tool of ["keytool", "java"]) {
        const real = requireTool(tool);
        fs.writeFileSync(path.join(bin, tool), `#!/bin/bash\nprintf '%s\\n' "${tool} $*" >>"$JVM_CALLS_LOG"\nexec ${real} "$@"\n`, { mode: 0o755 });
    }
    return {
        env: (base) => ({ ...base, PATH: `${bin}:${base.PATH ?? process.env.PATH}`, JVM_CALLS_LOG: log }),
        take: () => {
            const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
            fs.writeFileSync(log, "");
            return calls;
        },
    };
}

/** Mode, owner and content hash of every entry under `root`, for before/after comparisons. */
export function snapshot(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const name of fs.readdirSync(dir).sort()) {
            const p = path.join(dir, name);
            const st = fs.lstatSync(p);
            const rel = path.relative(root, p);
            const content = st.isFile() ? createHash("sha256").update(fs.readFileSync(p)).digest("hex") : "";
            out.push(`${rel} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${content}`);
            if (st.isDirectory()) walk(p);
        }
    };
    walk(root);
    return out;
}
