// The Org Context Switcher at the top of every org-aware page. It appears only when client
// organizations exist; a bound user sees their org with a "Locked" badge.
import { html } from 'lit';
import { LightElement } from './light-element.js';
import { get } from './api.js';
import { orgContext } from './org-context.js';
import { afterTyping } from './typing.js';
import { LatestAsk } from './latest-ask.js';

class OrgSwitcher extends LightElement {
  static properties = {
    view: { state: true },
    error: { state: true },
    found: { state: true },
  };

  connectedCallback() {
    super.connectedCallback();
    this.load();
    // The context also changes from outside the switcher: opening an organization's page picks it.
    this.unsubscribe = orgContext.subscribe(() => this.load());
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  asks = new LatestAsk();

  /** Only the latest load's answer shows (LatestAsk): never an org picked before over the one picked since. */
  async load() {
    const current = this.asks.ask();
    try {
      const view = await get('/api/org-context');
      if (current()) this.view = view;
    } catch (e) {
      if (!current()) return;
      // An org kept from an earlier visit may be gone or out of reach: fall back to all,
      // which reloads through the subscription.
      if ((e.status === 403 || e.status === 404) && orgContext.selected) {
        orgContext.select(null);
      } else {
        this.error = e.message;
      }
    }
  }

  /**
   * The select shows the context whatever happened to it before: once the user has picked an
   * option, browsers ignore later changes to the options' selected attribute, so opening an
   * org's page would leave the old pick showing.
   */
  updated() {
    const select = this.querySelector('select[aria-label="Organization context"]');
    if (select && this.view) select.value = this.view.current?.id ?? '';
  }

  /** The user picked an org here; the shell opens its page when an organization's page is open. */
  pick(orgId) {
    this.found = null;
    orgContext.select(orgId);
    this.dispatchEvent(new CustomEvent('org-picked', { detail: orgId || null, bubbles: true }));
  }

  /** Beyond the first 500, organizations are found by name or slug. */
  find(query) {
    if (!query) this.found = null;
    this.findWhenTypingPauses(query);
  }

  findWhenTypingPauses = afterTyping(async (query) => {
    if (!query) return;
    const page = await get(`/api/organizations?limit=20&q=${encodeURIComponent(query)}`, { org: null });
    this.found = page.items;
  });

  render() {
    if (this.error) return html`<div class="switcher"><p class="error" role="alert">${this.error}</p></div>`;
    const view = this.view;
    if (!view || !view.clientOrgsExist) return '';
    if (view.locked) {
      return html`<div class="switcher" aria-label="Organization">
        <strong>${view.current?.name}</strong> <span class="badge">Locked</span></div>`;
    }
    return html`<div class="switcher">
      <label>Organization
        <select aria-label="Organization context" @change=${(e) => this.pick(e.target.value)}>
          <option value="" ?selected=${!view.current}>All organizations</option>
          ${view.orgs.map((o) => html`<option value=${o.id} ?selected=${view.current?.id === o.id}>${o.name}
            ${o.active ? '' : '(inactive)'}</option>`)}
          ${view.current && !view.orgs.some((o) => o.id === view.current.id)
            ? html`<option value=${view.current.id} selected>${view.current.name}</option>` : ''}
        </select>
      </label>
      ${view.moreOrgs ? html`<input type="search" placeholder="Find an organization" aria-label="Find an organization"
        @input=${(e) => this.find(e.target.value.trim())}>
        ${this.found?.length ? html`<select aria-label="Matching organizations"
          @change=${(e) => this.pick(e.target.value)}>
          <option value="">${this.found.length} matching…</option>
          ${this.found.map((o) => html`<option value=${o.id}>${o.name}</option>`)}</select>` : ''}` : ''}
    </div>`;
  }
}

customElements.define('org-switcher', OrgSwitcher);
