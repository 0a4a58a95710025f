// Charts and maps of an archive of 30 meetings over eleven years (tests/fixtures/archive30,
// ingested and built by tests/e2e/run into YILU_SITE_ARCHIVE), in headless Chromium at 390 and
// 1280 px: the GDP indicator page (time-scaled series, small multiples, the choropleth and its
// row of small maps per meeting), a district page with a long series and the home page. Each
// page: no sideways scrolling, no serious axe-core violation, a screenshot in YILU_ARTEFACTS;
// and a click on a shape of the big map and of a small map reaches that district's page. Required in CI; skips only with YILU_SKIP_BROWSER=1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { SKIP, WIDTHS, audit, openSite } from "./lib.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SITE = resolve(process.env.YILU_SITE_ARCHIVE || join(repo, "target/archive30/public"));
const SHOTS = resolve(process.env.YILU_ARTEFACTS || join(repo, "target/artefacts/screenshots"));

test("charts and maps of a 30-meeting archive", { skip: SKIP, timeout: 180_000 }, async (t) => {
  const { browser, origin } = await openSite(t, SITE, SHOTS, "run tests/e2e/run");

  for (const size of WIDTHS) {
    await t.test(`at ${size.name} px`, async () => {
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        locale: "zh-CN",
      });
      const page = await context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(`${page.url()}: ${e}`));
      page.on("console", (m) => m.type() === "error" && errors.push(`${page.url()}: ${m.text()}`));

      await page.goto(`${origin}/metrics/gdp/`);
      const series = page.locator("svg.chart-line");
      assert.ok((await series.count()) > 0, "the GDP page has a time series");
      assert.ok((await page.locator("svg.chart-spark").count()) >= 10, "small multiples, one per district");
      const map = page.locator("svg.chart-map").first();
      assert.ok((await map.count()) === 1, "the GDP page has a map");
      await audit(page, `metric page at ${size.name} px`, join(SHOTS, `archive-metric-${size.name}.png`));

      // Every reporting shape is a link with a title; a click inside one reaches its district
      // page. The point clicked is found in the browser: inside the shape's fill and on top.
      assert.ok((await map.locator("a").count()) > 0, "the map links its districts");
      await map.scrollIntoViewIfNeeded();
      const target = await page.evaluate(() => {
        for (const path of document.querySelectorAll("svg.chart-map a path")) {
          const box = path.getBBox();
          const matrix = path.getScreenCTM();
          for (let i = 1; i < 8; i++) {
            for (let j = 1; j < 8; j++) {
              const p = new DOMPoint(box.x + (box.width * i) / 8, box.y + (box.height * j) / 8);
              if (!path.isPointInFill(p)) continue;
              const q = p.matrixTransform(matrix);
              if (document.elementFromPoint(q.x, q.y) === path) {
                return { x: q.x, y: q.y, href: path.parentElement.getAttribute("href") };
              }
            }
          }
        }
        return null;
      });
      assert.ok(target, "a map shape that can be clicked");
      assert.match(target.href, /\/districts\/[a-z0-9-]+\/$/);
      await Promise.all([page.waitForURL(origin + target.href), page.mouse.click(target.x, target.y)]);
      assert.equal(await page.locator("h1").count(), 1);

      // The history: a capped row of small maps drawn from outlines defined once, each shape a
      // link that reaches its district page.
      await page.goto(`${origin}/metrics/gdp/`);
      const small = page.locator("svg.chart-map-small");
      const count = await small.count();
      assert.ok(count >= 2 && count <= 12, `a row of 2 to 12 small maps, not ${count}`);
      assert.equal(await page.locator("svg.map-defs").count(), 1, "outlines defined once");
      const row = page.locator("ul.map-history");
      await row.scrollIntoViewIfNeeded();
      const box = await row.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= size.width, "the row fits the page");
      const hit = await page.evaluate(() => {
        for (const use of document.querySelectorAll("svg.chart-map-small a use")) {
          const r = use.getBoundingClientRect();
          for (let i = 1; i < 8; i++) {
            for (let j = 1; j < 8; j++) {
              const x = r.left + (r.width * i) / 8;
              const y = r.top + (r.height * j) / 8;
              const at = document.elementFromPoint(x, y);
              if (at && at.closest("a") === use.parentElement) {
                return { x, y, href: use.parentElement.getAttribute("href") };
              }
            }
          }
        }
        return null;
      });
      assert.ok(hit, "a small-map shape that can be clicked");
      assert.match(hit.href, /\/districts\/[a-z0-9-]+\/$/);
      await Promise.all([page.waitForURL(origin + hit.href), page.mouse.click(hit.x, hit.y)]);
      assert.equal(await page.locator("h1").count(), 1);

      await page.goto(`${origin}/districts/qijiang/`);
      assert.ok((await page.locator("svg.chart-line").count()) > 0, "a district series");
      await audit(page, `district page at ${size.name} px`, join(SHOTS, `archive-district-${size.name}.png`));

      await page.goto(`${origin}/`);
      assert.ok((await page.locator("svg.chart-map").count()) === 1, "the home page has the GDP map");
      await audit(page, `home page at ${size.name} px`, join(SHOTS, `archive-home-${size.name}.png`));
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
