// The names of the organizations in the user's reach, by id, for the organization column of a
// page's all-organizations view (one rule or credential name may be several orgs'). Empty when
// they cannot be read: the column is then blank, the page still works.
import { get } from './api.js';

export async function orgNames() {
  try {
    const view = await get('/api/org-context', { org: null });
    return Object.fromEntries(view.orgs.map((o) => [o.id, o.name]));
  } catch {
    return {};
  }
}
