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

test("the inventory pages by cursor: Next, Previous and First keep the filter and the sort", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const batch = unique("paged");
  const names = Array.from({ length: 45 }, (_, i) => `${batch}-${String(i).padStart(2, "0")}`);
  const csv = ["name,type,provider,tags", ...names.map((n) => `${n},host,aws,batch=${batch}`)].join("\n");
  const imported = await request.post("/v1/resources/import", {
    headers: { "X-Auth-Token": token, "content-type": "text/csv" },
    data: csv,
  });
  expect(imported.ok()).toBeTruthy();

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/resources?tag=${encodeURIComponent(`batch=${batch}`)}&sort=name`);
  const table = page.getByTestId("resources-table");
  const firstName = () => table.locator("tbody tr a").first();
  const pager = page.getByTestId("pagination");
  await expect(pager).toContainText("45 items");
  await expect(firstName()).toHaveText(names[0]);

  await pager.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/after=\d+/);
  await expect(page).toHaveURL(/sort=name/);
  await expect(firstName()).toHaveText(names[20]);
  await pager.getByRole("link", { name: "Next" }).click();
  await expect(firstName()).toHaveText(names[40]);
  await expect(table.locator("tbody tr")).toHaveCount(5);
  await expect(pager.getByRole("link", { name: "Next" })).toHaveCount(0);

  await pager.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL(/before=\d+/);
  await expect(firstName()).toHaveText(names[20]);
  await expect(table.locator("tbody tr")).toHaveCount(20);
  await pager.getByRole("link", { name: "First" }).click();
  await expect(firstName()).toHaveText(names[0]);
  await expect(pager.getByRole("link", { name: "Previous" })).toHaveCount(0);
});
