#!/usr/bin/env node
"use strict";
// The SDK captures a stack trace for every promise; under ts-node's source maps each capture is slow.
Error.stackTraceLimit = 0;
const path = require("path");
require("ts-node").register({
    transpileOnly: true,
    // Programs planned with --program bring their own tsconfig; transpile everything the same way.
    skipProject: true,
    compilerOptions: { module: "commonjs", target: "es2022", esModuleInterop: true, resolveJsonModule: true },
});
require(path.join(__dirname, "..", "main.ts"))
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));
