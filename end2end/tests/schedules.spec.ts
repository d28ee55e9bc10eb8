import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, test, unique } from "./fixtures";

test("an admin sets up a rotation, asks who is on duty, and an override takes over", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const a = unique("anna");
  const b = unique("ben");
  await createUser(request, token, { username: a, role: "operator", password: "operator-pass-1" });
  await createUser(request, token, { username: b, role: "operator", password: "operator-pass-1" });

  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "On-call").click();
  await expect(page.getByRole("heading", { name: "On-call schedules" })).toBeVisible();
  await hydrated(page);
  const name = unique("berlin");
  const form = page.getByTestId("new-schedule-form");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Time zone").fill("Mars/Base");
  await page.getByTestId("create-schedule").click();
  await expect(page.getByTestId("error-time_zone")).toContainText("IANA time zone");
  await form.getByLabel("Time zone").fill("Europe/Berlin");
  await page.getByTestId("create-schedule").click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  // A daily rotation that starts before the spring DST change.
  const role = page.getByTestId("new-role-form");
  await role.getByLabel("Name", { exact: true }).fill("primary");
  await role.getByLabel("Members").fill(`${a}, ${b}`);
  await role.getByLabel("First hand-off").fill("2026-03-27T09:00");
  await role.getByLabel("Hand off every (days)").fill("1");
  await page.getByTestId("create-role").click();
  await expect(page.getByTestId("role-primary")).toContainText("Rotates every 1 day at 09:00 (Europe/Berlin)");

  // On 29 March (summer time) the hand-off is still at 09:00 Berlin time.
  const ask = page.getByTestId("on-duty-form");
  await ask.getByLabel("At").fill("2026-03-29T08:59");
  await page.getByTestId("ask-on-duty").click();
  await expect(page.getByTestId("on-duty-answer")).toContainText(`Sun 29 Mar 08:59 CEST`);
  await expect(page.getByTestId("on-duty-answer")).toContainText(`(rotation)`);
  const before = await page.getByTestId("on-duty-answer").innerText();
  await page.getByTestId("on-duty-form").getByLabel("At").fill("2026-03-29T09:00");
  await page.getByTestId("ask-on-duty").click();
  await expect(page.getByTestId("on-duty-answer")).toContainText("09:00 CEST");
  const after = await page.getByTestId("on-duty-answer").innerText();
  // Day three of the rotation: the second member until 09:00, then the first again.
  expect(before).toContain(b);
  expect(after).toContain(a);

  // An override for the same time puts someone else on duty.
  await hydrated(page);
  const override = page.getByTestId("override-form");
  await override.getByLabel("Who takes over").fill(b);
  await override.getByLabel("From").fill("2030-01-01T00:00");
  await override.getByLabel("Until").fill("2030-01-02T00:00");
  await override.getByLabel("Reason").fill("swap");
  await page.getByTestId("create-override").click();
  await expect(page.getByTestId("overrides")).toContainText("swap");
  await page.getByTestId("on-duty-form").getByLabel("At").fill("2030-01-01T12:00");
  await page.getByTestId("ask-on-duty").click();
  await expect(page.getByTestId("on-duty-answer")).toContainText("(override)");
});
