/**
 * Finds the paced upstream's `T<epoch ms>;` markers in a response body as it arrives, whatever
 * wraps them (Chat Completions chunks or Responses events). A marker counts once, the first time
 * it is seen: later events that repeat the text (`output_text.done`, `response.completed`) hold
 * only markers already seen, which are never newer than the last one counted.
 */
const MARKER = /T(\d{13}\.\d);/g;
/** Longest marker (`T` + 13 digits + `.d;`) minus one: what may straddle two chunks. */
const CARRY = 17;

export class MarkerScanner {
  private carry = '';
  private last = 0;

  /** Calls `found(scheduledAt)` for each new marker in this chunk. */
  scan(chunk: Buffer, found: (scheduledAt: number) => void): void {
    const text = this.carry + chunk.toString('latin1');
    MARKER.lastIndex = 0;
    for (let match = MARKER.exec(text); match !== null; match = MARKER.exec(text)) {
      const at = Number(match[1]);
      if (at > this.last) {
        this.last = at;
        found(at);
      }
    }
    this.carry = text.slice(-CARRY);
  }
}
