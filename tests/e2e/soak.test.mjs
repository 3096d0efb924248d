// The seeded fault soak (tests/soak/soak.mjs) as part of the suite: 40 cases from a fixed
// seed, each an email saved under drawn Graph and iMIS faults, then saved again with the
// faults cleared. Nothing may be lost, stored twice or left unexplained. A failing case
// prints its seed: `npm run soak -- --cases 1 --seed <seed>` replays it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startHarness } from "./harness.mjs";
import { drawCase, runSoak } from "../soak/soak.mjs";

const SEED = 20261201;
const CASES = 40;

let h;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());

test("a case is drawn from its seed alone", () => {
  assert.deepEqual(drawCase(SEED + 7), drawCase(SEED + 7));
  assert.notDeepEqual(drawCase(SEED), drawCase(SEED + 1));
});

test(`${CASES} seeded fault cases: nothing lost, nothing stored twice, every failure explained`, { timeout: 420_000 }, async () => {
  const result = await runSoak(h, { cases: CASES, seed: SEED, log: (line) => console.log(`# ${line}`) });
  const summary = `${CASES} cases, ${result.lost} lost, ${result.duplicated} duplicated, ${result.unexplained} unexplained`;
  console.log(`# ${summary} in ${(result.ms / 1000).toFixed(0)} s`);
  const detail = result.failures.map((f) => `seed ${f.seed} (${f.faults}): ${f.problems.map((p) => `${p.kind}: ${p.text}`).join("; ")}`).join("\n");
  assert.deepEqual([result.lost, result.duplicated, result.unexplained], [0, 0, 0], `${summary}\n${detail}`);
});
