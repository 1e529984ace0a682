// The Billing page. Owners and admins get the overview: for a chosen month, each currency's
// clients as a chart (revenue against cost), then one row per organization, sortable, with
// totals per currency, from GET /api/billing/overview; with an
// organization picked in the switcher, that organization's Billing & Costs (its statement).
// A user bound to an organization gets that organization's Billing & Costs; an unbound user
// with the Billing page, the Billing & Costs of the organization picked in the switcher.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get } from '../api.js';
import { orgContext } from '../org-context.js';
import { isOperator } from './organizations-page.js';
import { money, count, margin, costOf, monthName, sentence } from '../format.js';
import { billingTitle } from '../dashboard-pages.js';
import './organization-billing.js';
import '../org-money-chart.js';

const COLUMNS = [
  { key: 'orgName', label: 'Organization', text: true },
  { key: 'revenue', label: 'Revenue', money: true },
  { key: 'cost', label: 'Cost', money: true },
  { key: 'margin', label: 'Margin' },
  { key: 'currency', label: 'Currency', text: true },
];

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
// The first month the server bills; a month after this one has not begun.
const FIRST_MONTH = '2000-01';

function currentMonth() {
  return new Date().toISOString().slice(0, 7);
}

/** Whether {@code month} is one the overview can show: well formed, from 2000-01 to this month. */
function billable(month) {
  return MONTH.test(month) && month >= FIRST_MONTH && month <= currentMonth();
}

class BillingOverview extends LightElement {
  static properties = {
    me: { attribute: false },
    routeMonth: { attribute: false },
    month: { state: true },
    refusedMonth: { state: true },
    overview: { state: true },
    sort: { state: true },
    error: { state: true },
    loading: { state: true },
    ownOrg: { state: true },
    pickedOrg: { state: true },
  };

  constructor() {
    super();
    this.month = currentMonth();
    this.sort = { key: 'orgName', descending: false };
  }

  /**
   * Takes the month the address names (this month when it names none). One the overview
   * cannot show is said so, and nothing is asked of the server for it: no other month's
   * figures stay on screen under its name.
   */
  followAddress() {
    const wanted = this.routeMonth ?? currentMonth();
    this.refusedMonth = billable(wanted) ? null : wanted;
    if (this.refusedMonth) this.overview = null;
    else this.month = wanted;
  }

  willUpdate(changed) {
    if (!changed.has('routeMonth')) return;
    const before = this.month;
    this.followAddress();
    if (this.refusedMonth || !isOperator(this.me) || orgContext.selected) return;
    if (this.month !== before || (!this.overview && !this.loading)) this.load();
  }

  connectedCallback() {
    super.connectedCallback();
    this.followAddress();
    this.unsubscribe = orgContext.subscribe(() => this.follow());
    if (this.me?.clientOrgId && !isOperator(this.me)) this.loadOwnOrg();
    else this.follow();
  }

  /** Shows what the switcher says: the picked organization's statement, or every organization. */
  async follow() {
    const picked = orgContext.selected;
    this.error = null;
    if (!picked) {
      this.pickedOrg = null;
      if (isOperator(this.me) && !this.overview && !this.refusedMonth) await this.load();
      return;
    }
    if (this.pickedOrg?.id === picked) return;
    this.pickedOrg = null;
    try {
      const org = await get(`/api/organizations/${picked}`, { org: null });
      if (orgContext.selected === picked) this.pickedOrg = org;
    } catch (e) {
      this.error = e.message;
    }
  }

