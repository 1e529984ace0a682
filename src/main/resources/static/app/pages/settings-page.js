// Settings: model prices (the price in force, each model's history, adding a price
// version), model aliases (a reported name priced as a priced model), USD exchange rates
// per month and, for owners and admins, the gateway's providers and routes. Prices and
// rates are what the agency pays: only a user who sees costs gets them.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { decimalInput, perMillion, plainDecimal } from '../format.js';
import { get, post, put, del } from '../api.js';
import { askToConfirm } from '../confirm-dialog.js';
import { isOperator } from './organizations-page.js';
import { seesCosts } from '../dashboard-pages.js';
import './providers-routes.js';
import '../decimal-echo.js';

/** The forms' labels for the API's field names, for error messages. */
const PRICE_LABELS = { model: 'Model', provider: 'Provider', inputPricePerMillion: 'Input price',
  outputPricePerMillion: 'Output price', cachedInputPricePerMillion: 'Cached input price',
  effectiveFrom: 'In force from' };
const RATE_LABELS = { currency: 'Currency', rate: 'Rate', effectiveFrom: 'Month' };

class SettingsPage extends LightElement {
  static properties = {
    me: { attribute: false },
    models: { state: true },
    next: { state: true },
    history: { state: true },
    rates: { state: true },
    error: { state: true },
    priceError: { state: true },
    rateError: { state: true },
    aliases: { state: true },
    aliasError: { state: true },
  };

  constructor() {
    super();
    this.models = [];
  }

  connectedCallback() {
    super.connectedCallback();
    // Prices and rates are the costs' (the server refuses them to anyone else).
    if (seesCosts(this.me)) {
      this.loadModels();
      this.loadRates();
    }
    this.loadAliases();
  }

  async loadAliases() {
    try {
      this.aliases = (await get('/api/settings/model-aliases', { org: null })).items;
    } catch (e) {
      this.error = e.message;
    }
  }

  async setAlias(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.aliasError = null;
    try {
      await put(`/api/settings/model-aliases/${encodeURIComponent(String(form.get('alias')).trim())}`,
        { model: form.get('model') }, { org: null });
      event.target.reset();
      await this.loadAliases();
    } catch (e) {
      this.aliasError = inWords(e, { alias: 'Reported name', model: 'Priced as' });
    }
  }

  async removeAlias(alias) {
    if (!await askToConfirm({ title: `Remove the alias ${alias.alias}?`, message: `Usage reported as ${alias.alias}
      is unpriced again from now on; what was priced stays priced.`, confirm: 'Remove alias', danger: true })) return;
    this.aliasError = null;
    try {
      await del(`/api/settings/model-aliases/${encodeURIComponent(alias.alias)}`, { org: null });
      await this.loadAliases();
    } catch (e) {
      this.aliasError = e.message;
    }
  }

  async loadModels(more = false) {
    try {
      const params = new URLSearchParams({ limit: '100' });
      if (more && this.next) params.set('cursor', this.next);
      const page = await get(`/api/settings/models?${params}`, { org: null });
      this.models = more ? [...this.models, ...page.items] : page.items;
      this.next = page.nextCursor;
    } catch (e) {
      this.error = e.message;
    }
  }

  async loadRates() {
    try {
      this.rates = await get('/api/settings/fx-rates', { org: null });
    } catch (e) {
      this.error = e.message;
    }
  }

  async showHistory(model) {
    if (this.history?.model === model) {
      this.history = null;
      return;
    }
    const page = await get(`/api/settings/models/${encodeURIComponent(model)}/history?limit=100`, { org: null });
    this.history = { model, versions: page.items };
  }

  async addPrice(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.priceError = null;
    const effective = form.get('effectiveFrom');
    try {
      await post('/api/settings/models', {
        model: form.get('model'), provider: form.get('provider') || null,
        inputPricePerMillion: decimalInput(form.get('input')), outputPricePerMillion: decimalInput(form.get('output')),
        cachedInputPricePerMillion: decimalInput(form.get('cached')) || null,
        effectiveFrom: effective ? new Date(effective).toISOString() : null,
      }, { org: null });
      event.target.reset();
      this.history = null;
      await this.loadModels();
    } catch (e) {
      this.priceError = inWords(e, PRICE_LABELS);
    }
  }

  async setRate(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.rateError = null;
    try {
      await put('/api/settings/fx-rates', { currency: form.get('currency'), rate: decimalInput(form.get('rate')),
        effectiveFrom: form.get('month') }, { org: null });
      await this.loadRates();
    } catch (e) {
      this.rateError = inWords(e, RATE_LABELS);
    }
  }

