import { execFileSync } from "node:child_process";
import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, test, unique } from "./fixtures";

test("a data source and a rule: test the rule, push with curl, watch the alarm and incident arrive, clear it", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const owner = unique("oncall");
  await createUser(request, token, { username: owner, role: "operator", password: "operator-pass-1" });
  const tag = unique("payment-gw");

  // An administrator adds a generic data source and copies its push URL, shown once.
  await login(page, ADMIN.username, ADMIN.password);
  await navLink(page, "Data sources").click();
  const sourceName = unique("checks");
  const form = page.getByTestId("new-data-source-form");
  await form.getByLabel("Name").fill(sourceName);
  await form.getByLabel("Type").selectOption("generic");
  await page.getByTestId("add-data-source").click();
  await expect(page.getByTestId("new-key")).toBeVisible();
  const pushUrl = await page.getByTestId("push-url").inputValue();
  expect(pushUrl).toMatch(/\/v1\/events\/generic\/[A-Za-z0-9]{32}$/);
  // Shown once: a reload shows only the key's last characters.
  await page.reload();
  await expect(page.getByTestId("new-key")).toHaveCount(0);

  // A rule that opens an incident for this source's payment gateway alarms.
  await navLink(page, "Forwarding rules").click();
  await page.getByTestId("new-rule").click();
  const rule = page.getByTestId("rule-form");
  await rule.getByLabel("Name").fill(unique("gateway down"));
  await rule.getByLabel("Data source").selectOption({ label: sourceName });
  await page.getByTestId("rule-enabled").check();
  await page.getByTestId("rule-conditions").fill(`name contains ${tag} AND level in critical,major`);
  await rule.getByLabel("Then").selectOption("incident");
  await rule.getByLabel("Incident level").selectOption("P2");
  await rule.getByLabel("Owner").selectOption({ label: `${owner} (${owner})` });
  await page.getByTestId("save-rule").click();
  await expect(page).toHaveURL(/\/forwarding-rules\/\d+$/);

  // Test it against a pasted event: the line that matched, condition by condition.
  await page.getByTestId("rule-test-event").fill(JSON.stringify({ dedup_key: "t", name: `${tag} timeouts`, level: "major" }));
  await page.getByTestId("rule-test").click();
  await expect(page.getByTestId("test-verdict")).toHaveText("Matched by line 1 → incident");
  await page.getByTestId("rule-test-event").fill(JSON.stringify({ dedup_key: "t", name: `${tag} timeouts`, level: "info" }));
  await page.getByTestId("rule-test").click();
  await expect(page.getByTestId("test-verdict")).toHaveText("Not matched: no line holds");

  // The Active alarms page is open when the monitoring system pushes.
  await navLink(page, "Alarms").click();
  await hydrated(page);
  const answer = JSON.parse(
    execFileSync("curl", ["-sS", "-X", "POST", "-H", "content-type: application/json", "--data",
      JSON.stringify({ dedup_key: `${tag}/5xx`, name: `${tag} returns 502`, level: "critical", labels: { env: "e2e" } }),
      pushUrl]).toString(),
  );
  const alarmId = answer.alarm_ids[0];
  expect(answer.results[0].outcome).toBe("raised");
  const row = page.getByTestId(`alarm-row-${alarmId}`);
  await expect(row).toContainText(`${tag} returns 502`);
  await expect(row.getByRole("link", { name: /INC-/ })).toBeVisible();

  // On its page: the incident it opened, then a clear by hand.
  await row.getByRole("link", { name: `${tag} returns 502` }).click();
  await hydrated(page);
  await expect(page.getByTestId("alarm-incident")).toContainText(`${tag} returns 502`);
  const clear = page.getByTestId("clear-alarm-form");
  await clear.getByLabel("Remark").fill("gateway restarted");
  await page.getByTestId("clear-alarm").click();
  await expect(page.getByTestId("alarm-status")).toHaveText("cleared");
  await expect(page.getByTestId("timeline")).toContainText("gateway restarted");

  // The incident lists its alarm.
  await page.getByTestId("alarm-incident").getByRole("link").click();
  await expect(page.getByTestId("incident-alarms")).toContainText(`${tag} returns 502`);
});
