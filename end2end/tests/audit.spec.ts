import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, test, unique } from "./fixtures";

test("the audit log shows what was done, and new records appear live", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const first = unique("audited");
  await createUser(request, token, { username: first, role: "operator", password: "operator-pass-1" });

  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "Audit log").click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  await hydrated(page);
  const rows = page.getByTestId("audit-row");
  await expect(rows.filter({ hasText: `user #${(await userId(request, token, first))}` }).first()).toContainText("create");

  // A change made elsewhere (here: through the API) appears without reloading the page.
  const second = unique("live");
  const created = await createUser(request, token, { username: second, role: "viewer", password: "viewer-pass-1" });
  await expect(rows.filter({ hasText: `user #${created.id}` })).toHaveCount(1);
  await expect(rows.first()).toContainText(`user #${created.id}`);
  await expect(rows.first()).toContainText("API");

  // Filters live in the URL.
  await page.getByRole("combobox", { name: "action" }).selectOption("create");
  await page.getByRole("combobox", { name: "object_type" }).selectOption("user");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/object_type=user/);
  await expect(page).toHaveURL(/action=create/);
  for (const row of await rows.all()) {
    await expect(row).toContainText("user #");
  }

  await page.getByTestId("verify-chain").click();
  await expect(page.getByTestId("chain-result")).toContainText("Chain intact");
});

async function userId(request: import("@playwright/test").APIRequestContext, token: string, username: string) {
  const response = await request.get(`/v1/users?q=${username}`, { headers: { "X-Auth-Token": token } });
  const page = await response.json();
  return page.items[0].id;
}
