// The first-run form that creates the owner, and the login form afterwards.
import { html } from 'lit';
import { LightElement } from '../light-element.js';
import { get, post } from '../api.js';

class SignIn extends LightElement {
  static properties = {
    mode: {},
    error: { state: true },
    field: { state: true },
    busy: { state: true },
  };

  async submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    this.busy = true;
    this.error = null;
    this.field = null;
    try {
      if (this.mode === 'setup') {
        await post('/api/setup', {
          name: form.get('name'), email: form.get('email'), password: form.get('password'),
        }, { org: null });
      }
      await post('/api/auth/login', { email: form.get('email'), password: form.get('password') }, { org: null });
      const me = await get('/api/me', { org: null });
      this.dispatchEvent(new CustomEvent('signed-in', { detail: me, bubbles: true }));
    } catch (e) {
      this.error = e.message;
      this.field = e.field;
    } finally {
      this.busy = false;
    }
  }

  render() {
    const setup = this.mode === 'setup';
    return html`
      <main class="center">
        <form class="card narrow" @submit=${(e) => this.submit(e)} aria-busy=${this.busy ? 'true' : 'false'}>
          <h1>${setup ? 'Create the owner account' : 'Sign in to Tenantry'}</h1>
          ${setup ? html`<p class="hint">No one has set up this installation yet. The owner runs the platform:
            organizations, agents, users and billing.</p>` : ''}
          ${setup ? html`<label>Name <input name="name" required autocomplete="name"></label>` : ''}
          <label>E-mail <input name="email" type="email" required autocomplete="username"
            aria-invalid=${this.field === 'email' ? 'true' : 'false'}></label>
          <label>Password <input name="password" type="password" required
            autocomplete=${setup ? 'new-password' : 'current-password'}
            minlength=${setup ? 10 : 1} aria-invalid=${this.field === 'password' ? 'true' : 'false'}></label>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : ''}
          <button type="submit" ?disabled=${this.busy}>${this.busy ? 'Please wait…' : setup ? 'Create owner'
            : 'Sign in'}</button>
        </form>
      </main>`;
  }
}

customElements.define('sign-in', SignIn);
