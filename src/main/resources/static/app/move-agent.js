// Moving an agent to another organization, as every page of the dashboard does it. Its
// memory goes where it goes, and may hold what it learned where it was (a client's
// information, or the operator's own notes): whenever it remembers anything, the user
// chooses whether that goes along or is cleared, on every way of moving it (the choice is
// on both orgs' audit logs). Without memory, a move out of a client org asks for a plain
// confirmation. An agent's own rate and budget are in its org's currency: moving it to an org
// that bills in another one, the user is asked first whether to move it without them (to set
// them again in the new currency); the server refuses to carry them there.
import { askToChoose, askToConfirm } from './confirm-dialog.js';
import { ApiError, get, post } from './api.js';
import { DEFAULT_ORG } from './org-context.js';
import { money } from './format.js';

/** How many entries the agent remembers, up to `most` (more shows as `most`). */
async function remembered(agent, most) {
  const page = await get(`/api/agents/${agent.id}/memory?limit=${most}`, { org: null });
  return page.items.length;
}

/**
 * Moves `agent` to the org `to` ({ id, name }) after asking what the move needs; resolves
 * the agent as moved, or null when the user cancelled or it is already there.
 */
export async function moveAgent(agent, to) {
  if (agent.clientOrgId === to.id) return null;
  const from = agent.clientOrgId === DEFAULT_ORG ? 'the default organization' : agent.clientOrgName;
  const billing = to.id === DEFAULT_ORG ? `Its billing to ${agent.clientOrgName} ends with the move.`
    : `It is billed to ${to.name} from the move on.`;
  let amounts = {};
  if (agent.billingRateOverride != null || agent.monthlyBudget != null) {
    const currency = to.currency ?? (await get(`/api/organizations/${to.id}`, { org: null })).currency;
    if (currency !== agent.clientOrgCurrency) {
      if (!await askToConfirm({ title: `Move ${agent.name} without its own rate and budget?`,
        message: withoutAmounts(agent, to, currency), confirm: 'Move without them' })) return null;
      amounts = { billingRateOverride: null, monthlyBudget: null };
    }
  }
  const most = 100;
  const entries = await remembered(agent, most);
  let memory = 'keep';
  if (entries > 0) {
    const count = entries >= most ? `${most} or more entries` : `${entries} ${entries === 1 ? 'entry' : 'entries'}`;
    memory = await askToChoose({
      title: `Move ${agent.name} to ${to.name}?`,
      message: `${billing} ${agent.name} remembers ${count} from its time in ${from}. Kept, they move with it and
        ${to.id === DEFAULT_ORG ? 'stay with the operator' : `${to.name}'s users who may see memory can read them`};
        cleared, they are deleted before it serves ${to.name}.`,
      choices: [{ value: 'keep', label: 'Move and keep its memory', plain: true },
        { value: 'clear', label: 'Move and clear its memory', danger: true }],
    });
    if (!memory) return null;
  } else if (agent.clientOrgId !== DEFAULT_ORG && !('monthlyBudget' in amounts) && !await askToConfirm({
    title: `Move ${agent.name}?`, message: `${agent.name} is assigned to ${agent.clientOrgName}. ${billing}`,
    confirm: `Move to ${to.name}` })) {
    return null;
  }
  const path = `/api/agents/${agent.id}/assign-org`;
  try {
    return await post(path, { orgId: to.id, memory, ...amounts }, { org: null });
  } catch (e) {
    // The organization's currency changed since it was read: asked again, in the same words.
    if (!(e instanceof ApiError) || e.status !== 409 || e.field !== 'billingRateOverride') throw e;
    if (!await askToConfirm({ title: `Move ${agent.name} without its own rate and budget?`,
      message: withoutAmounts(agent, to, null), confirm: 'Move without them' })) return null;
    return post(path, { orgId: to.id, memory, billingRateOverride: null, monthlyBudget: null }, { org: null });
  }
}

/** The question for an agent whose own amounts are in a currency the new organization does not bill in. */
function withoutAmounts(agent, to, currency) {
  const own = [agent.billingRateOverride != null ? `a rate of ${money(agent.billingRateOverride,
    agent.clientOrgCurrency)}` : null, agent.monthlyBudget != null ? `a monthly budget of ${money(agent.monthlyBudget,
    agent.clientOrgCurrency)}` : null].filter(Boolean).join(' and ');
  return `${agent.name} has ${own || 'a rate or budget'} of its own, and ${to.name} bills in ${currency
    ?? 'another currency'}. Moved, it is billed at ${to.name}'s rate and has no budget of its own until you set them
    again${currency ? ` in ${currency}` : ''}.`;
}