  async loadOwnOrg() {
    try {
      this.ownOrg = await get(`/api/organizations/${this.me.clientOrgId}`, { org: null });
    } catch (e) {
      this.error = e.message;
    }
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  async load() {
    const month = this.month;
    this.loading = true;
    this.error = null;
    try {
      const overview = await get(`/api/billing/overview?month=${encodeURIComponent(month)}`, { org: null });
      // A month picked while this one was loading wins.
      if (month === this.month) this.overview = overview;
    } catch (e) {
      if (month === this.month) {
        this.error = e.message;
        this.overview = null;
      }
    } finally {
      if (month === this.month) this.loading = false;
    }
  }

  sortBy(key) {
    this.sort = { key, descending: this.sort.key === key ? !this.sort.descending : key !== 'orgName' };
  }

  rows() {
    const { key, descending } = this.sort;
    const column = COLUMNS.find((c) => c.key === key);
    const value = (row) => (key === 'cost' ? row.cost ?? row.costUsd : row[key]);
    return [...this.overview.items].sort((a, b) => {
      const x = value(a);
      const y = value(b);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      // Amounts in different currencies do not compare: each currency's orgs sort among themselves.
      if (column.money && a.currency !== b.currency) return a.currency.localeCompare(b.currency);
      const order = column.text ? String(x).localeCompare(String(y)) : Number(x) - Number(y);
      return descending ? -order : order;
    });
  }

  render() {
    if (this.me?.clientOrgId && !isOperator(this.me)) return this.renderOwnOrg();
    if (orgContext.selected) return this.renderPickedOrg();
    if (!isOperator(this.me)) {
      return html`<h1>Billing</h1><p class="empty">The overview of every organization is for owners and admins.
        Pick an organization in the switcher above for its ${billingTitle(this.me)}.</p>`;
    }
    return html`
      <div class="page-head">
        <h1>Billing overview</h1>
        <label>Month <input type="month" .value=${this.refusedMonth ? '' : this.month} aria-label="Month"
          min=${FIRST_MONTH} max=${currentMonth()}
          @change=${(e) => { if (e.target.value) location.hash = `#/billing/${e.target.value}`; }}></label>
        ${this.overview?.closed ? html`<span class="badge">Closed</span>` : ''}
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${this.refusedMonth ? html`<p class="error" role="alert">The address names no month with a bill
        (“${this.refusedMonth}”): pick a month from January 2000 to this month.</p>` : ''}
      ${this.loading ? html`<p class="loading" role="status">Loading…</p>` : ''}
      ${this.overview ? html`${this.charts()}${this.table()}${this.own()}` : ''}`;
  }

  renderOwnOrg() {
    if (this.error) return html`<h1>Billing</h1><p class="error" role="alert">${this.error}</p>`;
    if (!this.ownOrg) return html`<h1>Billing</h1><p class="loading" role="status">Loading billing…</p>`;
    return html`<div class="page-head"><h1>${billingTitle(this.me)}</h1><span>${this.ownOrg.name}</span></div>
      <organization-billing .org=${this.ownOrg} .me=${this.me}></organization-billing>`;
  }

  renderPickedOrg() {
    const head = html`<div class="page-head"><h1>${billingTitle(this.me)}</h1>
      <span>${this.pickedOrg?.name ?? ''}</span></div>
      ${isOperator(this.me) ? html`<p class="hint">Pick <em>All organizations</em> in the switcher for the overview
        of every client.</p>` : ''}`;
    if (this.error) return html`${head}<p class="error" role="alert">${this.error}</p>`;
    if (!this.pickedOrg) return html`${head}<p class="loading" role="status">Loading billing…</p>`;
    return html`${head}<organization-billing .org=${this.pickedOrg} .me=${this.me} .month=${this.month}>
      </organization-billing>`;
  }

  table() {
    if (this.overview.items.length === 0) {
      return html`<p class="empty">No client organization was billed for ${monthName(this.overview.month)}.
        ${this.overview.month === currentMonth() ? html`Create one on the <a href="#/organizations">Organizations</a>
          page.` : ''}</p>`;
    }
    const arrow = (key) => (this.sort.key === key ? (this.sort.descending ? ' ▼' : ' ▲') : '');
    return html`
      <table class="list overview">
        <thead><tr>${COLUMNS.map((c) => html`<th class=${c.text ? '' : 'num'} aria-sort=${this.sort.key === c.key
          ? (this.sort.descending ? 'descending' : 'ascending') : 'none'}>
          <button class="sort" @click=${() => this.sortBy(c.key)}>${c.label}${arrow(c.key)}</button></th>`)}
          <th class="num">Tokens</th></tr></thead>
        <tbody>${this.rows().map((s) => html`<tr data-org-id=${s.orgId}>
          <td><a href="#/organizations/${s.orgId}/billing">${s.orgName}</a>
            ${s.warnings.length ? html` <span class="badge warn"
              title=${s.warnings.map(sentence).join(' ')}>warning</span>` : ''}
            ${s.budgetUsed !== null && Number(s.budgetUsed) > 100 ? html` <span class="badge danger">Over budget</span>`
              : ''}</td>
          <td class="num">${money(s.revenue, s.currency)}</td>
          <td class="num">${costOf(s)}</td>
          <td class="num">${margin(s.margin)}</td>
          <td>${s.currency}</td>
          <td class="num">${count(s.inputTokens + s.outputTokens + s.cachedInputTokens)}</td>
        </tr>`)}</tbody>
        <tfoot>${this.overview.totals.map((t) => html`<tr class="total" data-currency=${t.currency}>
          <th scope="row">Total ${t.currency} (${t.orgs} ${t.orgs === 1 ? 'client' : 'clients'})</th>
          <td class="num">${money(t.revenue, t.currency)}</td>
          <td class="num">${costOf(t)}</td>
          <td class="num">${margin(t.margin)}</td><td>${t.currency}</td><td></td></tr>`)}</tfoot>
      </table>
      ${this.warnings()}`;
  }

  /** Each currency's billed clients as a chart, where the table would have to be read row by row. */
  charts() {
    const byCurrency = new Map();
    for (const s of this.overview.items) {
      if (Number(s.revenue) > 0 || Number(s.costUsd) > 0) {
        byCurrency.set(s.currency, [...(byCurrency.get(s.currency) ?? []), s]);
      }
    }
    return html`<div class="overview-charts">${[...byCurrency].map(([currency, statements]) => html`
      <org-money-chart .currency=${currency} .statements=${statements}></org-money-chart>`)}</div>`;
  }

  /** Each warning of a row in words under the table, not only in its badge's tooltip. */
  warnings() {
    const warned = this.rows().filter((s) => s.warnings.length);
    return warned.length === 0 ? '' : html`<ul class="warnings" aria-label="Warnings">${warned.flatMap((s) =>
      s.warnings.map((w) => html`<li><a href="#/organizations/${s.orgId}/billing">${s.orgName}</a>:
        ${sentence(w)}</li>`))}</ul>`;
  }

  own() {
    const own = this.overview.own;
    return own ? html`<p class="own" data-figure="own">Your own organization (${own.orgName}), not billed to a
      client: token cost ${costOf(own)} in ${this.overview.month}, ${count(own.inputTokens + own.outputTokens
        + own.cachedInputTokens)} tokens.</p>` : '';
  }
}

customElements.define('billing-overview', BillingOverview);
