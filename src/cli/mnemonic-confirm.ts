import { randomInt } from "node:crypto";
import { UsageError } from "../errors.js";
import { CLEAR_SCREEN, frameMnemonic } from "./mnemonic-display.js";
import type { Prompter } from "./terminal-prompt.js";

/** How many words the user types back, and how many rounds (showing the words again between) they get. */
export const CONFIRM_WORDS = 3;
export const CONFIRM_ROUNDS = 3;

/** `howMany` distinct 1-based positions out of `count`, in increasing order. */
export function pickConfirmPositions(
  count: number,
  howMany: number,
  random: (maxExclusive: number) => number = randomInt,
): number[] {
  const positions = Array.from({ length: count }, (_, index) => index + 1);
  const picked: number[] = [];
  for (let i = 0; i < Math.min(howMany, count); i++) {
    const [position] = positions.splice(random(positions.length), 1);
    if (position !== undefined) picked.push(position);
  }
  return picked.sort((a, b) => a - b);
}

/** Whether the typed answer is the word (case and surrounding space do not matter). */
export function answerMatches(expected: string, answer: string): boolean {
  return answer.normalize("NFKD").trim().toLowerCase() === expected;
}

/** Where the words are written: the terminal's stdout. */
export interface ScreenWriter {
  write(text: string): void;
}

export interface ConfirmOptions {
  readonly prompter: Prompter;
  readonly screen: ScreenWriter;
  readonly random?: (maxExclusive: number) => number;
  readonly rounds?: number;
}

/** The positions of the words that were typed wrong (empty when all match). */
async function askRound(
  words: readonly string[],
  positions: readonly number[],
  prompter: Prompter,
): Promise<number[]> {
  const wrong: number[] = [];
  for (const position of positions) {
    const answer = await prompter.ask(`Word #${position}: `);
    if (!answerMatches(words[position - 1] ?? "", answer)) wrong.push(position);
  }
  return wrong;
}

/**
 * Shows the words once, framed, waits until the user has written them down, clears the screen, and
 * asks for a few of them by position. A wrong answer shows the words again, up to `rounds` times;
 * then it gives up with an error (the caller has written nothing yet). Nothing here logs.
 */
export async function showAndConfirmMnemonic(
  words: readonly string[],
  options: ConfirmOptions,
): Promise<void> {
  const { prompter, screen } = options;
  const rounds = options.rounds ?? CONFIRM_ROUNDS;
  for (let round = 1; round <= rounds; round++) {
    screen.write(
      `\n${frameMnemonic(words, [
        `You will be asked for ${CONFIRM_WORDS} of them next; the screen is cleared first.`,
      ]).join("\n")}\n\n`,
    );
    await prompter.ask("Press Enter once they are written down. ");
    screen.write(CLEAR_SCREEN);
    const positions = pickConfirmPositions(words.length, CONFIRM_WORDS, options.random);
    screen.write(`Type words ${positions.join(", ")} of your ${words.length} recovery words.\n`);
    const wrong = await askRound(words, positions, prompter);
    screen.write(CLEAR_SCREEN);
    if (wrong.length === 0) {
      screen.write("The recovery words are confirmed.\n");
      return;
    }
    screen.write(
      `Word${wrong.length > 1 ? "s" : ""} #${wrong.join(", #")} did not match` +
        (round < rounds ? ": here are the words again.\n" : ".\n"),
    );
  }
  throw new UsageError(
    `the recovery words were not confirmed after ${rounds} tries, so no keystore was written: ` +
      "run `akash-agent init` again (or `init --no-confirm`, then `akash-agent keys export-mnemonic`)",
  );
}
