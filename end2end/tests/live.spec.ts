// Live pages miss nothing: a change that lands while a page is loading, or while its stream is
// down, still reaches the page, with no reload.
import type { APIRequestContext, Page } from "@playwright/test";
import { ADMIN, apiToken, createUser, expect, hydrated, login, navLink, SecondServer, test, unique } from "./fixtures";

/** Holds the page's WebAssembly until `release`: the page is rendered but not yet following. */
async function holdScript(page: Page) {
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached = () => {};
  const held = new Promise<void>((resolve) => (reached = resolve));
  await page.route("**/pkg/*.wasm", async (route) => {
    reached();
    await released;
    await route.continue();
  });
  return { held, release };
}

/** A generic data source; returns its push path. */
async function source(request: APIRequestContext, token: string): Promise<string> {
  const created = await request.post("/v1/data-sources", {
    data: { name: unique("live-source"), kind: "generic" },
    headers: { "X-Auth-Token": token },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).push_path;
}

async function push(request: APIRequestContext, path: string, name: string): Promise<number> {
  const answer = await request.post(path, { data: { dedup_key: name, name, level: "major" } });
  expect(answer.status()).toBe(202);
  return (await answer.json()).alarm_ids[0];
}

test("an alarm pushed while the Alarms page is loading appears on it without a reload", async ({ page, context, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const pushPath = await source(request, token);
  await login(page, ADMIN.username, ADMIN.password);
  // A colleague's page, already following, shows when the change has gone out to live pages.
  const colleague = await context.newPage();
  await colleague.goto("/alarms");
  await hydrated(colleague);

  const { held, release } = await holdScript(page);
  await navLink(page, "Alarms").click();
  await held;
  const name = unique("storm");
  const id = await push(request, pushPath, name);
  await expect(colleague.getByTestId(`alarm-row-${id}`)).toContainText(name);
  await expect(page.getByTestId(`alarm-row-${id}`)).toHaveCount(0);

  release();
  await hydrated(page);
  await expect(page.getByTestId(`alarm-row-${id}`)).toContainText(name);
  await expect(page.getByTestId(`alarm-row-${id}`)).toHaveCount(1);
});

test("an incident accepted while its page is loading shows as accepted without a reload", async ({ page, context, request }) => {
  const admin = await apiToken(request, ADMIN.username, ADMIN.password);
  const username = unique("responder");
  const owner = await createUser(request, admin, { username, role: "operator", password: "operator-pass-1" });
  const headers = { "X-Auth-Token": await apiToken(request, username, "operator-pass-1") };
  const incident = await (
    await request.post("/v1/incidents", {
      data: { title: unique("Queue backlog"), level: "P3", category: "reliability", owner: { user_id: owner.id } },
      headers,
    })
  ).json();
  await login(page, ADMIN.username, ADMIN.password);
  const colleague = await context.newPage();
  await colleague.goto(`/incidents/${incident.id}`);
  await hydrated(colleague);

  const { held, release } = await holdScript(page);
  await page.goto(`/incidents/${incident.id}`, { waitUntil: "commit" });
  await held;
  await expect(page.getByTestId("incident-status")).toHaveText("unaccepted");
  const accepted = await request.post(`/v1/incidents/${incident.id}/actions`, {
    data: { action: "accept", version: incident.version },
    headers,
  });
  expect(accepted.status()).toBe(200);
  await expect(colleague.getByTestId("incident-status")).toHaveText("accepted");

  release();
  await hydrated(page);
  await expect(page.getByTestId("incident-status")).toHaveText("accepted");
  await expect(page.getByTestId("timeline")).toContainText("accept");
});

test("a page whose server restarts says it is reconnecting, then catches up", async ({ page, request }) => {
  const token = await apiToken(request, ADMIN.username, ADMIN.password);
  const pushPath = await source(request, token);
  const second = new SecondServer(Number(process.env.E2E_PORT ?? 3100) + 1);
  await second.start();
  try {
    await login(page, ADMIN.username, ADMIN.password);
    await page.goto(`${second.url}/alarms`);
    await hydrated(page);
    await expect(page.getByTestId("live-reconnecting")).toHaveCount(0);

    await second.stop();
    await expect(page.getByTestId("live-reconnecting")).toBeVisible();
    // Monitoring keeps pushing through the other server meanwhile.
    const name = unique("during-restart");
    const id = await push(request, pushPath, name);

    await second.start();
    await expect(page.getByTestId(`alarm-row-${id}`)).toContainText(name, { timeout: 30_000 });
    await expect(page.getByTestId("live-reconnecting")).toHaveCount(0);
    await expect(page.getByTestId(`alarm-row-${id}`)).toHaveCount(1);
  } finally {
    await second.stop();
  }
});
