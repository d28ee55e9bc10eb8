// Shared steps of the journeys, and a guard that fails any test whose page logs an error
// (hydration mismatches and panics show up there).
import { spawn, type ChildProcess } from "node:child_process";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

export const ADMIN = { username: "admin", password: "e2e-admin-password" };

export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (msg) => {
        // A refused request (401, 403, 422...) is the browser reporting an answer the page
        // expected and shows; server errors (5xx) still fail the test.
        const refused = /Failed to load resource: the server responded with a status of 4\d\d/;
        // A live stream cut by a restarting server is the page's to handle: it reconnects.
        const stream = msg.location().url.includes("/v1/live");
        if (msg.type() === "error" && !refused.test(msg.text()) && !stream) errors.push(msg.text());
      });
      page.on("pageerror", (err) => errors.push(err.message));
      await use(errors);
      expect(errors, "browser console errors").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** A name no other run of the suite has used. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** Fills and submits the login form. */
export async function submitLogin(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByTestId("login-submit").click();
}

/** Logs in and waits until the console has opened. */
export async function login(page: Page, username: string, password: string) {
  await submitLogin(page, username, password);
  await page.waitForURL((url) => url.pathname !== "/login");
}

/** The sidebar link to an area. */
export function navLink(page: Page, name: string) {
  return page.getByTestId("nav").getByRole("link", { name });
}

/** Waits until the WebAssembly bundle has taken over the page. */
export async function hydrated(page: Page) {
  await page.locator("body[data-hydrated='true']").waitFor();
}

export async function apiToken(request: APIRequestContext, username: string, password: string) {
  const response = await request.post("/v1/auth/tokens", { data: { username, password } });
  expect(response.status()).toBe(201);
  return response.headers()["x-subject-token"];
}

export async function createUser(
  request: APIRequestContext,
  token: string,
  user: { username: string; role: string; password: string },
) {
  const response = await request.post("/v1/users", {
    data: user,
    headers: { "X-Auth-Token": token },
  });
  expect(response.status()).toBe(201);
  return response.json();
}

/** Opens a ticket action's folded form (one-click actions have none) and returns it. */
export async function openAction(page: Page, action: string) {
  const box = page.getByTestId(`action-${action}`);
  await box.locator("summary").click();
  await expect(box.locator("form")).toBeVisible();
  return box;
}

/** A second server process on the suite's database, which a test may stop and start again. */
export class SecondServer {
  private process?: ChildProcess;
  constructor(readonly port: number) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.process = spawn(process.env.E2E_SERVER_BIN ?? "../target/debug/server", [], {
      stdio: "ignore",
      env: {
        ...process.env,
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/opsroom_e2e",
        OPSROOM_ADDR: `127.0.0.1:${this.port}`,
        OPSROOM_SITE_ROOT: process.env.OPSROOM_SITE_ROOT ?? "../target/site",
        OPSROOM_DEMO_DATA: "false",
        RUST_LOG: "warn",
      },
    });
    await expect
      .poll(async () => (await fetch(`${this.url}/readyz`).catch(() => undefined))?.status, { timeout: 60_000 })
      .toBe(200);
  }

  /** Stops it the way an orchestrator does (SIGTERM) and waits until it has exited. */
  async stop() {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    await exited;
  }
}
