/** The sshd drop-in checked by sshd itself (-t, -T) and by ssh-audit against sshd running in a namespace. */
import { strict as assert } from "assert";
import { spawn, ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderNodeBoot, renderSshdConfig, SSH_ALGORITHMS } from "../../components/host";
import { nodeInput } from "./fixtures";
import { requireTool, run, runOk, tempDir } from "./helpers";

const NS = `s${process.pid % 100000}-sshd`;
const PORT = 2222;

describe("sshd hardening (sshd -t, sshd -T, ssh-audit)", function () {
    this.timeout(60000);
    let dir = "";
    let config = "";
    let sshd: ChildProcess | undefined;
    let createdPrivsepDir = false;

    before(function () {
        requireTool("sshd");
        requireTool("ssh-keygen");
        requireTool("ssh-audit");
        dir = tempDir("sshd");
        runOk("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host_ed25519")]);
        fs.writeFileSync(path.join(dir, "banner"), "Authorized access only.\n");
        // The drop-in exactly as the node gets it, with the host key and banner of this test.
        const dropIn = renderNodeBoot(nodeInput("apim", { sshPort: PORT })).artifacts.find((a) => a.kind === "sshd_config")!.content;
        config = path.join(dir, "sshd_config");
        fs.writeFileSync(
            config,
            dropIn.replace(/^HostKey .*$/m, `HostKey ${dir}/host_ed25519`).replace(/^Banner .*$/m, `Banner ${dir}/banner`) + `PidFile ${dir}/sshd.pid\n`,
        );
        // sshd refuses to start without its privilege-separation directory.
        if (!fs.existsSync("/run/sshd")) {
            fs.mkdirSync("/run/sshd", { mode: 0o755 });
            createdPrivsepDir = true;
        }
    });

    after(function () {
        if (sshd && sshd.exitCode === null) sshd.kill("SIGTERM");
        run("ip", ["netns", "del", NS]);
        if (createdPrivsepDir) fs.rmSync("/run/sshd", { recursive: true, force: true });
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("sshd -t accepts the config", function () {
        const r = run("sshd", ["-t", "-f", config]);
        assert.equal(r.status, 0, r.stderr);
    });

    it("sshd -T shows the hardened values", function () {
        const dump = runOk("sshd", ["-T", "-f", config]);
        const effective = new Map(
            dump
                .split("\n")
                .filter((l) => l.includes(" "))
                .map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)] as [string, string]),
        );
        const expected: Record<string, string> = {
            port: String(PORT),
            permitrootlogin: "no",
            pubkeyauthentication: "yes",
            passwordauthentication: "no",
            kbdinteractiveauthentication: "no",
            authenticationmethods: "publickey",
            permitemptypasswords: "no",
            maxauthtries: "3",
            logingracetime: "30",
            allowtcpforwarding: "no",
            allowagentforwarding: "no",
            allowstreamlocalforwarding: "no",
            x11forwarding: "no",
            permittunnel: "no",
            gatewayports: "no",
            banner: `${dir}/banner`,
            kexalgorithms: SSH_ALGORITHMS.kex.join(","),
            ciphers: SSH_ALGORITHMS.ciphers.join(","),
            macs: SSH_ALGORITHMS.macs.join(","),
            hostkeyalgorithms: SSH_ALGORITHMS.hostKeys.join(","),
        };
        for (const [key, value] of Object.entries(expected)) assert.equal(effective.get(key), value, key);
        // Multi-valued: one line per user.
        assert.match(dump, /^denyusers root$/m);
        assert.match(dump, /^denyusers wso2$/m);
    });

    it("refuses the default or a low port", function () {
        assert.throws(() => renderSshdConfig({ port: 22 }), /sshPort: 22 must be a non-default/);
        assert.throws(() => renderSshdConfig({ port: 80 }), /sshPort/);
    });

    it("ssh-audit against the running sshd reports no [fail]", async function () {
        runOk("ip", ["netns", "add", NS]);
        runOk("ip", ["netns", "exec", NS, "ip", "link", "set", "lo", "up"]);
        sshd = spawn("ip", ["netns", "exec", NS, requireTool("sshd"), "-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
        await new Promise<void>((resolve, reject) => {
            let seen = "";
            const timer = setTimeout(() => reject(new Error(`sshd did not listen within 10 s: ${seen}`)), 10000);
            sshd!.stderr!.on("data", (d: Buffer) => {
                seen += d.toString();
                if (/Server listening/.test(seen)) (clearTimeout(timer), resolve());
            });
            sshd!.once("exit", (code) => (clearTimeout(timer), reject(new Error(`sshd exited ${code}: ${seen}`))));
        });
        const audit = run("ip", ["netns", "exec", NS, "ssh-audit", "-n", "-p", String(PORT), "127.0.0.1"], { timeoutMs: 30000 });
        const out = audit.stdout + audit.stderr;
        assert.match(out, /\(kex\) curve25519-sha256/, out);
        assert.match(out, /\(key\) ssh-ed25519/, out);
        assert.doesNotMatch(out, /\[fail\]/, out);
        assert.doesNotMatch(out, /password|keyboard-interactive/i);
    });
});
