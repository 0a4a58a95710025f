// Shared pieces of the browser suites: a static server for a built site, Chromium's launch
// options, and the audit every visited page passes (no sideways scrolling, no serious axe-core
// violation, a screenshot).

import { createServer } from "node:http";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";
import assert from "node:assert/strict";

export const CHROMIUM = process.env.YILU_CHROMIUM || "/usr/bin/chromium";
export const SKIP = process.env.YILU_SKIP_BROWSER === "1" ? "YILU_SKIP_BROWSER=1" : false;
export const WIDTHS = [
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
};

/** A static server for `root` on 127.0.0.1 (folders serve index.html; misses serve 404.html). */
export function serve(root) {
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
export function launchOptions() {
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
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Asserts the open page does not scroll sideways and has no serious axe-core violation, then
 * writes a full-page screenshot to `shot`. */
export async function audit(page, label, shot) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  assert.ok(overflow <= 0, `${label} scrolls sideways by ${overflow} px`);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`,
    );
  assert.deepEqual(bad, [], `${label}: axe-core violations:\n  ${bad.join("\n  ")}`);
  await page.screenshot({ path: shot, fullPage: true });
}

/** Serves the built site in `dir` and launches Chromium; both are closed when test `t` ends.
 * Fails at once when Chromium or the site is missing (`hint` says how to build it). */
export async function openSite(t, dir, shots, hint) {
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
  assert.ok(existsSync(join(dir, "index.html")), `no built site at ${dir}: ${hint}`);
  const { chromium } = await import("playwright-core");
  mkdirSync(shots, { recursive: true });
  const server = await serve(dir);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch(launchOptions());
  t.after(async () => {
    await browser.close();
    server.close();
  });
  return { browser, origin };
}
