// New and Edit Organization. The slug follows the name as it is typed and may be edited
// until the organization is created; afterwards it is permanent and shown read-only. The
// billing terms (rate, currency, proration, monthly budget and its alert thresholds) are
// edited here too.
import { html, nothing } from 'lit';
import { LightElement } from '../light-element.js';
import { post } from '../api.js';
import { patchChanges } from '../changes.js';
import { slugFromName } from '../slug.js';
import { inWords } from '../messages.js';
import { decimalInput, decimalSeparator } from '../format.js';
import '../decimal-echo.js';

const CURRENCIES = ['USD', 'EUR', 'GBP', 'NGN', 'CAD', 'AUD'];

/** The form's labels for the API's field names, for error messages. */
const LABELS = {
  name: 'Name', slug: 'Slug', contactName: 'Contact name', contactEmail: 'Contact e-mail',
  description: 'Description', billingRatePerAgent: 'Rate per agent', currency: 'Currency',
  proration: 'Proration', monthlyBudget: 'Monthly budget', budgetAlertThresholds: 'Alert thresholds',
  timeZone: 'Time zone',
};

/** The IANA zones this browser knows, offered as the time zone is typed (the server checks it either way). */
const TIME_ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/**
 * "50, 80 100" as [50, 80, 100]; anything that is not a whole number is sent as typed, for
 * the server to refuse. Where the browser's language writes decimals with a comma, a comma
 * between two digits is one ("87,5"), not a separator: read as one, it made 87 and 5.
 */
export function thresholds(text, locale = navigator.language) {
  const separators = decimalSeparator(locale) === ',' ? /[\s;]+|,(?!\d)|(?<!\d),/ : /[\s,;]+/;
  return text.split(separators).filter(Boolean).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
}

class OrganizationForm extends LightElement {
  static properties = {
    org: { attribute: false },
    slug: { state: true },
    slugEdited: { state: true },
    error: { state: true },
    field: { state: true },
    busy: { state: true },
    currency: { state: true },
  };

  constructor() {
    super();
    this.touched = new Set();
  }

  willUpdate(changed) {
    if (changed.has('org')) {
      this.slug = this.org?.slug ?? '';
      this.slugEdited = false;
      this.touched = new Set();
      this.currency = this.org?.currency ?? 'USD';
    }
  }

  /** Opened, or opened on another organization: the first field takes the typing. */
  updated(changed) {
    if (changed.has('org')) this.querySelector('input[name=name]')?.focus();
  }

  /** Whether this edit moves the organization to another currency. */
  get currencyChanged() {
    return Boolean(this.org) && this.currency !== this.org.currency;
  }

  nameTyped(event) {
    if (!this.org && !this.slugEdited) this.slug = slugFromName(event.target.value);
  }

