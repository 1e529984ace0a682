-- Token cost and margin are a permission of their own. Keep in step with ../postgresql/V49.
--
-- Billing showed a user the agency's side of the money too (token cost, margin, budgets),
-- so a client's user given Billing learned what their agents cost the agency. "costs" now
-- adds those to what Billing shows. Users who had Billing saw costs until now and keep them;
-- an operator takes costs away where a client's user should read their bill alone.
-- No new table.
update users set pages = pages || ',costs'
 where ',' || pages || ',' like '%,billing,%' and ',' || pages || ',' not like '%,costs,%';
