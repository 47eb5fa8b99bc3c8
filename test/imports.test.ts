import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { REPO, tempDir } from "./support/cli";
import { importCircles, importGraph, sourceFiles } from "./support/import-graph";

/** Every directory of the tree that holds TypeScript the project ships, runs or tests. */
const TREE = ["config", "products", "components", "stacks", "policies", "cli", "test", "bench", "examples", "scripts"];

describe("import graph", () => {
    it("has no import circles anywhere in the tree (static, type-only, dynamic imports and require)", () => {
        const files = sourceFiles(REPO, TREE);
        assert.ok(files.length > 100, `walked only ${files.length} files`);
        const graph = importGraph(REPO, files);
        const circles = importCircles(graph);
        assert.deepEqual(
            circles.map((c) => c.join(" -> ")),
            [],
            "break each circle: move the shared declaration to the module both depend on",
        );
    });

    it("finds a circle of each kind of import in a tree written to have them", () => {
        const root = tempDir("imports");
        try {
            const write = (file: string, text: string) => {
                fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                fs.writeFileSync(path.join(root, file), text);
            };
            write("a/settings.ts", `import { PRODUCTS } from "../b";\nexport type Id = "x";\n`);
            write("b/index.ts", `import type { Id } from "../a/settings";\nexport const PRODUCTS: Id[] = [];\n`);
            write("c/evaluate.ts", `export async function f() { return (await import("./pack")).rules; }\n`);
            write("c/pack.ts", `export { f } from "./evaluate";\nexport const rules = [];\n`);
            write("d/self.ts", `const me = require("./self");\nexport = me;\n`);
            write("e/leaf.ts", `import * as fs from "fs";\nimport { g } from "./other";\nexport const h = fs && g;\n`);
            write("e/other.ts", `export const g = 1;\n`);
            const circles = importCircles(importGraph(root, sourceFiles(root, ["a", "b", "c", "d", "e"])));
            assert.deepEqual(circles.map((c) => c.join(" -> ")).sort(), [
                "a/settings.ts -> b/index.ts -> a/settings.ts",
                "c/evaluate.ts -> c/pack.ts -> c/evaluate.ts",
                "d/self.ts -> d/self.ts",
            ]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
