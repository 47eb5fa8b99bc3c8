/**
 * A node VM of the boot test: vm.sh boots it on the cached image with the node's user data and its own
 * instance metadata; the test reaches it through forwarded ports (from the host's loopback) and the guest
 * agent.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { freePort } from "./emulator";
import { Guest } from "./guest";

const VM_SH = path.join(__dirname, "vm.sh");

export interface NodeOptions {
    name: string;
    runRoot: string;
    image: string;
    userData: string;
    instanceId: string;
    /** IMDS paths (/latest/meta-data/...) and their values. */
    metadata: Record<string, unknown>;
    /** Guest ports forwarded over the instance network (arriving from 10.0.2.2). */
    ports: number[];
    /** Guest ports also forwarded over the metadata link (arriving from 169.254.169.1). */
    otherSourcePorts: number[];
    bootTimeoutSeconds: number;
}

export class NodeVm {
    readonly guest: Guest;
    /** guest port -> host port, instance network */
    readonly fwd = new Map<number, number>();
    /** guest port -> host port, metadata link */
    readonly otherFwd = new Map<number, number>();
    boots = 0;
    bootSeconds: number[] = [];

    private constructor(readonly opts: NodeOptions, readonly dir: string) {
        this.guest = new Guest(path.join(dir, "vm", "qga.sock"));
    }

    static async start(opts: NodeOptions): Promise<NodeVm> {
        const dir = path.join(opts.runRoot, opts.name);
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        const vm = new NodeVm(opts, dir);
        for (const p of opts.ports) vm.fwd.set(p, await freePort());
        for (const p of opts.otherSourcePorts) vm.otherFwd.set(p, await freePort());
        fs.writeFileSync(path.join(dir, "user-data"), opts.userData);
        fs.writeFileSync(path.join(dir, "meta-data"), `instance-id: ${opts.instanceId}\nlocal-hostname: ${opts.name}\n`);
        fs.writeFileSync(path.join(dir, "imds.json"), JSON.stringify(opts.metadata));
        const fwds = [...[...vm.fwd].map(([g, h]) => `${g}=${h}`), ...[...vm.otherFwd].map(([g, h]) => `n1/${g}=${h}`)];
        execFileSync(VM_SH, ["start", path.join(dir, "vm"), opts.image, path.join(dir, "user-data"), path.join(dir, "meta-data"), path.join(dir, "imds.json"), ...fwds], {
            stdio: ["ignore", "inherit", "inherit"],
        });
        return vm;
    }

    get serialLog(): string {
        return path.join(this.dir, "vm", "serial.log");
    }

    /** Waits for the next boot's marker; returns the marker line (`BOOT-TEST-DONE boot=<id> rc=<n>`). */
    async waitBoot(): Promise<string> {
        const started = Date.now();
        this.boots++;
        const line = await new Promise<string>((resolve, reject) => {
            const { execFile } = require("child_process") as typeof import("child_process");
            execFile(VM_SH, ["wait", path.join(this.dir, "vm"), String(this.boots), String(this.opts.bootTimeoutSeconds)], (err, stdout, stderr) => {
                if (err) reject(new Error(`${this.opts.name}: ${stderr.trim() || err.message}`));
                else resolve(stdout.trim());
            });
        });
        this.bootSeconds.push(Math.round((Date.now() - started) / 1000));
        await this.guest.ready(120_000);
        return line;
    }

    stop(): void {
        execFileSync(VM_SH, ["stop", path.join(this.dir, "vm")], { stdio: ["ignore", "inherit", "inherit"] });
    }
}
