// The example site in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//
// Serves a built site (YILU_SITE, default public/) on 127.0.0.1, walks it by clicking links the
// way a reader would — home → meeting → speech → district, the indicators, the speakers — at a
// phone width (390 px) and a desktop width (1280 px), and on every page asserts: an <h1> and the
// expected text, no console error or uncaught exception, no request to any other host, no
// horizontal scrolling, and no serious or critical axe-core violation. A screenshot of every page
// kind at both widths goes to YILU_ARTEFACTS (default target/artefacts/screenshots/).
//
// A second test opens a relative_urls build of the example (YILU_SITE_RELATIVE, which
// tests/e2e/run builds; without it the test builds one with target/release/yilu) from disk over
// file:// and clicks home → meeting → speech → district → search (万州), asserting the stylesheet
// applied and nothing was requested outside that folder or failed.
//
// Required in CI: it fails when Chromium or the site is missing. It skips only when
// YILU_SKIP_BROWSER=1 is set explicitly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { CHROMIUM, SKIP, WIDTHS, launchOptions, openSite } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const SITE = resolve(process.env.YILU_SITE || join(repo, "public"));
const SHOTS = resolve(process.env.YILU_ARTEFACTS || join(repo, "target/artefacts/screenshots"));
const require = createRequire(import.meta.url);

