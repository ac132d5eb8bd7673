import { Writable } from "node:stream";
import { generateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { nip19 } from "nostr-tools";
import { describe, expect, it } from "vitest";
import { createLogger, createRedactor, REDACTED } from "../../../src/logging/index.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join("") };
}

const mnemonic = generateMnemonic(wordlist, 256);
const passphrase = 'correct "horse" battery';
const privateKeyHex = "4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d";
const nsec = nip19.nsecEncode(Uint8Array.from(Buffer.from(privateKeyHex, "hex")));

function logEverything(json: boolean) {
  const sink = capture();
  const log = createLogger({
    json,
    destination: sink.stream,
    level: "trace",
    colorize: false,
    secrets: () => [passphrase, privateKeyHex],
  });
  log.info(`loaded ${mnemonic}`);
  log.info({ keystore: { mnemonic, other: "kept" } }, "nested key");
  log.warn({ note: `the words are: ${mnemonic.toUpperCase().toLowerCase()}` }, "inside a value");
  log.error({ err: new Error(`decrypt failed for ${passphrase}`) }, "error with secret");
  log.debug({ key: privateKeyHex, nostr: nsec, list: [{ password: "hunter22" }] }, "more");
  log.info({ quoted: JSON.stringify({ passphrase }) }, "escaped form");
  return sink.text();
}

describe("logger redaction", () => {
  for (const json of [true, false]) {
    it(`keeps every secret out of ${json ? "JSON lines" : "human-readable lines"}`, () => {
      const output = logEverything(json);
      expect(output).toContain("kept");
      expect(output).toContain(REDACTED);
      for (const secret of [mnemonic, passphrase, privateKeyHex, nsec, "hunter22"]) {
        expect(output).not.toContain(secret);
      }
      const words = mnemonic.split(" ");
      for (let start = 0; start + 12 <= words.length; start++) {
        expect(output).not.toContain(words.slice(start, start + 12).join(" "));
      }
      expect(output).not.toContain("horse");
    });
  }

  it("writes one JSON object per line in JSON mode", () => {
    const lines = logEverything(true).trim().split("\n");
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(lines[0] as string)).toMatchObject({ level: 30, msg: `loaded ${REDACTED}` });
  });

  it("leaves ordinary prose and short word runs alone", () => {
    const redactor = createRedactor();
    const prose = "bid accepted from provider akash1xyz at 348 uact per block after 3 bids";
    expect(redactor.text(prose)).toBe(prose);
    const eleven = mnemonic.split(" ").slice(0, 11).join(" ");
    expect(redactor.text(eleven)).toBe(eleven);
  });
});

describe("redactor values", () => {
  it("logs an object by its own JSON form, so a wrapped secret shows its marker", () => {
    const wrapped = { toJSON: () => REDACTED, reveal: () => "s3cret-value" };
    const redactor = createRedactor();
    expect(redactor.value({ key: wrapped, at: new Date(0) })).toEqual({
      key: REDACTED,
      at: "1970-01-01T00:00:00.000Z",
    });
  });
});
