import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, test, unique } from "./fixtures";

test("the inventory lists, filters, adds, edits and deletes resources", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "Resources").click();
  await expect(page.getByRole("heading", { name: "Resources" })).toBeVisible();
  await expect(page.getByTestId("resources-table")).toBeVisible();

  // Filters live in the URL and narrow the demo estate.
  await page.getByPlaceholder("tag key=value").fill("env=staging");
  await page.getByRole("combobox", { name: "All types" }).selectOption("database");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/tag=env%3Dstaging/);
  const rows = page.getByTestId("resources-table").locator("tbody tr");
  await expect(rows.first()).toContainText("staging-db");
  for (const row of await rows.all()) {
    await expect(row).toContainText("env=staging");
    await expect(row).toContainText("database");
  }

  const name = unique("edge-proxy");
  await page.getByTestId("new-resource").click();
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Type").selectOption("load_balancer");
  await page.getByLabel("Provider").selectOption("onprem");
  await page.getByLabel("Region").fill("dc-ams");
  await page.getByLabel("Private IP").fill("10.20.300.1");
  await page.getByLabel("Tags").fill("env=prod, team=edge");
  await page.getByTestId("create-resource").click();
  await expect(page.getByTestId("error-private_ip")).toContainText("is not an IPv4 or IPv6 address");
  // The refusal came back without a reload: what was typed is still there.
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Tags")).toHaveValue("env=prod, team=edge");

  await page.getByLabel("Private IP").fill("10.20.30.1");
  await page.getByTestId("create-resource").click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByTestId("resource-properties")).toContainText("load balancer");

  await page.getByLabel("Status").selectOption("fault");
  await page.getByTestId("save-resource").click();
  await expect(page.getByTestId("notice")).toContainText("Saved.");
  await expect(page.getByTestId("resource-properties")).toContainText("fault");

  await page.goto(`/resources?tag=team%3Dedge`);
  await expect(page.getByTestId(`resource-row-${name}`)).toContainText("fault");
  await page.getByRole("link", { name }).click();
  await page.getByTestId("delete-resource").click();
  await expect(page).toHaveURL(/\/resources$/);
  await page.goto(`/resources?q=${name}`);
  await expect(page.getByText("No resources match")).toBeVisible();
});

test("a viewer reads the inventory but is offered no changes", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const username = unique("reader");
  await createUser(request, token, { username, role: "viewer", password: "viewer-pass-1" });
  await login(page, username, "viewer-pass-1");
  await navLink(page, "Resources").click();
  await expect(page.getByTestId("resources-table")).toBeVisible();
  await expect(page.getByTestId("new-resource")).toHaveCount(0);
  await page.getByTestId("resources-table").locator("tbody tr a").first().click();
  await expect(page.getByTestId("resource-properties")).toBeVisible();
  await expect(page.getByTestId("edit-resource-form")).toHaveCount(0);
  await expect(page.getByTestId("delete-resource")).toHaveCount(0);
});
