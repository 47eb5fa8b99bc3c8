/**
 * Real servers for the edge corpus, all on 127.0.0.1 and all stopped by the caller's `after`:
 *  - Debian's tomcat10 with a private CATALINA_BASE: one webapp per context, each answering every
 *    request (including its 404s) with `edge-test-context=<context>`, on two HTTPS connectors: Tomcat's
 *    defaults, and the same plus the product-side hardening attributes;
 *  - Debian's nginx running a rendered configuration;
 *  - a raw TLS client that writes the request line byte for byte (Node's http client normalises paths).
 */
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as tls from "tls";
import { spawn, spawnSync, type ChildProcess } from "child_process";

export const TOMCAT_HOME = "/usr/share/tomcat10";
export const NGINX = "/usr/sbin/nginx";
const MARKER = "edge-test-context=";

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

export interface TlsMaterial {
    certificate: string;
    key: string;
}

/** A self-signed certificate for `localhost` and 127.0.0.1, made with openssl. */
export function makeCertificate(dir: string): TlsMaterial {
    const certificate = path.join(dir, "localhost.crt");
    const key = path.join(dir, "localhost.key");
    const r = spawnSync(
        "openssl",
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate],
        { encoding: "utf8", timeout: 30_000 },
    );
    if (r.status !== 0) throw new Error(`openssl failed: ${r.error?.message ?? r.stderr}`);
    return { certificate, key };
}

export interface RawResponse {
    status: number;
    headers: string;
    body: string;
    /** Context named by the marker in the body, `none` when no webapp answered (e.g. Tomcat's 400). */
    marker: string;
    /** Path of the `Location` header of a redirect. */
    location?: string;
}

/**
 * The context that handled a response: the one its body names, or for a redirect (a context answering
 * `/ctx` with `/ctx/`), the deployed context the new location lies in. `none` otherwise.
 */
export function contextOf(r: RawResponse, deployed: readonly string[]): string {
    if (r.marker !== "none") return r.marker;
    if (r.status >= 300 && r.status < 400 && r.location) {
        const inside = deployed.filter((c) => r.location === c || r.location!.startsWith(c + "/"));
        return inside.sort((a, b) => b.length - a.length)[0] ?? "none";
    }
    return "none";
}

/** Sends `GET <target>` exactly as given over TLS and reads the whole response (5 s at most). */
export function rawGet(port: number, target: string, host = "localhost"): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false });
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no complete response to ${JSON.stringify(target)} on port ${port} within 5 s`));
        }, 5000);
        socket.on("secureConnect", () => socket.write(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, "latin1"));
        socket.on("data", (d) => chunks.push(d));
        socket.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        socket.on("close", () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString("latin1");
            const split = text.indexOf("\r\n\r\n");
            const headers = split === -1 ? text : text.slice(0, split);
            const body = split === -1 ? "" : text.slice(split + 4);
            const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headers)?.[1] ?? 0);
            const marker = new RegExp(`${MARKER}(\\S+)`).exec(body);
            const location = /^location:\s*(?:https?:\/\/[^/\s]*)?(\S*)/im.exec(headers)?.[1];
            resolve({ status, headers, body, marker: marker ? marker[1] : "none", location });
        });
    });
}

/** Sends many requests with at most `parallel` in flight. */
export async function rawGetAll(port: number, targets: readonly string[], parallel = 8): Promise<Map<string, RawResponse>> {
    const results = new Map<string, RawResponse>();
    let next = 0;
    const worker = async () => {
        while (next < targets.length) {
            const t = targets[next++];
            results.set(t, await rawGet(port, t));
        }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, targets.length) }, worker));
    return results;
}

async function waitUntil(what: string, deadlineMs: number, probe: () => Promise<boolean>, diagnostics: () => string): Promise<void> {
    const end = Date.now() + deadlineMs;
    while (Date.now() < end) {
        if (await probe().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${what} did not come up within ${deadlineMs / 1000} s:\n${diagnostics()}`);
}

function stopProcess(proc: ChildProcess): Promise<void> {
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const kill = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        proc.once("exit", () => {
            clearTimeout(kill);
            resolve();
        });
        proc.kill("SIGTERM");
    });
}

export interface RunningServer {
    stop(): Promise<void>;
    output(): string;
}

