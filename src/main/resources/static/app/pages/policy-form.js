// The editor of one policy: the org's written rules for its agents, in Markdown. A change of
// content makes a new version, which agents receive on their next read.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { inWords } from '../messages.js';
import { post } from '../api.js';
import { appliesToFields, appliesToValue } from '../applies-to.js';
import { changedFrom, patchChanges } from '../changes.js';

const CATEGORIES = ['code_of_conduct', 'communication', 'data_handling', 'brand_voice', 'security', 'escalation',
  'custom'];
const LABELS = { name: 'Name', category: 'Category', enforcement: 'Enforcement', content: 'Content',
  appliesTo: 'Applies to', enabled: 'Enabled' };

class PolicyForm extends LightElement {
  static properties = {
    policy: { attribute: false },
    agents: { attribute: false },
    org: { attribute: false },
    someAgents: { state: true },
    error: { state: true },
    errorField: { state: true },
  };

  constructor() {
    super();
    this.someAgents = false;
  }

  willUpdate(changed) {
    if (changed.has('policy')) this.someAgents = Array.isArray(this.policy?.appliesTo);
  }

  async save(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { name: form.get('name'), category: form.get('category'), enforcement: form.get('enforcement'),
      content: form.get('content'), enabled: form.get('enabled') === 'on' };
    if (this.agents) body.appliesTo = appliesToValue(form);
    this.error = null;
    this.errorField = null;
    try {
      const saved = this.policy
        ? await patchChanges(`/api/policies/${this.policy.id}`, this.policy, changedFrom(this.policy, body))
        : await post('/api/policies', body, { org: this.org });
      this.dispatchEvent(new CustomEvent('saved', { detail: saved }));
    } catch (e) {
      this.error = inWords(e, LABELS);
      this.errorField = e.field;
    }
  }

  render() {
    const p = this.policy;
    return html`<form class="form policy-form" novalidate @submit=${(e) => this.save(e)}>
      <div class="row">
        <label>Name <input name="name" required maxlength="200" aria-invalid=${this.errorField === 'name'
          ? 'true' : 'false'} .value=${p?.name ?? ''}></label>
        <label>Category <select name="category">${CATEGORIES.map((c) => html`<option value=${c}
          ?selected=${c === (p?.category ?? 'custom')}>${c.replaceAll('_', ' ')}</option>`)}</select></label>
        <label>Enforcement <select name="enforcement">${['mandatory', 'recommended', 'informational']
          .map((e) => html`<option value=${e} ?selected=${e === (p?.enforcement ?? 'mandatory')}>${e}</option>`)}
          </select></label>
      </div>
      <label>Content (Markdown, up to 64 KB) <textarea name="content" rows="8" aria-invalid=${this.errorField
        === 'content' ? 'true' : 'false'} .value=${p?.content ?? ''}></textarea></label>
      ${this.agents ? appliesToFields(this, this.agents, p?.appliesTo) : ''}
      <label class="check"><input type="checkbox" name="enabled" ?checked=${p?.enabled ?? true}> Enabled</label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
      <div class="actions"><button type="submit">${p ? 'Save policy' : 'Add policy'}</button>
        <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('cancel'))}>
          Cancel</button></div>
    </form>`;
  }
}

customElements.define('policy-form', PolicyForm);