  async submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {
      name: form.get('name'),
      contactName: form.get('contactName') || null,
      contactEmail: form.get('contactEmail') || null,
      description: form.get('description') || null,
      billingRatePerAgent: decimalInput(form.get('billingRatePerAgent')),
      currency: form.get('currency'),
      proration: form.get('proration'),
      monthlyBudget: decimalInput(form.get('monthlyBudget')) || null,
      budgetAlertThresholds: thresholds(form.get('budgetAlertThresholds')),
      timeZone: String(form.get('timeZone')).trim() || 'UTC',
    };
    this.busy = true;
    this.error = null;
    this.field = null;
    try {
      // An edit sends only what was changed in the form, so that saving one field does not
      // write back, over what another operator saved since, what the others showed.
      // Amounts are shown otherwise than the API writes them ("80.00" for 80): what was typed in
      // tells a change, not a comparison with the organization. A new currency goes with the
      // rate and the budget as the form shows them, which the server requires in its terms.
      const amounts = this.currencyChanged ? ['billingRatePerAgent', 'monthlyBudget'] : [];
      const saved = this.org
        ? await patchChanges(`/api/organizations/${this.org.id}`, this.org, Object.fromEntries(
          Object.entries(body).filter(([name]) => this.touched.has(name) || amounts.includes(name))))
        : await post('/api/organizations', { ...body, slug: this.slug || null }, { org: null });
      this.dispatchEvent(new CustomEvent('saved', { detail: saved, bubbles: true }));
    } catch (e) {
      this.error = inWords(e, LABELS);
      this.field = e.field;
    } finally {
      this.busy = false;
    }
  }

  invalid(name) {
    return this.field === name ? 'true' : 'false';
  }

  render() {
    const org = this.org;
    return html`
      <form class="card form" @submit=${(e) => this.submit(e)} aria-busy=${this.busy ? 'true' : 'false'}
        @input=${(e) => this.touched.add(e.target.name)} @change=${(e) => this.touched.add(e.target.name)}>
        <h2>${org ? `Edit ${org.name}` : 'New Organization'}</h2>
        <label>Name <input name="name" required maxlength="200" .value=${org?.name ?? ''}
          @input=${(e) => this.nameTyped(e)} aria-invalid=${this.invalid('name')}></label>
        <label>Slug
          <input name="slug" .value=${this.slug} ?readonly=${Boolean(org)} maxlength="63"
            @input=${(e) => { this.slug = e.target.value; this.slugEdited = true; }}
            aria-invalid=${this.invalid('slug')} aria-describedby="slug-note">
          <small id="slug-note">${org ? 'Slugs are permanent: they cannot change after creation.'
            : 'Generated from the name; you may edit it until the organization is created.'}</small>
        </label>
        <label>Contact name <input name="contactName" maxlength="200" .value=${org?.contactName ?? ''}
          aria-invalid=${this.invalid('contactName')}></label>
        <label>Contact e-mail <input name="contactEmail" type="email" .value=${org?.contactEmail ?? ''}
          aria-invalid=${this.invalid('contactEmail')}></label>
        <label>Description <textarea name="description" maxlength="2000" rows="3"
          aria-invalid=${this.invalid('description')} .value=${org?.description ?? ''}></textarea></label>
        <label>Time zone <input name="timeZone" list="time-zones" autocomplete="off" maxlength="64"
          .value=${org?.timeZone ?? 'UTC'} aria-invalid=${this.invalid('timeZone')} aria-describedby="time-zone-note">
          <datalist id="time-zones">${TIME_ZONES.map((zone) => html`<option value=${zone}></option>`)}</datalist>
          <small id="time-zone-note">Where the organization works, e.g. Europe/Paris: its guardrails' off-hours
            rules read the clock there.</small></label>
        <div class="row">
          <label>Rate per agent per month <input name="billingRatePerAgent" inputmode="decimal" required
            .value=${org ? Number(org.billingRatePerAgent).toFixed(2) : '0.00'}
            aria-invalid=${this.invalid('billingRatePerAgent')}><decimal-echo></decimal-echo></label>
          <label>Currency <select name="currency" aria-invalid=${this.invalid('currency')}
            aria-describedby=${this.currencyChanged ? 'currency-note' : nothing}
            @change=${(e) => { this.currency = e.target.value; }}>
            ${CURRENCIES.map((c) => html`<option ?selected=${(org?.currency ?? 'USD') === c}>${c}</option>`)}
          </select></label>
        </div>
        ${this.currencyChanged ? html`<p class="notice" id="currency-note" role="status">From ${org.currency} to
          ${this.currency}: the rate per agent and the monthly budget are saved as shown, in ${this.currency}, and
          the open month is billed in ${this.currency}. Check them before saving.</p>` : ''}
        <fieldset class="terms">
          <legend>Budget and proration</legend>
          <label>Proration <select name="proration" aria-invalid=${this.invalid('proration')}
            aria-describedby="proration-note">
            <option value="month_end" ?selected=${(org?.proration ?? 'month_end') === 'month_end'}>Month end</option>
            <option value="daily" ?selected=${org?.proration === 'daily'}>Daily</option>
          </select>
          <small id="proration-note">Month end: an agent moved during a month is billed in full to the organization
            holding it at the month's end. Daily: each organization pays for the days it held it.</small></label>
          <div class="row">
            <label>Monthly budget <input name="monthlyBudget" inputmode="decimal" placeholder="No budget"
              .value=${org?.monthlyBudget ? Number(org.monthlyBudget).toFixed(2) : ''}
              aria-invalid=${this.invalid('monthlyBudget')} aria-describedby="budget-note"><decimal-echo></decimal-echo>
              <small id="budget-note">Token cost per month, in the organization's currency. Empty for none.</small>
            </label>
            <label>Alert thresholds (% of the budget) <input name="budgetAlertThresholds"
              .value=${(org?.budgetAlertThresholds ?? [50, 80, 100]).join(', ')}
              aria-invalid=${this.invalid('budgetAlertThresholds')} aria-describedby="thresholds-note">
              <small id="thresholds-note">Whole percentages, separated by commas, e.g. 50, 80, 100.</small></label>
          </div>
        </fieldset>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
        <div class="actions">
          <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : org ? 'Save' : 'Create'}</button>
          <button type="button" class="secondary"
            @click=${() => this.dispatchEvent(new CustomEvent('cancel', { bubbles: true }))}>Cancel</button>
        </div>
      </form>`;
  }
}

customElements.define('organization-form', OrganizationForm);
