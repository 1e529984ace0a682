// Loads whose answer depends on the org context: picking one org and then another while the
// first one's answers are slow must not let them land over the second's. Each load asks
// anew, and keeps its answer only while it is still the latest ask.

export class LatestAsk {
  #asked = 0;

  /** A new ask; the function it gives tells whether this ask is still the latest. */
  ask() {
    const mine = ++this.#asked;
    return () => mine === this.#asked;
  }
}
