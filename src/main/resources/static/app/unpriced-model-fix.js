// Fixing unpriced usage where it is reported: map the reported model name to a priced model
// (a server-side alias, used by pricing from then on), then rerate what was stored unpriced,
// and say what that did. Adding a price instead is done in Settings; once the model has one,
// this offers the rerate alone. Owners and admins only: both change platform-wide pricing.
import { html } from 'lit';
import { LightElement } from './light-element.js';
import { post, put } from './api.js';
import { count } from './format.js';

/** Far enough back to reach any stored usage: a rerate changes only what is still unpriced. */
const SINCE_EVER = '2000-01-01T00:00:00Z';

class UnpricedModelFix extends LightElement {
  static properties = {
    model: { attribute: false },
    open: { state: true },
    /** The models that have a price, read by the page once for all its fixes. */
    priced: { attribute: false },
    busy: { state: true },
    error: { state: true },
    result: { state: true },
  };

  show() {
    this.open = true;
    this.error = null;
  }

  /** Prices what was stored unpriced of this model, with whatever prices it now, and says what that did. */
  async rerate(done) {
    const rerate = await post('/api/billing/rerate', { model: this.model.model, from: SINCE_EVER,
      to: new Date(Date.now() + 1000).toISOString() }, { org: null });
    this.result = `${done}: ${count(rerate.priced)} stored ${rerate.priced === 1 ? 'event was' : 'events were'} `
      + 'priced.';
    this.dispatchEvent(new CustomEvent('fixed', { detail: this.result, bubbles: true }));
  }

  async rerateAtItsPrice() {
    this.busy = true;
    this.error = null;
    try {
      await this.rerate(`${this.model.model} has a price now`);
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = false;
    }
  }

  async map(event) {
    event.preventDefault();
    const target = new FormData(event.target).get('target');
    if (!target) return;
    this.busy = true;
    this.error = null;
    try {
      await put(`/api/settings/model-aliases/${encodeURIComponent(this.model.model)}`, { model: target }, { org: null });
      await this.rerate(`${this.model.model} is now priced as ${target}`);
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (this.result) return html`<p class="fixed" role="status">${this.result}</p>`;
    if ((this.priced ?? []).includes(this.model.model)) {
      return html`<button type="button" class="link-dark" ?disabled=${this.busy} @click=${() => this.rerateAtItsPrice()}>
        ${this.busy ? 'Rerating…' : 'It has a price now: rerate its stored usage'}</button>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}`;
    }
    if (!this.open) {
      return html`<button type="button" class="link-dark" @click=${() => this.show()}>Map it to a priced
        model…</button>`;
    }
    // A model cannot be an alias of itself: it is never offered as its own target.
    const targets = (this.priced ?? []).filter((m) => m !== this.model.model);
    const suggested = targets.find((m) => m.startsWith(this.model.model));
    return html`<form class="inline map-model" @submit=${(e) => this.map(e)}>
      <label>Price <code>${this.model.model}</code> as
        <select name="target" required aria-label="Priced model for ${this.model.model}">
          <option value="">Choose a priced model…</option>
          ${targets.map((m) => html`<option ?selected=${m === suggested}>${m}</option>`)}
        </select></label>
      <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Mapping…' : 'Map and rerate'}</button>
      <button type="button" class="secondary" @click=${() => { this.open = false; }}>Cancel</button>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
    </form>`;
  }
}

customElements.define('unpriced-model-fix', UnpricedModelFix);
