import { chromium } from "playwright";
const [,, ...paths] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto("http://127.0.0.1:3300/login");
await page.getByLabel("Username").fill(process.env.SHOT_USER ?? "admin");
await page.getByLabel("Password").fill(process.env.SHOT_PASS ?? "shot-admin-pass");
await page.getByRole("button", { name: /sign in|log in/i }).click();
await page.waitForURL((u) => !u.pathname.startsWith("/login"));
for (const p of paths) {
  const [path, file] = p.split("|");
  await page.goto("http://127.0.0.1:3300" + path);
  await page.waitForTimeout(800);
  await page.screenshot({ path: file, fullPage: true });
}
await browser.close();
