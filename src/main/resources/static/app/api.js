// The dashboard's only way to the server: the public /api, with the session cookie, the
// CSRF double-submit header, and the current org context on every call.
import { orgContext } from './org-context.js';

/** An API error in the API's own words (RFC 9457 problem detail). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `The server answered ${status}.`);
    this.status = status;
    this.field = problem?.field ?? null;
    this.problem = problem;
  }
}

/** A cookie's value, or null when the browser holds none of that name. */
export function cookie(name) {
  const found = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

/**
 * Calls the API. `org` overrides the page's org context: pass null for a call that must not
 * carry one (the org list and the org detail live in the operator's reach).
 */
export async function api(method, path, { body, org } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const xsrf = method === 'GET' ? null : await csrfToken();
  if (xsrf) headers['X-XSRF-TOKEN'] = xsrf;
  const context = org === undefined ? orgContext.selected : org;
  if (context) headers['X-Org-Id'] = context;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!response.ok) {
    if (response.status === 401) window.dispatchEvent(new CustomEvent('tenantry-signed-out'));
    if (response.status === 403) window.dispatchEvent(new CustomEvent('tenantry-refused'));
    throw new ApiError(response.status, data);
  }
  return data;
}

/**
 * The CSRF token a write sends back. A new session (a password change renews it) comes without
 * one, and the server hands one out with the next read: a write that would otherwise go first,
 * and be refused, asks for it.
 */
async function csrfToken() {
  if (cookie('XSRF-TOKEN') === null && cookie('TENANTRY_SIGNED_IN') !== null) {
    await fetch('/api/me', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  }
  return cookie('XSRF-TOKEN');
}

export const get = (path, options) => api('GET', path, options);
export const post = (path, body, options) => api('POST', path, { ...options, body });
export const patch = (path, body, options) => api('PATCH', path, { ...options, body });
export const put = (path, body, options) => api('PUT', path, { ...options, body });
export const del = (path, options) => api('DELETE', path, options);

/**
 * Sends a file as multipart/form-data, reporting the upload's progress (fetch cannot), with
 * the same credentials, CSRF header and org context as every other call.
 */
export async function upload(path, form, { org, onProgress } = {}) {
  const xsrf = await csrfToken();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    if (xsrf) request.setRequestHeader('X-XSRF-TOKEN', xsrf);
    const context = org === undefined ? orgContext.selected : org;
    if (context) request.setRequestHeader('X-Org-Id', context);
    request.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    });
    request.addEventListener('load', () => {
      let data = null;
      if (request.responseText) {
        try { data = JSON.parse(request.responseText); } catch { data = { detail: request.responseText }; }
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(data);
      } else {
        if (request.status === 401) window.dispatchEvent(new CustomEvent('tenantry-signed-out'));
        if (request.status === 403) window.dispatchEvent(new CustomEvent('tenantry-refused'));
        reject(new ApiError(request.status, data));
      }
    });
    request.addEventListener('error', () => reject(new ApiError(0, { detail: 'The upload did not reach the server.' })));
    request.send(form);
  });
}
