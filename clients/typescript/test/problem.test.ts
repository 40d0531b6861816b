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
