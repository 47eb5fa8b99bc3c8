/**
 * The user and permission step, the same script the cloud-config runs, applied inside a throwaway root:
 * owners, modes, shell, password lock and sudo state; run twice, the same state.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { HOST_SCRIPTS, renderLog4j2Properties, LOG4J2_MARKERS } from "../../components/host";
import { PRODUCTS, productHome } from "../../products";
import { nodeInput } from "./fixtures";
import { requireTool, runOk, snapshot, step, stepEnv, tempDir, writeNodeEnv } from "./helpers";

const spec = PRODUCTS.apim;
const HOME = productHome(spec, "");
const UID = 802;

/** A minimal Debian-like root with a product home as the distribution unpacks it. */
function makeRoot(root: string, image: { wso2WithSudo: boolean }): void {
    fs.mkdirSync(path.join(root, "etc/sudoers.d"), { recursive: true });
    const users = ["root:x:0:0:root:/root:/bin/bash", "admin:x:1000:1000::/home/admin:/bin/bash"];
    const groups = ["root:x:0:", "sudo:x:27:admin", "admin:x:1000:"];
    const shadow = ["root:*:19000:0:99999:7:::", "admin:!:19000:0:99999:7:::"];
    const gshadow = ["root:*::", "sudo:*::admin", "admin:!::"];
    if (image.wso2WithSudo) {
        // An image that already has the user, with a shell, a password, sudo membership and a grant.
        users.push(`wso2:x:${UID}:${UID}::/home/wso2:/bin/bash`);
        groups[1] = "sudo:x:27:admin,wso2";
        groups.push(`wso2:x:${UID}:`);
        shadow.push("wso2:$6$salt$hash:19000:0:99999:7:::");
        gshadow[1] = "sudo:*::admin,wso2";
        gshadow.push("wso2:!::");
        fs.writeFileSync(path.join(root, "etc/sudoers.d/90-wso2"), "wso2 ALL=(ALL) NOPASSWD:ALL\n", { mode: 0o440 });
    }
    fs.writeFileSync(path.join(root, "etc/passwd"), users.join("\n") + "\n");
    fs.writeFileSync(path.join(root, "etc/group"), groups.join("\n") + "\n");
    fs.writeFileSync(path.join(root, "etc/shadow"), shadow.join("\n") + "\n", { mode: 0o640 });
    fs.writeFileSync(path.join(root, "etc/gshadow"), gshadow.join("\n") + "\n", { mode: 0o640 });
    fs.writeFileSync(path.join(root, "etc/sudoers.d/README"), "# drop-ins\n", { mode: 0o440 });
    const home = path.join(root, HOME.slice(1));
    const file = (rel: string, content: string, mode: number) => {
        fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
        fs.writeFileSync(path.join(home, rel), content, { mode });
    };
    // As unzipped: world-readable, some files world-writable, owned by whoever unpacked it.
    file("bin/api-manager.sh", "#!/bin/sh\n", 0o777);
    file("repository/conf/deployment.toml", "[server]\n", 0o666);
    file("repository/conf/log4j2.properties", "appender.CARBON_LOGFILE.type = RollingFile\n", 0o644);
    file("repository/resources/security/wso2carbon.jks", "keystore", 0o644);
    file("repository/resources/security/client-truststore.jks", "truststore", 0o644);
    file("repository/logs/wso2carbon.log", "old log\n", 0o666);
    file("repository/deployment/server/synapse-configs/default/api/a.xml", "<api/>", 0o644);
    file("lib/app.jar", "jar", 0o644);
    for (const f of ["bin", "repository", "lib"]) fs.chownSync(path.join(home, f), 1000, 1000);
}

function entry(file: string, user: string): string[] | undefined {
    return fs.readFileSync(file, "utf8").split("\n").map((l) => l.split(":")).find((f) => f[0] === user);
}

function statOf(p: string): { mode: string; owner: string } {
    const st = fs.statSync(p);
    return { mode: (st.mode & 0o7777).toString(8).padStart(4, "0"), owner: `${st.uid}:${st.gid}` };
}

