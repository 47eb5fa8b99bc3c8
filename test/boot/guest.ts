/**
 * Commands in a test VM through the QEMU guest agent (a virtio serial port, no network): the test inspects
 * a node whose SSH is off and whose firewall drops everything else, without opening either.
 */
import * as net from "net";

export interface ExecResult {
    exitcode: number;
    stdout: string;
    stderr: string;
}

/** One request/response exchange on a fresh connection; guest-sync first flushes stale replies. */
function request(socketPath: string, commands: object[], timeoutMs: number): Promise<any[]> {
    return new Promise((resolve, reject) => {
        const sock = net.createConnection(socketPath);
        const replies: any[] = [];
        let buffer = "";
        const syncId = Math.floor(Math.random() * 1e9);
        let synced = false;
        const timer = setTimeout(() => {
            sock.destroy();
            reject(new Error(`guest agent: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        sock.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        sock.on("connect", () => sock.write(JSON.stringify({ execute: "guest-sync", arguments: { id: syncId } }) + "\n"));
        sock.on("data", (chunk) => {
            buffer += chunk.toString("utf8");
            let nl: number;
            while ((nl = buffer.indexOf("\n")) >= 0) {
                const line = buffer.slice(0, nl).trim();
                buffer = buffer.slice(nl + 1);
                if (!line) continue;
                const msg = JSON.parse(line.replace(/^\xff/, ""));
                if (!synced) {
                    if (msg.return === syncId) {
                        synced = true;
                        for (const c of commands) sock.write(JSON.stringify(c) + "\n");
                        if (commands.length === 0) {
                            clearTimeout(timer);
                            sock.end();
                            resolve([]);
                        }
                    }
                    continue;
                }
                replies.push(msg);
                if (replies.length === commands.length) {
                    clearTimeout(timer);
                    sock.end();
                    resolve(replies);
                }
            }
        });
    });
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

export class Guest {
    constructor(readonly socketPath: string) {}

    private async call(command: string, args: object, timeoutMs = 30_000): Promise<any> {
        const [reply] = await request(this.socketPath, [{ execute: command, arguments: args }], timeoutMs);
        if (reply.error) throw new Error(`guest agent ${command}: ${reply.error.desc}`);
        return reply.return;
    }

    /** Waits (bounded) until the agent answers. */
    async ready(timeoutMs: number): Promise<void> {
        const until = Date.now() + timeoutMs;
        let last: unknown;
        while (Date.now() < until) {
            try {
                await request(this.socketPath, [], 10_000);
                return;
            } catch (e) {
                last = e;
                await sleep(2000);
            }
        }
        throw new Error(`guest agent not ready within ${timeoutMs} ms: ${last}`);
    }

    /** Runs `script` with /bin/sh as root in the guest and waits (bounded) for it to exit. */
    async sh(script: string, timeoutMs = 120_000): Promise<ExecResult> {
        const { pid } = await this.call("guest-exec", { path: "/bin/sh", arg: ["-c", script], "capture-output": true });
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
            const st = await this.call("guest-exec-status", { pid });
            if (st.exited) {
                const dec = (b?: string) => (b ? Buffer.from(b, "base64").toString("utf8") : "");
                return { exitcode: st.exitcode ?? (st.signal ? 128 + st.signal : -1), stdout: dec(st["out-data"]), stderr: dec(st["err-data"]) };
            }
            await sleep(500);
        }
        throw new Error(`guest command did not finish within ${timeoutMs} ms: ${script}`);
    }

    /** Reads a guest file as bytes. */
    async readFile(path: string): Promise<Buffer> {
        const r = await this.sh(`base64 -w0 -- '${path.replace(/'/g, `'\\''`)}'`);
        if (r.exitcode !== 0) throw new Error(`cannot read ${path} in the guest: ${r.stderr.trim()}`);
        return Buffer.from(r.stdout.trim(), "base64");
    }
}
