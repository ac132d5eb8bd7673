import { describe, expect, it } from "vitest";
import {
  answerMatches,
  CONFIRM_ROUNDS,
  pickConfirmPositions,
  showAndConfirmMnemonic,
} from "../../../src/cli/mnemonic-confirm.js";
import { CLEAR_SCREEN, frameMnemonic, mnemonicRows } from "../../../src/cli/mnemonic-display.js";
import type { Prompter } from "../../../src/cli/terminal-prompt.js";
import { UsageError } from "../../../src/errors.js";
import { generateMnemonic } from "../../../src/services/keys/index.js";

const words = generateMnemonic().reveal().split(" ");
const twelve = "legal winner thank year wave sausage worth useful legal winner thank yellow".split(" ");

/** The words in the order a reader finds them in the framed block. */
function wordsRead(lines: readonly string[]): string[] {
  return [...lines.join("\n").matchAll(/(\d+)\. ([a-z]+)/g)].map((match) => `${match[1]}:${match[2]}`);
}

describe("frameMnemonic", () => {
  it("shows every word once, numbered, in reading order, inside a frame of equal-width lines", () => {
    const lines = frameMnemonic(words);
    expect(wordsRead(lines)).toEqual(words.map((word, index) => `${index + 1}:${word}`));
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^\+-+\+$/);
    expect(lines.at(-1)).toBe(lines[0]);
    expect(lines.join("\n")).toContain("RECOVERY WORDS: these 24 words are the agent's keys.");
  });

  it("lays out 24 words in six rows of four and 12 in four rows of three", () => {
    expect(mnemonicRows(words)).toHaveLength(6);
    expect(mnemonicRows(twelve)).toHaveLength(4);
    expect(mnemonicRows(twelve)[0]).toMatch(/^ 1\. legal\s+2\. winner\s+3\. thank$/);
  });

  it("adds the note lines under the words", () => {
    expect(frameMnemonic(twelve, ["a note"]).at(-2)).toMatch(/^\| {2}a note +\|$/);
  });
});

describe("pickConfirmPositions", () => {
  it("picks distinct positions in range, sorted, driven by the random source", () => {
    const fromStart = pickConfirmPositions(24, 3, () => 0);
    expect(fromStart).toEqual([1, 2, 3]);
    const fromEnd = pickConfirmPositions(24, 3, (max) => max - 1);
    expect(fromEnd).toEqual([22, 23, 24]);
    for (let i = 0; i < 50; i++) {
      const picked = pickConfirmPositions(12, 3);
      expect(new Set(picked).size).toBe(3);
      expect(picked.every((position) => position >= 1 && position <= 12)).toBe(true);
      expect([...picked].sort((a, b) => a - b)).toEqual(picked);
    }
  });
});

describe("answerMatches", () => {
  it("ignores case and surrounding space but not a different word", () => {
    expect(answerMatches("winner", "  Winner ")).toBe(true);
    expect(answerMatches("winner", "winer")).toBe(false);
    expect(answerMatches("winner", "")).toBe(false);
  });
});

/** A prompter that answers from a script and records the questions. */
function scriptedPrompter(answer: (question: string) => string): Prompter & { questions: string[] } {
  const questions: string[] = [];
  return {
    questions,
    ask: async (question) => {
      questions.push(question);
      return answer(question);
    },
    close: () => undefined,
  };
}

function screen() {
  const written: string[] = [];
  return { written, write: (text: string) => void written.push(text) };
}

/** Answers "Word #n" with the n-th word, or a wrong word while `wrongRounds` lasts. */
function answers(list: readonly string[], wrongRounds: number) {
  let round = 0;
  return (question: string): string => {
    if (question.startsWith("Press Enter")) {
      round += 1;
      return "";
    }
    const position = Number(/^Word #(\d+)/.exec(question)?.[1]);
    return round <= wrongRounds ? "zoo" : (list[position - 1] ?? "");
  };
}

describe("showAndConfirmMnemonic", () => {
  it("shows the words, clears the screen, and asks for three of them by position", async () => {
    const prompter = scriptedPrompter(answers(words, 0));
    const out = screen();
    await showAndConfirmMnemonic(words, { prompter, screen: out, random: () => 0 });
    expect(prompter.questions).toEqual([
      "Press Enter once they are written down. ",
      "Word #1: ",
      "Word #2: ",
      "Word #3: ",
    ]);
    const shown = out.written.join("");
    expect(wordsRead([shown])).toHaveLength(24);
    expect(out.written.filter((text) => text === CLEAR_SCREEN).length).toBeGreaterThanOrEqual(1);
    // The words are written before the screen is first cleared, never after.
    const firstClear = out.written.indexOf(CLEAR_SCREEN);
    expect(wordsRead([out.written.slice(firstClear).join("")])).toHaveLength(0);
    expect(shown).toContain("The recovery words are confirmed.");
  });

  it("shows the words again after a wrong answer, then accepts the right ones", async () => {
    const prompter = scriptedPrompter(answers(twelve, 1));
    const out = screen();
    await showAndConfirmMnemonic(twelve, { prompter, screen: out });
    expect(prompter.questions.filter((question) => question.startsWith("Press Enter"))).toHaveLength(2);
    expect(out.written.join("")).toMatch(/did not match: here are the words again/);
  });

  it("gives up with a usage error after the last round, having written nothing but the screen", async () => {
    const prompter = scriptedPrompter(answers(twelve, CONFIRM_ROUNDS));
    await expect(showAndConfirmMnemonic(twelve, { prompter, screen: screen() })).rejects.toSatisfy(
      (error) =>
        error instanceof UsageError &&
        error.exitCode === 2 &&
        /not confirmed after 3 tries, so no keystore was written/.test(error.message),
    );
  });
});
