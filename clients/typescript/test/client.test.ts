// The client against a real service (started by clients/with-service.sh): every call goes
// through the typed client, and every test uses accounts of its own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  createCreditLedgerClient,
  isProblem,
  problemTypes,
  type Account,
  type CreditLedgerClient,
  type LedgerEntry,
} from "@credit-ledger/client";
import { adminKey, serviceUrl, signUserToken, uniqueUserId } from "./env.js";

const admin = createCreditLedgerClient({ baseUrl: serviceUrl(), token: adminKey() });

const DAY_MS = 24 * 3600 * 1000;

/** Opens a free account and returns it (the PUT's 201). */
async function signUp(client: CreditLedgerClient, userId: string): Promise<Account> {
  const { data, error, response } = await client.PUT("/v1/accounts/{userId}", { params: { path: { userId } } });
  assert.equal(response.status, 201, `sign-up of ${userId}: ${JSON.stringify(error)}`);
  assert.ok(data);
  return data;
}

async function account(userId: string): Promise<Account> {
  const { data, response } = await admin.GET("/v1/accounts/{userId}", { params: { path: { userId } } });
  assert.equal(response.status, 200);
  assert.ok(data);
  return data;
}

function consume(userId: string, idempotencyKey?: string) {
  return admin.POST("/v1/accounts/{userId}/consume", {
    params: { path: { userId }, header: idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {} },
    body: { feature: "code_generation" },
  });
}