describe("user and permission step (throwaway root)", function () {
    this.timeout(60000);
    const script = step(HOST_SCRIPTS.setupUser);
    let dir = "";
    let settings = "";
    const env = (root: string) => stepEnv(settings, { ROOT: root });

    before(function () {
        for (const tool of ["useradd", "groupadd", "usermod", "bash"]) requireTool(tool);
        dir = tempDir("user");
        settings = writeNodeEnv(dir, "node.env", nodeInput("apim"));
    });
    after(() => {
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const image of [{ wso2WithSudo: false }, { wso2WithSudo: true }]) {
        it(`${image.wso2WithSudo ? "an image whose wso2 user has a shell and sudo" : "a fresh image"}: nologin, locked, no sudo, the modes described`, function () {
            const root = path.join(dir, image.wso2WithSudo ? "preexisting" : "fresh");
            makeRoot(root, image);
            runOk("bash", [script], { env: env(root) });

            const pw = entry(path.join(root, "etc/passwd"), "wso2")!;
            assert.equal(pw[2], String(UID));
            assert.equal(pw[3], String(UID));
            assert.equal(pw[6], "/usr/sbin/nologin");
            const shadow = entry(path.join(root, "etc/shadow"), "wso2")!;
            assert.ok(shadow[1].startsWith("!"), `password not locked: ${shadow[1]}`);
            for (const g of fs.readFileSync(path.join(root, "etc/group"), "utf8").split("\n")) {
                const members = (g.split(":")[3] ?? "").split(",");
                assert.ok(!members.includes("wso2"), `wso2 still in ${g}`);
            }
            for (const f of fs.readdirSync(path.join(root, "etc/sudoers.d"))) {
                assert.doesNotMatch(fs.readFileSync(path.join(root, "etc/sudoers.d", f), "utf8"), /^\s*%?wso2\s/m, f);
            }
            // admin's own sudo membership is untouched.
            assert.equal(entry(path.join(root, "etc/group"), "sudo")![3], "admin");

            const home = path.join(root, HOME.slice(1));
            const expect = (rel: string, mode: string, owner: string) => assert.deepEqual(statOf(path.join(home, rel)), { mode, owner }, rel);
            expect("", "0750", `0:${UID}`);
            expect("bin/api-manager.sh", "0750", `0:${UID}`);
            expect("repository/conf/deployment.toml", "0640", `0:${UID}`);
            expect("repository/resources/security/wso2carbon.jks", "0640", `0:${UID}`);
            expect("repository/resources/security/client-truststore.jks", "0640", `0:${UID}`);
            expect("lib/app.jar", "0640", `0:${UID}`);
            expect("repository/logs", "0750", `${UID}:${UID}`);
            expect("repository/logs/wso2carbon.log", "0640", `${UID}:${UID}`);
            expect("tmp", "0750", `${UID}:${UID}`);
            expect("repository/deployment/server/synapse-configs/default/api/a.xml", "0640", `${UID}:${UID}`);
            assert.deepEqual(statOf(path.dirname(home)), { mode: "0750", owner: `0:${UID}` });
            // Nothing in the home is writable by anyone but its owner, nor readable by others.
            for (const line of snapshot(home)) {
                const mode = parseInt(line.split(" ")[1], 8);
                assert.equal(mode & 0o027, 0, line);
            }
        });
    }

    it("running the step twice leaves the same state", function () {
        const root = path.join(dir, "twice");
        makeRoot(root, { wso2WithSudo: true });
        runOk("bash", [script], { env: env(root) });
        const first = snapshot(root);
        runOk("bash", [script], { env: env(root) });
        assert.deepEqual(snapshot(root), first);
    });

    it("the configure step replaces its log4j2 block instead of appending it again", function () {
        const root = path.join(dir, "configure");
        makeRoot(root, { wso2WithSudo: false });
        fs.mkdirSync(path.join(root, "etc/wso2"), { recursive: true });
        fs.writeFileSync(path.join(root, "etc/wso2/log4j2.properties"), renderLog4j2Properties({ product: spec }));
        const file = step(HOST_SCRIPTS.configure);
        const target = path.join(root, HOME.slice(1), "repository/conf/log4j2.properties");
        runOk("bash", [file], { env: env(root) });
        const once = fs.readFileSync(target, "utf8");
        runOk("bash", [file], { env: env(root) });
        assert.equal(fs.readFileSync(target, "utf8"), once);
        assert.ok(once.startsWith("appender.CARBON_LOGFILE.type = RollingFile\n"), "the product's own settings stay");
        assert.equal(once.split(LOG4J2_MARKERS.begin).length, 2);
        assert.ok(once.trimEnd().endsWith(LOG4J2_MARKERS.end), "the overrides come last, so they win");
    });
});
