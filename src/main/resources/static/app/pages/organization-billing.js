// The Billing & Costs tab: monthly revenue against token cost for the last twelve months,
// the chosen month's totals and per-agent breakdown, per-agent rates (saved on blur or
// Enter), the CSV, and every warning the statement carries.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, patch } from '../api.js';
import { isOperator } from './organizations-page.js';
import { money, count, monthName } from '../format.js';
import '../money-chart.js';

class OrganizationBilling extends LightElement {
  static properties = {
    org: { attribute: false },
    me: { attribute: false },
    months: { state: true },
    month: { state: true },
    statement: { state: true },
    overrides: { state: true },
    error: { state: true },
    rateErrors: { state: true },
  };

  constructor() {
    super();
    this.rateErrors = {};
  }

  willUpdate(changed) {
    if (changed.has('org')) this.load();
  }

  async load() {
    this.error = null;
    try {
      const summary = await get(`/api/organizations/${this.org.id}/billing-summary?months=12`, { org: null });
      this.months = summary.items;
      await this.pick(this.month ?? summary.items[0].month);
    } catch (e) {
      this.error = e.message;
    }
  }

  async pick(month) {
    this.month = month;
    this.statement = null;
    try {
      this.statement = await get(`/api/organizations/${this.org.id}/billing?month=${month}`, { org: null });
      if (isOperator(this.me)) {
        const agents = await get('/api/agents?limit=500', { org: this.org.id });
        this.overrides = Object.fromEntries(agents.items.map((a) => [a.id, a.billingRateOverride]));
      }
    } catch (e) {
      this.error = e.message;
    }
  }

  async saveRate(agentId, input) {
    const value = input.value.trim();
    const before = this.overrides?.[agentId] ?? '';
    if (value === (before ?? '')) return;
    this.rateErrors = { ...this.rateErrors, [agentId]: null };
    try {
      const agent = await patch(`/api/agents/${agentId}`, { billingRateOverride: value === '' ? null : value },
        { org: null });
      this.overrides = { ...this.overrides, [agentId]: agent.billingRateOverride };
      await this.load();
    } catch (e) {
      this.rateErrors = { ...this.rateErrors, [agentId]: e.message };
    }
  }

  render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (!this.months) return html`<p class="loading" role="status">Loading billing…</p>`;
    const s = this.statement;
    return html`
      <section class="billing" aria-label="Billing of ${this.org.name}">
        ${this.chart()}
        <div class="page-head">
          <label>Month <select aria-label="Month" @change=${(e) => this.pick(e.target.value)}>
            ${this.months.map((m) => html`<option value=${m.month} ?selected=${m.month === this.month}>
              ${monthName(m.month)}${m.closed ? ' (closed)' : ''}</option>`)}
          </select></label>
          <a class="button secondary" href="/api/organizations/${this.org.id}/billing/${this.month}.csv"
            download>Download CSV</a>
        </div>
        ${s ? this.totals(s) : html`<p class="loading" role="status">Loading…</p>`}
        ${s ? this.warnings(s) : ''}
        ${s ? this.lines(s) : ''}
      </section>`;
  }

  totals(s) {
    return html`<dl class="totals">
      <div><dt>Total Revenue</dt><dd data-figure="revenue">${money(s.revenue, s.currency)}</dd></div>
      <div><dt>Token Cost</dt><dd data-figure="cost">${s.cost === null ? `${money(s.costUsd, 'USD')}`
        : money(s.cost, s.currency)}</dd></div>
      <div><dt>Margin</dt><dd data-figure="margin">${s.margin === null ? '—' : `${s.margin} %`}</dd></div>
      <div><dt>Total Tokens</dt><dd data-figure="tokens">${count(s.inputTokens + s.outputTokens
        + s.cachedInputTokens)}</dd></div>
      ${s.monthlyBudget ? html`<div><dt>Budget used</dt><dd>${s.budgetUsed === null ? '—'
        : `${s.budgetUsed} % of ${money(s.monthlyBudget, s.currency)}`}</dd></div>` : ''}
    </dl>`;
  }

  warnings(s) {
    return s.warnings.length === 0 ? '' : html`<ul class="warnings" role="status">
      ${s.warnings.map((w) => html`<li>${w}</li>`)}</ul>`;
  }

  lines(s) {
    const operator = isOperator(this.me) && !s.closed;
    if (s.lines.length === 0) {
      return html`<p class="empty">Nothing billed in ${s.month}: no agent was held and no usage was reported.</p>`;
    }
    return html`<table class="list">
      <thead><tr><th>Agent</th><th>Rate</th><th>Revenue</th><th>Tokens</th><th>Unpriced</th><th>Cost</th></tr></thead>
      <tbody>${s.lines.map((l) => html`<tr data-agent-id=${l.agentId}>
        <td>${l.agentName}${l.kind === 'adjustment' ? html` <span class="badge">late usage of ${l.usageMonth}</span>`
          : ''}</td>
        <td>${operator && l.kind === 'agent' && this.overrides && l.agentId in this.overrides
          ? html`<input class="rate" inputmode="decimal" aria-label="Rate of ${l.agentName}"
              placeholder="${this.org.billingRatePerAgent} (org default)" .value=${this.overrides[l.agentId] ?? ''}
              @blur=${(e) => this.saveRate(l.agentId, e.target)}
              @keydown=${(e) => { if (e.key === 'Enter') e.target.blur(); }}>
              ${this.rateErrors[l.agentId] ? html`<span class="error" role="alert">${this.rateErrors[l.agentId]}</span>`
                : ''}`
          : l.rate === null ? '—' : money(l.rate, s.currency)}${l.daysBilled ? html` <small>(${l.daysBilled} days)</small>`
          : ''}</td>
        <td>${money(l.revenue, s.currency)}</td>
        <td>${count(l.inputTokens + l.outputTokens + l.cachedInputTokens)}</td>
        <td>${l.unpricedTokens ? count(l.unpricedTokens) : '—'}</td>
        <td>${l.cost === null ? money(l.costUsd, 'USD') : money(l.cost, s.currency)}</td>
      </tr>`)}</tbody>
    </table>`;
  }

  /**
   * The months as a chart, oldest first, leaving out those before the org existed (unless
   * usage was billed in them). Cost is in the org's currency when every month's cost could
   * be converted, else in USD on an axis of its own.
   */
  chart() {
    const created = this.org.createdAt.slice(0, 7);
    const months = [...this.months].reverse().filter((m) => m.month >= created || Number(m.revenue) !== 0
      || Number(m.costUsd) !== 0);
    const converted = months.every((m) => m.cost !== null);
    return html`<money-chart .months=${months.map((m) => ({ month: m.month, revenue: m.revenue,
        cost: converted ? m.cost : m.costUsd }))} .revenueCurrency=${this.org.currency}
      .costCurrency=${converted ? this.org.currency : 'USD'} .selected=${this.month}
      .label=${`Monthly revenue against token cost of ${this.org.name}`}
      @month-picked=${(e) => this.pick(e.detail)}></money-chart>`;
  }
}

customElements.define('organization-billing', OrganizationBilling);