test("the example site in Chromium", { skip: SKIP, timeout: 180_000 }, async (t) => {
  const { browser, origin } = await openSite(t, SITE, SHOTS, "run yilu build");
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

  for (const size of WIDTHS) {
    await t.test(`walk at ${size.name} px`, async () => {
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        locale: "zh-CN",
      });
      const page = await context.newPage();
      const problems = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e}`));
      page.on("request", (r) => {
        const url = r.url();
        if (!url.startsWith(origin + "/") && !url.startsWith("data:")) {
          problems.push(`request to another host from ${page.url()}: ${url}`);
        }
      });
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      page.on("response", (r) => {
        if (r.status() >= 400 && !r.url().endsWith("/404.html")) {
          problems.push(`HTTP ${r.status()} for ${r.url()}`);
        }
      });

      /** Asserts the page that is open now is the `kind` page, then audits and photographs it. */
      async function visit(kind, path, { h1, text = [] }) {
        await page.waitForURL(origin + path);
        await page.waitForLoadState("load");
        const heading = page.locator("h1");
        assert.equal(await heading.count(), 1, `${kind}: one <h1>`);
        const title = (await heading.innerText()).trim();
        if (h1) assert.ok(title.includes(h1), `${kind}: <h1> is ${JSON.stringify(title)}`);
        else assert.ok(title.length > 0, `${kind}: empty <h1>`);
        const body = await page.locator("body").innerText();
        for (const s of text) assert.ok(body.includes(s), `${kind}: text ${s} missing`);
        assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        assert.ok(overflow <= 0, `${kind} at ${size.name} px scrolls sideways by ${overflow} px`);
        await page.evaluate(axeSource);
        const result = await page.evaluate(() =>
          // eslint-disable-next-line no-undef
          axe.run(document, { resultTypes: ["violations"] }),
        );
        const bad = result.violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
        assert.deepEqual(bad, [], `${kind}: axe-core violations:\n  ${bad.join("\n  ")}`);
        await page.screenshot({ path: join(SHOTS, `${kind}-${size.name}.png`), fullPage: true });
        assert.deepEqual(problems, [], `${kind}: ${problems.join("\n")}`);
      }

      /** Clicks the first element matching `selector` (a link) and waits for the navigation. */
      async function click(selector) {
        const link = page.locator(selector).first();
        assert.ok((await link.count()) > 0, `no link ${selector} on ${page.url()}`);
        await Promise.all([page.waitForEvent("framenavigated"), link.click()]);
      }
      const nav = (title) => `header nav a:text-is("${title}")`;

      await page.goto(origin + "/");
      await visit("home", "/", { text: ["最新会议", "万州区"] });

      await click(".meeting-cards a");
      await visit("meeting", "/meetings/2024-10-21/", {
        h1: "深化改革攻坚",
        text: ["核心提示", "万州区", "主要指标"],
      });

      await click('.speech-list a.speech-title');
      await visit("speech", "/meetings/2024-10-21/wanzhou/", {
        h1: "以改革强动力",
        text: ["卢红", "万州区", "下一篇"],
      });

      await click('.speech .meta a[href$="/districts/wanzhou/"]');
      await visit("district", "/districts/wanzhou/", { h1: "万州区", text: ["历次发言"] });

      await click(nav("区县"));
      await visit("districts", "/districts/", { h1: "区县与部门", text: ["万州区", "彭水"] });

      await click(nav("指标"));
      await visit("metrics", "/metrics/", { h1: "指标", text: ["GDP"] });

      await click('table.data a[href$="/metrics/gdp/"]');
      await visit("metric", "/metrics/gdp/", { text: ["万州区"] });

      await click(nav("发言人"));
      await visit("speakers", "/speakers/", { h1: "发言人", text: ["卢红"] });

      await click('table.data a[href$="/speakers/lu-hong/"]');
      await visit("speaker", "/speakers/lu-hong/", { h1: "卢红", text: ["万州区"] });

      await click(nav("会议"));
      await visit("meetings", "/meetings/", { h1: "全部会议", text: ["深化改革攻坚"] });

      await click(nav("搜索"));
      await visit("search", "/search/", { h1: "搜索" });
      await page.fill('input[type="search"]', "万州");
      await page.keyboard.press("Enter");
      await page.waitForSelector('a[href$="/meetings/2024-10-21/wanzhou/"]', { timeout: 5000 });

      await page.goto(origin + "/404.html");
      await visit("404", "/404.html", { h1: "找不到页面" });

      await context.close();
    });
  }
});

/** The serious and critical axe-core violations of the open page, one line each. */
async function seriousViolations(page, axeSource) {
  await page.evaluate(axeSource);
  // eslint-disable-next-line no-undef
  const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
}

// Dark mode (prefers-color-scheme: dark, emulated) repaints every page kind from the custom
// properties, charts included, and stays legible (axe-core's contrast rules among the serious
// ones); the print stylesheet turns a speech into a clean article.
test("dark mode and print", { skip: SKIP, timeout: 120_000 }, async (t) => {
  const { browser, origin } = await openSite(t, SITE, SHOTS, "run yilu build");
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`uncaught exception: ${e}`));

  const colours = () =>
    page.evaluate(() => {
      const style = (sel, prop) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el)[prop] : null;
      };
      return {
        background: style("body", "backgroundColor"),
        text: style("body", "color"),
        bar: style(".chart-bar-highlight", "fill"),
      };
    });

  for (const [kind, path] of [
    ["home", "/"],
    ["speech", "/meetings/2024-10-21/wanzhou/"],
    ["metric", "/metrics/gdp/"],
    ["district", "/districts/wanzhou/"],
    ["search", "/search/"],
  ]) {
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(origin + path);
    const light = await colours();
    await page.emulateMedia({ colorScheme: "dark" });
    const dark = await colours();
    assert.notEqual(dark.background, light.background, `${kind}: dark mode keeps the light background`);
    assert.notEqual(dark.text, light.text, `${kind}: dark mode keeps the light text colour`);
    if (kind === "metric") {
      assert.ok(light.bar && dark.bar, "metric: a highlighted bar is drawn");
      assert.notEqual(dark.bar, light.bar, "metric: chart colours do not follow dark mode");
    }
    const bad = await seriousViolations(page, axeSource);
    assert.deepEqual(bad, [], `${kind} (dark): axe-core violations:\n  ${bad.join("\n  ")}`);
    await page.screenshot({ path: join(SHOTS, `${kind}-dark-390.png`), fullPage: true });
  }

  // Print: the speech alone, links followed by their address.
  await page.emulateMedia({ colorScheme: "light", media: "print" });
  await page.goto(origin + "/meetings/2024-10-21/wanzhou/");
  const printed = await page.evaluate(() => {
    const shown = (sel) => {
      const el = document.querySelector(sel);
      return !!el && getComputedStyle(el).display !== "none";
    };
    // The example's bodies hold no link: add one as Markdown would render it.
    const link = document.createElement("a");
    link.href = "https://example.org/source";
    link.textContent = "来源";
    document.querySelector(".speech .body p").append(link);
    return {
      nav: shown(".site-header nav"),
      footer: shown(".site-footer"),
      prevNext: shown(".prev-next"),
      article: shown("article.speech"),
      after: getComputedStyle(link, "::after").content,
    };
  });
  assert.deepEqual(
    [printed.nav, printed.footer, printed.prevNext, printed.article],
    [false, false, false, true],
    `print shows only the article: ${JSON.stringify(printed)}`,
  );
  assert.ok(printed.after.includes("https://example.org/source"), `print: link address ${printed.after}`);
  await page.pdf({ path: join(SHOTS, "speech-print.pdf") });
  assert.deepEqual(problems, [], problems.join("\n"));
  await context.close();
});

/**
 * The folder of a relative_urls build of the example site: YILU_SITE_RELATIVE when set, else a
 * fresh build into a temp folder (removed by the returned cleanup) with target/release/yilu.
 */
function relativeSite() {
  if (process.env.YILU_SITE_RELATIVE) return { dir: resolve(process.env.YILU_SITE_RELATIVE), done() {} };
  const bin = join(repo, "target/release/yilu");
  assert.ok(existsSync(bin), `no ${bin}: cargo build --release, or set YILU_SITE_RELATIVE`);
  const root = mkdtempSync(join(tmpdir(), "yilu-relative-"));
  for (const dir of ["content", "themes"]) cpSync(join(repo, dir), join(root, dir), { recursive: true });
  const toml = readFileSync(join(repo, "site.toml"), "utf8");
  writeFileSync(
    join(root, "site.toml"),
    /^relative_urls\s*=/m.test(toml)
      ? toml.replace(/^relative_urls\s*=.*$/m, "relative_urls = true")
      : `relative_urls = true\n${toml}`,
  );
  execFileSync(bin, ["build", "-q", "--root", root, "--output", join(root, "public")]);
  return { dir: join(root, "public"), done: () => rmSync(root, { recursive: true, force: true }) };
}

test("a relative_urls build browses from disk over file://", { skip: SKIP, timeout: 120_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
  const site = relativeSite();
  t.after(() => site.done());
  assert.ok(existsSync(join(site.dir, "index.html")), `no built site at ${site.dir}`);
  const folder = pathToFileURL(site.dir).href + "/";
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch(launchOptions());
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await context.newPage();
  const problems = [];
  const requested = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e}`));
  page.on("request", (r) => {
    const url = r.url();
    requested.push(url);
    if (!url.startsWith(folder) && !url.startsWith("data:")) {
      problems.push(`request outside ${folder} from ${page.url()}: ${url}`);
    }
  });
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));

  /** Asserts the open page is `rel` inside the folder, styled, with an h1 and working links. */
  async function visit(kind, rel, h1) {
    await page.waitForLoadState("load");
    assert.equal(page.url(), folder + rel, `${kind}: URL`);
    const heading = page.locator("h1");
    assert.equal(await heading.count(), 1, `${kind}: one <h1>`);
    const title = (await heading.innerText()).trim();
    assert.ok(title.length > 0 && title.includes(h1), `${kind}: <h1> is ${JSON.stringify(title)}`);
    const background = await page.evaluate(
      () => getComputedStyle(document.querySelector(".site-header")).backgroundColor,
    );
    assert.ok(
      !["transparent", "rgba(0, 0, 0, 0)"].includes(background),
      `${kind}: the stylesheet did not apply (header background ${background})`,
    );
    // Every link into the site stays in the folder and names a file that exists.
    // (An SVG link's `href` is not a string: resolve its attribute against the page.)
    const hrefs = await page.evaluate(() =>
      [...document.querySelectorAll("a[href]")].map((a) => new URL(a.getAttribute("href"), document.baseURI).href),
    );
    for (const href of hrefs) {
      if (!href.startsWith("file:")) continue;
      const target = href.split("#")[0];
      if (!target.startsWith(folder)) problems.push(`${kind}: link outside the folder: ${href}`);
      else if (!existsSync(fileURLToPath(target)) || statSync(fileURLToPath(target)).isDirectory()) {
        problems.push(`${kind}: link to a missing file: ${href}`);
      }
    }
    assert.deepEqual(problems, [], `${kind}:\n${problems.join("\n")}`);
  }

  async function click(selector) {
    const link = page.locator(selector).first();
    assert.ok((await link.count()) > 0, `no link ${selector} on ${page.url()}`);
    await Promise.all([page.waitForEvent("framenavigated"), link.click()]);
  }

  await page.goto(folder + "index.html");
  await visit("home", "index.html", "");
  await click(".meeting-cards a");
  await visit("meeting", "meetings/2024-10-21/index.html", "深化改革攻坚");
  await click(".speech-list a.speech-title");
  await visit("speech", "meetings/2024-10-21/wanzhou/index.html", "以改革强动力");
  await click('.speech .meta a[href$="districts/wanzhou/index.html"]');
  await visit("district", "districts/wanzhou/index.html", "万州区");
  // Search from disk: the index is loaded as scripts, which file:// allows.
  await click('nav a[href$="search/index.html"]');
  await visit("search", "search/index.html", "搜索");
  await page.fill('input[type="search"]', "万州");
  await page.keyboard.press("Enter");
  await page.waitForSelector('#search-results a[href$="meetings/2024-10-21/wanzhou/index.html"]', {
    timeout: 5000,
  });
  assert.deepEqual(problems, [], `search over file://:\n${problems.join("\n")}`);
  assert.ok(requested.some((u) => u.endsWith("/css/yilu.css")), "the stylesheet was requested");
  await context.close();
});

