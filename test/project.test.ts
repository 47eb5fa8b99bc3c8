import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_KEYS } from "../config/schema";
import { REPO } from "./support/cli";

describe("project files", () => {
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));

    it("Pulumi.yaml is the nodejs project wso2-hardening with main stacks/ and stackConfigDir stacks", () => {
        assert.equal(project.name, "wso2-hardening");
        assert.equal(project.runtime.name, "nodejs");
        assert.equal(project.main, "stacks/");
        assert.equal(project.stackConfigDir, "stacks");
    });

    it("Pulumi.yaml declares every config key with the type, description and default of config/schema.ts", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            const declared = project.config[key];
            assert.equal(declared.type, spec.type, key);
            assert.equal(declared.description, spec.description, key);
            assert.deepEqual(declared.default, spec.default, key);
            if (spec.type === "array") assert.deepEqual(declared.items, { type: "string" }, key);
        }
    });

    it("package.json pins the stack the project is built and tested with", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"));
        const deps = { ...pkg.dependencies, ...pkg.devDependencies };
        assert.equal(deps["@pulumi/pulumi"], "3.270.0");
        assert.equal(deps["@pulumi/aws"], "7.48.0");
        assert.equal(deps["@pulumi/kubernetes"], "4.34.2");
        assert.equal(deps["@pulumi/random"], "4.21.2");
        assert.equal(deps["@pulumi/policy"], "1.21.0");
        assert.match(deps.typescript, /^~5\.9/);
        assert.equal(pkg.bin["wso2-harden"], "cli/bin/wso2-harden.js");
        assert.ok(fs.existsSync(path.join(REPO, "package-lock.json")));
    });
});
