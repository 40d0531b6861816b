// Prints a new API key with scope meter, made with the admin key: what an operator gives the app's
// backend (never the admin key itself). Reads CREDIT_LEDGER_URL and CREDIT_LEDGER_ADMIN_KEY.
//   CREDIT_LEDGER_API_KEY=$(node meter-key.js) npm start
import { createCreditLedgerClient } from "@credit-ledger/client";

const admin = createCreditLedgerClient({ baseUrl: process.env.CREDIT_LEDGER_URL, token: process.env.CREDIT_LEDGER_ADMIN_KEY });
const { data, error } = await admin.POST("/v1/keys", { body: { name: "example web app", scopes: ["meter"] } });
if (!data) {
  console.error("could not create the key:", error);
  process.exit(1);
}
console.log(data.key);
