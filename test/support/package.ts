/**
 * The library as a user gets it: `npm pack` of this repository, installed into a program of their own.
 * Installing is offline: the dependencies come from the local npm cache that `npm ci` of this repository
 * filled. The cache holds tarballs but not the registry's version lists, so the program gets a lockfile
 * (as a user's program has after its first install): this repository's own resolution of the library's
 * dependencies, plus the library's tarball with its integrity.
 */
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { REPO } from "./cli";

export interface Timed<T> {
    value: T;
    seconds: number;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
    const r = spawnSync(command, args, {
        cwd,
        encoding: "utf8",
        timeout: timeoutMs,
        env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    });
    if (r.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} in ${cwd}: ${r.error ? r.error.message : `exit ${r.status}`}\n${r.stdout}\n${r.stderr}`);
    }
    return r.stdout;
}

function timed<T>(f: () => T): Timed<T> {
    const started = Date.now();
    const value = f();
    return { value, seconds: (Date.now() - started) / 1000 };
}

/** `npm pack` of the repository (its `prepack` builds dist/) into `dest`; the tarball's path. */
export function packLibrary(dest: string, timeoutMs = 300_000): Timed<string> {
    return timed(() => {
        const out = run("npm", ["pack", "--pack-destination", dest, "--json"], REPO, timeoutMs);
        const [{ filename }] = JSON.parse(out.slice(out.indexOf("[")));
        return path.join(dest, filename);
    });
}

/**
 * Writes the program's lockfile: the program's own dependencies at the root, the library from its
 * tarball, and every non-development package of this repository's lockfile where npm hoists it.
 */
function writeLockfile(programDir: string, tarball: string): void {
    const program = JSON.parse(fs.readFileSync(path.join(programDir, "package.json"), "utf8"));
    const library = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
    const repoLock = JSON.parse(fs.readFileSync(path.join(REPO, "package-lock.json"), "utf8"));
    const packages: Record<string, unknown> = {
        "": { name: program.name, version: program.version, dependencies: program.dependencies, devDependencies: program.devDependencies },
        "node_modules/wso2-hardening": {
            version: library.version,
            resolved: `file:${tarball}`,
            integrity: `sha512-${crypto.createHash("sha512").update(fs.readFileSync(tarball)).digest("base64")}`,
            license: library.license,
            dependencies: library.dependencies,
            bin: library.bin,
            engines: library.engines,
        },
    };
    for (const [key, entry] of Object.entries<{ dev?: boolean }>(repoLock.packages)) {
        if (key !== "" && !entry.dev) packages[key] = entry;
    }
    const lock = { name: program.name, version: program.version, lockfileVersion: 3, requires: true, packages };
    fs.writeFileSync(path.join(programDir, "package-lock.json"), JSON.stringify(lock, null, 2) + "\n");
}

/**
 * Copies the program in `sourceDir` to `programDir`, points its `wso2-hardening` dependency at the
 * tarball, and installs with `npm ci --offline`.
 */
export function installProgram(sourceDir: string, programDir: string, tarball: string, timeoutMs = 300_000): Timed<void> {
    fs.cpSync(sourceDir, programDir, { recursive: true, filter: (src) => !/(^|[\\/])(node_modules|out)$/.test(src) });
    const pkgFile = path.join(programDir, "package.json");
    const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
    pkg.dependencies["wso2-hardening"] = `file:${tarball}`;
    fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + "\n");
    writeLockfile(programDir, tarball);
    return timed(() => {
        run("npm", ["ci", "--offline", "--ignore-scripts"], programDir, timeoutMs);
    });
}
