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
