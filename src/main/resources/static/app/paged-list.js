// A list read from the API a page at a time (limit and cursor), as every list endpoint
// pages: the items so far, whether there are more, and the loading and error states.
// A Lit reactive controller: the page that owns it re-renders when it changes.
import { get } from './api.js';

export class PagedList {
  constructor(host, { url, pageSize = 50, org } = {}) {
    this.host = host;
    this.url = url;
    this.pageSize = pageSize;
    this.org = org;
    this.items = [];
    this.next = null;
    this.loading = false;
    this.error = null;
    this.loads = 0;
    host.addController(this);
  }

  /** Loads the first page (or, with more, the next one), with these extra query parameters. */
  async load({ more = false, params = {} } = {}) {
    // Only the latest load counts: a slow "more" must not land on a list filtered since.
    const ticket = ++this.loads;
    this.loading = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      Object.entries(params).forEach(([key, value]) => { if (value) query.set(key, value); });
      if (more && this.next) query.set('cursor', this.next);
      const page = await get(`${this.url}?${query}`, this.org === undefined ? undefined : { org: this.org });
      if (ticket !== this.loads) return;
      this.items = more ? [...this.items, ...page.items] : page.items;
      this.next = page.nextCursor;
    } catch (e) {
      if (ticket === this.loads) this.error = e.message;
    } finally {
      if (ticket === this.loads) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  replace(item) {
    this.items = this.items.map((i) => (i.id === item.id ? item : i));
    this.host.requestUpdate();
  }

  prepend(item) {
    this.items = [item, ...this.items];
    this.host.requestUpdate();
  }

  remove(id) {
    this.items = this.items.filter((i) => i.id !== id);
    this.host.requestUpdate();
  }
}
