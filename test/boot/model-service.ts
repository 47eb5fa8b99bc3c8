/**
 * The project's configuration model, served to the stand-in on the host's loopback: the stand-in's start
 * script posts the deployment.toml it is about to start with and refuses to start on an error-level finding.
 * (The model is TypeScript and the test VM has no Node.js; QEMU's user-mode network lets the guest reach the
 * host's loopback at 10.0.2.2.)
 *
 * POST /check/<product>/<version>   body: the file   answer: "ok" or "refused", then one finding a line
 */
import * as http from "http";
import { checkConfig, productModel } from "../../products/model";
import type { ProductId } from "../../products";

export interface ModelService {
    port: number;
    /** Every judgement, for the report. */
    verdicts: string[];
    close(): Promise<void>;
}

export function startModelService(): Promise<ModelService> {
    const verdicts: string[] = [];
    const server = http.createServer((req, res) => {
        const m = /^\/check\/([a-z]+)\/([0-9.]+)$/.exec(req.url ?? "");
        if (req.method !== "POST" || !m) {
            res.writeHead(404).end();
            return;
        }
        let body = "";
        req.setEncoding("utf8");
        req.on("data", (d) => (body += d));
        req.on("end", () => {
            try {
                const result = checkConfig(body, productModel(m[1] as ProductId, m[2]));
                const errors = result.findings.filter((f) => f.severity === "error");
                const text = [errors.length ? "refused" : "ok", ...errors.map((f) => `${f.id} ${f.key}: ${f.message}`)].join("\n") + "\n";
                verdicts.push(`${m[1]} ${m[2]}: ${errors.length ? `refused (${errors.length} errors)` : "ok"}`);
                res.writeHead(200, { "Content-Type": "text/plain" }).end(text);
            } catch (e) {
                verdicts.push(`${m[1]} ${m[2]}: does not parse`);
                res.writeHead(200, { "Content-Type": "text/plain" }).end(`refused\n${(e as Error).message}\n`);
            }
        });
    });
    return new Promise((resolve, reject) => {
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            resolve({ port, verdicts, close: () => new Promise((r) => server.close(() => r())) });
        });
        server.on("error", reject);
    });
}
