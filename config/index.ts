import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE } from "./schema";
import { parseSettings, Settings } from "./settings";

export * from "./schema";
export * from "./settings";
export * from "./cidr";
export * from "./validate";

/**
 * Reads the stack's `wso2-hardening:*` configuration and validates it. Call it before creating any
 * resource: a `ConfigError` then stops the program with nothing registered.
 */
export function loadSettings(): Settings {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    return parseSettings((key) => config.get(key));
}
