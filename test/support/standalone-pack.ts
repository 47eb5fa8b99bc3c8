/**
 * The policy pack as a user gets it: `policies/` copied alone into a directory of its own and installed
 * with npm, offline, from the npm cache this repository's own `npm ci` filled. The copy gets a lockfile
 * cut from the repository's: the pack's dependencies with exactly the versions (and integrity hashes)
 * the repository installed, so `npm ci --offline` needs no registry.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./cli";

const PACK = path.join(REPO, "policies");

interface LockEntry {
    version?: string;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    dev?: boolean;
    optional?: boolean;
    devOptional?: boolean;
    peer?: boolean;
    [key: string]: unknown;
}

/** Where node would find `name` from the package installed at `from` (a lockfile path). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
    for (let dir = from; ; ) {
        const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
        if (packages[candidate]) return candidate;
        if (!dir) return undefined;
        const i = dir.lastIndexOf("/node_modules/");
        dir = i < 0 ? "" : dir.slice(0, i);
    }
}

/** A lockfile for the pack: its dependencies and everything they need, as the repository resolved them. */
export function packLockfile(): Record<string, unknown> {
    const root = JSON.parse(fs.readFileSync(path.join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
    const pack = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as {
        name: string;
        version: string;
        dependencies: Record<string, string>;
        devDependencies?: Record<string, string>;
    };
    const packages: Record<string, LockEntry> = {};
    // Runtime dependencies first, so what they share with the build tools is not marked dev.
    for (const [deps, dev] of [[pack.dependencies, false], [pack.devDependencies ?? {}, true]] as const) {
        const queue = Object.keys(deps).map((name) => ({ from: "", name }));
        while (queue.length) {
            const { from, name } = queue.shift()!;
            const at = resolveIn(root.packages, from, name);
            if (!at) {
                if (from === "") throw new Error(`the repository's lockfile has no ${name}: run npm ci at the root first`);
                continue; // an optional or peer dependency the repository does not install
            }
            if (packages[at]) continue;
            const { dev: _dev, optional: _optional, devOptional: _devOptional, peer: _peer, ...entry } = root.packages[at];
            packages[at] = dev ? { ...entry, dev: true } : entry;
            for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) queue.push({ from: at, name: dep });
        }
    }
    return {
        name: pack.name,
        version: pack.version,
        lockfileVersion: 3,
        requires: true,
        packages: {
            "": { name: pack.name, version: pack.version, license: "Apache-2.0", dependencies: pack.dependencies, devDependencies: pack.devDependencies },
            ...packages,
        },
    };
}

/** Copies `policies/` (without node_modules) into `dir` and installs its runtime dependencies offline. */
export function installStandalonePack(dir: string): void {
    fs.cpSync(PACK, dir, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
    fs.writeFileSync(path.join(dir, "package-lock.json"), JSON.stringify(packLockfile(), null, 2) + "\n");
    const r = spawnSync("npm", ["ci", "--offline", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm ci --offline of the copied pack failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

function newestSource(dir: string): number {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules" || entry.name === "bin") continue;
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
        else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
    return newest;
}

/** Builds the pack (`npm run build` in policies/: tsc into bin/) unless bin/ is newer than every source. */
export function ensurePackBuilt(): void {
    const main = path.join(PACK, "bin", "index.js");
    if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newestSource(PACK)) return;
    const r = spawnSync("npm", ["run", "build"], { cwd: PACK, encoding: "utf8", timeout: 300_000 });
    if (r.status !== 0) throw new Error(`npm run build in policies/ failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** A pack with no policies, started the same way: the floor of start time and of Analyze per resource. */
export function writeEmptyPack(dir: string, nodeModules: string): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "empty-pack", version: "0.0.0", main: "index.js" }));
    fs.writeFileSync(path.join(dir, "index.js"), 'const { PolicyPack } = require("@pulumi/policy");\nnew PolicyPack("empty", { policies: [] });\n');
    fs.symlinkSync(nodeModules, path.join(dir, "node_modules"));
}

/** A pack started as the Pulumi CLI starts it (`run-policy-pack <engine> <dir>`), and when its port was printed. */
export interface StartedPack {
    child: ChildProcess;
    port: number;
    /** When the process was spawned (process.hrtime.bigint()), to time later answers from. */
    spawnedAt: bigint;
    /** Wall-clock time from spawn to the port printed. */
    startMs: number;
    /** CPU time (user + system) the process had used when it printed its port: start cost without the machine's load. */
    startCpuMs?: number;
}

/** CPU time a process has used so far, from /proc (Linux); undefined elsewhere. */
export function cpuMs(pid: number | undefined): number | undefined {
    try {
        const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
        // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
        return undefined;
    }
}

/**
 * Starts the pack in `dir` as the CLI does: `node <its @pulumi/pulumi>/cmd/run-policy-pack <engine> .` in the
 * pack's directory. `nodeArgs` go to node before the runner (only to observe the process, e.g. a --require hook);
 * `node` is the Node binary that runs it (default: the one running this process).
 */
export function startPack(dir: string, timeoutMs = 60_000, nodeArgs: string[] = [], env: NodeJS.ProcessEnv = process.env, node = process.execPath): Promise<StartedPack> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
    const started = process.hrtime.bigint();
    const child = spawn(node, [...nodeArgs, runner, "127.0.0.1:1", "."], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`the pack in ${dir} did not start within ${timeoutMs} ms: ${stderr}`));
        }, timeoutMs);
        child.stdout!.on("data", (d) => {
            const m = /^(\d+)\s*$/m.exec(String(d));
            if (!m) return;
            clearTimeout(timer);
            resolve({ child, port: Number(m[1]), spawnedAt: started, startMs: Number(process.hrtime.bigint() - started) / 1e6, startCpuMs: cpuMs(child.pid) });
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the pack in ${dir} exited with ${code}: ${stderr}`));
        });
    });
}
