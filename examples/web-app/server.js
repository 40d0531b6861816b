// The example app's backend: plain node:http, no framework. It holds the app's API key (never sent
// to the browser), signs a JWT for the signed-in user with the app's own private key, opens the
// user's account on session start, and pays for the user's AI action with a consume. The page
// reads the balance straight from the service with the user's JWT.
import { createSign } from "node:crypto";
import { readFileSync, realpathSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCreditLedgerClient, isProblem } from "@credit-ledger/client";

const HERE = dirname(fileURLToPath(import.meta.url));
const USER_ID = /^(?!\.\.?$)[A-Za-z0-9._:@-]{1,128}$/;
const TOKEN_LIFETIME_SECONDS = 300;

/** The files the page loads: its own, the client's build, and the openapi-fetch module the client imports. */
function staticFiles() {
  const clientEntry = fileURLToPath(import.meta.resolve("@credit-ledger/client"));
  const clientDist = dirname(clientEntry);
  const fetchPackage = createRequire(clientEntry).resolve("openapi-fetch/package.json");
  const fetchEntry = JSON.parse(readFileSync(fetchPackage, "utf8")).exports["."].import;
  const js = "text/javascript; charset=utf-8";
  return new Map([
    ["/", { file: join(HERE, "public/index.html"), type: "text/html; charset=utf-8" }],
    ["/app.js", { file: join(HERE, "public/app.js"), type: js }],
    ["/vendor/credit-ledger-client/index.js", { file: join(clientDist, "index.js"), type: js }],
    ["/vendor/openapi-fetch/index.js", { file: realpathSync(join(dirname(fetchPackage), fetchEntry)), type: js }],
  ]);
}

/** An RS256 JWT for `userId`, signed with the app's private key: what the service trusts for /v1/me. */
export function signUserToken(config, userId, now = Math.floor(Date.now() / 1000)) {
  const encode = (part) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const claims = { sub: userId, iss: config.jwtIssuer, aud: config.jwtAudience, iat: now, exp: now + TOKEN_LIFETIME_SECONDS };
  const input = `${encode({ alg: "RS256", typ: "JWT" })}.${encode(claims)}`;
  const signature = createSign("RSA-SHA256").update(input).sign(config.jwtPrivateKey).toString("base64url");
  return { token: `${input}.${signature}`, expiresAt: claims.exp };
}

export function configFromEnv(env = process.env) {
  const required = (name) => {
    if (!env[name]) throw new Error(`${name} is not set`);
    return env[name];
  };
  const origin = new URL(env.WEB_APP_ORIGIN ?? "http://127.0.0.1:3000");
  return {
    serviceUrl: required("CREDIT_LEDGER_URL"),
    apiKey: required("CREDIT_LEDGER_API_KEY"),
    jwtPrivateKey: readFileSync(required("CREDIT_LEDGER_JWT_PRIVATE_KEY"), "utf8"),
    jwtIssuer: required("CREDIT_LEDGER_JWT_ISSUER"),
    jwtAudience: env.CREDIT_LEDGER_JWT_AUDIENCE ?? "credit-ledger",
    host: origin.hostname,
    port: Number(origin.port || 80),
  };
}

function send(res, status, body, headers = {}) {
  const json = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(json);
}

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return undefined;
}

export function createApp(config) {
  const credits = createCreditLedgerClient({ baseUrl: config.serviceUrl, token: config.apiKey });
  const files = staticFiles();

  // GET /api/session?user=ID: "signs in" ID. In this demo the user is whoever the query (then the
  // cookie) names. DEMO ONLY: the cookie is unsigned and anyone may ask for any user's token here.
  // A real app takes the user from its own login (a signed or server-side session), never from the
  // request, and signs tokens only for the user that session proves.
  async function session(req, res, url) {
    const userId = url.searchParams.get("user") ?? cookie(req, "demo_user");
    if (!userId || !USER_ID.test(userId)) return send(res, 401, { error: "not signed in: open /?user=<id>" });
    const opened = await credits.PUT("/v1/accounts/{userId}", { params: { path: { userId } }, body: {} });
    if (!opened.data) {
      console.error("sign-up refused by credit-ledger:", opened.response.status, opened.error);
      return send(res, 502, { error: "the credit service is unavailable" });
    }
    const { token, expiresAt } = signUserToken(config, userId);
    send(res, 200, { userId, token, expiresAt, serviceUrl: config.serviceUrl }, {
      "Set-Cookie": `demo_user=${encodeURIComponent(userId)}; Path=/; HttpOnly; SameSite=Strict`,
    });
  }

  // POST /api/projects/start-workflow: the AI action, paid for before it runs.
  async function startWorkflow(req, res) {
    const userId = cookie(req, "demo_user");
    if (!userId || !USER_ID.test(userId)) return send(res, 401, { error: "not signed in" });
    const key = req.headers["idempotency-key"];
    const { data, error, response } = await credits.POST("/v1/accounts/{userId}/consume", {
      params: { path: { userId }, header: typeof key === "string" ? { "Idempotency-Key": key } : {} },
      body: { feature: "code_generation" },
    });
    if (data) {
      // ... here the real app would run the code generation it has just paid for.
      return send(res, 200, { success: true, creditInfo: data.creditInfo });
    }
    if (response.status === 429 && isProblem(error)) {
      const retryAfter = response.headers.get("Retry-After");
      return send(res, 429, error, {
        "Content-Type": "application/problem+json",
        ...(retryAfter ? { "Retry-After": retryAfter } : {}),
      });
    }
    // Anything else is the app's fault or the service's (a wrong key, a bug): logged, not shown.
    console.error("consume refused by credit-ledger:", response.status, error);
    send(res, 502, { error: "the credit service is unavailable" });
  }

  return createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (req.method === "GET" && url.pathname === "/api/session") return await session(req, res, url);
      if (req.method === "POST" && url.pathname === "/api/projects/start-workflow") return await startWorkflow(req, res);
      const file = req.method === "GET" ? files.get(url.pathname) : undefined;
      if (!file) return send(res, 404, { error: "not found" });
      res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store" });
      res.end(readFileSync(file.file));
    } catch (failure) {
      console.error(failure);
      if (!res.headersSent) send(res, 500, { error: "internal error" });
      else res.end();
    }
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const config = configFromEnv();
  createApp(config).listen(config.port, config.host, () => {
    console.log(`web app on http://${config.host}:${config.port}/?user=alice (credit-ledger at ${config.serviceUrl})`);
  });
}
