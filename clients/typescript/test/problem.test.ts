// isProblem without a service: it narrows on `type` and refuses what is not a problem.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isProblem, problemTypes } from "@credit-ledger/client";

const insufficient: unknown = {
  type: "urn:credit-ledger:problem:insufficient-credits",
  title: "Insufficient credits",
  status: 429,
  remainingCredits: 0,
  requiredTokens: 2000,
};

test("isProblem matches a problem of the given type and narrows to its fields", () => {
  assert.equal(isProblem(insufficient, problemTypes.insufficientCredits), true);
  if (!isProblem(insufficient, problemTypes.insufficientCredits)) assert.fail("not narrowed");
  assert.equal(insufficient.requiredTokens, 2000);
});

test("isProblem refuses another type, and bodies that are not problems", () => {
  assert.equal(isProblem(insufficient, problemTypes.rateLimited), false);
  assert.equal(isProblem(insufficient), true);
  for (const body of [undefined, null, "insufficient-credits", 429, [], {}, { type: 429 }]) {
    assert.equal(isProblem(body), false, JSON.stringify(body));
  }
});

test("a problem of a type newer than this client is still a problem, and none of the known types", () => {
  const newer: unknown = { type: "urn:credit-ledger:problem:from-the-future", title: "Later", status: 400, detail: "d", instance: "/v1/x" };
  assert.equal(isProblem(newer), true);
  if (!isProblem(newer)) assert.fail("not a problem");
  assert.equal(newer.status, 400);
  for (const known of Object.values(problemTypes)) {
    assert.equal(isProblem(newer, known), false, known);
  }
});
