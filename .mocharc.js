// ts-node in transpile-only mode: `npm run typecheck` type-checks once instead of on every run.
process.env.TS_NODE_TRANSPILE_ONLY = "true";
process.env.TS_NODE_FILES = "true";
module.exports = {
  require: ["ts-node/register", "test/setup.ts"],
  timeout: 120000,
  reporter: "spec",
};
