/**
 * The keys a product version reads, as derived from WSO2's sources by scripts/model/extract-config-keys.mjs
 * into `keys/<product>-<version>.txt` (one pattern a line: `*` is any one segment of an open map, `[]` an
 * element of an array of tables). Loaded once per file; matching is on flat dotted keys.
 */
import * as fs from "fs";
import * as path from "path";

export interface KeySet {
    /** Exact keys and prefixes the product reads (`a.b` also for array tables `a.b[]`). */
    has(key: string): boolean;
    /** Every pattern, for tests and reports. */
    readonly patterns: readonly string[];
    /** Top-level names read by feature templates the sources do not enumerate (`@name` lines). */
    readonly namespaces: readonly string[];
    /** Top-level names of enumerated keys. */
    readonly roots: ReadonlySet<string>;
}

const KEY_DIR = path.join(__dirname, "keys");
const cache = new Map<string, KeySet>();

/** `a.b[].c` -> ["a","b[]","c"]; `[]` sticks to the segment it follows. */
function segments(key: string): string[] {
    return key.split(".");
}

function matches(pattern: string[], key: string[]): boolean {
    if (pattern.length !== key.length) return false;
    for (let i = 0; i < pattern.length; i++) {
        const p = pattern[i];
        if (p === "*" || p === key[i]) continue;
        return false;
    }
    return true;
}

export function keySet(lines: readonly string[]): KeySet {
    const patterns = lines.filter((l) => !l.startsWith("@"));
    const namespaces = lines.filter((l) => l.startsWith("@")).map((l) => l.slice(1));
    const roots = new Set(patterns.map((p) => p.split(/[.[]/)[0]));
    const exact = new Set<string>();
    const wild: string[][] = [];
    for (const p of patterns) {
        if (p.includes("*")) wild.push(segments(p));
        else exact.add(p);
    }
    // An array of tables is read when any key of its elements is (`a.b` for `a.b[].c`).
    const arrays = new Set(patterns.filter((p) => p.includes("[]")).map((p) => p.slice(0, p.indexOf("[]"))));
    return {
        patterns,
        namespaces,
        roots,
        has(key: string): boolean {
            if (exact.has(key) || arrays.has(key)) return true;
            const s = segments(key);
            // Keys below an open map (`a.*`) are read whatever their depth: the template copies the map.
            return wild.some((w) => matches(w, s) || (w[w.length - 1] === "*" && s.length > w.length && matches(w, s.slice(0, w.length))));
        },
    };
}

/** Key patterns of `<product>-<version>` as extracted; throws when the model has no such file. */
export function loadKeys(name: string): KeySet {
    const hit = cache.get(name);
    if (hit) return hit;
    const text = fs.readFileSync(path.join(KEY_DIR, `${name}.txt`), "utf8");
    const set = keySet(text.split("\n").filter((l) => l && !l.startsWith("#")));
    cache.set(name, set);
    return set;
}

/** How a key of the shipped deployment.toml relates to the config mapper's defaults (scripts/model/extract-shipped-keys.mjs). */
export type ShippedClass = "ref" | "unset" | "differs";

export interface ShippedKey {
    key: string;
    /**
     * `ref`: a default refers to it (`$ref{...}`) and none defines it; `unset`: no default defines it;
     * `differs`: the default differs from the shipped value.
     */
    class: ShippedClass;
}

const shippedCache = new Map<string, ShippedKey[]>();

/** Keys of `<product>-<version>`'s shipped deployment.toml that nothing else supplies; none when the model has no such file. */
export function loadShippedKeys(name: string): ShippedKey[] {
    const hit = shippedCache.get(name);
    if (hit) return hit;
    const file = path.join(KEY_DIR, `${name}.shipped.txt`);
    const list: ShippedKey[] = [];
    if (fs.existsSync(file)) {
        for (const line of fs.readFileSync(file, "utf8").split("\n")) {
            if (!line || line.startsWith("#")) continue;
            const [key, cls] = line.split(" ");
            if (cls !== "ref" && cls !== "unset" && cls !== "differs") throw new Error(`${file}: ${JSON.stringify(line)} has no class ref, unset or differs`);
            list.push({ key, class: cls });
        }
    }
    shippedCache.set(name, list);
    return list;
}
