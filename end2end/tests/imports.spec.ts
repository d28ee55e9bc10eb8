import { ADMIN, expect, login, test, unique } from "./fixtures";

function csv(prefix: string, badIp: string) {
  return Buffer.from(
    "name,type,provider,region,private_ip,cpu_cores,memory_gib,tags\n" +
      `${prefix}-a,host,aws,eu-west-1,10.5.0.1,2,4,env=import;batch=${prefix}\n` +
      `${prefix}-b,host,aws,eu-west-1,${badIp},2,4,env=import\n` +
      `${prefix}-c,cache,gcp,us-central1,10.5.0.3,1,2,env=import;batch=${prefix}\n`,
  );
}

test("a CSV with one bad row: all-or-nothing writes nothing, valid-only writes the rest", async ({ page }) => {
  const prefix = unique("imp");
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/resources");
  await page.getByTestId("import-resources").click();
  await expect(page.getByRole("heading", { name: "Import resources" })).toBeVisible();

  await page.getByTestId("import-file").setInputFiles({ name: "estate.csv", mimeType: "text/csv", buffer: csv(prefix, "10.5.0.999") });
  await page.getByLabel("All or nothing").check();
  await page.getByTestId("import-submit").click();
  await expect(page).toHaveURL(/\/resources\/imports\/\d+\?outcome=rejected$/);
  await expect(page.getByTestId("import-summary")).toContainText("nothing written");
  await expect(page.getByTestId("import-rejected")).toHaveText("1");
  const rejectedRow = page.getByTestId("import-row").filter({ hasText: "rejected" });
  await expect(rejectedRow).toContainText(`${prefix}-b`);
  await expect(rejectedRow).toContainText("private_ip: '10.5.0.999' is not an IPv4 or IPv6 address");

  await page.goto("/resources/import");
  await page.getByTestId("import-file").setInputFiles({ name: "estate.csv", mimeType: "text/csv", buffer: csv(prefix, "10.5.0.999") });
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("import-summary")).toContainText("applied");
  await expect(page.getByTestId("import-created")).toHaveText("2");
  await expect(page.getByTestId("import-rejected")).toHaveText("1");

  await page.goto(`/resources?tag=batch%3D${prefix}`);
  await expect(page.getByTestId("resources-table").locator("tbody tr")).toHaveCount(2);
  await page.goto("/resources/import");
  await expect(page.getByTestId("recent-imports")).toContainText("2 created · 0 updated · 0 unchanged · 1 rejected");
});

test("an unreadable file is refused on the upload page", async ({ page }) => {
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/resources/import");
  await page.getByTestId("import-file").setInputFiles({
    name: "wrong.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("hostname,kind\nweb,host\n"),
  });
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("form-error")).toContainText("unknown column 'hostname'");
  await expect(page).toHaveURL(/\/resources\/import\?/);
});

test("a long report opens on its rejected rows and pages the rest", async ({ page }) => {
  const prefix = unique("many");
  let file = "name,type,provider,region,private_ip,cpu_cores,memory_gib,tags\n";
  for (let i = 0; i < 150; i++) {
    const ip = i % 50 === 49 ? "10.6.0.999" : `10.6.${Math.floor(i / 256)}.${i % 256}`;
    file += `${prefix}-${i},host,aws,eu-west-1,${ip},2,4,batch=${prefix}\n`;
  }
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/resources/import");
  await page.getByTestId("import-file").setInputFiles({ name: "many.csv", mimeType: "text/csv", buffer: Buffer.from(file) });
  await page.getByTestId("import-submit").click();
  await expect(page.getByTestId("import-created")).toHaveText("147");

  // The report opens on the rejected rows.
  const rows = page.getByTestId("import-row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(2)).toContainText(`${prefix}-149`);
  await expect(page.getByTestId("pagination")).toContainText("3 items");

  await page.getByTestId("import-outcomes").getByRole("link", { name: "all (150)" }).click();
  await expect(rows).toHaveCount(100);
  await expect(page.getByTestId("pagination")).toContainText("150 items");
  await page.getByRole("link", { name: "Next" }).click();
  await expect(rows).toHaveCount(50);
  await expect(rows.first()).toContainText("102");
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(rows).toHaveCount(100);
  await expect(rows.first()).toContainText(`${prefix}-0`);
});
