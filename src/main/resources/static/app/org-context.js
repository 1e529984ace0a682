// The org the user is acting in, shared by every page. It survives a reload (kept in
// localStorage per user) and is sent as X-Org-Id with every API call; null means
// "All organizations". A bound user's context is their org and cannot change.
const listeners = new Set();

/** The operator's own organization: it always exists and never belongs to a client. */
export const DEFAULT_ORG = '00000000-0000-0000-0000-000000000001';

export const orgContext = {
  selected: null,
  locked: false,
  userId: null,

  restore(me) {
    this.userId = me.id;
    this.locked = Boolean(me.clientOrgId) && me.role === 'user';
    this.selected = this.locked ? me.clientOrgId : localStorage.getItem(this.key()) || null;
  },

  select(orgId) {
    if (this.locked) return;
    this.selected = orgId || null;
    if (this.selected) localStorage.setItem(this.key(), this.selected);
    else localStorage.removeItem(this.key());
    listeners.forEach((listener) => listener(this.selected));
  },

  key() {
    return `tenantry.org-context.${this.userId}`;
  },

  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
