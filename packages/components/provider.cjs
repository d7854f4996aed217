/**
 * The component provider (package.json `main`): `pulumi package add` and every deployment that uses
 * the package start it with Pulumi's run-plugin. It hosts the public components (index.ts) with the
 * SDK's componentProviderHost, which answers GetSchema (inferred from the TypeScript types by the
 * SDK's analyzer, from tsconfig.json) and Construct.
 *
 * The components' sources live in the repository's components/ and policies/, outside this
 * directory, where Node would not find this package's node_modules: tsx loads the TypeScript with
 * this directory's tsconfig.json, whose `paths` send every package import to ./node_modules first
 * (one copy of @pulumi/pulumi for the host and the components). Plain JavaScript on purpose: it
 * runs before anything could transpile TypeScript.
 */
"use strict";
const path = require("node:path");

process.env.TSX_TSCONFIG_PATH = path.join(__dirname, "tsconfig.json");
require("tsx/cjs/api").register();
const { componentProviderHost } = require("@pulumi/pulumi/provider/experimental");
const { COMPONENTS, PACKAGE_NAME } = require("./index.ts");

componentProviderHost({ components: COMPONENTS, name: PACKAGE_NAME, dirname: __dirname });
