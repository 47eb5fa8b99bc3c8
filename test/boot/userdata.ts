/**
 * The user data a test VM boots: the node's planned cloud-config with only what must differ in the test
 * replaced, plus a boot hook that points the node's AWS tools at the emulator.
 */
import { parseDocument, YAMLMap, YAMLSeq } from "yaml";

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

export function writtenFile(cloudConfig: string, filePath: string): string {
    const doc = parseDocument(cloudConfig);
    const files = doc.get("write_files") as YAMLSeq<YAMLMap>;
    const entry = files?.items.find((f) => f.get("path") === filePath);
    if (!entry) throw new Error(`the cloud-config writes no ${filePath}`);
    return String(entry.get("content"));
}

/**
 * Multipart user data: the node's cloud-config unchanged, then a boot hook (run by cloud-init early on every
 * boot) that sets AWS_ENDPOINT_URL in the service manager's environment, so every unit started after it
 * (cloud-init's final stage with the boot steps, the backup and peer timers' services) sends its AWS calls
 * to the emulator. Credentials come from the metadata service, as on EC2.
 */
export function testUserData(cloudConfig: string, awsEndpoint: string): string {
    if (!/^http:\/\/[0-9.]+:\d+$/.test(awsEndpoint)) throw new Error(`bad emulator endpoint ${awsEndpoint}`);
    const boundary = "==boot-test-" + Math.random().toString(16).slice(2) + "==";
    const hook = `#cloud-boothook\n#!/bin/sh\nsystemctl set-environment AWS_ENDPOINT_URL=${awsEndpoint}\n`;
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
