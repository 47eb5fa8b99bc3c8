// What the model's extraction scripts share: their command line, where WSO2's configuration sources sit in
// each repository, and reading a file of a fetched mirror at a tag.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export const KERNEL = "wso2+carbon-kernel";
export const KERNEL_CONF = "distribution/kernel/carbon-home/repository/resources/conf";
export const APIM_CONF = "modules/distribution/product/src/main/resources/conf";
export const IS_CONF = "modules/distribution/src/repository/resources/conf";
export const MI_CONF = "distribution/src/resources/config-tool";

/**
 * `<mirror-root> <out-dir>` from the command line, or the usage on stderr and exit 2. <mirror-root> holds
 * git directories fetched from GitHub as <owner>+<name>/repo (the `fetch` tool's layout).
 */
export function mirrorArgs(script) {
    const [mirrors, outDir] = process.argv.slice(2);
    if (!mirrors || !outDir) {
        console.error(`usage: ${script} <mirror-root> <out-dir>`);
        process.exit(2);
    }
    return { mirrors, outDir };
}

/** `git` on one mirror's git directory; its output as text. */
export function mirrorGit(mirrors, repo, ...args) {
    return execFileSync("git", ["--git-dir", join(mirrors, repo, "repo"), ...args], { encoding: "utf8", maxBuffer: 256 << 20 });
}
