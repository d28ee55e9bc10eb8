import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, test, unique } from "./fixtures";

test("an admin creates an operator who can then log in", async ({ page, browser }) => {
  const username = unique("op");
  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "Users").click();
  await page.getByTestId("new-user").click();
  await expect(page.getByRole("heading", { name: "New user" })).toBeVisible();

  // Server-side validation, shown next to the field.
  await page.getByLabel("Username").fill("X");
  await page.getByLabel("Initial password").fill("long-enough-1");
  await page.getByTestId("create-user").click();
  await expect(page.getByTestId("error-username")).toContainText("must be 3 to 32 characters");

  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Display name").fill("Olga Operator");
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Role").selectOption("operator");
  await page.getByLabel("Initial password").fill("operator-pass-1");
  await page.getByTestId("create-user").click();
  await expect(page.getByRole("heading", { name: "Olga Operator" })).toBeVisible();
  await expect(page).toHaveURL(/\/users\/\d+$/);

  await page.goto(`/users?q=${username}`);
  await expect(page.getByTestId(`user-row-${username}`)).toContainText("operator");

  const other = await browser.newContext();
  const operatorPage = await other.newPage();
  await login(operatorPage, username, "operator-pass-1");
  await expect(operatorPage.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(operatorPage.getByTestId("nav")).not.toContainText("Users");
  await other.close();
});

test("a viewer is refused the users page", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const username = unique("viewer");
  await createUser(request, token, { username, role: "viewer", password: "viewer-pass-1" });
  await login(page, username, "viewer-pass-1");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("nav")).not.toContainText("Users");
  await page.goto("/users");
  await expect(page.getByTestId("error-box")).toContainText("OPS.0403");
  await expect(page.getByTestId("users-table")).toHaveCount(0);
});

test("the password generator works once the page is hydrated", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/users/new");
  await hydrated(page);
  const password = page.getByLabel("Initial password");
  await expect(password).toHaveAttribute("type", "password");
  await page.getByTestId("generate-password").click();
  await expect(password).toHaveAttribute("type", "text");
  await expect(password).toHaveValue(/^[A-Za-z0-9_-]{20}$/);
});

test("an admin edits and deactivates a user; another admin's change shows up live", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const username = unique("temp");
  const user = await createUser(request, token, { username, role: "viewer", password: "viewer-pass-1" });
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/users/${user.id}`);
  await hydrated(page);
  await page.getByLabel("Display name").fill("Temporary Person");
  await page.getByTestId("save-user").click();
  await expect(page.getByTestId("notice")).toContainText("Saved.");
  await expect(page.getByRole("heading", { name: "Temporary Person" })).toBeVisible();

  // Someone else changes the user meanwhile: the open page picks it up without a reload.
  const patch = await request.patch(`/v1/users/${user.id}`, {
    data: { phone: "+1 555 0000", version: 2 },
    headers: { "X-Auth-Token": token },
  });
  expect(patch.status()).toBe(200);
  await expect(page.getByLabel("Phone")).toHaveValue("+1 555 0000");
  await page.getByTestId("toggle-active").click();
  await expect(page.getByRole("heading", { name: "Temporary Person" })).toBeVisible();
  await expect(page.getByText("deactivated").first()).toBeVisible();
});

test("a live change never overwrites what the user is typing", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const user = await createUser(request, token, { username: unique("busy"), role: "viewer", password: "viewer-pass-1" });
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/users/${user.id}`);
  await hydrated(page);
  await page.getByLabel("Display name").fill("Half-typed name");

  const patch = await request.patch(`/v1/users/${user.id}`, {
    data: { phone: "+1 555 0101", version: 1 },
    headers: { "X-Auth-Token": token },
  });
  expect(patch.status()).toBe(200);
  await expect(page.getByTestId("live-stale")).toContainText("This changed while you were editing.");
  await expect(page.getByLabel("Display name")).toHaveValue("Half-typed name");
  await expect(page.getByLabel("Phone")).toHaveValue("");
});
