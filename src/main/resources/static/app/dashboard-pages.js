// The pages a user may be granted, and those the dashboard already has (as a page, or as a
// part of one). The others are granted ahead of the features that will use them: the
// permission editor shows them as coming and does not offer them, since they open nothing yet.

/** Pages the dashboard has, in menu order; each needs the page permission of the same name. */
export const DASHBOARD_PAGES = [
  { page: 'dashboard', label: 'Home', orgAware: false },
  { page: 'agents', label: 'Agents', orgAware: true },
  { page: 'organizations', label: 'Organizations', orgAware: false },
  { page: 'users', label: 'Users', orgAware: true },
  { page: 'knowledge', label: 'Knowledge', orgAware: true },
  { page: 'guardrails', label: 'Guardrails', orgAware: true },
  { page: 'interventions', label: 'Interventions', orgAware: true },
  { page: 'vault', label: 'Vault', orgAware: true },
  { page: 'billing', label: 'Billing', orgAware: true },
  { page: 'settings', label: 'Settings', orgAware: false },
  { page: 'audit', label: 'Audit', orgAware: true },
];

/** Every page permission the server knows, in its order. */
export const ALL_PAGES = ['dashboard', 'agents', 'organizations', 'users', 'knowledge', 'guardrails',
  'interventions', 'memory', 'vault', 'billing', 'costs', 'settings', 'audit'];

/** Permissions that open a part of another page rather than a page of their own. */
export const PAGE_PARTS = [
  { page: 'memory', label: 'Memory', about: 'A tab of an agent on the Agents page' },
  { page: 'costs', label: 'Costs', about: 'Token cost, margin and budgets on Home and Billing (with Billing)' },
];

/** A page permission as people read it ("Home" for dashboard); its API name when the dashboard has no such page. */
export function pageLabel(page) {
  return [...DASHBOARD_PAGES, ...PAGE_PARTS].find((p) => p.page === page)?.label ?? page;
}

export function opensAPage(page) {
  return DASHBOARD_PAGES.some((p) => p.page === page) || PAGE_PARTS.some((p) => p.page === page);
}

/** Whether {@code me} sees what the agency pays (owners and admins hold every page, costs too). */
export function seesCosts(me) {
  return Boolean(me?.pages?.includes('costs'));
}

/** What Billing is called for {@code me}: with costs it shows the agency's costs too; without, the bill alone. */
export function billingTitle(me) {
  return seesCosts(me) ? 'Billing & Costs' : 'Billing';
}
