/**
 * How the recovery words are shown at a terminal: numbered, in reading order (left to right, then
 * down), inside a frame that says what they are. Only ever written to a terminal, never to a log.
 */

/** Four columns for 24 words, three for 12: rows of the same length either way. */
function columnsFor(count: number): number {
  return count % 4 === 0 && count > 12 ? 4 : 3;
}

/** The numbered words laid out in rows: "1. abandon   2. ability ...". */
export function mnemonicRows(words: readonly string[]): string[] {
  const columns = columnsFor(words.length);
  const numberWidth = String(words.length).length;
  const wordWidth = Math.max(...words.map((word) => word.length));
  const cells = words.map(
    (word, index) => `${String(index + 1).padStart(numberWidth)}. ${word.padEnd(wordWidth)}`,
  );
  const rows: string[] = [];
  for (let start = 0; start < cells.length; start += columns) {
    rows.push(
      cells
        .slice(start, start + columns)
        .join("    ")
        .trimEnd(),
    );
  }
  return rows;
}

/** The whole framed block, one string per line. `note` lines go under the words. */
export function frameMnemonic(words: readonly string[], note: readonly string[] = []): string[] {
  const heading = [
    `RECOVERY WORDS: these ${words.length} words are the agent's keys.`,
    "Anyone who has them controls its funds. Write them on paper, in order,",
    "and keep the paper safe. Never type them into a website or a chat.",
  ];
  const body = [...heading, "", ...mnemonicRows(words), ...(note.length > 0 ? ["", ...note] : [])];
  const width = Math.max(...body.map((line) => line.length));
  const rule = `+${"-".repeat(width + 4)}+`;
  return [rule, ...body.map((line) => `|  ${line.padEnd(width)}  |`), rule];
}

/** Clears the screen and its scrollback, so the words do not stay visible once written down. */
export const CLEAR_SCREEN = "\u001b[2J\u001b[3J\u001b[H";