  render() {
    const operator = isOperator(this.me);
    const costs = seesCosts(this.me);
    return html`
      <div class="page-head"><h1>Settings</h1></div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      ${costs ? html`<section aria-labelledby="models-title">
        <h2 id="models-title">Models</h2>
        <p class="hint">Prices in USD per million tokens. Usage is priced with the version in force when it
          happened; a new version never changes the past.</p>
        <table class="list models">
          <thead><tr><th>Model</th><th>Provider</th><th class="num">Input</th><th class="num">Cached input</th>
            <th class="num">Output</th>
            <th>In force since</th><th></th></tr></thead>
          <tbody>${this.models.map((m) => html`<tr>
            <td>${m.model}</td><td>${m.provider}</td><td class="num">${perMillion(m.inputPricePerMillion)}</td>
            <td class="num">${m.cachedInputPricePerMillion === null ? html`<small>= input</small>`
              : perMillion(m.cachedInputPricePerMillion)}</td>
            <td class="num">${perMillion(m.outputPricePerMillion)}</td>
            <td>${m.effectiveFrom.slice(0, 10)}${m.inForce ? '' : html` <span class="badge off">not yet</span>`}
              ${m.nextChange ? html`<br><small>changes ${m.nextChange.slice(0, 10)}</small>` : ''}</td>
            <td><button class="secondary" @click=${() => this.showHistory(m.model)}>
              History (${m.versions})</button></td>
          </tr>${this.history?.model === m.model ? html`<tr class="editor"><td colspan="7">
            <ul>${this.history.versions.map((v) => html`<li>${v.effectiveFrom.replace('T', ' ').slice(0, 16)} UTC:
              in ${perMillion(v.inputPricePerMillion)}, cached ${v.cachedInputPricePerMillion === null ? '= input'
                : perMillion(v.cachedInputPricePerMillion)}, out ${perMillion(v.outputPricePerMillion)}${v.source ? html` <small>(${v.source})</small>` : ''}</li>`)}</ul>
          </td></tr>` : ''}`)}</tbody>
        </table>
        ${this.next ? html`<button class="secondary" @click=${() => this.loadModels(true)}>Show more</button>` : ''}
        ${operator ? html`<form class="card form" @submit=${(e) => this.addPrice(e)}>
          <h3>Add a model or a price version</h3>
          <div class="row">
            <label>Model <input name="model" required maxlength="100" placeholder="gpt-4o"></label>
            <label>Provider <input name="provider" maxlength="50" placeholder="for a new model"></label>
          </div>
          <div class="row">
            <label>Input <input name="input" required inputmode="decimal"><decimal-echo currency="USD"></decimal-echo></label>
            <label>Cached input <input name="cached" inputmode="decimal" placeholder="= input"><decimal-echo
              currency="USD"></decimal-echo></label>
            <label>Output <input name="output" required inputmode="decimal"><decimal-echo currency="USD"></decimal-echo></label>
          </div>
          <small>USD per million tokens, e.g. 2.50; a decimal comma (2,50) is understood too.</small>
          <label>In force from <input name="effectiveFrom" type="datetime-local">
            <small>Empty: now. Never in the past.</small></label>
          ${this.priceError ? html`<p class="error" role="alert">${this.priceError}</p>` : ''}
          <div class="actions"><button type="submit">Add price</button></div>
        </form>` : ''}
      </section>` : html`<p class="empty" data-note="costs">Model prices and exchange
        rates are what the agency pays, and your permissions do not include costs.</p>`}
      <section aria-labelledby="aliases-title">
        <h2 id="aliases-title">Model aliases</h2>
        <p class="hint">A model name your agents report that has no price of its own, priced as a priced model
          (mistral-large as mistral-large-latest). Rerate to price usage stored before the alias.</p>
        ${this.aliases?.length ? html`<table class="list aliases">
          <thead><tr><th>Reported name</th><th>Priced as</th><th>Since</th>${operator ? html`<th></th>` : ''}</tr></thead>
          <tbody>${this.aliases.map((a) => html`<tr><td><code>${a.alias}</code></td><td>${a.model}</td>
            <td>${a.createdAt.slice(0, 10)}</td>${operator ? html`<td><button class="danger"
              @click=${() => this.removeAlias(a)}>Remove</button></td>` : ''}</tr>`)}</tbody>
        </table>` : html`<p class="empty">No aliases.</p>`}
        ${operator ? html`<form class="inline" @submit=${(e) => this.setAlias(e)}>
          <label>Reported name <input name="alias" required maxlength="100" placeholder="mistral-large"></label>
          <label>Priced as <select name="model" required><option value="">Choose a priced model…</option>
            ${this.models.map((m) => html`<option>${m.model}</option>`)}</select></label>
          <button type="submit">Set alias</button>
        </form>` : ''}
        ${this.aliasError ? html`<p class="error" role="alert">${this.aliasError}</p>` : ''}
      </section>
      ${costs ? html`<section aria-labelledby="fx-title">
        <h2 id="fx-title">Exchange rates</h2>
        <p class="hint">USD to each billing currency, from a month on. Statements convert a month's cost with the
          rate in force for it; without one they show the cost in USD and no margin.</p>
        ${this.rates ? html`<table class="list rates">
          <thead><tr><th>Currency</th><th>From month</th><th class="num">1 USD =</th>${operator ? html`<th>Set by</th>` : ''}</tr></thead>
          <tbody>${this.rates.entries.map((r) => html`<tr><td>${r.currency}</td><td>${r.effectiveFrom}</td>
            <td class="num">${plainDecimal(r.rate)}</td>${operator ? html`<td><small>${r.updatedBy}</small></td>` : ''}</tr>`)}</tbody>
        </table>` : ''}
        ${this.rates && this.rates.entries.length === 0 ? html`<p class="empty">No exchange rates yet: organizations
          billing in other currencies than USD show their cost in USD until one is set.</p>` : ''}
        ${operator ? html`<form class="inline" @submit=${(e) => this.setRate(e)}>
          <label>Currency <select name="currency">${['EUR', 'GBP', 'NGN', 'CAD', 'AUD'].map((c) =>
            html`<option>${c}</option>`)}</select></label>
          <label>From month <input name="month" type="month" required
            value=${new Date().toISOString().slice(0, 7)}></label>
          <label>1 USD = <input name="rate" required inputmode="decimal"
            aria-describedby="rate-note"><decimal-echo></decimal-echo></label>
          <small id="rate-note">In the chosen currency, e.g. 0.92 or 1,234.50; a decimal comma (0,92 or 1.234,50)
            is understood too.</small>
          <button type="submit">Set rate</button>
        </form>` : ''}
        ${this.rateError ? html`<p class="error" role="alert">${this.rateError}</p>` : ''}
      </section>` : ''}
      ${operator ? html`<providers-routes></providers-routes>` : ''}`;
  }
}

customElements.define('settings-page', SettingsPage);
