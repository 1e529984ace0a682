// The editor of one guardrail rule: the fields every rule has, then those of its type.
// Saving sends the fields to the API, which validates them; its messages are shown in the
// form's words, and a pattern's error points at its position under the pattern.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { post } from '../api.js';
import { appliesToFields, appliesToValue } from '../applies-to.js';
import { changedFrom, patchChanges } from '../changes.js';

const TYPES = [['keyword', 'Keywords'], ['regex', 'Pattern (regular expression)'], ['pii', 'Personal data'],
  ['prompt_injection', 'Prompt injection'], ['max_tokens', 'Maximum tokens'], ['rate', 'Rate limit'],
  ['off_hours', 'Office hours']];
const DETECTORS = [['email', 'E-mail addresses'], ['phone', 'Phone numbers'], ['card', 'Payment cards'],
  ['iban', 'IBANs'], ['us_ssn', 'US social security numbers'], ['ipv4', 'IPv4 addresses'],
  ['ipv6', 'IPv6 addresses'], ['secret', 'Secrets (API keys, private keys, JWTs)']];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

export const RULE_LABELS = { name: 'Name', type: 'Type', direction: 'Direction', action: 'Action',
  severity: 'Severity', mode: 'Mode', enabled: 'Enabled', appliesTo: 'Applies to', keywords: 'Words',
  pattern: 'Pattern', detectors: 'Detectors', maxTokens: 'Maximum tokens', limit: 'Checks allowed',
  window: 'Window', allowedHours: 'Allowed hours', allowedDays: 'Allowed days', baseline: 'Baseline' };

/** A number field's value for the API: empty is none, anything else as typed (the API says what is wrong). */
const wholeNumber = (value) => (value === null || value === '' ? null : Number(value));

/** The position a pattern error names, if it names one. */
export function patternErrorAt(message) {
  const found = /at position (\d+)/.exec(message ?? '');
  return found ? Number(found[1]) : null;
}

class RuleForm extends LightElement {
  static properties = {
    rule: { attribute: false },
    agents: { attribute: false },
    org: { attribute: false },
    canMarkBaseline: { attribute: false },
    type: { state: true },
    someAgents: { state: true },
    error: { state: true },
    errorField: { state: true },
    sentPattern: { state: true },
  };

  constructor() {
    super();
    this.type = 'keyword';
    this.someAgents = false;
  }

  willUpdate(changed) {
    if (changed.has('rule')) {
      this.type = this.rule?.type ?? 'keyword';
      this.someAgents = Array.isArray(this.rule?.appliesTo);
    }
  }

  /** The form's fields as the API names them: the common ones and those of the rule's type. */
  fields(form) {
    const body = {
      name: form.get('name'), direction: form.get('direction'), action: form.get('action'),
      severity: form.get('severity'), mode: form.get('mode'), enabled: form.get('enabled') === 'on',
    };
    if (this.agents) {
      body.appliesTo = appliesToValue(form);
    }
    if (this.canMarkBaseline) body.baseline = form.get('baseline') === 'on';
    switch (this.type) {
      case 'keyword':
        body.keywords = form.get('keywords').split('\n').map((k) => k.trim()).filter(Boolean);
        break;
      case 'regex':
        body.pattern = form.get('pattern');
        break;
      case 'pii':
        body.detectors = form.getAll('detector');
        if (body.detectors.length === 0) body.detectors = null;
        break;
      case 'max_tokens':
        body.maxTokens = wholeNumber(form.get('maxTokens'));
        break;
      case 'rate':
        body.limit = wholeNumber(form.get('limit'));
        body.window = form.get('window');
        break;
      case 'off_hours':
        body.allowedHours = form.get('allowedHours');
        body.allowedDays = form.getAll('day');
        if (body.allowedDays.length === 0) body.allowedDays = null;
        break;
      default:
    }
    return body;
  }