/** Context path -> Tomcat's webapp directory name (`/api/am/x` -> `api#am#x`, `` -> `ROOT`). */
function webappDir(context: string): string {
    return context === "" ? "ROOT" : context.slice(1).replace(/\//g, "#");
}

function xmlAttr(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

export interface TomcatOptions {
    base: string;
    /** Context paths to deploy (ROOT is always deployed). */
    contexts: readonly string[];
    tlsMaterial: TlsMaterial;
    /** Extra connector attributes of the hardened connector. */
    hardening: Record<string, string | boolean>;
}

export interface RunningTomcat extends RunningServer {
    /** Connector with Tomcat's defaults. */
    plainPort: number;
    /** Connector with the hardening attributes. */
    hardenedPort: number;
}

export async function startTomcat(opts: TomcatOptions): Promise<RunningTomcat> {
    if (!fs.existsSync(path.join(TOMCAT_HOME, "bin", "bootstrap.jar"))) {
        throw new Error(`${TOMCAT_HOME} is missing: install Debian's tomcat10 (apt-get install tomcat10)`);
    }
    const [plainPort, hardenedPort] = [await freePort(), await freePort()];
    for (const d of ["conf", "logs", "temp", "work", "webapps"]) fs.mkdirSync(path.join(opts.base, d), { recursive: true });
    for (const f of ["web.xml", "catalina.properties"]) fs.copyFileSync(path.join(TOMCAT_HOME, "etc", f), path.join(opts.base, "conf", f));
    // Contexts answer `/ctx` themselves instead of redirecting to `/ctx/`, so every answer names its context.
    fs.writeFileSync(
        path.join(opts.base, "conf", "context.xml"),
        '<?xml version="1.0" encoding="UTF-8"?>\n<Context mapperContextRootRedirect="false" mapperDirectoryRedirect="false">\n  <Manager pathname="" />\n</Context>\n',
    );
    const connector = (port: number, extra: Record<string, string | boolean>) =>
        [
            `    <Connector address="127.0.0.1" port="${port}" protocol="org.apache.coyote.http11.Http11NioProtocol"`,
            `               SSLEnabled="true" scheme="https" secure="true" maxThreads="16"`,
            ...Object.entries(extra).map(([k, v]) => `               ${k}="${xmlAttr(String(v))}"`),
            "    >",
            "      <SSLHostConfig>",
            `        <Certificate certificateFile="${xmlAttr(opts.tlsMaterial.certificate)}" certificateKeyFile="${xmlAttr(opts.tlsMaterial.key)}" type="RSA" />`,
            "      </SSLHostConfig>",
            "    </Connector>",
        ].join("\n");
    fs.writeFileSync(
        path.join(opts.base, "conf", "server.xml"),
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<Server port="-1" shutdown="SHUTDOWN">',
            '  <Service name="Catalina">',
            connector(plainPort, {}),
            connector(hardenedPort, opts.hardening),
            '    <Engine name="Catalina" defaultHost="localhost">',
            '      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false" deployOnStartup="true" />',
            "    </Engine>",
            "  </Service>",
            "</Server>",
            "",
        ].join("\n"),
    );
    for (const context of ["", ...opts.contexts]) {
        const dir = path.join(opts.base, "webapps", webappDir(context));
        fs.mkdirSync(path.join(dir, "WEB-INF"), { recursive: true });
        fs.writeFileSync(path.join(dir, "whoami.txt"), `${MARKER}${context === "" ? "ROOT" : context}\n`);
        // A default error page: every error the webapp produces (404 included) carries the marker.
        fs.writeFileSync(
            path.join(dir, "WEB-INF", "web.xml"),
            '<?xml version="1.0" encoding="UTF-8"?>\n<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0" metadata-complete="true">\n' +
                "  <error-page><location>/whoami.txt</location></error-page>\n</web-app>\n",
        );
    }
    let output = "";
    const proc = spawn(
        "java",
        [
            "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
            `-Dcatalina.home=${TOMCAT_HOME}`, `-Dcatalina.base=${opts.base}`, `-Djava.io.tmpdir=${path.join(opts.base, "temp")}`,
            "-cp", `${TOMCAT_HOME}/bin/bootstrap.jar:${TOMCAT_HOME}/bin/tomcat-juli.jar`,
            "org.apache.catalina.startup.Bootstrap", "start",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    const collect = (d: Buffer) => {
        if (output.length < 200_000) output += d.toString();
    };
    proc.stdout!.on("data", collect);
    proc.stderr!.on("data", collect);
    const running: RunningTomcat = { plainPort, hardenedPort, stop: () => stopProcess(proc), output: () => output };
    try {
        await waitUntil(
            "Tomcat",
            60_000,
            async () => {
                if (proc.exitCode !== null) throw new Error("exited");
                const [a, b] = [await rawGet(plainPort, "/"), await rawGet(hardenedPort, "/")];
                return a.marker === "ROOT" && b.marker === "ROOT";
            },
            () => output.slice(-4000),
        );
    } catch (e) {
        await running.stop();
        throw e;
    }
    return running;
}

export interface RunningNginx extends RunningServer {
    port: number;
}

/** Starts nginx (`daemon off`) on a configuration file; `nginx -t` must accept it first. */
export async function startNginx(confFile: string, prefix: string, port: number): Promise<RunningNginx> {
    if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx (apt-get install nginx)`);
    const check = spawnSync(NGINX, ["-t", "-q", "-c", confFile, "-p", prefix, "-g", "daemon off;"], { encoding: "utf8", timeout: 30_000 });
    if (check.status !== 0) throw new Error(`nginx -t refused ${confFile}:\n${check.stderr}`);
    let output = "";
    const proc = spawn(NGINX, ["-c", confFile, "-p", prefix, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
    const collect = (d: Buffer) => {
        if (output.length < 200_000) output += d.toString();
    };
    proc.stdout!.on("data", collect);
    proc.stderr!.on("data", collect);
    const running: RunningNginx = { port, stop: () => stopProcess(proc), output: () => output };
    try {
        await waitUntil(
            "nginx",
            20_000,
            async () => {
                if (proc.exitCode !== null) throw new Error("exited");
                return (await rawGet(port, "/")).status === 404;
            },
            () => output.slice(-4000),
        );
    } catch (e) {
        await running.stop();
        throw e;
    }
    return running;
}
