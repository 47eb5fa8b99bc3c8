/**
 * The project's module graph, read from the TypeScript sources: every relative `import`, `import type`,
 * `export ... from`, dynamic `import()` and `require()` between files of the tree. Type-only imports
 * count: a circle of types still couples the two files (and `tsc` resolves them together).
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** Directories never walked: dependencies, outputs, caches. */
const SKIPPED_DIRS = new Set(["node_modules", "dist", "out", ".git", ".bench"]);

/** Every `.ts` file under `root`, as paths relative to it with `/` separators. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (entry.isDirectory()) {
                if (!SKIPPED_DIRS.has(entry.name)) walk(path.join(dir, entry.name));
            } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
                files.push(path.relative(root, path.join(dir, entry.name)).split(path.sep).join("/"));
            }
        }
    };
    for (const d of dirs) if (fs.existsSync(path.join(root, d))) walk(path.join(root, d));
    return files.sort();
}

/** The file a relative specifier names, the way Node's resolution finds `.ts` sources; undefined outside the set. */
function resolve(from: string, specifier: string, known: ReadonlySet<string>): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    for (const candidate of [base, `${base}.ts`, `${base}/index.ts`]) if (known.has(candidate)) return candidate;
    return undefined;
}

/** File -> the files of the set it imports (relative specifiers only; packages are not part of the tree). */
export function importGraph(root: string, files: readonly string[]): Map<string, string[]> {
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const source = fs.readFileSync(path.join(root, file), "utf8");
        // readImportFiles and detectJavaScriptImports: static, type-only and dynamic imports and require().
        const info = ts.preProcessFile(source, true, true);
        const targets = new Set<string>();
        for (const ref of info.importedFiles) {
            if (!ref.fileName.startsWith(".")) continue;
            const target = resolve(file, ref.fileName, known);
            if (target) targets.add(target);
        }
        graph.set(file, [...targets].sort());
    }
    return graph;
}

/**
 * Every strongly connected component with more than one file (or a file importing itself), each as one
 * circle of files to read in import order. Tarjan's algorithm, iterative so deep trees cannot overflow.
 */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    let next = 0;
    for (const start of graph.keys()) {
        if (index.has(start)) continue;
        const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
        index.set(start, next);
        low.set(start, next++);
        stack.push(start);
        onStack.add(start);
        while (work.length > 0) {
            const frame = work[work.length - 1];
            const edges = graph.get(frame.node) ?? [];
            if (frame.edge < edges.length) {
                const to = edges[frame.edge++];
                if (!index.has(to)) {
                    index.set(to, next);
                    low.set(to, next++);
                    stack.push(to);
                    onStack.add(to);
                    work.push({ node: to, edge: 0 });
                } else if (onStack.has(to)) {
                    low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
                }
                continue;
            }
            work.pop();
            if (work.length > 0) {
                const parent = work[work.length - 1].node;
                low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
            }
            if (low.get(frame.node) === index.get(frame.node)) {
                const component: string[] = [];
                let member: string;
                do {
                    member = stack.pop()!;
                    onStack.delete(member);
                    component.push(member);
                } while (member !== frame.node);
                const selfImport = (graph.get(frame.node) ?? []).includes(frame.node);
                if (component.length > 1 || selfImport) components.push(circleOf(component, graph));
            }
        }
    }
    return components;
}

/** One concrete path through a strongly connected component, from its first file back to it. */
function circleOf(component: string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
    const members = new Set(component);
    const start = [...component].sort()[0];
    // Breadth-first from start to any member that imports start: the shortest circle through start.
    const previous = new Map<string, string>();
    const queue = [start];
    const seen = new Set([start]);
    while (queue.length > 0) {
        const node = queue.shift()!;
        for (const to of graph.get(node) ?? []) {
            if (to === start) {
                const path = [node];
                while (path[0] !== start) path.unshift(previous.get(path[0])!);
                return [...path, start];
            }
            if (members.has(to) && !seen.has(to)) {
                seen.add(to);
                previous.set(to, node);
                queue.push(to);
            }
        }
    }
    return [start, start];
}
