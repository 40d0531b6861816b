// The example app in a real browser (headless Chromium through playwright-core) against a real
// credit-ledger (started by clients/with-service.sh). The backend gets a meter-scope key that the
// test creates with the harness's admin key, as a real deployment would.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createCreditLedgerClient, isProblem, problemTypes } from "@credit-ledger/client";
import { configFromEnv, createApp, signUserToken } from "../server.js";

const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const serviceUrl = process.env.CREDIT_LEDGER_URL;
const origin = process.env.WEB_APP_ORIGIN ?? "http://127.0.0.1:3000";
const admin = createCreditLedgerClient({ baseUrl: serviceUrl, token: process.env.CREDIT_LEDGER_ADMIN_KEY });
const alice = `web-alice-${randomUUID()}`;
const bob = `web-bob-${randomUUID()}`;
let config, server, browser;

async function screenshot(page, name) {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
}

async function balance(page) {
  return (await page.getByTestId("balance").textContent()).trim();
}

/** Waits (10 s at most) until the element's text is exactly `text`; fails with what it shows. */
async function expectText(page, testId, text) {
  const shown = () => page.getByTestId(testId).textContent().then((t) => t.trim());
  await page
    .waitForFunction(([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent.trim() === want,
      [testId, text], { timeout: 10_000 })
    .catch(() => {});
  assert.equal(await shown(), text, `${testId} shows the wrong text`);
}

before(async () => {
  assert.ok(serviceUrl, "CREDIT_LEDGER_URL is not set: run through clients/with-service.sh");
  const key = await admin.POST("/v1/keys", { body: { name: `example web app ${randomUUID()}`, scopes: ["meter"] } });
  assert.equal(key.response.status, 201, JSON.stringify(key.error));
  config = configFromEnv({ ...process.env, CREDIT_LEDGER_API_KEY: key.data.key });
  server = createApp(config);
  await new Promise((resolve, reject) => server.once("error", reject).listen(config.port, config.host, resolve));
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

test("the page shows 5 credits, five actions spend them, the sixth shows the upgrade prompt", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const meReads = [];
  // Counted when the request is made; its headers are read later (allHeaders is asynchronous).
  page.on("request", (request) => {
    if (request.url() === `${serviceUrl}/v1/me` && request.method() === "GET") {
      meReads.push(request.allHeaders().then((headers) => headers.authorization ?? ""));
    }
  });
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  await page.goto(`${origin}/?user=${alice}`);
  await expectText(page, "balance", "5 Credits • 10,000 Tokens");
  await expectText(page, "result", "");
  await screenshot(page, "1-start-5-credits");
  // The balance came from the service itself, read by the browser with Alice's JWT.
  assert.equal(meReads.length, 1);
  assert.match(await meReads[0], /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);

  for (let remaining = 4; remaining >= 0; remaining--) {
    await page.getByTestId("start").click();
    await expectText(page, "result", `Action completed! ${remaining} credits remaining.`);
    await expectText(page, "balance", `${remaining} Credits • ${(remaining * 2000).toLocaleString("en-US")} Tokens`);
    assert.equal(await page.getByTestId("upgrade").isVisible(), false);
    await screenshot(page, `2-after-action-${5 - remaining}`);
  }

  await page.getByTestId("start").click();
  await page.getByTestId("upgrade").waitFor({ state: "visible", timeout: 10_000 });
  assert.match(await page.getByTestId("upgrade").textContent(), /You're out of credits\.[\s\S]*Upgrade to Pro/);
  await expectText(page, "balance", "0 Credits • 0 Tokens");
  await screenshot(page, "3-upgrade-prompt");
  assert.equal(meReads.length, 7, "one /v1/me read at start and one after each action");
  assert.deepEqual(pageErrors, []);

  // The service charged exactly the five actions that completed.
  const account = await admin.GET("/v1/accounts/{userId}", { params: { path: { userId: alice } } });
  assert.equal(account.data.availableTokens, 0);
  assert.equal(account.data.totalTokensUsed, 10_000);
  await context.close();
});

test("another user's page shows that user's own balance, and their token never reads another's", async () => {
  // Carol has spent 3 of her 5 credits; Bob has spent none.
  const carol = `web-carol-${randomUUID()}`;
  await admin.PUT("/v1/accounts/{userId}", { params: { path: { userId: carol } }, body: {} });
  for (let i = 0; i < 3; i++) {
    const paid = await admin.POST("/v1/accounts/{userId}/consume", { params: { path: { userId: carol } }, body: { feature: "code_generation" } });
    assert.equal(paid.response.status, 200);
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/?user=${bob}`);
  await expectText(page, "balance", "5 Credits • 10,000 Tokens");
  await screenshot(page, "4-other-user");
  const carolNow = await admin.GET("/v1/accounts/{userId}", { params: { path: { userId: carol } } });
  assert.equal(carolNow.data.availableTokens, 4000);

  // Bob's token, as the backend hands it to Bob's page.
  const session = await (await context.request.get(`${origin}/api/session`)).json();
  assert.equal(session.userId, bob);
  const asBob = createCreditLedgerClient({ baseUrl: serviceUrl, token: session.token });
  // /v1/me names no user: it is always the token's subject.
  const me = await asBob.GET("/v1/me");
  assert.equal(me.data.userId, bob);
  assert.equal(me.data.availableTokens, 10_000);
  // Bob's token on Carol's account path gets the 404 any other path gets, not her balance.
  const hers = await asBob.GET("/v1/accounts/{userId}", { params: { path: { userId: carol } } });
  assert.equal(hers.response.status, 404);
  assert.ok(isProblem(hers.error, problemTypes.notFound), JSON.stringify(hers.error));
  // ... the same answer as for an id nobody has (only `instance` echoes the path sent), no balance in it.
  const madeUp = await asBob.GET("/v1/accounts/{userId}", { params: { path: { userId: `web-nobody-${randomUUID()}` } } });
  assert.deepEqual({ ...hers.error, instance: undefined }, { ...madeUp.error, instance: undefined });
  assert.equal("availableTokens" in hers.error || "credits" in hers.error, false);
  // Bob cannot make his token say Carol: a payload edited to sub=carol no longer verifies.
  const [header, payload, signature] = session.token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  const edited = Buffer.from(JSON.stringify({ ...claims, sub: carol })).toString("base64url");
  const forged = await createCreditLedgerClient({ baseUrl: serviceUrl, token: `${header}.${edited}.${signature}` }).GET("/v1/me");
  assert.equal(forged.response.status, 401);
  assert.ok(isProblem(forged.error, problemTypes.unauthorized), JSON.stringify(forged.error));
  // A valid token of a user whose account the backend never opened: 404, nobody else's account.
  const stranger = signUserToken(config, `web-nobody-${randomUUID()}`).token;
  const none = await createCreditLedgerClient({ baseUrl: serviceUrl, token: stranger }).GET("/v1/me");
  assert.equal(none.response.status, 404);
  assert.ok(isProblem(none.error, problemTypes.accountNotFound), JSON.stringify(none.error));
  await context.close();
});

test("the service lets only the app's origin read from a browser", async () => {
  const { token } = signUserToken(config, bob);
  const headers = (from) => ({ Authorization: `Bearer ${token}`, Origin: from });
  const allowed = await fetch(`${serviceUrl}/v1/me`, { headers: headers(origin) });
  assert.equal(allowed.status, 200);
  assert.equal(allowed.headers.get("access-control-allow-origin"), origin);
  const other = await fetch(`${serviceUrl}/v1/me`, { headers: headers("http://elsewhere.invalid") });
  assert.equal(other.status, 403);
  assert.equal(other.headers.get("access-control-allow-origin"), null);
});
