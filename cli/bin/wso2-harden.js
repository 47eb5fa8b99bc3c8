#!/usr/bin/env node
"use strict";
// The SDK captures a stack trace for every resource and promise; keep each capture cheap.
Error.stackTraceLimit = 0;
const fs = require("fs");
const path = require("path");
// Loads the TypeScript of the programs it plans (and, in a source checkout, the CLI itself).
require("./register");
// A source checkout runs the TypeScript sources; the installed package its compiled JavaScript.
const source = path.join(__dirname, "..", "main.ts");
const entry = fs.existsSync(source) ? source : path.join(__dirname, "..", "..", "dist", "cli", "main.js");
require(entry)
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));