describe("credit-ledger client", () => {
  test("sign-up opens a free account with 5 credits, and a repeat answers it unchanged", async () => {
    const userId = uniqueUserId("signup");
    const opened = await signUp(admin, userId);
    assert.equal(opened.userId, userId);
    assert.equal(opened.credits, 5);
    assert.equal(opened.availableTokens, 10_000);
    assert.equal(opened.subscriptionTier, "free");
    assert.equal(opened.isSubscribed, false);

    const again = await admin.PUT("/v1/accounts/{userId}", { params: { path: { userId } } });
    assert.equal(again.response.status, 200);
    assert.equal(again.data?.credits, 5);
    assert.equal(again.data?.createdAt, opened.createdAt);
  });

  test("consume pays 1 credit per action until a 429 with the problem's fields and Retry-After", async () => {
    const userId = uniqueUserId("consume");
    const opened = await signUp(admin, userId);

    for (let remaining = 4; remaining >= 0; remaining--) {
      const { data, response } = await consume(userId);
      assert.equal(response.status, 200);
      assert.equal(data?.success, true);
      assert.equal(data?.creditInfo?.creditsUsed, 1);
      assert.equal(data?.creditInfo?.tokensUsed, 2000);
      assert.equal(data?.creditInfo?.creditsRemaining, remaining);
      assert.equal(data?.creditInfo?.tokensRemaining, remaining * 2000);
    }

    const { data, error, response } = await consume(userId);
    const before = Date.now();
    assert.equal(response.status, 429);
    assert.equal(data, undefined);
    assert.ok(isProblem(error, problemTypes.insufficientCredits), `not insufficient-credits: ${JSON.stringify(error)}`);
    assert.equal(error.type, "urn:credit-ledger:problem:insufficient-credits");
    assert.equal(error.status, 429);
    assert.equal(error.remainingCredits, 0);
    assert.equal(error.maxTokens, 0);
    assert.equal(error.requiredTokens, 2000);
    assert.equal(error.requiredCredits, 1);
    assert.equal(error.monthlyResetDate, opened.monthlyResetDate);

    // Retry-After: the seconds until the monthly reset, which will cover the cost.
    const retryAfter = Number(response.headers.get("Retry-After"));
    assert.ok(Number.isInteger(retryAfter), `Retry-After: ${response.headers.get("Retry-After")}`);
    const untilReset = (Date.parse(opened.monthlyResetDate!) - before) / 1000;
    assert.ok(Math.abs(retryAfter - untilReset) <= 5, `Retry-After ${retryAfter}, reset in ${untilReset} s`);

    // Nothing changed.
    const after429 = await account(userId);
    assert.equal(after429.availableTokens, 0);
    assert.equal(after429.totalTokensUsed, 10_000);
  });

  test("an upgrade to pro gives 100 credits at once and ends in 30 days", async () => {
    const userId = uniqueUserId("upgrade");
    await signUp(admin, userId);
    await consume(userId);

    const started = Date.now();
    const { data, error, response } = await admin.PUT("/v1/accounts/{userId}/subscription", {
      params: { path: { userId } },
      body: { tier: "pro", days: 30 },
    });
    assert.equal(response.status, 200, JSON.stringify(error));
    assert.equal(data?.subscriptionTier, "pro");
    assert.equal(data?.isSubscribed, true);
    assert.equal(data?.credits, 100);
    assert.equal(data?.availableTokens, 200_000);
    const endsIn = Date.parse(data!.subscriptionEndsAt!) - started;
    assert.ok(Math.abs(endsIn - 30 * DAY_MS) < 60_000, `ends in ${endsIn} ms`);

    const paid = await consume(userId);
    assert.equal(paid.data?.creditInfo?.creditsRemaining, 99);
  });

  test("bonus credits are granted beside the allowance", async () => {
    const userId = uniqueUserId("grant");
    await signUp(admin, userId);
    const expiresAt = new Date(Date.now() + 60 * DAY_MS).toISOString();

    const { data, error, response } = await admin.POST("/v1/accounts/{userId}/grants", {
      params: { path: { userId } },
      body: { credits: 10, reason: "Launch week bonus", expiresAt },
    });
    assert.equal(response.status, 201, JSON.stringify(error));
    assert.equal(data?.source, "bonus");
    assert.equal(data?.credits, 10);
    assert.equal(data?.amountTokens, 20_000);
    assert.equal(data?.reason, "Launch week bonus");
    assert.equal(Date.parse(data!.expiresAt!), Date.parse(expiresAt));

    const after = await account(userId);
    assert.equal(after.credits, 15);
    assert.deepEqual(after.grants?.map((g) => g.source).sort(), ["allowance", "bonus"]);
  });

  test("a hold keeps credits from being spent until its settle charges the actual usage", async () => {
    const userId = uniqueUserId("reserve");
    await signUp(admin, userId);

    const held = await admin.POST("/v1/accounts/{userId}/reservations", {
      params: { path: { userId }, header: { "Idempotency-Key": `hold-${userId}` } },
      body: { feature: "llm_call", tokens: 4000, ttlSeconds: 300 },
    });
    assert.equal(held.response.status, 201, JSON.stringify(held.error));
    const reservation = held.data!.reservation!;
    assert.equal(reservation.status, "open");
    assert.equal(reservation.heldTokens, 4000);
    assert.equal(held.data?.availableTokens, 6000);
    assert.equal(held.data?.heldTokens, 4000);
    assert.equal(held.data?.credits, 3);

    const during = await account(userId);
    assert.equal(during.balanceTokens, 10_000);
    assert.equal(during.availableTokens, 6000);
    assert.equal(during.openReservations, 1);

    const reservationId = reservation.reservationId;
    const settled = await admin.POST("/v1/accounts/{userId}/reservations/{reservationId}/settle", {
      params: { path: { userId, reservationId } },
      body: { tokens: 3120 },
    });
    assert.equal(settled.response.status, 200, JSON.stringify(settled.error));
    assert.equal(settled.data?.reservation?.status, "settled");
    assert.equal(settled.data?.reservation?.chargedTokens, 3120);
    assert.equal(settled.data?.reservation?.heldTokens, 0);
    assert.equal(settled.data?.availableTokens, 10_000 - 3120);
    assert.equal(settled.data?.heldTokens, 0);

    const read = await admin.GET("/v1/accounts/{userId}/reservations/{reservationId}", {
      params: { path: { userId, reservationId } },
    });
    assert.equal(read.data?.status, "settled");

    // Settled once: a second settle is refused with the reservation as it stands.
    const again = await admin.POST("/v1/accounts/{userId}/reservations/{reservationId}/settle", {
      params: { path: { userId, reservationId } },
      body: { tokens: 3120 },
    });
    assert.equal(again.response.status, 409);
    assert.ok(isProblem(again.error, problemTypes.reservationNotOpen), JSON.stringify(again.error));
    assert.equal((await account(userId)).availableTokens, 10_000 - 3120);
  });

  test("the ledger pages newest first with limit and nextCursor, each entry once", async () => {
    const userId = uniqueUserId("ledger");
    await signUp(admin, userId);
    for (let i = 0; i < 4; i++) assert.equal((await consume(userId)).response.status, 200);
    // 5 entries: the allowance grant and 4 consumes; pages of 2 are 2, 2, 1.

    const pages: LedgerEntry[][] = [];
    let cursor: string | undefined;
    do {
      const { data, error, response } = await admin.GET("/v1/accounts/{userId}/ledger", {
        params: { path: { userId }, query: { limit: 2, ...(cursor ? { cursor } : {}) } },
      });
      assert.equal(response.status, 200, JSON.stringify(error));
      pages.push(data!.entries!);
      cursor = data!.nextCursor ?? undefined;
      assert.ok(pages.length <= 3, "more pages than entries");
    } while (cursor);

    assert.deepEqual(pages.map((page) => page.length), [2, 2, 1]);
    const entries = pages.flat();
    const ids = entries.map((entry) => entry.entryId!);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a), "newest first");
    assert.equal(new Set(ids).size, ids.length, "an entry on two pages");
    assert.deepEqual(entries.map((entry) => entry.kind), ["consume", "consume", "consume", "consume", "grant"]);
    assert.deepEqual(entries.map((entry) => entry.balanceAfterTokens), [2000, 4000, 6000, 8000, 10_000]);
  });

  test("a consume replayed with the same Idempotency-Key answers the same and charges once", async () => {
    const userId = uniqueUserId("idem");
    await signUp(admin, userId);
    const key = `req-${userId}`;

    const first = await consume(userId, key);
    assert.equal(first.response.status, 200);
    assert.equal(first.response.headers.get("Idempotent-Replayed"), null);
    assert.equal(first.data?.creditInfo?.creditsRemaining, 4);

    const replay = await consume(userId, key);
    assert.equal(replay.response.status, 200);
    assert.equal(replay.response.headers.get("Idempotent-Replayed"), "true");
    assert.deepEqual(replay.data, first.data);
    assert.equal((await account(userId)).availableTokens, 8000, "charged once");

    // The same key with a different request is refused and changes nothing.
    const other = await admin.POST("/v1/accounts/{userId}/consume", {
      params: { path: { userId }, header: { "Idempotency-Key": key } },
      body: { feature: "code_review" },
    });
    assert.equal(other.response.status, 422);
    assert.ok(isProblem(other.error, problemTypes.idempotencyKeyReused), JSON.stringify(other.error));
    assert.equal((await account(userId)).availableTokens, 8000);
  });

  test("a release gives the held credits back and charges nothing", async () => {
    const userId = uniqueUserId("release");
    await signUp(admin, userId);
    const held = await admin.POST("/v1/accounts/{userId}/reservations", {
      params: { path: { userId } },
      body: { feature: "code_generation" },
    });
    assert.equal(held.response.status, 201, JSON.stringify(held.error));
    assert.equal(held.data?.reservation?.heldTokens, 2000);
    assert.equal(held.data?.availableTokens, 8000);

    const reservationId = held.data!.reservation.reservationId;
    const released = await admin.POST("/v1/accounts/{userId}/reservations/{reservationId}/release", {
      params: { path: { userId, reservationId } },
    });
    assert.equal(released.response.status, 200, JSON.stringify(released.error));
    assert.equal(released.data?.reservation?.status, "released");
    assert.equal(released.data?.availableTokens, 10_000);

    const list = await admin.GET("/v1/accounts/{userId}/reservations", {
      params: { path: { userId }, query: { status: "released" } },
    });
    assert.deepEqual(list.data?.reservations.map((r) => r.reservationId), [reservationId]);
    const open = await admin.GET("/v1/accounts/{userId}/reservations", {
      params: { path: { userId }, query: { status: "open" } },
    });
    assert.deepEqual(open.data?.reservations, []);
  });

  test("a grant without an end never expires, and a downgrade at the period end keeps the tier until then", async () => {
    const userId = uniqueUserId("forever");
    await signUp(admin, userId);
    const grant = await admin.POST("/v1/accounts/{userId}/grants", {
      params: { path: { userId } },
      body: { credits: 2.5, source: "promo", priority: 10 },
    });
    assert.equal(grant.response.status, 201, JSON.stringify(grant.error));
    assert.equal(grant.data?.amountTokens, 5000);
    assert.equal(grant.data?.expiresAt ?? null, null);

    const upgraded = await admin.PUT("/v1/accounts/{userId}/subscription", {
      params: { path: { userId } },
      body: { tier: "pro" },
    });
    assert.equal(upgraded.data?.subscriptionEndsAt ?? null, null, "no days nor endsAt: no end");
    const cancelled = await admin.DELETE("/v1/accounts/{userId}/subscription", {
      params: { path: { userId }, query: { atPeriodEnd: true } },
    });
    assert.equal(cancelled.response.status, 200, JSON.stringify(cancelled.error));
    assert.equal(cancelled.data?.subscriptionTier, "pro");
    assert.equal(cancelled.data?.subscriptionEndsAt, cancelled.data?.monthlyResetDate);
  });

  test("plans carry the seed's numbers", async () => {
    const { data, response } = await admin.GET("/v1/plans");
    assert.equal(response.status, 200);
    assert.equal(data?.tokensPerCredit, 2000);
    assert.equal(data?.defaultTier, "free");
    const credits = Object.fromEntries((data?.plans ?? []).map((plan) => [plan.tier, plan.credits]));
    assert.deepEqual(credits, { free: 5, pro: 100, enterprise: 1000 });
    const pricing = Object.fromEntries((data?.features ?? []).map((f) => [f.name, f.pricing]));
    assert.equal(pricing["llm_call"], "metered");
    assert.equal(pricing["code_generation"], "fixed");
  });

  test("a meter key made by the admin may consume but not grant, and is refused once revoked", async () => {
    const created = await admin.POST("/v1/keys", {
      body: { name: `meter ${uniqueUserId("key")}`, scopes: ["meter"] },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    const { key, keyId } = created.data!;
    assert.match(key!, /^cl_/);
    const meter = createCreditLedgerClient({ baseUrl: serviceUrl(), token: key! });

    const userId = uniqueUserId("metered");
    await signUp(meter, userId);
    const paid = await meter.POST("/v1/accounts/{userId}/consume", {
      params: { path: { userId } },
      body: { feature: "code_review" },
    });
    assert.equal(paid.response.status, 200);
    const grant = await meter.POST("/v1/accounts/{userId}/grants", {
      params: { path: { userId } },
      body: { credits: 1 },
    });
    assert.equal(grant.response.status, 403);
    assert.ok(isProblem(grant.error, problemTypes.forbidden), JSON.stringify(grant.error));

    const listed = await admin.GET("/v1/keys");
    const mine = listed.data?.keys?.find((k) => k.keyId === keyId);
    assert.deepEqual(mine?.scopes, ["meter"]);
    assert.equal(JSON.stringify(listed.data).includes(key!), false, "a listing shows no secret");

    const revoked = await admin.DELETE("/v1/keys/{keyId}", { params: { path: { keyId } } });
    assert.equal(revoked.response.status, 200, JSON.stringify(revoked.error));
    const refused = await meter.GET("/v1/accounts/{userId}", { params: { path: { userId } } });
    assert.equal(refused.response.status, 401);
    assert.ok(isProblem(refused.error, problemTypes.unauthorized), JSON.stringify(refused.error));

    const audit = await admin.GET("/v1/audit", { params: { query: { limit: 50 } } });
    const paths = audit.data?.entries?.map((entry) => `${entry.method} ${entry.path} ${entry.status}`);
    assert.ok(paths?.includes(`DELETE /v1/keys/${keyId} 200`), JSON.stringify(paths));
  });

  test("an end-user token reads its own account at /v1/me, and nothing else", async () => {
    const userId = uniqueUserId("me");
    await signUp(admin, userId);
    await consume(userId);
    const me = createCreditLedgerClient({ baseUrl: serviceUrl(), token: () => signUserToken(userId) });

    const own = await me.GET("/v1/me");
    assert.equal(own.response.status, 200, JSON.stringify(own.error));
    assert.equal(own.data?.userId, userId);
    assert.equal(own.data?.credits, 4);

    const ledger = await me.GET("/v1/me/ledger", { params: { query: { limit: 1 } } });
    assert.equal(ledger.response.status, 200, JSON.stringify(ledger.error));
    assert.equal(ledger.data?.entries?.[0]?.kind, "consume");
    const reservations = await me.GET("/v1/me/reservations");
    assert.deepEqual(reservations.data?.reservations, []);

    const elsewhere = await me.GET("/v1/accounts/{userId}", { params: { path: { userId } } });
    assert.equal(elsewhere.response.status, 404);
    assert.ok(isProblem(elsewhere.error, problemTypes.notFound), JSON.stringify(elsewhere.error));

    const stranger = createCreditLedgerClient({ baseUrl: serviceUrl(), token: signUserToken(uniqueUserId("nobody")) });
    const none = await stranger.GET("/v1/me");
    assert.equal(none.response.status, 404);
    assert.ok(isProblem(none.error, problemTypes.accountNotFound), JSON.stringify(none.error));

    const forged = createCreditLedgerClient({ baseUrl: serviceUrl(), token: `${signUserToken(userId)}x` });
    const refused = await forged.GET("/v1/me");
    assert.equal(refused.response.status, 401);
    assert.ok(isProblem(refused.error, problemTypes.unauthorized), JSON.stringify(refused.error));
  });
});
