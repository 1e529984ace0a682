// The same rule as the server's Slug.fromName, so the form can show the slug while typing.
const MAX_LENGTH = 63;

export function slugFromName(name) {
  let slug = (name || '').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > MAX_LENGTH) slug = slug.slice(0, MAX_LENGTH).replace(/-+$/, '');
  return slug || 'org';
}
