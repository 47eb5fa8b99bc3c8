#!/usr/bin/env node
"use strict";
// The SDK captures a stack trace for every resource and promise; keep each capture cheap.
Error.stackTraceLimit = 0;
const path = require("path");
require("./register");
require(path.join(__dirname, "..", "main.ts"))
    .main(process.argv.slice(2))
    .then((code) => process.exit(code));
