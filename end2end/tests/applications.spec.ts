import { type APIRequestContext } from "@playwright/test";
import { ADMIN, apiToken, expect, hydrated, login, navLink, test, unique } from "./fixtures";

/** POSTs as `token` and returns the created object. */
async function post(request: APIRequestContext, token: string, path: string, data: object) {
  const response = await request.post(path, { data, headers: { "X-Auth-Token": token } });
  expect(response.ok(), `${path}: ${await response.text()}`).toBeTruthy();
  return response.json();
}

async function resource(
  request: APIRequestContext,
  token: string,
  name: string,
  tags: Record<string, string>,
  spec: { cpu?: number; memory?: number; disk?: number; status?: string; type?: string } = {},
) {
  return post(request, token, "/v1/resources", {
    name,
    type: spec.type ?? "host",
    provider: "onprem",
    region: "dc-e2e",
    cpu_cores: spec.cpu ?? 2,
    memory_gib: spec.memory ?? 4,
    disk_gib: spec.disk ?? 20,
    status: spec.status ?? "running",
    tags,
  });
}

test("an operator builds application → component → group and picks its resources", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const team = unique("team");
  await resource(request, token, `${team}-a`, { team });
  await resource(request, token, `${team}-b`, { team });

  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "Applications").click();
  await expect(page.getByRole("heading", { name: "Applications" })).toBeVisible();
  const app = unique("billing");
  await page.getByTestId("new-application").click();
  await hydrated(page);
  await page.getByLabel("Name").fill("no spaces allowed");
  await page.getByTestId("create-application").click();
  await expect(page.getByTestId("error-name")).toContainText("may only contain letters");
  await page.getByLabel("Name").fill(app);
  await page.getByLabel("Description", { exact: true }).fill("Invoices and billing runs");
  await page.getByTestId("create-application").click();
  await expect(page.getByRole("heading", { name: app })).toBeVisible();

  const form = page.getByTestId("new-component-form");
  await form.getByLabel("Name").fill("invoicer");
  await form.getByLabel("Description").fill("Generates invoices");
  await page.getByTestId("create-component").click();
  await expect(page.getByRole("heading", { name: "invoicer" })).toBeVisible();
  await expect(page.getByTestId("tree-trail")).toContainText(app);

  const groupForm = page.getByTestId("new-group-form");
  await groupForm.getByLabel("Name", { exact: true }).fill("invoicer-prod");
  await groupForm.getByLabel("Environment").selectOption("prod");
  await groupForm.getByLabel("Region").fill("dc-e2e");
  await page.getByTestId("create-group").click();
  await expect(page.getByRole("heading", { name: "invoicer-prod" })).toBeVisible();
  await expect(page.getByTestId("no-members")).toBeVisible();

  // Pick from a filtered list.
  await page.getByPlaceholder("tag key=value").fill(`team=${team}`);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByTestId(`pick-${team}-a`).check();
  await page.getByTestId(`pick-${team}-b`).check();
  await page.getByTestId("associate").click();
  await expect(page.getByText("Resources (2)")).toBeVisible();
  await expect(page.getByTestId("members-table")).toContainText(`${team}-a`);
  await expect(page.getByTestId("history")).toContainText("associated 2 resources (hand)");

  // The component refuses to go while it has a group, and says which.
  await page.getByTestId("tree-trail").getByRole("link", { name: "invoicer" }).click();
  await expect(page.getByTestId("group-row-invoicer-prod")).toContainText("manual");
  await page.getByTestId("delete-component").click();
  await expect(page.getByTestId("form-error")).toContainText("still has groups 'invoicer-prod'");
});

