/**
 * The node's steps travel as one gzip-compressed tar object in the cluster's bucket rather than inside the
 * user data: EC2 accepts at most 16 KiB of user data (compressed) and the steps alone outgrow it. The user
 * data keeps what must run before the bundle can be fetched (the shared library, the boot driver, the
 * package step and the fetch step) and the bundle's SHA-256, which the fetch step checks before it unpacks
 * anything: whoever can write to the bucket still cannot change what a node runs.
 */
import * as crypto from "crypto";
import * as zlib from "zlib";

/** One file of the bundle: an absolute path on the node, its content and octal mode. */
export interface BundledFile {
    path: string;
    content: string;
    permissions: string;
}

export interface StepsBundle {
    /** The `.tar.gz` bytes. */
    content: Buffer;
    /** Lower-case hex SHA-256 of `content`. */
    sha256: string;
}

/** Key prefix of a cluster's step bundles in its bucket; outside `nodes/`, which backups' expiry covers. */
export function stepsKeyPrefix(clusterName: string): string {
    return `steps/${clusterName}`;
}

/**
 * Key prefix of a cluster's shared keystore in its bucket: like the steps, outside `nodes/`, so the backups'
 * expiry never deletes the key every node of the cluster must share.
 */
export function keystoreKeyPrefix(clusterName: string): string {
    return `keystore/${clusterName}`;
}

/** Key of one bundle: named by its checksum, so a changed bundle is a new object and old nodes keep theirs. */
export function stepsKey(clusterName: string, sha256: string): string {
    return `${stepsKeyPrefix(clusterName)}/${sha256}.tar.gz`;
}

const BLOCK = 512;

function writeField(header: Buffer, offset: number, length: number, value: string): void {
    const bytes = Buffer.from(value, "utf8");
    if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
    bytes.copy(header, offset);
}

function octal(value: number, digits: number): string {
    return value.toString(8).padStart(digits, "0") + "\0";
}

/** A POSIX ustar header for a regular file owned by root, with a fixed time (the archive is reproducible). */
function ustarHeader(name: string, mode: number, size: number): Buffer {
    const header = Buffer.alloc(BLOCK);
    writeField(header, 0, 100, name);
    writeField(header, 100, 8, octal(mode, 7));
    writeField(header, 108, 8, octal(0, 7));
    writeField(header, 116, 8, octal(0, 7));
    writeField(header, 124, 12, octal(size, 11));
    writeField(header, 136, 12, octal(0, 11));
    writeField(header, 148, 8, "        ");
    writeField(header, 156, 1, "0");
    writeField(header, 257, 6, "ustar\0");
    writeField(header, 263, 2, "00");
    writeField(header, 265, 32, "root");
    writeField(header, 297, 32, "root");
    let sum = 0;
    for (const byte of header) sum += byte;
    writeField(header, 148, 8, octal(sum, 6) + " ");
    return header;
}

/** The bundle of `files`: same files, same bytes. Paths are stored relative to `/`. */
export function renderStepsBundle(files: readonly BundledFile[]): StepsBundle {
    const parts: Buffer[] = [];
    const seen = new Set<string>();
    for (const f of files) {
        if (!f.path.startsWith("/") || f.path.includes("..")) throw new Error(`steps bundle: path ${JSON.stringify(f.path)} must be absolute`);
        if (seen.has(f.path)) throw new Error(`steps bundle: ${f.path} twice`);
        if (!/^0[0-7]{3}$/.test(f.permissions)) throw new Error(`steps bundle: ${f.path}: permissions ${f.permissions} must be octal like 0755`);
        seen.add(f.path);
        const body = Buffer.from(f.content, "utf8");
        parts.push(ustarHeader(f.path.slice(1), parseInt(f.permissions, 8), body.length), body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
    }
    parts.push(Buffer.alloc(2 * BLOCK));
    const content = zlib.gzipSync(Buffer.concat(parts), { level: 9 });
    return { content, sha256: crypto.createHash("sha256").update(content).digest("hex") };
}
