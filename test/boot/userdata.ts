/**
 * The user data a test VM boots: the node's planned cloud-config with only what must differ in the test
 * replaced, plus a boot hook that points the node's AWS tools at the emulator.
 */
import { parseDocument, YAMLMap, YAMLSeq } from "yaml";
import { parseNodeEnv, renderNodeEnv } from "../../components/host/node-scripts";

export const NFTABLES_PATH = "/etc/nftables.conf";

/** The planned ruleset with the lb_sources set's elements replaced by `cidrs`. */
export function withLbSources(ruleset: string, cidrs: string[]): string {
    const re = /(set lb_sources \{[^}]*?elements = \{)[^}]*(\})/;
    if (!re.test(ruleset)) throw new Error("the planned ruleset has no lb_sources set with elements");
    return ruleset.replace(re, `$1 ${cidrs.join(", ")} $2`);
}

/** Edits one written file of a cloud-config (by path); returns the new cloud-config. */
export function editWrittenFile(cloudConfig: string, filePath: string, edit: (content: string) => string): string {
    const doc = parseDocument(cloudConfig);
    const files = doc.get("write_files") as YAMLSeq<YAMLMap>;
    const entry = files?.items.find((f) => f.get("path") === filePath);
    if (!entry) throw new Error(`the cloud-config writes no ${filePath}`);
    entry.set("content", edit(String(entry.get("content"))));
    return "#cloud-config\n" + doc.toString({ lineWidth: 0 }).replace(/^#cloud-config\n/, "");
}

/** Adds a file to the cloud-config's write_files (root-owned, `permissions` as given). */
export function addWrittenFile(cloudConfig: string, filePath: string, content: string, permissions: string): string {
    const doc = parseDocument(cloudConfig);
    const files = doc.get("write_files") as YAMLSeq<YAMLMap>;
    if (files.items.some((f) => f.get("path") === filePath)) throw new Error(`the cloud-config already writes ${filePath}`);
    files.add(doc.createNode({ path: filePath, content, owner: "root:root", permissions }));
    return "#cloud-config\n" + doc.toString({ lineWidth: 0 }).replace(/^#cloud-config\n/, "");
}

export const NODE_ENV_PATH = "/etc/wso2/node.env";

/** The node's settings file (`KEY='value'` lines) as a map. */
export function nodeEnv(cloudConfig: string): Record<string, string> {
    return parseNodeEnv(writtenFile(cloudConfig, NODE_ENV_PATH));
}

/** The settings file with `changes` applied (each setting must exist). */
export function withNodeSettings(cloudConfig: string, changes: Record<string, string>): string {
    return editWrittenFile(cloudConfig, NODE_ENV_PATH, (env) => {
        const settings = parseNodeEnv(env);
        for (const k of Object.keys(changes)) if (!(k in settings)) throw new Error(`${NODE_ENV_PATH} has no ${k}`);
        return renderNodeEnv({ ...settings, ...changes });
    });
}

export function writtenFile(cloudConfig: string, filePath: string): string {
    const doc = parseDocument(cloudConfig);
    const files = doc.get("write_files") as YAMLSeq<YAMLMap>;
    const entry = files?.items.find((f) => f.get("path") === filePath);
    if (!entry) throw new Error(`the cloud-config writes no ${filePath}`);
    return String(entry.get("content"));
}

/**
 * Multipart user data: the node's cloud-config unchanged, then a boot hook (run by cloud-init early on every
 * boot, before the node's files and steps) that puts an `aws` in /usr/local/bin, ahead of Debian's
 * /usr/bin/aws on every PATH the node uses, which sends the call to the emulator. Every caller is covered:
 * cloud-init's single process (started before any hook could change the service manager's environment), the
 * steps' transient units and the timers' services. Credentials come from the metadata service, as on EC2.
 */
export function testUserData(cloudConfig: string, awsEndpoint: string): string {
    if (!/^http:\/\/[0-9.]+:\d+$/.test(awsEndpoint)) throw new Error(`bad emulator endpoint ${awsEndpoint}`);
    const boundary = "==boot-test-" + Math.random().toString(16).slice(2) + "==";
    const hook = [
        "#cloud-boothook",
        "#!/bin/sh",
        "cat >/usr/local/bin/aws <<'EOF'",
        "#!/bin/sh",
        "# boot test: the node's AWS calls go to the emulator on the host",
        `AWS_ENDPOINT_URL=${awsEndpoint} exec /usr/bin/aws "$@"`,
        "EOF",
        "chmod 0755 /usr/local/bin/aws",
        "",
    ].join("\n");
    return [
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        "MIME-Version: 1.0",
        "",
        `--${boundary}`,
        'Content-Type: text/cloud-boothook; charset="utf-8"',
        "",
        hook,
        `--${boundary}`,
        'Content-Type: text/cloud-config; charset="utf-8"',
        "",
        cloudConfig,
        `--${boundary}--`,
        "",
    ].join("\n");
}
