// The Organizations page: one card per organization, paged from the server (50 at a
// time) and searchable, so a thousand organizations load no slower than ten. With the
// billing page, each card shows the month so far (revenue; with costs too, cost, margin and
// budget use), read for the cards on screen in one call. The default organization is the operator's own and
// is shown apart from the clients.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { askToConfirm } from '../confirm-dialog.js';
import { get, post, del } from '../api.js';
import { PagedList } from '../paged-list.js';
import './organization-form.js';
import { money, margin, costOf, percent } from '../format.js';
import { budgetBar } from '../budget-bar.js';
import { afterTyping } from '../typing.js';

export const isOperator = (me) => me?.role === 'owner' || me?.role === 'admin';

class OrganizationsPage extends LightElement {
  static properties = {
    me: { attribute: false },
    query: { state: true },
    editing: { state: true },
    cardErrors: { state: true },
    figures: { state: true },
  };

  constructor() {
    super();
    this.list = new PagedList(this, { url: '/api/organizations', org: null });
    this.query = '';
    this.cardErrors = {};
    this.figures = {};
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load(more = false) {
    await this.list.load({ more, params: { q: this.query } });
    if (this.me?.pages?.includes('billing')) await this.loadFigures();
  }

  /** The month so far of the cards that do not have it yet. */
  async loadFigures() {
    const missing = this.list.items.map((o) => o.id).filter((id) => !(id in this.figures));
    if (missing.length === 0) return;
    try {
      const answer = await get(`/api/billing/month-to-date?orgIds=${missing.join(',')}`, { org: null });
      this.figures = { ...this.figures, ...Object.fromEntries(answer.items.map((s) => [s.orgId, s])) };
    } catch {
      // An org deleted meanwhile fails the batch; the cards stand without their figures.
    }
  }

  search = afterTyping((value) => {
    this.query = value;
    this.load();
  });

  async act(org, action) {
    this.cardErrors = { ...this.cardErrors, [org.id]: null };
    try {
      if (action === 'toggle') {
        if (org.active && !await askToConfirm({ title: `Deactivate ${org.name}?`, message: `Every agent of
          ${org.name} stops working: its calls and its gateway requests are refused until the organization is
          activated again. Its agents are still billed, and nothing is deleted.`, confirm: 'Deactivate',
        danger: true })) return;
        this.list.replace(await post(`/api/organizations/${org.id}/toggle`, undefined, { org: null }));
      } else if (action === 'delete') {
        if (!await this.confirmDeletion(org)) return;
        await del(`/api/organizations/${org.id}`, { org: null });
        this.list.remove(org.id);
      }
    } catch (e) {
      this.cardErrors = { ...this.cardErrors, [org.id]: e.message };
    }
  }

  /**
   * Asks the server first what stands in the way; if something does, says why and where
   * to fix it instead of offering a delete that would fail.
   */
  async confirmDeletion(org) {
    const check = await get(`/api/organizations/${org.id}/deletion-check`, { org: null });
    if (!check.deletable) {
      const fixes = { agents: { href: `#/organizations/${org.id}/agents`, label: `Unassign its agents` },
        users: { href: '#/users', label: 'Bind its users elsewhere in Users' } };
      await askToConfirm({ title: `${org.name} cannot be deleted yet`, message: 'Deleting it needs:',
        details: check.obstacles.map((o) => o.detail),
        links: check.obstacles.map((o) => fixes[o.kind]).filter(Boolean) });
      return false;
    }
    return askToConfirm({ title: `Delete ${org.name}?`, message: 'This cannot be undone.',
      confirm: 'Delete organization', danger: true });
  }

  saved(org) {
    if (this.list.items.some((o) => o.id === org.id)) this.list.replace(org);
    else this.list.prepend(org);
    this.editing = undefined;
    // Its budget or rate may have changed: read its figures again.
    this.figures = Object.fromEntries(Object.entries(this.figures).filter(([id]) => id !== org.id));
    if (this.me?.pages?.includes('billing')) this.loadFigures();
  }

  render() {
    const operator = isOperator(this.me);
    return html`
      <div class="page-head">
        <h1>Organizations</h1>
        <input type="search" placeholder="Search by name or slug" aria-label="Search organizations"
          @input=${(e) => this.search(e.target.value.trim())}>
        ${operator ? html`<button @click=${() => { this.editing = null; }}>New Organization</button>` : ''}
      </div>
      ${this.editing !== undefined ? html`<organization-form .org=${this.editing}
          @saved=${(e) => this.saved(e.detail)} @cancel=${() => { this.editing = undefined; }}></organization-form>`
        : ''}
      ${this.list.error ? html`<p class="error" role="alert">${this.list.error}</p>` : ''}
      ${this.emptyState()}
      ${this.list.items.some((o) => o.isDefault) ? html`<section class="own-org" aria-label="Your own organization">
        <h2>Your own organization</h2>
        <p class="hint">Agents not assigned to a client are here; it is not billed to anyone.</p>
        <ul class="cards">${this.list.items.filter((o) => o.isDefault).map((org) => this.card(org, operator))}</ul>
      </section>` : ''}
      ${this.list.items.some((o) => o.isDefault) && this.list.items.some((o) => !o.isDefault)
        ? html`<h2 class="clients-head">Client organizations</h2>` : ''}
      <ul class="cards clients" aria-label="Clients" aria-busy=${this.list.loading ? 'true' : 'false'}>
        ${this.list.items.filter((o) => !o.isDefault).map((org) => this.card(org, operator))}
      </ul>
      ${this.list.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.list.next && !this.list.loading ? html`<button class="secondary" @click=${() => this.load(true)}>
        Show more</button>` : ''}`;
  }

  emptyState() {
    const { items, loading, error, next } = this.list;
    if (loading || error) return '';
    if (this.query && items.length === 0) return html`<p class="empty">No organization matches this search.</p>`;
    if (!this.query && !next && items.every((o) => o.isDefault)) {
      return html`<p class="empty">No client organizations yet. Create one for each client you run agents for;
        then the pages of an organization's data (Agents, Knowledge, Guardrails and the others) show an org
        switcher.</p>`;
    }
    return '';
  }

  card(org, operator) {
    return html`
      <li class="card org" data-org-id=${org.id}>
        <a class="title" href="#/organizations/${org.id}/agents">${org.name}</a>
        <span class="slug">${org.slug}</span>
        <span class="badge ${org.active ? 'ok' : 'off'}">${org.active ? 'Active' : 'Inactive'}</span>
        ${org.isDefault ? html`<span class="badge">Default</span>` : ''}
        ${org.description ? html`<p>${org.description}</p>` : ''}
        <dl>
          <dt>Agents</dt><dd class="agent-count">${org.agentCount}</dd>
          ${org.billingRatePerAgent === null ? '' : html`<dt>Rate</dt>
            <dd>${money(org.billingRatePerAgent, org.currency)} per agent / month</dd>`}
          ${org.contactEmail ? html`<dt>Contact</dt><dd>${org.contactName ? `${org.contactName}, ` : ''}
            ${org.contactEmail}</dd>` : ''}
        </dl>
        ${this.monthSoFar(org)}
        ${operator ? html`<div class="actions">
          <button class="secondary" @click=${() => { this.editing = org; }}>Edit</button>
          ${org.isDefault ? '' : html`
            <button class="secondary" @click=${() => this.act(org, 'toggle')}>
              ${org.active ? 'Deactivate' : 'Activate'}</button>
            <button class="danger" @click=${() => this.act(org, 'delete')}>Delete</button>`}
        </div>` : ''}
        ${this.cardErrors[org.id] ? html`<p class="error" role="alert">${this.cardErrors[org.id]}</p>` : ''}
      </li>`;
  }

  monthSoFar(org) {
    const s = this.figures[org.id];
    if (!s) return '';
    return html`<dl class="month" aria-label="This month so far">
      <dt>Revenue</dt><dd class="num" data-figure="revenue">${money(s.revenue, s.currency)}</dd>
      ${s.costUsd === null ? '' : html`<dt>Token cost</dt><dd class="num" data-figure="cost">${costOf(s)}</dd>
      <dt>Margin</dt><dd class="num" data-figure="margin">${margin(s.margin)}</dd>`}
      ${s.monthlyBudget ? html`<dt>Budget</dt><dd data-figure="budget">${s.budgetUsed === null ? 'no exchange rate'
        : html`${budgetBar(s.budgetUsed, org.budgetAlertThresholds)} ${percent(s.budgetUsed)}`}</dd>` : ''}
    </dl>`;
  }
}

customElements.define('organizations-page', OrganizationsPage);