  async save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = this.fields(form);
    this.error = null;
    this.errorField = null;
    this.sentPattern = body.pattern;
    try {
      const saved = this.rule
        ? await patchChanges(`/api/guardrails/rules/${this.rule.id}`, this.rule, changedFrom(this.rule, body))
        : await post('/api/guardrails/rules', { ...body, type: this.type }, { org: this.org });
      this.dispatchEvent(new CustomEvent('saved', { detail: saved }));
    } catch (e) {
      this.error = inWords(e, RULE_LABELS);
      this.errorField = e.field;
    }
  }

  invalid(field) {
    return this.errorField === field ? 'true' : 'false';
  }

  /** The pattern as sent, with a caret under the character where it goes wrong. */
  patternCaret() {
    const at = patternErrorAt(this.error);
    if (this.errorField !== 'pattern' || at === null || this.sentPattern == null) return '';
    return html`<pre class="pattern-error" aria-label="Where the pattern goes wrong">${this.sentPattern}
${' '.repeat([...this.sentPattern.slice(0, at)].length)}^</pre>
      <p class="error" role="alert">${this.error}</p>`;
  }

  typeFields(r) {
    switch (this.type) {
      case 'keyword':
        return html`<label>Words or phrases, one per line (whole words; case and accents ignored)
          <textarea name="keywords" rows="4" aria-invalid=${this.invalid('keywords')}
            .value=${(r?.keywords ?? []).join('\n')}></textarea></label>`;
      case 'regex':
        return html`<label>Pattern (RE2 syntax: no backreferences or lookaround)
          <input name="pattern" maxlength="2000" aria-invalid=${this.invalid('pattern')} .value=${r?.pattern ?? ''}>
          </label>${this.patternCaret()}`;
      case 'pii':
        return html`<fieldset><legend>Detectors (none ticked: every kind)</legend><div class="checks">
          ${DETECTORS.map(([value, label]) => html`<label class="check"><input type="checkbox" name="detector"
            value=${value} ?checked=${r?.detectors?.includes(value)}> ${label}</label>`)}</div></fieldset>`;
      case 'prompt_injection':
        return html`<p class="hint">A heuristic: English phrasings that ask a model to ignore its instructions, take
          another role or reveal its system prompt, also inside base64.</p>`;
      case 'max_tokens':
        return html`<label>Maximum tokens per request <input name="maxTokens" type="number" min="1" max="10000000"
          aria-invalid=${this.invalid('maxTokens')} .value=${r?.maxTokens ?? ''}></label>`;
      case 'rate':
        return html`<div class="row">
          <label>Checks allowed per agent <input name="limit" type="number" min="1" max="1000000"
            aria-invalid=${this.invalid('limit')} .value=${r?.limit ?? ''}></label>
          <label>In each window (ISO-8601, such as PT1M or PT1H) <input name="window" placeholder="PT1M"
            aria-invalid=${this.invalid('window')} .value=${r?.window ?? 'PT1M'}></label></div>`;
      case 'off_hours':
        return html`<label>Allowed hours, in the organization's time zone <input name="allowedHours"
            placeholder="08:00-18:00" aria-invalid=${this.invalid('allowedHours')} .value=${r?.allowedHours ?? ''}>
          </label>
          <fieldset><legend>Allowed days (none ticked: every day)</legend><div class="checks">
            ${DAYS.map((d) => html`<label class="check"><input type="checkbox" name="day" value=${d}
              ?checked=${r?.allowedDays?.includes(d)}> ${d}</label>`)}</div></fieldset>`;
      default:
        return '';
    }
  }

  appliesToPart(r) {
    if (!this.agents) {
      return html`<p class="hint">Applies to ${Array.isArray(r?.appliesTo) ? `${r.appliesTo.length} chosen agents`
        : "all of the organization's agents"} (choosing agents needs the Agents page).</p>`;
    }
    return appliesToFields(this, this.agents, r?.appliesTo);
  }

  render() {
    const r = this.rule;
    const option = (value, label, current) => html`<option value=${value} ?selected=${value === current}>${label}
      </option>`;
    return html`<form class="form rule-form" novalidate @submit=${(e) => this.save(e)}>
      <div class="row">
        <label>Name <input name="name" required maxlength="200" aria-invalid=${this.invalid('name')}
          .value=${r?.name ?? ''}></label>
        <label>Type ${r ? html`<input readonly .value=${TYPES.find(([t]) => t === r.type)?.[1] ?? r.type}>`
          : html`<select name="type" @change=${(e) => { this.type = e.target.value; }}>
            ${TYPES.map(([value, label]) => option(value, label, this.type))}</select>`}</label>
      </div>
      ${this.typeFields(r)}
      <div class="row">
        <label>Direction <select name="direction">${[['both', 'Input and output'], ['input', 'Input'],
          ['output', 'Output']].map(([v, l]) => option(v, l, r?.direction ?? 'both'))}</select></label>
        <label>Action <select name="action">${[['block', 'Block'], ['redact', 'Redact'], ['flag', 'Flag (allow and '
          + 'record)'], ['pause_agent', 'Pause the agent']].map(([v, l]) => option(v, l, r?.action ?? 'block'))}
          </select></label>
        <label>Severity <select name="severity">${['low', 'medium', 'high', 'critical']
          .map((v) => option(v, v, r?.severity ?? 'medium'))}</select></label>
        <label>Mode <select name="mode">${[['enforce', 'Enforce'], ['shadow', 'Shadow (record only)']]
          .map(([v, l]) => option(v, l, r?.mode ?? 'enforce'))}</select></label>
      </div>
      ${this.appliesToPart(r)}
      <label class="check"><input type="checkbox" name="enabled" ?checked=${r?.enabled ?? true}> Enabled</label>
      ${this.canMarkBaseline ? html`<label class="check"><input type="checkbox" name="baseline"
        ?checked=${r?.baseline}> Platform baseline: apply to every organization's agents</label>` : ''}
      ${this.error && !(this.errorField === 'pattern' && patternErrorAt(this.error) !== null)
        ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <div class="actions"><button type="submit">${r ? 'Save rule' : 'Add rule'}</button>
        <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('cancel'))}>
          Cancel</button></div>
    </form>`;
  }
}

customElements.define('rule-form', RuleForm);
