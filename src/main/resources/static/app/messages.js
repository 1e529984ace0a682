// Error messages in the words of the form the user filled in. The API names fields as
// programs do ("billingRatePerAgent must not be negative") and says which one in `field`;
// a form knows its labels, so the user reads "Rate per agent must not be negative".

/**
 * The error's message with API field names replaced by the form's labels. A name that is
 * also a plain word ("name", "model") is replaced only where the message starts with it,
 * so "is not a model name" stays as written.
 */
export function inWords(error, labels) {
  let message = error?.message ?? String(error);
  const names = Object.keys(labels).sort((a, b) => b.length - a.length);
  for (const name of names) {
    const identifier = /[A-Z_\d]/.test(name);
    // Field paths such as targets[0].model hold characters that mean something in a pattern.
    const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = identifier ? new RegExp(`\\b${literal}\\b`, 'g') : new RegExp(`^${literal}\\b`);
    message = message.replace(pattern, labels[name]);
  }
  return message.charAt(0).toUpperCase() + message.slice(1);
}
