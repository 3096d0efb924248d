// Bundles the task pane: the JS shell, MSAL, the wasm core and the CSS into dist/, with
// the manifest rewritten for the URL the add-in is served from: dist/manifest.xml, and
// dist/manifest.json converted from it (scripts/manifest-json.mjs, Microsoft's converter).
// Each page gets its Content-Security-Policy <meta> (`csp`, from scripts/csp.mjs). The
// pages' own script tags are pinned by scripts/build.mjs (integrity="sha384-..."); the
// one chunk loaded later, MSAL's (www/js/auth.js), carries its sha384 in the runtime
// that loads it (webpack-subresource-integrity), and the wasm is fetched with its hash.
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import webpack from "webpack";
import HtmlWebpackPlugin from "html-webpack-plugin";
import CopyPlugin from "copy-webpack-plugin";
import { SubresourceIntegrityPlugin } from "webpack-subresource-integrity";
import { serialize, unifiedManifest } from "./scripts/manifest-json.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));
const MANIFEST_DEV_URL = "https://localhost:3000";

/** Adds `{integrity}` to webpack's fetch of each async wasm module: the bytes webpack
 * emits for such a module are its source's (AsyncWebAssemblyGenerator), so their sha384
 * is known when the runtime is generated. A changed .wasm on the server then fails to
 * load instead of running. */
class WasmIntegrityPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap("WasmIntegrityPlugin", (compilation) => {
      compilation.hooks.runtimeModule.tap("WasmIntegrityPlugin", (module, chunk) => {
        if (module.constructor.name !== "AsyncWasmLoadingRuntimeModule") return;
        const load = module.generateLoadBinaryCode;
        module.generateLoadBinaryCode = (wasmPath, runtime, analyzable) => {
          if (analyzable) throw new Error("WasmIntegrityPlugin: analyzable wasm URLs are not handled");
          const hashes = {};
          for (const c of chunk.getAllReferencedChunks()) {
            for (const m of compilation.chunkGraph.getChunkModulesIterable(c)) {
              if (m.type !== "webassembly/async") continue;
              const digest = createHash("sha384").update(m.originalSource().buffer()).digest("base64");
              hashes[compilation.chunkGraph.getModuleId(m)] = `sha384-${digest}`;
            }
          }
          const code = load(wasmPath, runtime, analyzable);
          const m = /^fetch\((.*)\)$/s.exec(code);
          if (!m) throw new Error(`WasmIntegrityPlugin: unexpected wasm loading code ${code}`);
          return `fetch(${m[1]}, { integrity: ${JSON.stringify(hashes)}[wasmModuleId] })`;
        };
      });
    });
  }
}

export default function makeConfig({ addinUrl, officeJsUrl, addinConfig, csp }) {
  const forHost = (content) => content.toString().replaceAll(MANIFEST_DEV_URL, addinUrl.replace(/\/$/, ""));
  const page = (name, chunks) =>
    new HtmlWebpackPlugin({
      template: path.join(root, "www", `${name}.html`),
      filename: `${name}.html`,
      chunks,
      templateParameters: { officeJsUrl, csp: csp[name] },
    });
  return {
    mode: "production",
    context: root,
    entry: {
      taskpane: "./www/js/main.js",
      "auth-redirect": "./www/js/auth-redirect.js",
      "auth-dialog": "./www/js/auth-dialog.js",
    },
    output: {
      path: path.join(root, "dist"),
      filename: "[name].[contenthash:8].js",
      chunkFilename: "[name].[contenthash:8].js",
      // Subresource Integrity needs CORS-mode script loads.
      crossOriginLoading: "anonymous",
      assetModuleFilename: "[name].[contenthash:8][ext]",
      clean: true,
    },
    experiments: { asyncWebAssembly: true },
    plugins: [
      page("taskpane", ["taskpane"]),
      page("auth-redirect", ["auth-redirect"]),
      page("auth-dialog", ["auth-dialog"]),
      new webpack.DefinePlugin({ __ADDIN_CONFIG__: JSON.stringify(addinConfig) }),
      // Every chunk webpack's runtime loads later (MSAL's) is checked against its
      // sha384, as the pages' own tags are; the core's JS is in the pane's bundle
      // (webpackMode "eager" in www/js/main.js).
      new SubresourceIntegrityPlugin({ hashFuncNames: ["sha384"] }),
      new WasmIntegrityPlugin(),
      new CopyPlugin({
        patterns: [
          { from: "www/assets", to: "assets" },
          { from: "www/taskpane.css" },
          { from: "manifest.xml", transform: forHost },
          {
            from: "manifest.xml",
            to: "manifest.json",
            toType: "file",
            transform: { transformer: (content) => serialize(unifiedManifest(forHost(content))), cache: false },
          },
        ],
      }),
    ],
    // MSAL's chunk whole: one file to load (and pin) when a token is first needed.
    optimization: { splitChunks: { cacheGroups: { default: false, defaultVendors: false } } },
    performance: { hints: false },
  };
}
