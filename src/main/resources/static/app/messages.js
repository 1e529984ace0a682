// Error messages in the words of the form the user filled in. The API names fields as
// programs do ("billingRatePerAgent must not be negative") and says which one in `field`;
// a form knows its labels, so the user reads "Rate per agent must not be negative".

/** The error's message with API field names replaced by the form's labels. */
export function inWords(error, labels) {
  let message = error?.message ?? String(error);
  const names = Object.keys(labels).sort((a, b) => b.length - a.length);
  for (const name of names) {
    message = message.replace(new RegExp(`\\b${name}\\b`, 'g'), labels[name]);
  }
  return message.charAt(0).toUpperCase() + message.slice(1);
}
