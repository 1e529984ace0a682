-- A closed month's statement keeps the organization's name as it was when the month closed,
-- as its lines keep their agents' names: renaming an organization later changes no invoice.
-- Statements closed before this migration take the name the organization has now (or none,
-- for an organization deleted since). Keep in step with the other vendor's V42.
alter table billing_statements add column org_name varchar(200);
update billing_statements set org_name = (select o.name from organizations o where o.id = billing_statements.org_id);
