// Searches run when the user pauses typing, not on every keystroke.
const PAUSE_MS = 250;

/** A function that calls {@code action} with its latest argument once calls stop for a moment. */
export function afterTyping(action) {
  let timer;
  return (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(value), PAUSE_MS);
  };
}
