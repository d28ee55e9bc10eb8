import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, openAction, test, unique } from "./fixtures";

async function team(request: Parameters<typeof apiToken>[0], names: string[]) {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const ids: Record<string, number> = {};
  for (const username of names) {
    ids[username] = (await createUser(request, token, { username, role: "operator", password: "operator-pass-1" })).id;
  }
  return ids;
}

test("an improvement from an incident, done by its owner and verified by someone else", async ({ page, browser, request }) => {
  const owner = unique("fixer");
  const verifier = unique("checker");
  const ids = await team(request, [owner, verifier]);
  const ownerToken = await apiToken(request, owner, "operator-pass-1");
  const headers = { "X-Auth-Token": ownerToken };
  let incident = await (
    await request.post("/v1/incidents", {
      data: { title: unique("Disk full on db-1"), level: "P2", category: "reliability", owner: { user_id: ids[owner] } },
      headers,
    })
  ).json();
  incident = await (
    await request.post(`/v1/incidents/${incident.id}/actions`, { data: { action: "accept", version: incident.version }, headers })
  ).json();

  await login(page, owner, "operator-pass-1");
  await page.goto(`/incidents/${incident.id}`);
  await hydrated(page);
  const create = await openAction(page, "create_improvement");
  const title = unique("Alert on disk at 80 %");
  await create.getByLabel("What should improve").fill(title);
  await create.getByLabel("Owner").selectOption({ label: `${owner} (${owner})` });
  await create.getByLabel("Verifier").selectOption({ label: `${verifier} (${verifier})` });
  await create.getByLabel("Due on").fill("2026-12-31");
  await page.getByTestId("create_improvement").click();
  await expect(page.getByTestId("follow-up")).toContainText(title);
  await expect(page.getByTestId("timeline")).toContainText("create improvement");
  await page.getByTestId("follow-up").getByRole("link", { name: /IMP-/ }).click();
  await expect(page.getByTestId("improvement-status")).toHaveText("pending");
  const improvementUrl = page.url();

  const theirs = await browser.newContext();
  const verifierPage = await theirs.newPage();
  await login(verifierPage, verifier, "operator-pass-1");
  await verifierPage.goto(improvementUrl);
  await expect(verifierPage.getByTestId("actions").getByRole("button")).toHaveText(["Add remark"]);
  await hydrated(verifierPage);

  await hydrated(page);
  await page.getByTestId("accept").click();
  await expect(page.getByTestId("improvement-status")).toHaveText("in progress");
  const processForm = await openAction(page, "process");
  await processForm.getByLabel("Cause").fill("No alert on disk usage");
  await processForm.getByLabel("Measures taken").fill("Alert at 80 % on every database host");
  await page.getByTestId("process").click();
  await expect(page.getByTestId("improvement-status")).toHaveText("to verify");

  // The verifier's page follows live, and their bell says it waits for them.
  await expect(verifierPage.getByTestId("improvement-status")).toHaveText("to verify");
  await expect(verifierPage.getByTestId("unread")).toHaveText("1");
  await verifierPage.reload();
  await hydrated(verifierPage);
  await (await openAction(verifierPage, "verify")).getByLabel("Does it hold?").selectOption({ label: "Yes: close it" });
  await verifierPage.getByTestId("verify").click();
  await expect(verifierPage.getByTestId("improvement-status")).toHaveText("closed");
  const steps = verifierPage.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(3)).toContainText("verify (to_verify → closed)");

  await navLink(verifierPage, "Improvements").click();
  await expect(verifierPage.getByTestId("improvements-table")).toContainText(title);
  await theirs.close();
});

