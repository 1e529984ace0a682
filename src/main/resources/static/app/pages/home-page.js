// The home page: the business at a glance from one call (GET /api/dashboard). What needs
// attention first, each item linking to where it is fixed; then this month per currency
// against last month, the last six months as charts, the clients that stand out and the
// recent budget alerts. A user bound to an org sees the same for their org only.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get } from '../api.js';
import { orgContext } from '../org-context.js';
import { money, count, monthName, change, margin, costOf, dateTime, percent } from '../format.js';
import '../money-chart.js';
import '../unpriced-model-fix.js';
import { isOperator } from './organizations-page.js';
import { DASHBOARD_PAGES as PAGES } from '../dashboard-pages.js';

const NOTHING_YET = 'Nothing this month yet.';
// A client has a margin only with revenue, and with its token cost in the revenue's currency.
const NO_MARGIN = 'No client has a margin this month: a margin needs revenue (agents at a rate), and an exchange '
  + 'rate where token cost and revenue are in different currencies.';

class HomePage extends LightElement {
  static properties = {
    me: { attribute: false },
    summary: { state: true },
    priced: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.summary = await get('/api/dashboard', { org: null });
      // Once per load, for every unpriced model's fix: which models have a price now.
      if (isOperator(this.me) && this.summary.unpriced.length > 0) {
        this.priced = (await get('/api/settings/models?limit=500', { org: null })).items.map((m) => m.model);
      }
    } catch (e) {
      this.error = e.message;
    }
  }

  /** A warning was fixed here: say what happened, and read the figures again. */
  fixed(message) {
    this.notice = message;
    this.load();
  }

  can(page) {
    return this.me?.pages?.includes(page);
  }

  /** Where an org's figures are looked at: its billing tab, or the Billing page. */
  billingOf(orgId) {
    if (this.can('organizations')) return `#/organizations/${orgId}/billing`;
    return this.can('billing') ? '#/billing' : null;
  }

  orgLink(orgId, name) {
    const href = this.billingOf(orgId);
    if (!href) return name;
    // The Billing page shows the organization picked in the switcher: the link picks this one
    // on its way there (a bound user's stays their own).
    return href === '#/billing' ? html`<a href=${href} @click=${() => orgContext.select(orgId)}>${name}</a>`
      : html`<a href=${href}>${name}</a>`;
  }

  render() {
    if (this.error) return html`<h1>Home</h1><p class="error" role="alert">${this.error}</p>`;
    const s = this.summary;
    if (!s) return html`<h1>Home</h1><p class="loading" role="status">Loading…</p>`;
    if (!s.figures) return this.withoutFigures(s);
    return html`
      <div class="page-head"><h1>Home</h1><span class="hint">${monthName(s.month)}, month to date</span></div>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : ''}
      ${this.attention(s)}
      ${s.currencies.length === 0 ? html`<p class="empty">No client organization is billed this month yet.
        ${this.can('organizations') ? html`<a href="#/organizations">Create one in Organizations.</a>` : ''}</p>` : ''}
      ${s.currencies.map((c) => this.currency(s, c))}
      ${s.own ? html`<p class="own" data-figure="own">Your own organization (${s.own.orgName}), not billed to a
        client: token cost ${costOf(s.own)}
        this month.</p>` : ''}
      ${s.costs ? html`<div class="columns">
        ${this.topList('Top clients by cost', 'top-cost', s.topByCost, costOf)}
        ${this.topList('Top clients by margin', 'top-margin', s.topByMargin, (o) => margin(o.margin),
          s.topByCost.length === 0 ? NOTHING_YET : NO_MARGIN)}
      </div>
      ${this.alerts(s)}` : ''}`;
  }

  /** Home's figures are billing's: a user without the Billing page is pointed to the pages they have. */
  withoutFigures(s) {
    const pages = PAGES.filter((p) => p.page !== 'dashboard' && this.can(p.page));
    return html`
      <div class="page-head"><h1>Home</h1><span class="hint">${monthName(s.month)}</span></div>
      <p class="empty" data-figure="none">Home shows revenue, token cost and margin, which are on the Billing
        page, and your permissions do not include it. Ask an owner or admin if you need them.</p>
      ${pages.length === 0 ? '' : html`<p>Your pages: ${pages.map((p, i) => html`${i > 0 ? ', ' : ''}<a
        href="#/${p.page}">${p.label}</a>`)}.</p>`}`;
  }

  /** Warnings, each with the place where it is fixed. */
  attention(s) {
    const items = [
      ...s.budgets.map((b) => html`<li data-warning="budget">
        <span class="badge ${b.over ? 'danger' : 'warn'}">${b.over ? 'Over budget' : 'Near budget'}</span>
        ${this.orgLink(b.orgId, b.orgName)} has used <strong>${b.used} %</strong> of its
        ${money(b.budget, b.currency)} monthly budget (${money(b.cost, b.currency)}).</li>`),
      ...s.unpriced.map((u) => html`<li data-warning="unpriced">
        <span class="badge warn">Unpriced</span> ${count(u.tokens)} tokens of <code>${u.model}</code>
        (${u.orgs} ${u.orgs === 1 ? 'organization' : 'organizations'}) have no price and are not in any cost.
        ${isOperator(this.me) ? html`<a href="#/settings">Add its price in Settings, then rerate</a>, or
          <unpriced-model-fix .model=${u} .priced=${this.priced}
            @fixed=${(e) => this.fixed(e.detail)}></unpriced-model-fix>`
          : 'Ask an owner or admin to add its price or map it to a priced model.'}</li>`),
      ...s.missingRates.map((r) => html`<li data-warning="rate">
        <span class="badge warn">No rate</span> No exchange rate from USD to ${r.currency} for
        ${monthName(r.month)}: the cost of ${r.orgs} ${r.orgs === 1 ? 'organization' : 'organizations'} is in USD
        only and has no margin.
        ${this.can('settings') ? html`<a href="#/settings">Set the rate in Settings.</a>`
          : 'Ask an owner or admin to set it.'}</li>`),
    ];
    return items.length === 0 ? '' : html`<section class="attention" aria-labelledby="attention-title">
      <h2 id="attention-title">Needs attention</h2><ul>${items}</ul></section>`;
  }

  currency(s, c) {
    const points = s.trend.filter((t) => t.currency === c.currency);
    // One cost axis only when every month's cost is in the revenue's currency.
    const converted = points.every((t) => t.cost !== null);
    const vsLast = (now, before, currency = c.currency) => {
      const delta = change(now, before);
      return html`<small>last month ${money(before, currency)}${delta ? ` (${delta})` : ''}</small>`;
    };
    // A cost shown in USD (no exchange rate this month) is compared with last month's in USD.
    const costVsLast = c.cost === null ? vsLast(c.costUsd, c.previousCostUsd, 'USD')
      : c.previousCost === null ? html`<small>last month: no exchange rate</small>` : vsLast(c.cost, c.previousCost);
    // A user who may not see costs gets revenue alone, and the organizations they reach are theirs, not clients.
    const orgs = s.costs ? `${c.orgs} ${c.orgs === 1 ? 'client' : 'clients'}`
      : `${c.orgs} ${c.orgs === 1 ? 'organization' : 'organizations'}`;
    return html`<section class="currency" data-currency=${c.currency} aria-label="${c.currency}: ${orgs}">
      <h2>${c.currency} <small>${orgs}</small></h2>
      <dl class="totals">
        <div><dt>Revenue</dt><dd data-figure="revenue">${money(c.revenue, c.currency)}</dd>
          <dd>${vsLast(c.revenue, c.previousRevenue)}</dd></div>
        ${s.costs ? html`<div><dt>Token cost</dt><dd data-figure="cost">${costOf(c)}</dd>
          <dd>${costVsLast}</dd></div>
        <div><dt>Margin</dt><dd data-figure="margin">${margin(c.margin)}</dd>
          <dd><small>last month ${c.previousMargin === null ? '—' : percent(c.previousMargin)}</small></dd></div>`
          : ''}
      </dl>
      <money-chart .months=${points.map((t) => ({ month: t.month, revenue: t.revenue,
          cost: converted ? t.cost : t.costUsd }))}
        .revenueCurrency=${c.currency} .costCurrency=${!s.costs ? null : converted ? c.currency : 'USD'}
        .selected=${s.month} .label=${`${c.currency}: ${orgs}, last ${points.length} months`}></money-chart>
    </section>`;
  }

  topList(title, key, orgs, figure, empty = NOTHING_YET) {
    return html`<section class=${key} aria-label=${title}>
      <h2>${title}</h2>
      ${orgs.length === 0 ? html`<p class="empty">${empty}</p>` : html`<table class="list">
        <thead><tr><th>Organization</th><th class="num">${key === 'top-cost' ? 'Token cost' : 'Margin'}</th>
          <th class="num">Revenue</th></tr></thead>
        <tbody>${orgs.map((o) => html`<tr data-org-id=${o.orgId}><td class="text">${this.orgLink(o.orgId, o.orgName)}</td>
          <td class="num">${figure(o)}</td><td class="num">${money(o.revenue, o.currency)}</td></tr>`)}</tbody>
      </table>`}
    </section>`;
  }

  alerts(s) {
    return html`<section class="recent-alerts" aria-label="Recent budget alerts">
      <h2>Recent budget alerts</h2>
      ${s.recentAlerts.length === 0 ? html`<p class="empty">No budget threshold was crossed this month or last.</p>`
        : html`<ul>${s.recentAlerts.map((a) => html`<li>
          <time datetime=${a.crossedAt}>${dateTime(a.crossedAt)}</time>:
          ${a.agentId ? html`${a.agentName} (${this.orgLink(a.orgId, a.orgName)})`
            : this.orgLink(a.orgId, a.orgName)} passed ${a.threshold} % of its ${money(a.budget, a.currency)}
          budget for ${monthName(a.month)} (${money(a.cost, a.currency)}).</li>`)}</ul>`}
    </section>`;
  }
}

customElements.define('home-page', HomePage);
