import { inspect } from "node:util";

export interface SecretText {
  readonly name: string;
  readonly value: string;
}

export interface Output {
  readonly where: string;
  readonly text: string;
}

/** Every window of `size` consecutive words of a mnemonic, as they would appear in text. */
export function wordRuns(mnemonic: string, size = 3): string[] {
  const words = mnemonic.split(" ");
  const runs: string[] = [];
  for (let i = 0; i + size <= words.length; i++) runs.push(words.slice(i, i + size).join(" "));
  return runs;
}

/** The printed forms of a value: String(), JSON.stringify and a deep util.inspect. */
export function printedForms(where: string, value: unknown): Output[] {
  let json: string;
  try {
    json = JSON.stringify(value) ?? "undefined";
  } catch (error) {
    json = `unserialisable: ${String(error)}`;
  }
  return [
    { where: `String(${where})`, text: String(value) },
    { where: `JSON(${where})`, text: json },
    { where: `inspect(${where})`, text: inspect(value, { depth: 20, showHidden: true, getters: true }) },
  ];
}

/** Names each secret found in an output (hex compared without regard to case). */
export function findLeaks(outputs: readonly Output[], secrets: readonly SecretText[]): string[] {
  const leaks: string[] = [];
  for (const output of outputs) {
    const lower = output.text.toLowerCase();
    for (const secret of secrets) {
      const isHex = /^[0-9a-f]+$/i.test(secret.value);
      const found = isHex ? lower.includes(secret.value.toLowerCase()) : output.text.includes(secret.value);
      if (found) leaks.push(`${output.where} contains ${secret.name}`);
    }
  }
  return leaks;
}
