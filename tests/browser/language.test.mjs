// The example site built with language = "en" (YILU_SITE_EN, which tests/e2e/run builds;
// without it the test builds one with target/release/yilu), in headless Chromium at 390 and
// 1280 px: every page kind says lang="en", its navigation and headings are English, dates read
// "21 October 2024", a search shows its status in English, and each page passes the audit (no
// sideways scrolling, no serious axe-core violation) with a screenshot (en-KIND-WIDTH.png).
//
// Required in CI: it fails when Chromium or the site is missing; it skips only when
// YILU_SKIP_BROWSER=1 is set explicitly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { SKIP, WIDTHS, audit, openSite } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const SHOTS = resolve(process.env.YILU_ARTEFACTS || join(repo, "target/artefacts/screenshots"));

/** The folder of an English build of the example site, and how to clean it up. */
function englishSite() {
  if (process.env.YILU_SITE_EN) return { dir: resolve(process.env.YILU_SITE_EN), done() {} };
  const bin = join(repo, "target/release/yilu");
  assert.ok(existsSync(bin), `no ${bin}: cargo build --release, or set YILU_SITE_EN`);
  const root = mkdtempSync(join(tmpdir(), "yilu-en-"));
  cpSync(join(repo, "content"), join(root, "content"), { recursive: true });
  const toml = readFileSync(join(repo, "site.toml"), "utf8");
  writeFileSync(join(root, "site.toml"), toml.replace(/^language\s*=.*$/m, 'language = "en"'));
  execFileSync(bin, ["build", "-q", "--root", root, "--output", join(root, "public")]);
  return { dir: join(root, "public"), done: () => rmSync(root, { recursive: true, force: true }) };
}

/** Han characters: none may be left in the navigation or the headings yilu writes. */
const HAN = /[\u3400-\u9fff]/;

test("the example site in English", { skip: SKIP, timeout: 180_000 }, async (t) => {
  const site = englishSite();
  t.after(() => site.done());
  const { browser, origin } = await openSite(t, site.dir, SHOTS, "build it with language = \"en\"");

  // Each page kind: its path, its <h1> (null: content, any text), and English words it shows.
  const pages = [
    ["home", "/", null, ["Latest meetings", "GDP growth at the latest meeting", "Open data"]],
    ["meetings", "/meetings/", "All meetings", ["1 meeting, newest first.", "21 October 2024"]],
    ["meeting", "/meetings/2024-10-21/", null, ["Summary", "Speeches (10)", "Main indicators", "21 October 2024"]],
    ["speech", "/meetings/2024-10-21/wanzhou/", null, ["speech 1 of 10", "characters", "Next →"]],
    ["districts", "/districts/", "Districts and departments", ["District (", "Department ("]],
    ["district", "/districts/wanzhou/", null, ["Main indicators", "Speeches", "District · 1 speech"]],
    ["speakers", "/speakers/", "Speakers", ["Name", "Latest"]],
    ["speaker", "/speakers/lu-hong/", null, ["Posts", "21 October 2024", "1 speech"]],
    ["metrics", "/metrics/", "Indicators", ["Reports", "Open data"]],
    ["metric", "/metrics/gdp/", null, ["Meetings", "Rank", "year-on-year growth (%)"]],
    ["search", "/search/", "Search", ["Search all speeches"]],
    ["404", "/404.html", "Page not found", ["home page"]],
  ];

  for (const size of WIDTHS) {
    await t.test(`every page kind at ${size.name} px`, async () => {
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        locale: "en-GB",
      });
      const page = await context.newPage();
      const problems = [];
      page.on("console", (m) => m.type() === "error" && problems.push(`console error on ${page.url()}: ${m.text()}`));
      page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e}`));
      page.on("request", (r) => {
        const url = r.url();
        if (!url.startsWith(origin + "/") && !url.startsWith("data:")) problems.push(`request to another host: ${url}`);
      });
      for (const [kind, path, h1, words] of pages) {
        await page.goto(origin + path);
        await page.waitForLoadState("load");
        assert.equal(await page.evaluate(() => document.documentElement.lang), "en", `${kind}: lang`);
        const title = (await page.locator("h1").innerText()).trim();
        if (h1) assert.equal(title, h1, `${kind}: <h1>`);
        const nav = await page.locator("header.site-header nav").innerText();
        assert.ok(!HAN.test(nav), `${kind}: navigation ${JSON.stringify(nav)}`);
        // Section headings and column headers are yilu's words; a column of an indicator
        // (`.measure` beside its name) starts with the indicator's name, which is data.
        const headings = await page
          .locator('main h2[id$="-h"]:not(.body h2), main th[scope=col]:not(:has(.measure))')
          .allInnerTexts();
        for (const h of headings) assert.ok(!HAN.test(h), `${kind}: heading ${JSON.stringify(h)}`);
        const body = await page.locator("body").innerText();
        for (const w of words) assert.ok(body.includes(w), `${kind} at ${size.name} px: ${JSON.stringify(w)} missing`);
        await audit(page, `en ${kind} at ${size.name} px`, join(SHOTS, `en-${kind}-${size.name}.png`));
      }
      // Search: the status line comes from the page's English messages.
      await page.goto(origin + "/search/");
      await page.fill('input[type="search"]', "万州");
      await page.keyboard.press("Enter");
      await page.waitForSelector('a[href$="/meetings/2024-10-21/wanzhou/"]', { timeout: 5000 });
      const status = await page.locator("#search-status").innerText();
      assert.match(status, /^Found (at least )?\d+ speech(es)?/, `search status ${JSON.stringify(status)}`);
      await page.fill('input[type="search"]', "zzzqqq");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#search-status").textContent.startsWith("Nothing found"));
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
