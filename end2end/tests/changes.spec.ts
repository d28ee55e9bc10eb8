import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, openAction, test, unique } from "./fixtures";

/** A `datetime-local` value, in UTC, `hours` from now. */
function inHours(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);
}

test("a normal change goes through a two-stage review, two approvers each in their own browser, then is carried out and closed", async ({ page, browser, request }) => {
  const planner = unique("planner");
  const doer = unique("doer");
  const lead = unique("lead");
  const dba = unique("dba");
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const headers = { "X-Auth-Token": token };
  for (const username of [planner, doer, lead, dba]) {
    await createUser(request, token, { username, role: "operator", password: "operator-pass-1" });
  }
  // A retried run finds its earlier flow for risk A: remove it first.
  for (const flow of await (await request.get("/v1/review-flows", { headers })).json()) {
    if (flow.change_type === "normal" && flow.levels.includes("A")) {
      expect((await request.delete(`/v1/review-flows/${flow.id}`, { headers })).status()).toBe(204);
    }
  }

  // The administrator defines the review: the team lead, then the DBA.
  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/changes");
  await page.getByTestId("review-flows").click();
  await hydrated(page);
  const flowName = unique("Risky database work");
  const flowForm = page.getByTestId("new-flow-form");
  await flowForm.getByLabel("Name", { exact: true }).first().fill(flowName);
  await flowForm.getByLabel("Risk A").check();
  const stage = (n: number) => flowForm.locator("fieldset").filter({ hasText: `Stage ${n}` });
  await stage(1).getByLabel("Name").fill("Team lead");
  await stage(1).getByLabel("Approver 1").selectOption({ label: `${lead} (${lead})` });
  await stage(2).getByLabel("Name").fill("DBA");
  await stage(2).getByLabel("Approval").selectOption("all");
  await stage(2).getByLabel("Approver 1").selectOption({ label: `${dba} (${dba})` });
  await page.getByTestId("create-flow").click();
  await expect(page.getByTestId("flows-table")).toContainText(`1. Team lead (any of ${lead} (${lead})) → 2. DBA (all of ${dba} (${dba}))`);

  const plannerContext = await browser.newContext();
  const plannerPage = await plannerContext.newPage();
  await login(plannerPage, planner, "operator-pass-1");
  await navLink(plannerPage, "Changes").click();
  await plannerPage.getByTestId("new-change").click();
  await hydrated(plannerPage);
  const title = unique("Move the ledger to the new cluster");
  const form = plannerPage.getByTestId("new-change-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Risk").selectOption("A");
  await form.getByLabel("Implementer").selectOption({ label: `${doer} (${doer})` });
  await form.getByLabel("Planned start (UTC)").fill(inHours(-1));
  await form.getByLabel("Planned end (UTC)").fill(inHours(2));
  await form.getByLabel("Rollback plan").fill("Point the ledger back at the old cluster");
  await plannerPage.getByTestId("create-change").click();
  await expect(plannerPage.getByTestId("change-status")).toHaveText("draft");
  await expect(plannerPage).toHaveTitle(/CHG-\d{6}/);
  const changeUrl = plannerPage.url();
  await openAction(plannerPage, "submit");
  await plannerPage.getByTestId("submit").click();
  await expect(plannerPage.getByTestId("change-status")).toHaveText("pending approval");
  await expect(plannerPage.getByTestId("review-stage-1")).toContainText(lead);

  // Each approver finds it waiting in their own list, in their own browser.
  const approve = async (username: string, comment: string) => {
    const context = await browser.newContext();
    const approver = await context.newPage();
    await login(approver, username, "operator-pass-1");
    await approver.goto("/changes?tab=approve");
    await approver.getByRole("link", { name: title }).click();
    await hydrated(approver);
    await (await openAction(approver, "approve")).getByLabel("Comment").fill(comment);
    await approver.getByTestId("approve").click();
    return { context, approver };
  };
  const first = await approve(lead, "Rollback rehearsed");
  await expect(first.approver.getByTestId("change-status")).toHaveText("pending approval");
  await expect(first.approver.getByTestId("review-stage-1")).toContainText(`✓ ${lead}`);
  await expect(plannerPage.getByTestId("review-stage-1")).toContainText(`✓ ${lead}`);
  const second = await approve(dba, "Replication lag is zero");
  await expect(second.approver.getByTestId("change-status")).toHaveText("approved");
  await expect(plannerPage.getByTestId("change-status")).toHaveText("approved");
  await expect(plannerPage.getByTestId("review-outcome")).toHaveText("approved");

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

  await expect(plannerPage.getByTestId("change-status")).toHaveText("succeeded");
  await plannerPage.goto(changeUrl);
  await hydrated(plannerPage);
  await (await openAction(plannerPage, "close")).getByLabel("Verification notes").fill("Ledger writes land on the new cluster");
  await plannerPage.getByTestId("close").click();
  await expect(plannerPage.getByTestId("change-status")).toHaveText("closed");
  await expect(plannerPage.getByTestId("no-actions")).toBeVisible();
  const steps = plannerPage.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(7);
  await expect(steps.nth(2)).toContainText("Stage 1 of 2 (Team lead): approved; Stage 2 of 2 (DBA) next — Rollback rehearsed");
  await expect(steps.nth(3)).toContainText("approve (pending_approval → approved)");
  await expect(steps.nth(6)).toContainText("close (succeeded → closed)");

  // Remove the flow again, so other journeys' changes go to any administrator.
  await page.goto("/review-flows");
  await hydrated(page);
  await page.getByTestId("flows-table").getByRole("row", { name: new RegExp(flowName) }).getByTestId("delete-flow").click();
  await expect(page.getByTestId("flows-table")).toHaveCount(0);
  for (const context of [plannerContext, first.context, second.context, implementer]) await context.close();
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

test("the calendar shows a change in its week, and a standard change from the library skips review", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const headers = { "X-Auth-Token": token };
  const me = await (await request.get("/v1/profile", { headers })).json();
  // Next week's Wednesday, 10:00 UTC.
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7) + 7));
  const wednesday = new Date(monday.getTime() + 2 * 86_400_000 + 10 * 3_600_000);
  const change = await (
    await request.post("/v1/changes", {
      headers,
      data: {
        title: unique("Patch the message brokers"), change_type: "normal", level: "C",
        implementer: { user_id: me.id }, planned_start: wednesday.toISOString(),
        planned_end: new Date(wednesday.getTime() + 2 * 3_600_000).toISOString(), rollback_plan: "Reinstall the previous packages",
      },
    })
  ).json();

  await login(page, ADMIN.username, ADMIN.password);
  await page.goto("/changes");
  await page.getByTestId("calendar").click();
  await page.getByRole("link", { name: "Week" }).click();
  await page.getByTestId("calendar-next").click();
  const day = wednesday.toISOString().slice(0, 10);
  await expect(page.getByTestId("calendar-title")).toHaveText(/^Week of /);
  const chip = page.getByTestId(`calendar-day-${day}`).getByTestId(`calendar-change-${change.id}`);
  await expect(chip).toContainText("10:00–12:00");
  await expect(chip).toContainText(change.title);
  // Filtered by another risk, it is gone; the filter stays as the view moves.
  await page.getByTestId("calendar-filters").getByLabel("Any risk").selectOption("A");
  await page.getByTestId("calendar-filters").getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId(`calendar-change-${change.id}`)).toHaveCount(0);
  await page.getByTestId("calendar-previous").click();
  await expect(page).toHaveURL(/level=A/);

  // A feed address is shown once.
  await page.getByTestId("renew-feed").click();
  await expect(page.getByTestId("feed-url")).toHaveValue(/\/v1\/changes\/calendar\.ics\?token=\w{32}$/);
  const feedUrl = await page.getByTestId("feed-url").inputValue();
  const ics = await (await request.get(feedUrl)).text();
  expect(ics).toContain(`SUMMARY:CHG-${String(change.id).padStart(6, "0")}`);

  // The library: an administrator adds a standard change, and it is planned from there.
  await page.goto("/standard-changes");
  await hydrated(page);
  const name = unique("Restart a web node");
  const form = page.getByTestId("new-template-form");
  await form.getByLabel("Name in the library").fill(name);
  await form.getByLabel("Title of its changes").fill(`${name}: restart`);
  await form.getByLabel("Window (minutes)").fill("30");
  await form.getByLabel("Rollback plan").fill("Start it again");
  await page.getByTestId("create-template").click();
  const card = page.locator("[data-testid^='template-']").filter({ hasText: name }).locator("..");
  await expect(card).toContainText("30 min");
  await card.getByLabel("Start (UTC)").fill(inHours(1));
  await card.getByTestId("use-template").click();
  await expect(page.getByTestId("change-status")).toHaveText("draft");
  await hydrated(page);
  await openAction(page, "submit");
  await page.getByTestId("submit").click();
  await expect(page.getByTestId("change-status")).toHaveText("approved");
});
