import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  byteForms,
  knownSecretValues,
  SECRET_MARKER,
  Secret,
  SecretRegistry,
  secretBytes,
  secretRegistry,
  secretString,
} from "../../../src/services/keys/index.js";

describe("Secret", () => {
  const value = "correct horse battery staple";

  it("shows only the marker in every printed form", () => {
    const secret = new Secret(value, [], new SecretRegistry());
    expect(String(secret)).toBe(SECRET_MARKER);
    expect(`${secret}`).toBe(SECRET_MARKER);
    expect(`${secret as unknown as string}x`).toBe(`${SECRET_MARKER}x`);
    expect(JSON.stringify(secret)).toBe(JSON.stringify(SECRET_MARKER));
    expect(JSON.stringify({ nested: { secret } })).toBe(`{"nested":{"secret":"${SECRET_MARKER}"}}`);
    expect(inspect(secret)).toBe(SECRET_MARKER);
    expect(inspect({ deep: { deeper: [secret] } }, { depth: 10, showHidden: true })).not.toContain("horse");
    expect(Object.keys(secret)).toEqual([]);
  });

  it("gives the value back through reveal()", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(new Secret(value, [], new SecretRegistry()).reveal()).toBe(value);
    expect(new Secret(bytes, [], new SecretRegistry()).reveal()).toBe(bytes);
  });

  it("structuredClone carries no value across", () => {
    expect(JSON.stringify(structuredClone(new Secret(value, [], new SecretRegistry())))).not.toContain(
      "horse",
    );
  });
});

describe("SecretRegistry", () => {
  it("collects the forms of every secret created against it, and prints none", () => {
    const registry = new SecretRegistry();
    secretString("a passphrase", registry);
    secretBytes(new Uint8Array([0xde, 0xad, 0xbe, 0xef]), registry);
    expect(registry.values()).toEqual(
      expect.arrayContaining(["a passphrase", "deadbeef", "DEADBEEF", "3q2+7w==", "3q2-7w"]),
    );
    expect(registry.size).toBe(5);
    expect(inspect(registry)).not.toContain("passphrase");
    expect(JSON.stringify(registry)).not.toContain("passphrase");
  });

  it("ignores empty forms and duplicates", () => {
    const registry = new SecretRegistry();
    registry.add(["", "same", "same"]);
    expect(registry.values()).toEqual(["same"]);
  });

  it("the process-wide registry feeds knownSecretValues()", () => {
    const before = secretRegistry.size;
    secretString("process-wide test secret");
    expect(secretRegistry.size).toBe(before + 1);
    expect(knownSecretValues()).toContain("process-wide test secret");
  });

  it("byteForms lists hex, upper hex, base64 and base64url", () => {
    expect(byteForms(new Uint8Array([0xfb, 0xff]))).toEqual(["fbff", "FBFF", "+/8=", "-_8"]);
  });
});
