import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, openAction, test, unique } from "./fixtures";

/** A `datetime-local` value, in UTC, `hours` from now. */
function inHours(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);
}

test("a normal change is planned, reviewed, carried out in its window and closed, each person on their own page", async ({ page, browser, request }) => {
  const planner = unique("planner");
  const doer = unique("doer");
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  for (const username of [planner, doer]) {
    await createUser(request, token, { username, role: "operator", password: "operator-pass-1" });
  }

  await login(page, planner, "operator-pass-1");
  await navLink(page, "Changes").click();
  await page.getByTestId("new-change").click();
  await hydrated(page);
  const title = unique("Rotate the payment gateway certificates");
  const form = page.getByTestId("new-change-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Risk").selectOption("B");
  await form.getByLabel("Implementer").selectOption({ label: `${doer} (${doer})` });
  await form.getByLabel("Planned start (UTC)").fill(inHours(-1));
  await form.getByLabel("Planned end (UTC)").fill(inHours(2));
  await form.getByLabel("Rollback plan").fill("Reinstall the previous certificates from the vault");
  await page.getByTestId("create-change").click();
  await expect(page.getByTestId("change-status")).toHaveText("draft");
  await expect(page).toHaveTitle(/CHG-\d{6}/);
  const changeUrl = page.url();
  await openAction(page, "submit");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("change-status")).toHaveText("pending approval");

  // The administrator reviews it; the planner's page follows live.
  const reviewer = await browser.newContext();
  const adminPage = await reviewer.newPage();
  await login(adminPage, ADMIN.username, ADMIN.password);
  await adminPage.goto(changeUrl);
  await hydrated(adminPage);
  await (await openAction(adminPage, "approve")).getByLabel("Comment").fill("Rollback tested on staging");
  await adminPage.getByTestId("approve").click();
  await expect(adminPage.getByTestId("change-status")).toHaveText("approved");
  await expect(page.getByTestId("change-status")).toHaveText("approved");

  // The implementer starts it inside its window and records how it went.
  const implementer = await browser.newContext();
  const doerPage = await implementer.newPage();
  await login(doerPage, doer, "operator-pass-1");
  await doerPage.goto("/changes?tab=mine");
  await doerPage.getByRole("link", { name: title }).click();
  await hydrated(doerPage);
  await doerPage.getByTestId("start").click();
  await expect(doerPage.getByTestId("change-status")).toHaveText("implementing");
  await (await openAction(doerPage, "record_result")).getByLabel("Result").selectOption("succeeded");
  await doerPage.getByTestId("record_result").click();
  await expect(doerPage.getByTestId("change-status")).toHaveText("succeeded");

  await expect(page.getByTestId("change-status")).toHaveText("succeeded");
  await page.reload();
  await hydrated(page);
  await (await openAction(page, "close")).getByLabel("Verification notes").fill("New certificates served; no handshake errors");
  await page.getByTestId("close").click();
  await expect(page.getByTestId("change-status")).toHaveText("closed");
  await expect(page.getByTestId("no-actions")).toBeVisible();
  const steps = page.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(6);
  await expect(steps.nth(2)).toContainText("approve (pending_approval → approved)");
  await expect(steps.nth(5)).toContainText("close (succeeded → closed)");
  await reviewer.close();
  await implementer.close();
});

test("an incident's page names the change that ran on its application just before, and the change names the incident", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const headers = { "X-Auth-Token": token };
  const me = await (await request.get("/v1/profile", { headers })).json();
  const application = (await (await request.get("/v1/applications", { headers })).json()).items[0];
  const start = new Date(Date.now() - 3_600_000).toISOString();
  const end = new Date(Date.now() + 3_600_000).toISOString();
  let change = await (
    await request.post("/v1/changes", {
      headers,
      data: {
        title: unique("Raise the connection pool size"), change_type: "emergency", level: "C",
        application_id: application.id, implementer: { user_id: me.id },
        planned_start: start, planned_end: end, rollback_plan: "Set it back to 50",
      },
    })
  ).json();
  for (const [action, params] of [["submit", {}], ["start", {}], ["record_result", { result: "succeeded" }]] as const) {
    const response = await request.post(`/v1/changes/${change.id}/actions`, { headers, data: { action, params, version: change.version } });
    expect(response.ok()).toBeTruthy();
    change = await response.json();
  }
  const incident = await (
    await request.post("/v1/incidents", {
      headers,
      data: { title: unique("Database connections refused"), level: "P2", category: "reliability", application_id: application.id, owner: { user_id: me.id } },
    })
  ).json();

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto(`/incidents/${incident.id}`);
  const suspects = page.getByTestId("suspect-changes");
  await expect(suspects).toContainText(change.title);
  await suspects.getByRole("link", { name: /CHG-\d{6}/ }).first().click();
  await expect(page.getByTestId("change-status")).toHaveText("succeeded");
  await expect(page.getByTestId("followed-by")).toContainText(incident.title);
});

test("a freeze refuses a normal change and lets an emergency one through with a warning", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const headers = { "X-Auth-Token": token };
  const me = await (await request.get("/v1/profile", { headers })).json();
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/changes");
  await page.getByTestId("freeze-windows").click();
  await hydrated(page);
  const name = unique("Year-end freeze");
  const form = page.getByTestId("new-freeze-form");
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Repeat").selectOption("once");
  await form.getByLabel("From (UTC)").fill(inHours(24 * 30));
  await form.getByLabel("Until (UTC)").fill(inHours(24 * 32));
  await page.getByTestId("create-freeze").click();
  await expect(page.getByTestId("freezes-table")).toContainText(name);

  const plan = async (change_type: string) =>
    (
      await request.post("/v1/changes", {
        headers,
        data: {
          title: unique(`A ${change_type} change in the freeze`), change_type, level: "C",
          implementer: { user_id: me.id }, planned_start: new Date(Date.now() + 31 * 86_400_000).toISOString(),
          planned_end: new Date(Date.now() + 31 * 86_400_000 + 3_600_000).toISOString(), rollback_plan: "Undo it",
        },
      })
    ).json();
  const normal = await plan("normal");
  await page.goto(`/changes/${normal.id}`);
  await hydrated(page);
  await expect(page.getByTestId("conflicts")).toContainText(`freeze window '${name}'`);
  await openAction(page, "submit");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("form-error")).toContainText(`falls in freeze window '${name}'`);
  await expect(page.getByTestId("change-status")).toHaveText("draft");

  const emergency = await plan("emergency");
  await page.goto(`/changes/${emergency.id}`);
  await hydrated(page);
  await openAction(page, "submit");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("change-status")).toHaveText("approved");
  await expect(page.getByTestId("timeline")).toContainText(`Runs inside freeze window '${name}'`);

  // Remove it again, so other journeys plan freely.
  await page.goto("/freeze-windows");
  await hydrated(page);
  await page.getByTestId("freezes-table").getByRole("row", { name: new RegExp(name) }).getByTestId("delete-freeze").click();
  await expect(page.getByTestId("freezes-table")).toHaveCount(0);
});
