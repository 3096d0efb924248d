// The contract's results as a Markdown report an iMIS site administrator can send back.
//
//   report({ site, user, date, settings: [[name, value], ...], results }) -> string

const cell = (s) => String(s ?? "").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").trim();
const RESULT = { ok: "ok", FAILED: "**FAILED**", info: "info", "NOT RUN": "NOT RUN" };

export function summary(results) {
  const count = (r) => results.filter((x) => x.result === r).length;
  const failed = count("FAILED");
  return {
    failed,
    text: failed
      ? `FAILED: ${failed} of ${results.length} steps failed (${count("ok")} ok, ${count("info")} info, ${count("NOT RUN")} not run)`
      : `PASSED: no step failed (${count("ok")} ok, ${count("info")} info, ${count("NOT RUN")} not run)`,
  };
}

export function report({ site, user, date = new Date(), settings = [], results }) {
  const lines = [
    "# Save to iMIS: iMIS contract test",
    "",
    `- Site: ${site}`,
    `- iMIS user: ${user}`,
    `- Date: ${date.toISOString()}`,
    ...settings.map(([name, value]) => `- ${name}: ${value}`),
    `- Result: ${summary(results).text}`,
    "",
    "Results: **ok** the site does what the add-in needs; **FAILED** it does not (the row says what to change);",
    "**info** what the site does, reported for the add-in's maintainers (either answer is fine);",
    "**NOT RUN** not tried (the row says why). Everything written was deleted again unless a row says otherwise.",
    "",
    "| # | section | step | result | what the site answered |",
    "|---|---------|------|--------|------------------------|",
    ...results.map((r, i) => `| ${i + 1} | ${cell(r.section)} | ${cell(r.step)} | ${RESULT[r.result] ?? cell(r.result)} | ${cell(r.detail)} |`),
    "",
  ];
  return lines.join("\n");
}
