import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, openAction, test, unique } from "./fixtures";

test("a P1 worked in a war room: raise, open the room, notices, restore, close, solve, verify", async ({ page, browser, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const creator = unique("reporter");
  const owner = unique("commander");
  for (const username of [creator, owner]) {
    await createUser(request, token, { username, role: "operator", password: "operator-pass-1" });
  }
  const appName = unique("payments");
  const app = await request.post("/v1/applications", { data: { name: appName }, headers: { "X-Auth-Token": token } });
  expect(app.status()).toBe(201);

  // The reporter opens the incident in the console.
  await login(page, creator, "operator-pass-1");
  await navLink(page, "Incidents").click();
  await page.getByTestId("new-incident").click();
  await hydrated(page);
  const title = unique("Card payments time out");
  const form = page.getByTestId("new-incident-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Level").selectOption("P3");
  await form.getByLabel("Application").selectOption({ label: appName });
  await form.getByLabel("Owner").selectOption({ label: `${owner} (${owner})` });
  await page.getByTestId("create-incident").click();
  await expect(page.getByTestId("incident-status")).toHaveText("unaccepted");
  const incidentUrl = page.url();

  // The owner accepts, raises it to P1 and opens a war room.
  const theirs = await browser.newContext();
  const ownerPage = await theirs.newPage();
  await login(ownerPage, owner, "operator-pass-1");
  await ownerPage.goto(incidentUrl);
  await hydrated(ownerPage);
  await ownerPage.getByTestId("accept").click();
  await expect(ownerPage.getByTestId("incident-status")).toHaveText("accepted");
  const level = await openAction(ownerPage, "change_level");
  await level.getByLabel("New level").selectOption("P1");
  await level.getByLabel("Reason").fill("all card payments fail");
  await ownerPage.getByTestId("change_level").click();
  await expect(ownerPage.getByTestId("timeline")).toContainText("level: P3 → P1");
  await (await openAction(ownerPage, "start_war_room")).getByLabel("Room title").fill("Payments outage");
  await ownerPage.getByTestId("start_war_room").click();
  await expect(ownerPage.getByTestId("war-room-link")).toContainText("Payments outage");
  await expect(ownerPage.getByTestId("action-start_war_room")).toHaveCount(0);
  await ownerPage.getByTestId("war-room-link").click();
  await expect(ownerPage.getByTestId("war-room-status")).toHaveText("started");
  // The opener is the room's admin; the demo's war-room rule brought in the on-duty incident lead.
  const members = ownerPage.getByTestId("member");
  await expect(members).toHaveCount(2);
  await expect(members.filter({ hasText: owner })).toContainText("admin");
  await expect(members.filter({ hasNotText: owner })).toContainText("recovery lead");
  const roomUrl = ownerPage.url();

  // The reporter follows the room from their own browser.
  await page.goto(roomUrl);
  await hydrated(page);
  await page.getByTestId("subscribe").click();
  await expect(page.getByTestId("subscribe-form")).toContainText("You receive this room's notices.");

  await hydrated(ownerPage);
  await ownerPage.getByTestId("add-application-form").getByLabel("Affected application").selectOption({ label: appName });
  await ownerPage.getByTestId("add-application").click();
  await expect(ownerPage.getByTestId("war-room-status")).toHaveText("delimited");
  const notice = ownerPage.getByTestId("notice-form");
  await notice.getByLabel("Notice").fill("Card payments fail at the provider since 09:00.");
  await ownerPage.getByTestId("post-notice").click();
  await expect(ownerPage.getByTestId("room-notice")).toHaveCount(1);
  // The reporter's page shows the notice and the new state without a reload, and the bell rings.
  await expect(page.getByTestId("room-notice").first()).toContainText("Card payments fail at the provider");
  await expect(page.getByTestId("war-room-status")).toHaveText("delimited");
  await expect(page.getByTestId("unread")).toHaveText("1");

  await notice.getByLabel("Kind").selectOption("progress");
  await notice.getByLabel("Notice").fill("Traffic moved to the secondary provider.");
  await ownerPage.getByTestId("post-notice").click();
  await expect(ownerPage.getByTestId("room-notice")).toHaveCount(2);
  await ownerPage.getByTestId(`affected-${appName}`).getByTestId("restore").click();
  await expect(ownerPage.getByTestId("war-room-status")).toHaveText("recovered");
  await expect(page.getByTestId("war-room-status")).toHaveText("recovered");

  const close = ownerPage.getByTestId("close-form");
  await close.getByLabel("Fault cause").fill("An expired certificate at the provider");
  await close.getByLabel("Fault impact").fill("No card payments for 40 minutes");
  await ownerPage.getByTestId("close-room").click();
  await expect(ownerPage.getByTestId("war-room-status")).toHaveText("closed");
  await expect(ownerPage.getByTestId("outcome")).toContainText("An expired certificate at the provider");
  // The room's timeline merges its steps, notices and the incident's actions.
  const roomTimeline = ownerPage.getByTestId("timeline");
  for (const text of ["change level", "open", "add application", "notice first", "restore application", "close"]) {
    await expect(roomTimeline).toContainText(text);
  }

  // Back on the incident: the owner submits the solution, the reporter verifies it.
  await ownerPage.goto(incidentUrl);
  await hydrated(ownerPage);
  const solution = await openAction(ownerPage, "submit_solution");
  await solution.getByLabel("Cause").fill("An expired certificate at the provider");
  await solution.getByLabel("Solution").fill("The provider renewed it; we alarm on its expiry now");
  await ownerPage.getByTestId("submit_solution").click();
  await expect(ownerPage.getByTestId("incident-status")).toHaveText("resolved");

  await page.goto(incidentUrl);
  await hydrated(page);
  await (await openAction(page, "verify")).getByLabel("Comment").fill("payments flow again");
  await page.getByTestId("verify").click();
  await expect(page.getByTestId("incident-status")).toHaveText("completed");
  const steps = page.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(6);
  await expect(steps.nth(0)).toContainText("create");
  await expect(steps.nth(1)).toContainText("accept (unaccepted → accepted)");
  await expect(steps.nth(2)).toContainText("change level");
  await expect(steps.nth(3)).toContainText("start war room");
  await expect(steps.nth(4)).toContainText("submit solution (accepted → resolved)");
  await expect(steps.nth(5)).toContainText("verify (resolved → completed)");
  await theirs.close();
});
