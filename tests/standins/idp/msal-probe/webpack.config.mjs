// Bundles the MSAL probe (probe.js, redirect.js) into .local/msal-probe-dist (gitignored).
// npx webpack --config tests/standins/idp/msal-probe/webpack.config.mjs
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const outDir = fileURLToPath(new URL('../../../../.local/msal-probe-dist/', import.meta.url));

export default {
  mode: 'development',
  devtool: false,
  context: here,
  entry: { probe: './probe.mjs', redirect: './redirect.mjs' },
  output: { path: outDir, filename: '[name].js', clean: true },
  performance: { hints: false },
};
