-- pgbench transaction script: the reference debit (design doc, "Performance reference").
-- run.sh passes -D accounts=N for the spread variant and -D accounts=1 for the hot one
-- (random(1, 1) is always account 1, so every client fights over one row).
\set aid random(1, :accounts)
BEGIN;
UPDATE acct SET balance = balance - 1 WHERE id = :aid AND balance >= 1;
INSERT INTO ledger(account_id, delta, idem) VALUES (:aid, -1, md5(random()::text));
COMMIT;
