// A pause the operator or a platform rule holds is lifted by owners and admins only (the server
// says 403): to anyone else, an agent's row says who holds it instead of offering Resume.
import { html } from 'lit';
import { isOperator } from './pages/organizations-page.js';

/** The note that stands in for Resume, or null when {@code me} may resume a pause held so. */
export function heldPauseNote(pausedBy, me) {
  if ((pausedBy !== 'operator' && pausedBy !== 'platform_rule') || isOperator(me)) return null;
  return html`<small class="held">Paused by ${pausedBy === 'operator' ? 'the operator' : 'a platform rule'}</small>`;
}
