// Builds ../../assets/vendor/plotly-cockpit.min.js (+ .br, .gz): plotly.js lib/core and the traces the cockpit draws
// (cockpit/figures: bar, scatter, pie, indicator, treemap). `npm ci && node build.mjs` in .ci/plotly.
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
const code = Buffer.from(result.outputFiles[0].text);
mkdirSync(new URL("../../assets/vendor/", import.meta.url).pathname, { recursive: true });
writeFileSync(OUT, code);
writeFileSync(OUT + ".br", brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.length } }));
writeFileSync(OUT + ".gz", gzipSync(code, { level: 9 }));
console.log(`plotly.js ${VERSION}: ${code.length} B, br ${readFileSync(OUT + ".br").length} B, gz ${readFileSync(OUT + ".gz").length} B`);
