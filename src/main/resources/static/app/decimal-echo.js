// Says, under an amount's input, how the amount typed is read: "1.500" is fifteen hundred in
// a German browser and one and a half to someone used to another way of writing it, and a
// rate or a price off by a thousand times is a wrong invoice. Placed right after its input.
import { html, nothing } from 'lit';
import { LightElement } from './light-element.js';
import { readAs } from './format.js';

class DecimalEcho extends LightElement {
  static properties = {
    currency: {},
    typed: { state: true },
  };

  connectedCallback() {
    super.connectedCallback();
    this.input = this.previousElementSibling;
    this.form = this.input?.form;
    this.typedNow = () => { this.typed = this.input.value; };
    this.cleared = () => { this.typed = ''; };
    this.input?.addEventListener('input', this.typedNow);
    this.form?.addEventListener('reset', this.cleared);
  }

  disconnectedCallback() {
    this.input?.removeEventListener('input', this.typedNow);
    this.form?.removeEventListener('reset', this.cleared);
    super.disconnectedCallback();
  }

  render() {
    // Only once typed: what the dashboard wrote into the field reads back as itself.
    const shown = this.typed ? readAs(this.typed) : null;
    return html`<small class="read-as" aria-live="polite">${shown
      ? `Read as ${shown}${this.currency ? ` ${this.currency}` : ''}` : nothing}</small>`;
  }
}

customElements.define('decimal-echo', DecimalEcho);
