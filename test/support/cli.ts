import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const REPO = path.resolve(__dirname, "..", "..");
export const BIN = path.join(REPO, "cli", "bin", "wso2-harden.js");

export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `wso2-harden` as a user would (a separate node process), bounded in time. */
export function runCli(args: string[], cwd = REPO, timeoutMs = 120_000): CliResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: timeoutMs });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `wso2-${prefix}-`));
}

export function readJson<T = any>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}
