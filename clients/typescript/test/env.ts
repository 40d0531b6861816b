// What the tests get from clients/with-service.sh, and small helpers around it.
import { createSign, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through clients/with-service.sh`);
  return value;
}

export const serviceUrl = (): string => required("CREDIT_LEDGER_URL");
export const adminKey = (): string => required("CREDIT_LEDGER_ADMIN_KEY");

/** A user id no other test (or run) uses. */
export function uniqueUserId(label: string): string {
  return `ts-${label}-${randomUUID()}`;
}

/** An end-user token for `userId`, signed RS256 with the key the service trusts. */
export function signUserToken(userId: string, lifetimeSeconds = 300): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({
    sub: userId,
    iss: required("CREDIT_LEDGER_JWT_ISSUER"),
    aud: required("CREDIT_LEDGER_JWT_AUDIENCE"),
    iat: now,
    exp: now + lifetimeSeconds,
  })}`;
  const key = readFileSync(required("CREDIT_LEDGER_JWT_PRIVATE_KEY"), "utf8");
  const signature = createSign("RSA-SHA256").update(input).sign(key).toString("base64url");
  return `${input}.${signature}`;
}
