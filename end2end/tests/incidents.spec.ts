import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, openAction, test, unique } from "./fixtures";

test("reject → resubmit → accept, with the creator watching the status change live", async ({ page, browser, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const creator = unique("creator");
  const owner = unique("owner");
  await createUser(request, token, { username: creator, role: "operator", password: "operator-pass-1" });
  await createUser(request, token, { username: owner, role: "operator", password: "operator-pass-1" });

  await login(page, creator, "operator-pass-1");
  await navLink(page, "Incidents").click();
  await page.getByTestId("new-incident").click();
  await hydrated(page);
  const title = unique("Checkout returns 502");
  const form = page.getByTestId("new-incident-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Level").selectOption("P2");
  await form.getByLabel("Owner").selectOption({ label: `${owner} (${owner})` });
  await page.getByTestId("create-incident").click();
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  await expect(page.getByTestId("incident-status")).toHaveText("unaccepted");
  await expect(page.getByTestId("incident-owner")).toHaveText(owner);
  // The creator may only remark while the owner decides.
  await expect(page.getByTestId("actions").getByRole("button")).toHaveText(["Add remark"]);
  const url = page.url();
  await hydrated(page);

  const theirs = await browser.newContext();
  const ownerPage = await theirs.newPage();
  await login(ownerPage, owner, "operator-pass-1");
  await ownerPage.goto("/incidents?tab=mine");
  // P2: fifteen minutes to accept, counting down in the list.
  await expect(ownerPage.getByRole("row", { name: new RegExp(title) }).getByTestId("sla")).toContainText("min left");
  await ownerPage.getByRole("link", { name: title }).click();
  await expect(ownerPage.getByTestId("actions").getByRole("button")).toHaveText(["Accept", "Reject", "Forward", "Add remark"]);
  await hydrated(ownerPage);
  await (await openAction(ownerPage, "reject")).getByLabel("Reason").fill("belongs to the payments team");
  await ownerPage.getByTestId("reject").click();
  await expect(ownerPage.getByTestId("incident-status")).toHaveText("rejected");

  // The creator's open page follows without a reload.
  await expect(page.getByTestId("incident-status")).toHaveText("rejected");
  await expect(page.getByTestId("timeline")).toContainText("belongs to the payments team");
  // And the creator's bell counts the rejection.
  await expect(page.getByTestId("unread")).toHaveText("1");
  await page.getByTestId("bell").click();
  await expect(page.getByTestId("notification").first()).toContainText(`rejected: ${title}`);
  await page.getByTestId("mark-all-read").click();
  await expect(page.getByTestId("unread")).toHaveCount(0);
  await page.goto(url);
  await hydrated(page);
  const resubmit = await openAction(page, "resubmit");
  await resubmit.getByLabel("Title").fill(`${title} (card payments)`);
  await resubmit.getByLabel("Comment").fill("it is the checkout, please look again");
  await page.getByTestId("resubmit").click();
  await expect(page.getByTestId("incident-status")).toHaveText("unaccepted");

  await ownerPage.reload();
  await hydrated(ownerPage);
  await ownerPage.getByTestId("accept").click();
  await expect(ownerPage.getByTestId("incident-status")).toHaveText("accepted");
  const steps = ownerPage.getByTestId("timeline-entry");
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(0)).toContainText("create");
  await expect(steps.nth(1)).toContainText("reject (unaccepted → rejected)");
  await expect(steps.nth(2)).toContainText("resubmit (rejected → unaccepted)");
  await expect(steps.nth(3)).toContainText("accept (unaccepted → accepted)");
  await theirs.close();
});

test("forwarded to a schedule role, the incident waits in the on-duty person's pending tab", async ({ page, browser, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const creator = unique("opener");
  const first = unique("first");
  const onDuty = unique("duty");
  for (const username of [creator, first, onDuty]) {
    await createUser(request, token, { username, role: "operator", password: "operator-pass-1" });
  }
  const users = await (await request.get("/v1/users?per_page=200", { headers: { "X-Auth-Token": token } })).json();
  const id = (name: string) => users.items.find((u: { username: string }) => u.username === name).id;
  const schedule = await (
    await request.post("/v1/schedules", { data: { name: unique("db-team"), time_zone: "UTC" }, headers: { "X-Auth-Token": token } })
  ).json();
  const role = await request.post(`/v1/schedules/${schedule.id}/roles`, {
    data: { name: "primary", members: [id(onDuty)] },
    headers: { "X-Auth-Token": token },
  });
  expect(role.status()).toBe(201);
  const opener = await apiToken(request, creator, "operator-pass-1");
  const incident = await (
    await request.post("/v1/incidents", {
      data: { title: unique("Replication lag"), level: "P3", category: "reliability", owner: { user_id: id(first) } },
      headers: { "X-Auth-Token": opener },
    })
  ).json();

  await login(page, first, "operator-pass-1");
  await page.goto(`/incidents/${incident.id}`);
  await hydrated(page);
  const forward = await openAction(page, "forward");
  await forward.getByLabel("Forward to").selectOption({ label: `On duty: ${schedule.name} / primary` });
  await forward.getByLabel("Comment").fill("the database team is on it");
  await page.getByTestId("forward").click();
  await expect(page.getByTestId("incident-owner")).toHaveText(onDuty);
  // No longer the owner, they may still add remarks.
  await expect(page.getByTestId("actions").getByRole("button")).toHaveText(["Add remark"]);

  const theirs = await browser.newContext();
  const dutyPage = await theirs.newPage();
  await login(dutyPage, onDuty, "operator-pass-1");
  await navLink(dutyPage, "Incidents").click();
  await dutyPage.getByTestId("tab-mine").click();
  await expect(dutyPage.getByTestId("incidents-table")).toContainText(incident.title);
  await expect(dutyPage.getByTestId("unread")).toHaveText("1");
  await dutyPage.getByRole("link", { name: incident.title }).click();
  await expect(dutyPage.getByTestId("timeline")).toContainText("the database team is on it");
  await expect(dutyPage.getByTestId("actions").getByRole("button")).toHaveText(["Accept", "Reject", "Forward", "Add remark"]);
  await theirs.close();
});