test("an automatic group picks up a newly tagged resource", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const app = await post(request, token, "/v1/applications", { name: unique("catalog") });
  const component = await post(request, token, "/v1/components", { application_id: app.id, name: "workers" });
  const squad = unique("squad");

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/components/${component.id}`);
  await hydrated(page);
  const form = page.getByTestId("new-group-form");
  await form.getByLabel("Name", { exact: true }).fill("workers-auto");
  await form.getByTestId("group-automatic").check();
  await form.getByLabel("All of these tags").fill(`squad=${squad}, env=prod`);
  await form.getByLabel("Name starts with").fill("wrk-");
  await page.getByTestId("create-group").click();
  await expect(page.getByRole("heading", { name: "workers-auto" })).toBeVisible();
  await expect(page.getByTestId("group-properties")).toContainText(`env=prod, squad=${squad} · name starts with wrk-`);
  await expect(page.getByTestId("no-members")).toBeVisible();
  await hydrated(page);

  // Someone tags a resource elsewhere; the open group page shows it without a reload.
  await resource(request, token, `wrk-${squad}`, { squad, env: "prod" });
  await resource(request, token, `other-${squad}`, { squad, env: "prod" });
  await expect(page.getByTestId(`member-wrk-${squad}`)).toBeVisible();
  await expect(page.getByText("Resources (1)")).toBeVisible();
  await expect(page.getByTestId("history")).toContainText("associated 1 resource (rule)");

  // The resource's own page lists the group; sync now finds nothing more to do.
  await page.getByRole("link", { name: `wrk-${squad}` }).click();
  await expect(page.getByTestId("resource-groups")).toContainText("workers-auto");
  await page.getByTestId("resource-groups").getByRole("link", { name: "workers-auto" }).click();
  await page.getByTestId("sync-group").click();
  await expect(page.getByTestId("notice")).toContainText("Synced.");
});

test("resources are transferred to another group in one action", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const app = await post(request, token, "/v1/applications", { name: unique("ledger") });
  const component = await post(request, token, "/v1/components", { application_id: app.id, name: "database" });
  const blue = await post(request, token, "/v1/groups", { component_id: component.id, name: "blue", environment: "prod" });
  const green = await post(request, token, "/v1/groups", { component_id: component.id, name: "green", environment: "prod" });
  const tag = unique("bg");
  const ids = [];
  for (const n of ["db-1", "db-2", "db-3"]) {
    ids.push((await resource(request, token, `${tag}-${n}`, { bg: tag }, { type: "database" })).id);
  }
  await post(request, token, `/v1/groups/${blue.id}/resources`, { resource_ids: ids });

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/groups/${blue.id}`);
  await hydrated(page);
  await expect(page.getByText("Resources (3)")).toBeVisible();
  const members = page.getByTestId("move-form");
  await members.getByTestId(`pick-${tag}-db-1`).check();
  await members.getByTestId(`pick-${tag}-db-2`).check();
  await page.getByTestId("transfer-target").selectOption({ label: `${app.name} / database / green (prod)` });
  await page.getByTestId("transfer").click();
  await expect(page.getByText("Resources (1)")).toBeVisible();
  await expect(page.getByTestId("history")).toContainText(`transferred 2 resources to group ${green.id}`);

  await page.goto(`/groups/${green.id}`);
  await expect(page.getByText("Resources (2)")).toBeVisible();
  await expect(page.getByTestId("history")).toContainText(`received 2 resources from group ${blue.id}`);

  // Disassociating is the other button of the same form.
  await page.getByTestId("move-form").getByTestId(`pick-${tag}-db-2`).check();
  await page.getByTestId("disassociate").click();
  await expect(page.getByText("Resources (1)")).toBeVisible();
});

test("topology and capacity show the right numbers", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const app = await post(request, token, "/v1/applications", { name: unique("media") });
  const sub = await post(request, token, "/v1/applications", { name: unique("media-cdn"), parent_id: app.id });
  const api = await post(request, token, "/v1/components", { application_id: app.id, name: "api" });
  const edge = await post(request, token, "/v1/components", { application_id: sub.id, name: "edge" });
  const tag = unique("media");
  await resource(request, token, `${tag}-api-1`, { m: tag, tier: "api" }, { cpu: 8, memory: 32, disk: 100 });
  await resource(request, token, `${tag}-api-2`, { m: tag, tier: "api" }, { cpu: 4, memory: 16, disk: 50, status: "fault" });
  await resource(request, token, `${tag}-db-1`, { m: tag, tier: "db" }, { cpu: 16, memory: 64, disk: 1000, type: "database" });
  await resource(request, token, `${tag}-edge-1`, { m: tag, tier: "edge" }, { cpu: 2, memory: 4, disk: 10, status: "stopped" });
  await post(request, token, "/v1/groups", { component_id: api.id, name: "api-prod", environment: "prod", rule: { tags: { m: tag, tier: "api" } } });
  await post(request, token, "/v1/groups", { component_id: api.id, name: "db-prod", environment: "prod", rule: { tags: { m: tag, tier: "db" } } });
  await post(request, token, "/v1/groups", { component_id: edge.id, name: "edge-prod", environment: "prod", rule: { tags: { m: tag, tier: "edge" } } });

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/applications/${app.id}`);
  await page.getByTestId("open-topology").click();
  const diagram = page.getByTestId("topology-diagram");
  await expect(diagram).toBeVisible();
  const root = diagram.getByTestId(`topology-application-${app.name}`);
  await expect(root.getByTestId("counts")).toHaveText("4 resources · 1 fault · 1 stopped");
  await expect(root).toHaveAttribute("data-health", "fault");
  await expect(diagram.getByTestId("topology-group-db-prod").getByTestId("counts")).toHaveText("1 resource");
  await expect(diagram.getByTestId("topology-group-db-prod")).toHaveAttribute("data-health", "healthy");
  await expect(diagram.getByTestId("topology-group-edge-prod")).toHaveAttribute("data-health", "degraded");
  await expect(diagram.getByTestId("topology-component-api").getByTestId("counts")).toHaveText("3 resources · 1 fault");
  // Each box leads to its page.
  await diagram.getByTestId("topology-group-api-prod").click();
  await expect(page.getByRole("heading", { name: "api-prod" })).toBeVisible();

  await page.goto(`/applications/${app.id}`);
  await page.getByTestId("open-capacity").click();
  await expect(page.getByTestId("total-resources")).toHaveText("4");
  await expect(page.getByTestId("total-cpu")).toHaveText("30");
  await expect(page.getByTestId("total-memory")).toHaveText("116");
  await expect(page.getByTestId("total-disk")).toHaveText("1160");
  await expect(page.getByTestId("type-database")).toContainText("16");
  await expect(page.getByTestId("type-host")).toContainText("14");
  await expect(page.getByTestId("rank-1")).toContainText(`${tag}-db-1`);
  await expect(page.getByTestId("rank-2")).toContainText(`${tag}-api-1`);
  await page.getByTestId("rank-by-disk").click();
  await expect(page.getByTestId("rank-2").getByTestId("rank-value")).toHaveText("100");
  await expect(page.getByTestId("chart-cpu")).toBeVisible();
});
