// What a rule or policy applies to, as both editors ask it: all of the organization's
// agents, or only the ticked ones. `form` is the editor element, whose `someAgents` state
// says which of the two is picked; the API's field is `appliesTo` ("all" or agent ids).
import { html } from 'lit';

/** The fieldset; `current` is the item's appliesTo as the API gave it (undefined for a new one). */
export function appliesToFields(form, agents, current) {
  const chosen = Array.isArray(current) ? current : [];
  return html`<fieldset><legend>Applies to</legend>
    <label class="check"><input type="radio" name="appliesTo" value="all" ?checked=${!form.someAgents}
      @change=${() => { form.someAgents = false; }}> All of the organization's agents</label>
    <label class="check"><input type="radio" name="appliesTo" value="some" ?checked=${form.someAgents}
      ?disabled=${agents.length === 0} @change=${() => { form.someAgents = true; }}> Only these agents</label>
    ${form.someAgents ? html`<div class="checks">${agents.map((a) => html`<label class="check"><input
      type="checkbox" name="agent" value=${a.id} ?checked=${chosen.includes(a.id)}> ${a.name}</label>`)}</div>`
      : ''}</fieldset>`;
}

/** The API's appliesTo from the submitted form data. */
export const appliesToValue = (data) => (data.get('appliesTo') === 'some' ? data.getAll('agent') : 'all');

/**
 * What an item applies to, in a table's cell. An empty list is never saved by a person: the
 * server leaves it when every agent the item named left the organization, and switches the
 * item off (and on again if one comes back), so the cell says why it is off.
 */
export function appliesToText(appliesTo) {
  if (appliesTo === 'all') return 'All agents';
  if (appliesTo.length === 0) return html`<span class="hint">None: the agents it named left the organization</span>`;
  return `${appliesTo.length} agent${appliesTo.length === 1 ? '' : 's'}`;
}
