// Builds ../../assets/vendor/plotly-cockpit.min.js (+ .br, .gz): plotly.js lib/core and the traces the cockpit draws
// (cockpit/figures: bar, scatter, pie, indicator, treemap); and ../../assets/vendor/regenerator-runtime.min.js, the one
// part of @babel/polyfill that Dash's bundles call (cockpit/shell.py serves it in the polyfill's place).
// `npm ci && node build.mjs` in .ci/plotly.
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const VERSION = require("plotly.js/package.json").version;
const TRACES = ["bar", "scatter", "pie", "indicator", "treemap"];
const OUT = new URL("../../assets/vendor/plotly-cockpit.min.js", import.meta.url).pathname;
const entry = `var Plotly = require("plotly.js/lib/core");
Plotly.register([${TRACES.filter((t) => t !== "scatter").map((t) => `require("plotly.js/lib/${t}")`).join(", ")}]);
module.exports = Plotly;`;

const result = await build({
  stdin: { contents: entry, resolveDir: process.cwd(), sourcefile: "entry.js" },
  bundle: true, minify: true, format: "iife", globalName: "Plotly", target: "es2018", write: false,
  legalComments: "none", define: { global: "window" }, loader: { ".css": "empty" },  // map CSS: no map traces here
  banner: { js: `/* plotly.js v${VERSION} (cockpit bundle: ${TRACES.join(", ")}) | MIT, Plotly, Inc. */` },
});
mkdirSync(new URL("../../assets/vendor/", import.meta.url).pathname, { recursive: true });
write(OUT, result.outputFiles[0].text, `plotly.js ${VERSION}`);

// Dash's renderer and dcc call a global regeneratorRuntime (Babel's async transform); @babel/polyfill 7.12 is that
// plus core-js 2, which every browser React 18 runs on has natively: ~90 KB of script run before the first render.
const REGENERATOR = require("regenerator-runtime/package.json").version;
const regenerator = await build({
  stdin: { contents: `window.regeneratorRuntime = require("regenerator-runtime/runtime.js");`, resolveDir: process.cwd(),
    sourcefile: "regenerator.js" },
  bundle: true, minify: true, format: "iife", target: "es2018", write: false, legalComments: "none",
  banner: { js: `/* regenerator-runtime v${REGENERATOR} | MIT, Meta Platforms, Inc. */` },
});
write(new URL("../../assets/vendor/regenerator-runtime.min.js", import.meta.url).pathname,
  regenerator.outputFiles[0].text, `regenerator-runtime ${REGENERATOR}`);

function write(path, text, name) {
  const code = Buffer.from(text);
  writeFileSync(path, code);
  writeFileSync(path + ".br", brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } }));
  writeFileSync(path + ".gz", gzipSync(code, { level: 9 }));
  console.log(`${name}: ${code.length} B, br ${readFileSync(path + ".br").length} B, gz ${readFileSync(path + ".gz").length} B`);
}
