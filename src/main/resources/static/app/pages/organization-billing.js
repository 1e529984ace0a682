// The Billing & Costs tab: monthly revenue against token cost for the last twelve months,
// the chosen month's totals and per-agent breakdown, per-agent rates (saved on blur or
// Enter), the CSV, and every warning the statement carries. A user without the costs
// permission gets the bill alone from the server (every cost null): the tab then shows revenue
// and tokens, and no cost, margin or budget.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, patch } from '../api.js';
import { isOperator } from './organizations-page.js';
import { money, count, monthName, addAmounts, decimalInput, margin, costOf, plainDecimal, isDecimal, percent,
  sentence } from '../format.js';
import '../decimal-echo.js';
import { inWords } from '../messages.js';
import '../money-chart.js';
import { budgetBar } from '../budget-bar.js';

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
    rateSaved: { state: true },
    showAdjustments: { state: true },
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

  /**
   * Saves an agent's rate typed in its field, once it is left: only when something was typed
   * there, so that passing through a field never writes back what it showed over a rate
   * another operator set since, and only when the amount differs.
   */
  async saveRate(agentId, input) {
    if (input.dataset.edited !== 'true') return;
    delete input.dataset.edited;
    const value = decimalInput(input.value);
    const before = this.overrides?.[agentId] ?? null;
    const unchanged = value === '' ? before === null
      : before !== null && isDecimal(value) && Number(value) === Number(before);
    if (unchanged) return;
    this.rateErrors = { ...this.rateErrors, [agentId]: null };
    this.rateSaved = null;
    try {
      const agent = await patch(`/api/agents/${agentId}`, { billingRateOverride: value === '' ? null : value },
        { org: null });
      this.overrides = { ...this.overrides, [agentId]: agent.billingRateOverride };
      // Saved as the field is left, so say so: a rate typed in passing changes a client's bill.
      this.rateSaved = agent.billingRateOverride === null
        ? `${agent.name} is billed at the organization's rate again, from now on.`
        : `${agent.name}'s rate is now ${money(agent.billingRateOverride, this.org.currency)}, from now on.`;
      await this.load();
    } catch (e) {
      this.rateErrors = { ...this.rateErrors, [agentId]: inWords(e, { billingRateOverride: 'Rate' }) };
    }
  }

  /** Enter saves the rate typed; Escape puts back the one saved, saving nothing. */
  rateKey(event, agentId) {
    const input = event.target;
    if (event.key === 'Escape') {
      const saved = this.overrides?.[agentId];
      input.value = saved == null ? '' : Number(saved).toFixed(2);
      input.dispatchEvent(new Event('input')); // for its decimal-echo; it marks the field edited, so:
      delete input.dataset.edited;
      input.blur();
    } else if (event.key === 'Enter') {
      input.blur();
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
      ${withCosts(s) ? html`<div><dt>Token Cost</dt><dd data-figure="cost">${costOf(s)}</dd></div>
      <div><dt>Margin</dt><dd data-figure="margin">${margin(s.margin)}</dd></div>` : ''}
      <div><dt>Total Tokens</dt><dd data-figure="tokens">${count(s.inputTokens + s.outputTokens
        + s.cachedInputTokens)}</dd></div>
      ${s.monthlyBudget ? html`<div class="budget"><dt>Budget used</dt><dd data-figure="budget">${s.budgetUsed === null
        ? '—' : html`${budgetBar(s.budgetUsed, this.org.budgetAlertThresholds)} ${percent(s.budgetUsed)} of
          ${money(s.monthlyBudget, s.currency)}`}</dd>
        ${s.budgetAlerts.length ? html`<dd class="alerts" data-figure="budget-alerts">Alerts sent at
          ${s.budgetAlerts.map((t) => `${t} %`).join(', ')}</dd>` : ''}</div>` : ''}
    </dl>`;
  }

  warnings(s) {
    // The list is wrapped: a role on the <ul> itself would hide that it is a list.
    return s.warnings.length === 0 ? '' : html`<div role="status"><ul class="warnings">
      ${s.warnings.map((w) => html`<li>${sentence(w)}</li>`)}</ul></div>`;
  }

  lines(s) {
    if (s.lines.length === 0) {
      return html`<p class="empty">Nothing billed in ${monthName(s.month)}: no agent was held and no usage was
        reported.</p>`;
    }
    const agents = s.lines.filter((l) => l.kind !== 'adjustment');
    const late = s.lines.filter((l) => l.kind === 'adjustment');
    const costs = withCosts(s);
    return html`${this.rateSaved ? html`<p class="notice" role="status">${this.rateSaved}</p>` : ''}
      <table class="list statement">
      <thead><tr><th>Agent</th><th class="num">Rate</th><th class="num">Revenue</th><th class="num">Tokens</th>
        ${costs ? html`<th class="num">Unpriced</th><th class="num">Cost</th>` : ''}</tr></thead>
      <tbody>${agents.map((l) => this.line(s, l))}</tbody>
      ${late.length ? this.adjustments(s, late) : ''}
      <tfoot><tr class="total"><th scope="row">Total ${monthName(s.month)}</th><td></td>
        <td class="num" data-figure="total-revenue">${money(s.revenue, s.currency)}</td>
        <td class="num">${tokens(s, costs)}</td>
        ${costs ? html`<td class="num">${s.unpricedTokens ? count(s.unpricedTokens) : '—'}</td>
        <td class="num" data-figure="total-cost">${costOf(s)}</td>` : ''}</tr></tfoot>
    </table>`;
  }

  /** Usage of closed months that arrived, or was priced, late, under one heading that opens, with its subtotal. */
  adjustments(s, late) {
    const costs = withCosts(s);
    const subtotal = !costs ? '' : late.every((l) => l.cost !== null)
      ? money(addAmounts(late.map((l) => l.cost)), s.currency) : money(addAmounts(late.map((l) => l.costUsd)), 'USD');
    return html`<tbody class="adjustments">
      <tr class="group"><th scope="rowgroup" colspan=${costs ? 5 : 4}>
        <button class="disclosure" aria-expanded=${this.showAdjustments ? 'true' : 'false'}
          @click=${() => { this.showAdjustments = !this.showAdjustments; }}>
          ${this.showAdjustments ? '▾' : '▸'} Adjustments for earlier months (${late.length})</button></th>
        ${costs ? html`<td class="num" data-figure="adjustments">${subtotal}</td>` : ''}</tr>
      ${this.showAdjustments ? late.map((l) => this.line(s, l)) : ''}
    </tbody>`;
  }

  line(s, l) {
    const editable = isOperator(this.me) && !s.closed && l.kind === 'agent' && this.overrides
      && l.agentId in this.overrides;
    return html`<tr data-agent-id=${l.agentId}>
      <td>${l.agentName}${l.kind === 'adjustment' ? html` <span class="badge">late usage of
        ${monthName(l.usageMonth)}</span>` : ''}</td>
      <td class="num">${editable
        ? html`<input class="rate" inputmode="decimal" aria-label="Rate of ${l.agentName}"
            placeholder="${plainDecimal(this.org.billingRatePerAgent)} (org)"
            .value=${this.overrides[l.agentId] == null ? '' : Number(this.overrides[l.agentId]).toFixed(2)}
            @input=${(e) => { e.target.dataset.edited = 'true'; }}
            @blur=${(e) => this.saveRate(l.agentId, e.target)}
            @keydown=${(e) => this.rateKey(e, l.agentId)}><decimal-echo
              currency=${s.currency}></decimal-echo>
            ${this.rateErrors[l.agentId] ? html`<span class="error" role="alert">${this.rateErrors[l.agentId]}</span>`
              : ''}`
        : l.rate === null ? '—' : money(l.rate, s.currency)}${l.daysBilled ? html` <small>(${l.daysBilled} days)</small>`
        : ''}</td>
      <td class="num">${money(l.revenue, s.currency)}</td>
      <td class="num">${tokens(l, withCosts(s))}</td>
      ${withCosts(s) ? html`<td class="num">${l.unpricedTokens ? count(l.unpricedTokens) : '—'}</td>
      <td class="num">${costOf(l, s.currency)}</td>` : ''}
    </tr>`;
  }

  /**
   * The months as a chart, oldest first (the summary begins with the org, unless usage was
   * billed before it). Cost is in the org's currency when every month's cost could be
   * converted, else in USD on an axis of its own.
   */
  chart() {
    const months = [...this.months].reverse();
    const converted = months.every((m) => m.cost !== null);
    const costs = months.every(withCosts);
    return html`<money-chart .months=${months.map((m) => ({ month: m.month, revenue: m.revenue,
        cost: converted ? m.cost : m.costUsd }))} .revenueCurrency=${this.org.currency}
      .costCurrency=${!costs ? null : converted ? this.org.currency : 'USD'} .selected=${this.month}
      .label=${costs ? `Monthly revenue against token cost of ${this.org.name}` : `Monthly revenue of ${this.org.name}`}
      @month-picked=${(e) => this.pick(e.detail)}></money-chart>`;
  }
}

/** What the note under a line's tokens means, for its tooltip. */
const REPRICED = 'Tokens of a closed month that were unpriced when it closed and were priced since: counted '
  + 'there, their cost is billed here, on top of the tokens above.';

/** Whether the server gave a statement's costs: not to a user without the costs permission. */
function withCosts(statement) {
  return statement.costUsd !== null;
}

/**
 * The tokens of a line or a month, and under them those of closed months priced late: their
 * closed statement counted them (as unpriced), so they are named apart, not added again.
 * Pricing is the costs' side: without it, the tokens alone.
 */
function tokens(figures, costs) {
  const used = count(figures.inputTokens + figures.outputTokens + figures.cachedInputTokens);
  return costs && figures.repricedTokens ? html`${used}<br><small class="repriced" title=${REPRICED}>+
    ${count(figures.repricedTokens)} priced late</small>` : used;
}

customElements.define('organization-billing', OrganizationBilling);
