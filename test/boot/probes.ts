/** Probes from outside a VM: what a client on the host's loopback sees through a forwarded port. */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as https from "https";
import * as net from "net";
import * as tls from "tls";

/** A TLS handshake through the port; resolves with the peer certificate's SHA-256, or null when none. */
export function tlsHandshake(port: number, timeoutMs = 15_000): Promise<{ ok: boolean; detail: string; fingerprint256?: string }> {
    return new Promise((resolve) => {
        const sock = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false, servername: "localhost" });
        const done = (r: { ok: boolean; detail: string; fingerprint256?: string }) => {
            clearTimeout(timer);
            sock.destroy();
            resolve(r);
        };
        const timer = setTimeout(() => done({ ok: false, detail: `no handshake within ${timeoutMs} ms` }), timeoutMs);
        sock.on("secureConnect", () => {
            const cert = sock.getPeerCertificate();
            done({ ok: true, detail: `${sock.getProtocol()} ${sock.getCipher().name}`, fingerprint256: cert.fingerprint256 });
        });
        sock.on("error", (e) => done({ ok: false, detail: e.message }));
        sock.on("close", () => done({ ok: false, detail: "closed before the handshake" }));
    });
}

/** Connects and waits for the first bytes the service sends (a banner); null when nothing comes. */
export function banner(port: number, timeoutMs = 8000): Promise<string | null> {
    return new Promise((resolve) => {
        const sock = net.connect(port, "127.0.0.1");
        const done = (r: string | null) => {
            clearTimeout(timer);
            sock.destroy();
            resolve(r);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        sock.on("data", (d) => done(d.toString("utf8").trim()));
        sock.on("error", () => done(null));
        sock.on("close", () => done(null));
    });
}

export function httpsGet(port: number, path: string, timeoutMs = 20_000): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = https.get({ host: "127.0.0.1", port, path, rejectUnauthorized: false, timeout: timeoutMs, agent: false }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", reject);
    });
}

/** openssl s_client with one protocol version (and optionally one cipher list); the host's OpenSSL. */
export function opensslHandshake(port: number, version: "tls1" | "tls1_1" | "tls1_2" | "tls1_3", cipher?: string): { ok: boolean; detail: string } {
    const args = ["s_client", "-connect", `127.0.0.1:${port}`, `-${version}`, "-brief"];
    // Let the client offer old protocols and ciphers, so only the server can refuse them.
    if (version === "tls1" || version === "tls1_1") args.push("-cipher", "DEFAULT@SECLEVEL=0");
    else if (cipher) args.push("-cipher", `${cipher}@SECLEVEL=0`);
    const r = spawnSync("openssl", args, { input: "", encoding: "utf8", timeout: 20_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    const proto = /Protocol version: (\S+)/.exec(out)?.[1];
    const suite = /Ciphersuite: (\S+)/.exec(out)?.[1];
    if (r.status === 0 && proto) return { ok: true, detail: `${proto} ${suite}` };
    const reason = out.split("\n").find((l) => /alert|error|unsupported|no protocols|handshake failure/i.test(l))?.trim() ?? `exit ${r.status}`;
    return { ok: false, detail: reason.slice(0, 160) };
}

export function sha256Hex(b: Buffer | string): string {
    return crypto.createHash("sha256").update(b).digest("hex");
}
