// The page: reads the signed-in user's balance straight from credit-ledger (GET /v1/me, with the
// user's JWT from the app's backend) through the TypeScript client, and asks the backend to run
// the paid action. An ES module with an import map; no bundler.
import { createCreditLedgerClient, isProblem, problemTypes } from "@credit-ledger/client";

const $ = (id) => document.getElementById(id);
const user = new URLSearchParams(location.search).get("user");

let session;
async function signIn() {
  const res = await fetch(`/api/session${user ? `?user=${encodeURIComponent(user)}` : ""}`);
  if (!res.ok) throw new Error((await res.json()).error);
  session = await res.json();
}
// The JWT lives a few minutes; a fresh one is fetched from the backend shortly before it expires.
async function userToken() {
  if (session.expiresAt - Date.now() / 1000 < 30) await signIn();
  return session.token;
}

function showBalance(account) {
  $("balance").textContent = `${account.credits} Credits • ${account.availableTokens.toLocaleString("en-US")} Tokens`;
}

async function refreshBalance(credits) {
  const { data, error } = await credits.GET("/v1/me");
  if (data) showBalance(data);
  else $("balance").textContent = `unavailable (${error?.title ?? "error"})`;
}

async function startWorkflow(credits) {
  $("start").disabled = true;
  try {
    const res = await fetch("/api/projects/start-workflow", {
      method: "POST",
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    const body = await res.json();
    if (res.ok && body.success) {
      $("result").textContent = `Action completed! ${body.creditInfo.creditsRemaining} credits remaining.`;
      $("result").className = "";
    } else if (res.status === 429 && isProblem(body, problemTypes.insufficientCredits)) {
      $("result").textContent = "";
      const refill = new Date(body.monthlyResetDate).toLocaleDateString("en-US", { dateStyle: "long" });
      $("upgrade-detail").textContent = `This action needs ${body.requiredCredits} credit; yours refill on ${refill}.`;
      $("upgrade").hidden = false;
    } else {
      $("result").textContent = isProblem(body) ? body.detail ?? body.title : body.error ?? `failed (${res.status})`;
      $("result").className = "error";
    }
    await refreshBalance(credits);
  } finally {
    $("start").disabled = false;
  }
}

async function main() {
  await signIn();
  $("user").textContent = session.userId;
  const credits = createCreditLedgerClient({ baseUrl: session.serviceUrl, token: userToken });
  await refreshBalance(credits);
  $("start").addEventListener("click", () => startWorkflow(credits));
  $("start").disabled = false;
}

main().catch((failure) => {
  $("balance").textContent = `unavailable (${failure.message})`;
  $("balance").className = "error";
});
