/** AWS components of wso2-hardening. */
export * from "./common";
export * from "./instance-types";
export * from "./preflight";
export * from "./subnets";
export * from "./security-rules";
export * from "./network";
export * from "./secrets";
export * from "./backup";
export * from "./nodes";
export * from "./cluster";
export * from "./edge";
export * from "./names";
export * from "./database";
