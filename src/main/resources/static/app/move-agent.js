// Moving an agent to another organization, as every page of the dashboard does it. Between
// two client organizations the agent's memory may hold the first client's information, so
// the user chooses whether it goes along or is cleared (the choice is on both orgs' audit
// logs); moving out of a client org into the default one asks for a plain confirmation.
import { askToChoose, askToConfirm } from './confirm-dialog.js';
import { post } from './api.js';
import { DEFAULT_ORG } from './org-context.js';

/**
 * Moves `agent` to the org `to` ({ id, name }) after asking what the move needs; resolves
 * the agent as moved, or null when the user cancelled or it is already there.
 */
export async function moveAgent(agent, to) {
  if (agent.clientOrgId === to.id) return null;
  let memory = 'keep';
  if (agent.clientOrgId !== DEFAULT_ORG && to.id !== DEFAULT_ORG) {
    memory = await askToChoose({
      title: `Move ${agent.name} to ${to.name}?`,
      message: `${agent.name} serves ${agent.clientOrgName} now and is billed to ${to.name} from the move on. Its
        memory may hold what it learned about ${agent.clientOrgName}: keep it, or clear it before it serves
        ${to.name}?`,
      choices: [{ value: 'keep', label: 'Move and keep its memory' },
        { value: 'clear', label: 'Move and clear its memory', danger: true }],
    });
    if (!memory) return null;
  } else if (agent.clientOrgId !== DEFAULT_ORG && !await askToConfirm({ title: `Move ${agent.name}?`,
    message: `${agent.name} is assigned to ${agent.clientOrgName}. Moving it bills it to ${to.name} from now on;
      its memory goes with it.`, confirm: `Move to ${to.name}` })) {
    return null;
  }
  return post(`/api/agents/${agent.id}/assign-org`, { orgId: to.id, memory }, { org: null });
}