test("a problem's suspension waits for its creator, who approves it and stops the clock", async ({ page, browser, request }) => {
  const creator = unique("raiser");
  const owner = unique("locator");
  await team(request, [creator, owner]);

  await login(page, creator, "operator-pass-1");
  await navLink(page, "Problems").click();
  await page.getByTestId("new-problem").click();
  await hydrated(page);
  const title = unique("Connection pool exhaustion");
  const form = page.getByTestId("new-problem-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Level").selectOption("major");
  await form.getByLabel("Owner").selectOption({ label: `${owner} (${owner})` });
  await page.getByTestId("create-problem").click();
  await expect(page.getByTestId("problem-status")).toHaveText("unaccepted");
  await expect(page.getByTestId("clock").first()).toContainText("left");
  const problemUrl = page.url();

  const theirs = await browser.newContext();
  const ownerPage = await theirs.newPage();
  await login(ownerPage, owner, "operator-pass-1");
  await ownerPage.goto(problemUrl);
  await hydrated(ownerPage);
  await ownerPage.getByTestId("accept").click();
  await expect(ownerPage.getByTestId("problem-status")).toHaveText("locating");
  await (await openAction(ownerPage, "suspend")).getByLabel("Why suspend").fill("Waiting for the vendor's patch");
  await ownerPage.getByTestId("suspend").click();
  await expect(ownerPage.getByTestId("suspension-waits")).toContainText("Waiting for the vendor's patch");
  // The owner cannot approve their own request.
  await expect(ownerPage.getByTestId("action-approve_suspension")).toHaveCount(0);

  // The creator's page shows the request live; their bell rings.
  await expect(page.getByTestId("suspension-waits")).toContainText("Waiting for the vendor's patch");
  await expect(page.getByTestId("unread")).toHaveText("1");
  await page.reload();
  await hydrated(page);
  const decide = await openAction(page, "approve_suspension");
  await decide.getByLabel("Suspend it?").selectOption({ label: "Approve: stop the clock" });
  await decide.getByLabel("Comment").fill("fine until the patch ships");
  await page.getByTestId("approve_suspension").click();
  await expect(page.getByTestId("problem-status")).toHaveText("suspended");
  await expect(page.getByTestId("clock").first()).toHaveText("clock stopped");
  await expect(ownerPage.getByTestId("problem-status")).toHaveText("suspended");

  await ownerPage.reload();
  await hydrated(ownerPage);
  await ownerPage.getByTestId("resume").click();
  await expect(ownerPage.getByTestId("problem-status")).toHaveText("locating");
  await expect(ownerPage.getByTestId("clock").first()).toContainText("left");
  const steps = ownerPage.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(5);
  await expect(steps.nth(3)).toContainText("approve suspension (locating → suspended)");
  await expect(steps.nth(4)).toContainText("resume (suspended → locating)");
  await theirs.close();
});

test("a file attached to an incident is listed and downloads as it was sent", async ({ page, request }) => {
  const owner = unique("attacher");
  const ids = await team(request, [owner]);
  const token = await apiToken(request, owner, "operator-pass-1");
  const incident = await (
    await request.post("/v1/incidents", {
      data: { title: unique("Stack traces"), level: "P4", category: "other", owner: { user_id: ids[owner] } },
      headers: { "X-Auth-Token": token },
    })
  ).json();
  await login(page, owner, "operator-pass-1");
  await page.goto(`/incidents/${incident.id}`);
  const form = page.getByTestId("attach-form");
  await form.getByLabel("File").setInputFiles({ name: "trace.txt", mimeType: "text/plain", buffer: Buffer.from("panic at line 42\n") });
  await page.getByTestId("attach").click();
  await expect(page.getByTestId("attachment")).toHaveText(["trace.txt"]);
  const download = page.waitForEvent("download");
  await page.getByTestId("attachment").click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("trace.txt");
  // A file whose content is not what its name says is refused, and nothing is stored.
  await form.getByLabel("File").setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: Buffer.from("not an image") });
  await page.getByTestId("attach").click();
  await expect(page.getByTestId("form-error")).toContainText("name it .txt");
  await expect(page.getByTestId("attachment")).toHaveCount(1);
});
