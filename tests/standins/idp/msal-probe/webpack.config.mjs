// Bundles the MSAL probes (probe.js, redirect.js, pane.js, dialog.js) into .local/msal-probe-dist (gitignored),
// or into another folder: configFor(outDir) (a self-test running beside another builds into its own).
// npx webpack --config tests/standins/idp/msal-probe/webpack.config.mjs
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const outDir = fileURLToPath(new URL('../../../../.local/msal-probe-dist/', import.meta.url));

export const configFor = (dir) => ({
  mode: 'development',
  devtool: false,
  context: here,
  entry: { probe: './probe.mjs', redirect: './redirect.mjs', pane: './pane.mjs', dialog: './dialog.mjs' },
  output: { path: dir, filename: '[name].js', clean: true },
  performance: { hints: false },
});

export default configFor(outDir);
