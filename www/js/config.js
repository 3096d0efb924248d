// Defaults embedded at build time (scripts/build.mjs): empty for a real deployment,
// the local stand-ins for the demo and the tests.
/* global __ADDIN_CONFIG__ */
export const config = {
  defaults: {},
  extraClouds: [],
  /** Where iMIS answers on the pane's own origin ("" when the pane is under the iMIS site). */
  imisPath: "",
  ...(typeof __ADDIN_CONFIG__ === "object" ? __ADDIN_CONFIG__ : {}),
};
