// `npm run soak -- --cases N --seed S`: the seeded fault soak (tests/soak/soak.mjs) in one
// headless Chromium against the stand-ins. Prints one line per case, then
// "N cases, L lost, D duplicated, U unexplained" and each failing case's seed; exits 1 if any.
import { parseArgs } from "node:util";
import { startHarness } from "../e2e/harness.mjs";
import { runSoak } from "./soak.mjs";

const { values } = parseArgs({ options: { cases: { type: "string", default: "20" }, seed: { type: "string", default: "1" }, quiet: { type: "boolean", default: false } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed) || seed < 0) {
  console.error("usage: npm run soak -- --cases N --seed S   (N >= 1, S a non-negative integer)");
  process.exit(2);
}

const h = await startHarness();
let result;
try {
  result = await runSoak(h, { cases, seed, log: values.quiet ? () => {} : (line) => console.log(line) });
} finally {
  await h.close();
}
const { lost, duplicated, unexplained, failures, ms, popups } = result;
console.log(`\n${cases} cases, ${lost} lost, ${duplicated} duplicated, ${unexplained} unexplained`);
console.log(`seed ${seed}: ${(ms / 1000).toFixed(0)} s in all, ${(ms / cases / 1000).toFixed(1)} s a case; Microsoft sign-in form filled ${popups} time(s)`);
for (const f of failures) {
  console.log(`\nseed ${f.seed} (${f.faults}); replay: npm run soak -- --cases 1 --seed ${f.seed}`);
  for (const p of f.problems) console.log(`  ${p.kind}: ${p.text}`);
}
process.exit(failures.length ? 1 : 0);
