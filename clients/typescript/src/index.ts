// The credit-ledger client: openapi-fetch over the types openapi-typescript generates from
// docs/openapi.yaml (src/generated/schema.ts, made by `npm run generate`). No Node-only imports:
// the same module runs in Node 20+ (global fetch) and in browsers.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./generated/schema.js";

export type { components, operations, paths };

/** The client: openapi-fetch's, typed by the contract (`client.GET("/v1/me")`, ...). */
export type CreditLedgerClient = Client<paths>;

export interface CreditLedgerClientOptions {
  /** The service, e.g. `https://credits.example.com` (no trailing `/v1`). */
  baseUrl: string;
  /**
   * Sent as `Authorization: Bearer <token>` on every request: an API key (backends) or the
   * signed-in user's JWT (browsers). A function is called for each request, so a token can be
   * refreshed without making a new client.
   */
  token: string | (() => string | Promise<string>);
  /** A fetch of your own (tests, instrumentation); the global fetch by default. */
  fetch?: (input: Request) => Promise<Response>;
}

export function createCreditLedgerClient(options: CreditLedgerClientOptions): CreditLedgerClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const bearer: Middleware = {
    async onRequest({ request }) {
      const token = typeof options.token === "function" ? await options.token() : options.token;
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
  client.use(bearer);
  return client;
}

// ---- Schemas ---------------------------------------------------------------------------------

export type Schemas = components["schemas"];
export type Account = Schemas["Account"];
export type Grant = Schemas["Grant"];
export type OpenAccountRequest = Schemas["OpenAccountRequest"];
export type ConsumeRequest = Schemas["ConsumeRequest"];
export type ConsumeResponse = Schemas["ConsumeResponse"];
export type CreditInfo = Schemas["CreditInfo"];
export type GrantRequest = Schemas["GrantRequest"];
export type SubscriptionRequest = Schemas["SubscriptionRequest"];
export type Reservation = Schemas["Reservation"];
export type ReservationRequest = Schemas["ReservationRequest"];
export type ReservationAnswer = Schemas["ReservationAnswer"];
export type ReservationPage = Schemas["ReservationPage"];
export type SettleRequest = Schemas["SettleRequest"];
export type LedgerEntry = Schemas["LedgerEntry"];
export type LedgerPage = Schemas["LedgerPage"];
export type Plans = Schemas["Plans"];
export type ApiKey = Schemas["ApiKey"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type CreateKeyRequest = Schemas["CreateKeyRequest"];
export type AuditPage = Schemas["AuditPage"];

// ---- Problems --------------------------------------------------------------------------------

/**
 * Every problem (RFC 9457 body) the service answers: the contract's `AnyProblem`, a oneOf of one
 * schema per problem type with a discriminator on `type`, so checking `type` narrows to its fields.
 */
export type CreditLedgerProblem = Schemas["AnyProblem"];

/** A problem's `type`: the union of the contract's URNs. */
export type ProblemType = CreditLedgerProblem["type"];

/** The problem whose `type` is T. */
export type ProblemOf<T extends ProblemType> = Extract<CreditLedgerProblem, { type: T }>;

/** The stable problem types (README, "Errors"). */
export const problemTypes = {
  validation: "urn:credit-ledger:problem:validation",
  malformedJson: "urn:credit-ledger:problem:malformed-json",
  unknownFeature: "urn:credit-ledger:problem:unknown-feature",
  unknownTier: "urn:credit-ledger:problem:unknown-tier",
  unauthorized: "urn:credit-ledger:problem:unauthorized",
  forbidden: "urn:credit-ledger:problem:forbidden",
  accountNotFound: "urn:credit-ledger:problem:account-not-found",
  reservationNotFound: "urn:credit-ledger:problem:reservation-not-found",
  keyNotFound: "urn:credit-ledger:problem:key-not-found",
  notFound: "urn:credit-ledger:problem:not-found",
  methodNotAllowed: "urn:credit-ledger:problem:method-not-allowed",
  reservationNotOpen: "urn:credit-ledger:problem:reservation-not-open",
  unsupportedMediaType: "urn:credit-ledger:problem:unsupported-media-type",
  idempotencyKeyReused: "urn:credit-ledger:problem:idempotency-key-reused",
  insufficientCredits: "urn:credit-ledger:problem:insufficient-credits",
  tooManyReservations: "urn:credit-ledger:problem:too-many-reservations",
  rateLimited: "urn:credit-ledger:problem:rate-limited",
  internal: "urn:credit-ledger:problem:internal",
  unavailable: "urn:credit-ledger:problem:unavailable",
} as const satisfies Record<string, ProblemType>;

// Compile-time check: problemTypes names every type of the contract (the build fails when one is missing).
type UnlistedProblemType = Exclude<ProblemType, (typeof problemTypes)[keyof typeof problemTypes]>;
const everyProblemTypeListed: [UnlistedProblemType] extends [never] ? true : UnlistedProblemType = true;
void everyProblemTypeListed;

export type InsufficientCreditsProblem = ProblemOf<typeof problemTypes.insufficientCredits>;

/**
 * What every problem carries, whatever its type: also one of a type newer than this client, which
 * must still be readable (its `type` is then none of `problemTypes`).
 */
export interface AnyProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

/**
 * True when `body` is a problem (an object with a string `type`). Without `type`, it narrows to
 * the fields every problem has; with `type`, to that problem's own schema:
 *
 *   if (isProblem(error, problemTypes.insufficientCredits)) showUpgrade(error.monthlyResetDate);
 */
export function isProblem(body: unknown): body is AnyProblemBody;
export function isProblem<T extends ProblemType>(body: unknown, type: T): body is ProblemOf<T>;
export function isProblem(body: unknown, type?: string): boolean {
  if (typeof body !== "object" || body === null) return false;
  const actual = (body as { type?: unknown }).type;
  return typeof actual === "string" && (type === undefined || actual === type);
}
