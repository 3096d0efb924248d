// Bundles the task pane: the JS shell, MSAL, the wasm core and the CSS into dist/, with
// the manifest rewritten for the URL the add-in is served from: dist/manifest.xml, and
// dist/manifest.json converted from it (scripts/manifest-json.mjs, Microsoft's converter).
import path from "node:path";
import { fileURLToPath } from "node:url";
import webpack from "webpack";
import HtmlWebpackPlugin from "html-webpack-plugin";
import CopyPlugin from "copy-webpack-plugin";
import { serialize, unifiedManifest } from "./scripts/manifest-json.mjs";

const root = path.dirname(fileURLToPath(import.meta.url));
const MANIFEST_DEV_URL = "https://localhost:3000";

export default function makeConfig({ addinUrl, officeJsUrl, addinConfig }) {
  const forHost = (content) => content.toString().replaceAll(MANIFEST_DEV_URL, addinUrl.replace(/\/$/, ""));
  const page = (name, chunks) =>
    new HtmlWebpackPlugin({
      template: path.join(root, "www", `${name}.html`),
      filename: `${name}.html`,
      chunks,
      templateParameters: { officeJsUrl, officeJsOrigin: new URL(officeJsUrl).origin },
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
      assetModuleFilename: "[name].[contenthash:8][ext]",
      clean: true,
    },
    experiments: { asyncWebAssembly: true },
    plugins: [
      page("taskpane", ["taskpane"]),
      page("auth-redirect", ["auth-redirect"]),
      page("auth-dialog", ["auth-dialog"]),
      new webpack.DefinePlugin({ __ADDIN_CONFIG__: JSON.stringify(addinConfig) }),
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
    performance: { hints: false },
  };
}
