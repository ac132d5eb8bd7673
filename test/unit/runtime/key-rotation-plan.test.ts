import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { planKeyRotation } from "../../../src/runtime/key-rotation-plan.js";

const envKeystore = { durable: false, describe: () => "environment (AGENT_MNEMONIC)" };
const fileKeystore = { durable: true, describe: () => "encrypted file /data/keystore.json" };
const rotation = (enabled: boolean | undefined) => ({
  keyRotation: {
    ...(enabled === undefined ? {} : { enabled }),
    akashDays: 30,
    paymentDays: 30,
    identityDays: 90,
    encryptionDays: 90,
    graceHours: 24,
  },
});

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error("expected the action to fail");
}

describe("which keys rotate, decided at start", () => {
  it("refuses rotation asked for explicitly with a keystore that cannot save it (exit code 2), naming the setting and the fix", () => {
    const error = thrown(() => planKeyRotation(rotation(true), envKeystore));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(error.message).toBe(
      "keyRotation.enabled is true but the keystore (environment (AGENT_MNEMONIC)) cannot save a rotated key index, " +
        "so every rotation would fail: use a keystore file (`akash-agent init`, keystore.backend: file) or set keyRotation.enabled: false",
    );
  });

  it("left unset with such a keystore, turns rotation off and warns", () => {
    const plan = planKeyRotation(rotation(undefined), envKeystore);
    expect(plan.rotating).toEqual([]);
    expect(plan.warnings).toEqual([
      "key rotation is off: the keystore (environment (AGENT_MNEMONIC)) cannot save a rotated key index; " +
        "use a keystore file (`akash-agent init`) to rotate keys, or set keyRotation.enabled: false to turn it off on purpose",
    ]);
  });

  it("turned off, rotates nothing and warns of nothing", () => {
    for (const keystore of [envKeystore, fileKeystore]) {
      const plan = planKeyRotation(rotation(false), keystore);
      expect(plan.rotating).toEqual([]);
      expect(plan.warnings).toEqual([]);
    }
  });

  it("with a keystore file, rotates the Akash, payment and encryption keys and says why the identity key stays", () => {
    for (const enabled of [true, undefined]) {
      const plan = planKeyRotation(rotation(enabled), fileKeystore);
      expect(plan.rotating).toEqual(["akash", "payment", "encryption"]);
      expect(plan.warnings).toEqual([]);
      expect(plan.notes).toEqual([
        expect.stringMatching(/^the identity key is not rotated on schedule: .*manifest/),
        expect.stringMatching(/^the akash key rotates by self-migration.*inside its own lease/),
      ]);
    }
  });
});
