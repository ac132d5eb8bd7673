import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/logging/index.js";
import {
  deriveAkashKey,
  deriveEvmKey,
  generateMnemonic,
  knownSecretValues,
  mnemonicToSeed,
  toPassphrase,
} from "../../../src/services/keys/index.js";

describe("knownSecretValues feeds the logger's scrubbing", () => {
  it("revealed secrets written into log lines come out redacted", () => {
    const lines: string[] = [];
    const logger = createLogger({
      json: true,
      destination: { write: (line: string) => lines.push(line) },
      secrets: knownSecretValues,
    });
    const seed = mnemonicToSeed(generateMnemonic());
    const akash = deriveAkashKey(seed, 0);
    const evm = deriveEvmKey(seed, 0);
    const passphrase = toPassphrase("a long keystore passphrase", "the test");
    const akashHex = bytesToHex(akash.privateKey.reveal());
    logger.info({ detail: `key ${akashHex}`, evm: evm.privateKey.reveal(), address: akash.address }, "oops");
    logger.warn(`passphrase was ${passphrase.reveal()}`);
    logger.info({ wrapped: akash.privateKey, text: `${evm.privateKey}` }, "wrapped");
    const output = lines.join("");
    expect(output).toContain(akash.address);
    expect(output).not.toContain(akashHex);
    expect(output).not.toContain(evm.privateKey.reveal().slice(2));
    expect(output).not.toContain("a long keystore passphrase");
    // detail, evm, the passphrase line and the template-literal Secret.
    expect(output.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(4);
  });
});
