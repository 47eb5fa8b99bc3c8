/**
 * The `#cloud-config` user data: writes every rendered file, then runs the boot steps in order. Every step
 * is idempotent, so a re-run (cloud-init's `runcmd` runs once per instance; an operator may rerun it) leaves
 * the same state.
 */
import { stringify } from "yaml";

/** One file the cloud-config writes on the node. */
export interface HostFile {
    path: string;
    content: string;
    /** Octal mode, e.g. "0640". */
    permissions: string;
    /** user:group. @default "root:root" */
    owner?: string;
}

export interface CloudConfigInput {
    files: HostFile[];
    /** Commands run in order after the files are written (each an argv). */
    commands: string[][];
}

export function renderCloudConfig(input: CloudConfigInput): string {
    const paths = new Set<string>();
    for (const f of input.files) {
        if (!f.path.startsWith("/") || f.path.includes("..")) throw new Error(`cloud-config file path ${JSON.stringify(f.path)} must be absolute`);
        if (paths.has(f.path)) throw new Error(`cloud-config writes ${f.path} twice`);
        if (!/^0[0-7]{3}$/.test(f.permissions)) throw new Error(`cloud-config file ${f.path}: permissions ${f.permissions} must be octal like 0640`);
        paths.add(f.path);
    }
    const doc = {
        // The boot steps install packages themselves (idempotently); nothing else is pulled in.
        package_update: false,
        package_upgrade: false,
        ssh_pwauth: false,
        disable_root: true,
        // Only an ed25519 host key, fresh per instance.
        ssh_deletekeys: true,
        ssh_genkeytypes: ["ed25519"],
        write_files: input.files.map((f) => ({
            path: f.path,
            owner: f.owner ?? "root:root",
            permissions: f.permissions,
            content: f.content,
        })),
        runcmd: input.commands,
    };
    return "#cloud-config\n" + stringify(doc, { lineWidth: 0 });
}