/**
 * The folder of a build of tests/fixtures/sites/periods (meetings with mixed periods):
 * YILU_SITE_PERIODS when set, else a fresh build into a temp folder with target/release/yilu.
 */
function periodsSite() {
  if (process.env.YILU_SITE_PERIODS) return { dir: resolve(process.env.YILU_SITE_PERIODS), done() {} };
  const bin = join(repo, "target/release/yilu");
  assert.ok(existsSync(bin), `no ${bin}: cargo build --release, or set YILU_SITE_PERIODS`);
  const out = mkdtempSync(join(tmpdir(), "yilu-periods-"));
  execFileSync(bin, ["build", "-q", "--root", join(repo, "tests/fixtures/sites/periods"), "--output", join(out, "public")]);
  return { dir: join(out, "public"), done: () => rmSync(out, { recursive: true, force: true }) };
}

test("the organisation × meeting table on a phone", { skip: SKIP, timeout: 120_000 }, async (t) => {
  const site = periodsSite();
  t.after(() => site.done());
  const { browser, origin } = await openSite(t, site.dir, SHOTS, "the periods fixture did not build");
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error on ${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`uncaught exception on ${page.url()}: ${e}`));

  async function audit(kind) {
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `${kind} at 390 px scrolls sideways by ${overflow} px`);
    await page.evaluate(axeSource);
    const result = await page.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, { resultTypes: ["violations"] }),
    );
    const bad = result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
    assert.deepEqual(bad, [], `${kind}: axe-core violations:\n  ${bad.join("\n  ")}`);
    await page.screenshot({ path: join(SHOTS, `${kind}-390.png`), fullPage: true });
    assert.deepEqual(problems, [], `${kind}: ${problems.join("\n")}`);
  }

  await page.goto(origin + "/metrics/gdp/");
  await page.waitForLoadState("load");
  const table = page.locator("table#org-by-meeting");
  assert.equal(await table.count(), 1, "the organisation × meeting table");
  // The table is wider than the phone: it scrolls inside its own box, whose caption stays
  // outside it and in view.
  const box = await page.evaluate(() => {
    const scroller = document.querySelector("#org-by-meeting").parentElement;
    const caption = scroller.parentElement.querySelector(":scope > figcaption");
    const r = scroller.getBoundingClientRect();
    return {
      scrolls: scroller.scrollWidth > scroller.clientWidth,
      overflowX: getComputedStyle(scroller).overflowX,
      right: r.right,
      captionInside: scroller.contains(caption),
      captionRight: caption.getBoundingClientRect().right,
    };
  });
  assert.equal(box.overflowX, "auto");
  assert.ok(box.scrolls, "five meetings do not fit 390 px: the box scrolls");
  assert.ok(box.right <= 390 && box.captionRight <= 390, `the box ends at ${box.right} px`);
  assert.equal(box.captionInside, false, "the caption is outside the scrolling box");
  // Sortable: the 2025-01-20 column, descending, puts 万州 (6.2) and 大足 (5.9) first and the
  // organisations that did not report there (blank cells) last.
  const column = table.locator('thead th:has-text("2025-01-20") button');
  await column.click();
  await column.click();
  assert.equal(await table.locator('thead th:has-text("2025-01-20")').getAttribute("aria-sort"), "descending");
  const orgs = await table.locator("tbody tr th").allInnerTexts();
  const cells = await table.locator("tbody tr td:nth-child(2)").allInnerTexts();
  assert.deepEqual(orgs.slice(0, 2).map((o) => o.trim()), ["万州区", "大足区"], `${orgs}`);
  assert.deepEqual(cells.map((c) => parseFloat(c)), [6.2, 5.9, NaN, NaN], `${cells}`);
  await audit("metric-table");

  await page.goto(origin + "/districts/dazu/");
  await page.waitForLoadState("load");
  assert.ok((await page.locator("body").innerText()).includes("+0.4"), "the change since last time");
  await audit("district-changes");

  await page.goto(origin + "/meetings/2024-10-21/wanzhou/");
  await page.waitForLoadState("load");
  assert.ok((await page.locator("section.changes").innerText()).includes("-0.4"));
  await audit("speech-changes");
  await context.close();
});
