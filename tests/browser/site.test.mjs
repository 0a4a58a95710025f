// The example site in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core).
//
// Serves a built site (YILU_SITE, default public/) on 127.0.0.1, walks it by clicking links the
// way a reader would — home → meeting → speech → district, the indicators, the speakers — at a
// phone width (390 px) and a desktop width (1280 px), and on every page asserts: an <h1> and the
// expected text, no console error or uncaught exception, no request to any other host, no
// horizontal scrolling, and no serious or critical axe-core violation. A screenshot of every page
// kind at both widths goes to YILU_ARTEFACTS (default target/artefacts/screenshots/).
//
// Required in CI: it fails when Chromium or the site is missing. It skips only when
// YILU_SKIP_BROWSER=1 is set explicitly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const SITE = resolve(process.env.YILU_SITE || join(repo, "public"));
const SHOTS = resolve(process.env.YILU_ARTEFACTS || join(repo, "target/artefacts/screenshots"));
const CHROMIUM = process.env.YILU_CHROMIUM || "/usr/bin/chromium";
const SKIP = process.env.YILU_SKIP_BROWSER === "1" ? "YILU_SKIP_BROWSER=1" : false;
const WIDTHS = [
  { name: "390", width: 390, height: 844 },
  { name: "1280", width: 1280, height: 900 },
];

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".csv": "text/csv; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/** A static server for `root` on 127.0.0.1 (folders serve index.html; misses serve 404.html). */
function serve(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": TYPES[".html"] });
      res.end(existsSync(join(root, "404.html")) ? readFileSync(join(root, "404.html")) : "");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

/** Launch options: Debian's Chromium, nothing phoning home. */
function launchOptions() {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}

const require = createRequire(import.meta.url);

test("the example site in Chromium", { skip: SKIP, timeout: 180_000 }, async (t) => {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
  assert.ok(existsSync(join(SITE, "index.html")), `no built site at ${SITE}: run yilu build`);
  const { chromium } = await import("playwright-core");
  const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  mkdirSync(SHOTS, { recursive: true });

  const server = await serve(SITE);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch(launchOptions());
  t.after(async () => {
    await browser.close();
    server.close();
  });

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
