import { defineConfig } from "@playwright/test";

// Runs against the server that `make test` built, on its own port and fresh database.
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  reporter: "list",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: process.env.E2E_SERVER_BIN ?? "../target/debug/server",
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    env: {
      DATABASE_URL:
        process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/opsroom_e2e",
      OPSROOM_ADDR: `127.0.0.1:${port}`,
      OPSROOM_ADMIN_PASSWORD: "e2e-admin-password",
      OPSROOM_DEMO_DATA: "true",
      OPSROOM_SITE_ROOT: process.env.OPSROOM_SITE_ROOT ?? "../target/site",
      RUST_LOG: "warn",
    },
  },
});
