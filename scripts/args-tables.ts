/**
 * The argument tables of docs/library.md, generated from the components' own args interfaces (names,
 * types, `@default` tags and descriptions of their JSDoc). `npm run docs:args` rewrites them in place;
 * test/docs/library.test.ts fails when the document and the code disagree.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
export const LIBRARY_DOC = path.join(ROOT, "docs", "library.md");

/** The documented interfaces and the file each lives in. */
export const DOCUMENTED_ARGS: Record<string, string> = {
    Wso2NetworkArgs: "components/aws/network.ts",
    ExistingVpcArgs: "components/aws/network.ts",
    NetworkRef: "components/aws/network.ts",
    Wso2ClusterArgs: "components/aws/cluster.ts",
    EdgeLoadBalancerArgs: "components/aws/edge.ts",
    EdgeTarget: "components/aws/edge.ts",
    BackupStoreArgs: "components/aws/backup.ts",
    Wso2KubernetesArgs: "components/kubernetes/component.ts",
    KubernetesInput: "components/kubernetes/types.ts",
};

export interface ArgDoc {
    name: string;
    type: string;
    optional: boolean;
    /** The `@default` tag's text; undefined when the property has none. */
    default?: string;
    description: string;
}

/** The properties of one interface as its source declares them. */
export function readArgs(interfaceName: string): ArgDoc[] {
    const file = path.join(ROOT, DOCUMENTED_ARGS[interfaceName]);
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    let found: ts.InterfaceDeclaration | undefined;
    source.forEachChild((node) => {
        if (ts.isInterfaceDeclaration(node) && node.name.text === interfaceName) found = node;
    });
    if (!found) throw new Error(`${interfaceName}: not declared in ${DOCUMENTED_ARGS[interfaceName]}`);
    return found.members.filter(ts.isPropertySignature).map((member) => {
        const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
        const text = (c: string | ts.NodeArray<ts.JSDocComment> | undefined) => (typeof c === "string" ? c : (c ?? []).map((p) => p.getText()).join(""));
        const description = docs.map((d) => text(d.comment)).join(" ").replace(/\s+/g, " ").trim();
        const tag = docs.flatMap((d) => [...(d.tags ?? [])]).find((t) => t.tagName.text === "default");
        return {
            name: (member.name as ts.Identifier).text,
            type: member.type ? member.type.getText().replace(/\s+/g, " ") : "unknown",
            optional: !!member.questionToken,
            default: tag ? text(tag.comment).replace(/\s+/g, " ").trim() : undefined,
            description,
        };
    });
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

/** The Markdown table of one interface. */
export function argsTable(interfaceName: string): string {
    const rows = readArgs(interfaceName).map(
        (a) => `| \`${a.name}\` | \`${cell(a.type)}\` | ${a.optional ? cell(a.default ?? "") : "required"} | ${cell(a.description)} |`,
    );
    return ["| Argument | Type | Default | Description |", "|---|---|---|---|", ...rows].join("\n");
}

const BLOCK = /<!-- args:(\w+) -->\n[\s\S]*?<!-- \/args -->/g;

/** The document with every `<!-- args:Name -->` block regenerated from the code. */
export function withGeneratedTables(doc: string): string {
    return doc.replace(BLOCK, (_, name: string) => `<!-- args:${name} -->\n${argsTable(name)}\n<!-- /args -->`);
}

if (require.main === module) {
    const doc = fs.readFileSync(LIBRARY_DOC, "utf8");
    fs.writeFileSync(LIBRARY_DOC, withGeneratedTables(doc));
    process.stdout.write(`docs/library.md: args tables regenerated\n`);
}
