// What an edit form sends: the fields whose value differs from the one the form was opened
// with, so that saving one field never writes back, over what another operator saved since,
// what the others showed. A field the form writes otherwise than the API does (a list in
// another order) is sent as it is, and then says what it said.
import { patch } from './api.js';

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields of `body` that differ from `original`'s; empty when nothing was changed. */
export function changedFrom(original, body) {
  return Object.fromEntries(Object.entries(body).filter(([name, value]) => !same(value, original[name])));
}

/** Sends an edit's `changes` to `path` and answers what was saved: `original`, sending nothing, when there are none. */
export async function patchChanges(path, original, changes) {
  return Object.keys(changes).length ? patch(path, changes, { org: null }) : original;
}
