import { ADMIN, expect, hydrated, login, submitLogin, test } from "./fixtures";

test("a wrong password is refused with a clear message", async ({ page }) => {
  await submitLogin(page, ADMIN.username, "not-the-password");
  await expect(page.getByTestId("form-error")).toContainText("Invalid username or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("the right password opens the overview, and logging out closes it", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("stat-users")).toContainText("Active users");
  await hydrated(page);

  await page.getByTestId("user-menu").locator("summary").click();
  await page.getByTestId("logout").click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/login\?next=%2Fusers/);
});

test("a deep link survives the login", async ({ page }) => {
  await page.goto("/audit?action=create");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("Username").fill(ADMIN.username);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByTestId("login-submit").click();
  await expect(page).toHaveURL(/\/audit\?action=create/);
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});

test("the console hydrates and stays live under its strict Content-Security-Policy", async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportViolation: (v: string) => void }).reportViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      ),
    );
  });
  await login(page, ADMIN.username, ADMIN.password);
  const response = await page.goto("/audit");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toMatch(/script-src[^;]*unsafe-inline/);
  await hydrated(page);
  // Pages with drawn bars and swatches (inline style attributes) too.
  await page.goto("/topology");
  await hydrated(page);
  expect(violations).toEqual([]);
});

test("a login form posted from another site is refused", async ({ page, request }) => {
  const response = await request.post("/api/login", {
    form: { username: ADMIN.username, password: ADMIN.password },
    headers: { Origin: "http://evil.example" },
  });
  expect(response.status()).toBe(403);
  expect((await response.json()).error_code).toBe("OPS.1003");
  expect(response.headers()["set-cookie"]).toBeUndefined();
});
