import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { HDNodeWallet } from "ethers";
import { nip19 } from "nostr-tools";
import { privateKeyFromSeedWords } from "nostr-tools/nip06";
import { getPublicKey } from "nostr-tools/pure";
import { describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../../support/run-cli.js";
import { hasScript, TerminalSession } from "../support/run-cli-terminal.js";

// Each command runs scrypt (N = 2^17) and init generates an RSA-4096 Arweave key: slow on a busy machine.
const SLOW = { timeout: 480_000 };

const TWELVE = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const TWENTY_FOUR =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon " +
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";

const PASSPHRASE = "key custody e2e passphrase";
const env = { AGENT_PASSPHRASE: PASSPHRASE };

const dataDir = () => mkdtempSync(join(tmpdir(), "agent-keys-"));

let twelveKeystore: Promise<string> | undefined;

/** A data directory holding a keystore of TWELVE under PASSPHRASE (made once, then copied: init is slow). */
async function dataWithTwelve(): Promise<string> {
  twelveKeystore ??= (async () => {
    const source = dataDir();
    const made = await runCli(["init", "--import", "--data", source], env, 120_000, TWELVE);
    if (made.code !== 0) throw new Error(`init --import failed: ${made.stderr}`);
    return join(source, "keystore.json");
  })();
  const keystore = await twelveKeystore;
  const data = dataDir();
  copyFileSync(keystore, join(data, "keystore.json"));
  return data;
}

/** What cosmjs, ethers and nostr-tools derive from the words at DESIGN §6's paths, account 0. */
async function standardWallets(mnemonic: string) {
  const cosmos = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, {
    hdPaths: [stringToPath("m/44'/118'/0'/0/0")],
    prefix: "akash",
  });
  const [account] = await cosmos.getAccounts();
  const nostrPubkey = getPublicKey(privateKeyFromSeedWords(mnemonic));
  return {
    akash: account?.address,
    evm: HDNodeWallet.fromPhrase(mnemonic, undefined, "m/44'/60'/0'/0/0").address,
    nostrPubkey,
    npub: nip19.npubEncode(nostrPubkey),
  };
}

/** Every run of three consecutive words of a phrase: no output may contain one. */
function wordRuns(mnemonic: string): string[] {
  const words = mnemonic.split(" ");
  return words.slice(0, -2).map((_, i) => words.slice(i, i + 3).join(" "));
}

function expectNoPhrase(text: string, mnemonic: string): void {
  for (const run of wordRuns(mnemonic)) expect(text).not.toContain(run);
}

function outputOf(result: CliResult): string {
  return `${result.stdout}${result.stderr}`;
}

/** Every file under the data directory except the encrypted keystores, as text. */
function plainFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"));
}

describe("init --import", SLOW, () => {
  it.each([
    ["12", TWELVE],
    ["24", TWENTY_FOUR],
  ])(
    "derives from %s known words the addresses cosmjs, ethers and nostr-tools derive",
    async (_, mnemonic) => {
      const data = dataDir();
      const imported = await runCli(
        ["init", "--import", "--json", "--data", data, "--log-level", "trace"],
        env,
        120_000,
        `  ${mnemonic.toUpperCase().replaceAll(" ", "  \n")}\n`,
      );
      expect(imported.stderr).not.toMatch(/^akash-agent:/m);
      expect(imported.code).toBe(0);
      const identity = JSON.parse(imported.stdout);
      expect(identity).toMatchObject(await standardWallets(mnemonic));
      expect(identity.arweave).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(imported.stderr).toContain("does not derive from the recovery words; a new one was generated");
      expect(imported.stderr).toContain("the backups do not carry it");

      const shown = await runCli(["keys", "show", "--json", "--data", data], env);
      expect(JSON.parse(shown.stdout)).toMatchObject(await standardWallets(mnemonic));

      for (const result of [imported, shown]) expectNoPhrase(outputOf(result), mnemonic);
      const keystore = readFileSync(join(data, "keystore.json"), "utf8");
      expect(keystore).not.toContain("abandon");
      expect(keystore).not.toContain("legal winner");
    },
  );

  it("refuses bad words, bad checksums and wrong lengths by position or count, writing nothing", async () => {
    const data = dataDir();
    const words = TWENTY_FOUR.split(" ");
    const cases: [string, string][] = [
      [
        [...words.slice(0, 6), "abandun", ...words.slice(7)].join(" "),
        "the mnemonic on standard input: word 7 of 24 is not in the BIP39 English word list; check its spelling",
      ],
      [
        [...words.slice(0, 23), "zoo"].join(" "),
        "the mnemonic on standard input fails the BIP39 checksum: every word is in the list, but one is wrong or " +
          "two are swapped; word 24 carries the checksum, so check it first, then the others against your backup",
      ],
      [
        words.slice(0, 18).join(" "),
        "the mnemonic on standard input has 18 words; a BIP39 English mnemonic of 12 or 24 words is accepted: " +
          "check for a missing, extra or run-together word",
      ],
      ["", "init --import found no words on standard input"],
    ];
    for (const [input, message] of cases) {
      const refused = await runCli(["init", "--import", "--data", data], env, 60_000, input);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toContain(`akash-agent: ${message}`);
      expect(refused.stdout).toBe("");
      expectNoPhrase(outputOf(refused), TWENTY_FOUR);
      expect(refused.stderr).not.toContain("abandun");
    }
    expect(readdirSync(data)).toEqual([]);
  });
});

describe("keys export-mnemonic and keys passwd", SLOW, () => {
  it("export refuses a pipe, --force writes the words there, and passwd changes the passphrase", async () => {
    const data = dataDir();
    const created = await runCli(
      ["init", "--data", data, "--no-confirm", "--log-level", "trace"],
      env,
      120_000,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(
      "The recovery words were not shown (--no-confirm): before funding the agent, write them down with " +
        "`akash-agent keys export-mnemonic` on a terminal.",
    );
    expect(created.stdout).toContain("the backups do not carry it: it is only in the keystore file");

    const piped = await runCli(["keys", "export-mnemonic", "--data", data], env);
    expect(piped.code).toBe(2);
    expect(piped.stdout).toBe("");
    expect(piped.stderr.trim()).toBe(
      "akash-agent: keys export-mnemonic: standard output is not a terminal (it is piped or redirected), so the " +
        "recovery words would land in a pipe, a file or a log: run it on a terminal, or pass --force if you mean " +
        "to write them there",
    );

    const forced = await runCli(["keys", "export-mnemonic", "--force", "--data", data], env);
    expect(forced.code).toBe(0);
    const mnemonic = forced.stdout.trim();
    expect(mnemonic.split(" ")).toHaveLength(24);
    expect(forced.stderr).toContain("delete any file that holds them");
    expectNoPhrase(forced.stderr, mnemonic);

    // The exported words restore the same identity in a new keystore.
    const shown = await runCli(["keys", "show", "--json", "--data", data], env);
    const restoredData = dataDir();
    const restored = await runCli(
      ["init", "--import", "--json", "--data", restoredData],
      env,
      120_000,
      mnemonic,
    );
    const { keystore: _k, arweave: _a, ...restoredIdentity } = JSON.parse(restored.stdout);
    expect(restoredIdentity).toEqual(JSON.parse(shown.stdout));

    const NEW = "the new passphrase";
    const changed = await runCli(["keys", "passwd", "--data", data, "--json", "--log-level", "trace"], {
      ...env,
      AGENT_NEW_PASSPHRASE: NEW,
    });
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout)).toEqual({ keystore: join(data, "keystore.json"), backup: null });
    expect(readdirSync(data)).toEqual(["keystore.json"]);
    const withNew = await runCli(["keys", "show", "--json", "--data", data], { AGENT_PASSPHRASE: NEW });
    expect(withNew.stdout).toBe(shown.stdout);
    const withOld = await runCli(["keys", "show", "--data", data], env);
    expect(withOld.code).toBe(1);

    const noNew = await runCli(["keys", "passwd", "--data", data], { AGENT_PASSPHRASE: NEW });
    expect(noNew.code).toBe(2);
    expect(noNew.stderr.trim()).toBe(
      "akash-agent: no new keystore passphrase: set AGENT_NEW_PASSPHRASE (stdin is not a terminal to ask on)",
    );

    for (const result of [created, piped, shown, restored, changed, withNew, withOld, noNew]) {
      expectNoPhrase(outputOf(result), mnemonic);
      expect(outputOf(result)).not.toContain(PASSPHRASE);
      expect(outputOf(result)).not.toContain(NEW);
    }
    for (const dir of [data, restoredData]) {
      for (const text of plainFiles(dir)) expectNoPhrase(text, mnemonic);
    }
  });

  it("refuses to export or re-encrypt the development AGENT_MNEMONIC", async () => {
    for (const args of [
      ["keys", "export-mnemonic", "--force"],
      ["keys", "passwd"],
    ]) {
      const result = await runCli(args, { AGENT_MNEMONIC: TWENTY_FOUR });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("AGENT_MNEMONIC (the development keystore)");
      expectNoPhrase(outputOf(result), TWENTY_FOUR);
    }
  });

  it.each([
    ["written", "old", PASSPHRASE],
    ["backed-up", "old", PASSPHRASE],
    ["replaced", "new", "after the crash"],
  ])("passwd killed after %s leaves a keystore that opens with the %s passphrase", async (step, _, opens) => {
    const data = await dataWithTwelve();
    const crashed = await runCli(["keys", "passwd", "--data", data], {
      ...env,
      AGENT_NEW_PASSPHRASE: "after the crash",
      AKASH_AGENT_KEYSTORE_CRASH_AT: step,
    });
    expect(crashed.signal).toBe("SIGKILL");
    const shown = await runCli(["keys", "show", "--json", "--data", data], { AGENT_PASSPHRASE: opens });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject(await standardWallets(TWELVE));
    const other = opens === PASSPHRASE ? "after the crash" : PASSPHRASE;
    expect((await runCli(["keys", "show", "--data", data], { AGENT_PASSPHRASE: other })).code).toBe(1);
    if (step === "replaced") {
      expect(readdirSync(data).filter((name) => name.endsWith(".bak"))).toHaveLength(1);
      return;
    }
    // Run again after the crash, it completes (the leftover temporary file is replaced).
    const again = await runCli(["keys", "passwd", "--data", data], {
      ...env,
      AGENT_NEW_PASSPHRASE: "after the crash",
    });
    expect(again.code).toBe(0);
    expect(readdirSync(data)).toEqual(["keystore.json"]);
    const reopened = await runCli(["keys", "show", "--json", "--data", data], {
      AGENT_PASSPHRASE: "after the crash",
    });
    expect(reopened.stdout).toBe(shown.stdout);
  });
});

describe.skipIf(!hasScript)("on a terminal (util-linux script)", SLOW, () => {
  it("init shows the words once, asks for three of them, and writes the keystore only once they match", async () => {
    const data = dataDir();
    const session = new TerminalSession(["init", "--data", data], env);
    const framed = await session.waitFor(/Press Enter once they are written down/);
    const words = [...session.output.matchAll(/(\d+)\. ([a-z]+)/g)].map((match) => match[2] ?? "");
    expect(words).toHaveLength(24);
    expect(session.output).toContain("RECOVERY WORDS: these 24 words are the agent's keys.");
    expect(existsSync(join(data, "keystore.json"))).toBe(false);
    session.type("\n");
    const asked = await session.waitFor(
      /Type words (\d+), (\d+), (\d+) of your 24 recovery words/,
      framed.end,
    );
    const positions = asked.match.slice(1, 4).map(Number);
    // One wrong answer: the words are shown again and three new positions asked.
    session.type(`${words[(positions[0] ?? 1) - 1] === "zoo" ? "abandon" : "zoo"}\nx\ny\n`);
    const again = await session.waitFor(/Press Enter once they are written down/, asked.end);
    session.type("\n");
    const second = await session.waitFor(/Type words (\d+), (\d+), (\d+) of your 24/, again.end);
    for (const position of second.match.slice(1, 4).map(Number)) session.type(`${words[position - 1]}\n`);
    expect(await session.close()).toBe(0);
    expect(session.output).toContain("The recovery words are confirmed.");
    expect(session.output).toContain("The recovery words are written down and confirmed");

    const exported = await runCli(["keys", "export-mnemonic", "--force", "--data", data], env);
    expect(exported.stdout.trim()).toBe(words.join(" "));
    for (const text of plainFiles(data)) expectNoPhrase(text, words.join(" "));
  });

  it("init gives up after three wrong rounds and writes no keystore", async () => {
    const data = dataDir();
    const session = new TerminalSession(["init", "--data", data], env);
    let from = 0;
    for (let round = 0; round < 3; round++) {
      from = (await session.waitFor(/Press Enter once they are written down/, from)).end;
      session.type("\n");
      from = (await session.waitFor(/Type words \d+, \d+, \d+/, from)).end;
      session.type("x\ny\nz\n");
    }
    expect(await session.close()).toBe(2);
    expect(session.output).toContain(
      "the recovery words were not confirmed after 3 tries, so no keystore was written",
    );
    expect(readdirSync(data)).toEqual([]);
  });

  it("init --import takes the words at a hidden prompt: the terminal never shows them", async () => {
    const data = dataDir();
    const session = new TerminalSession(["init", "--import", "--json", "--data", data], env);
    await session.waitFor(/Recovery words \(12 or 24, separated by spaces; not shown\): /);
    session.type(`${TWELVE}\n`);
    expect(await session.close()).toBe(0);
    expectNoPhrase(session.output, TWELVE);
    const json = session.output.slice(session.output.indexOf("{"), session.output.lastIndexOf("}") + 1);
    expect(JSON.parse(json)).toMatchObject(await standardWallets(TWELVE));
  });

  it("export-mnemonic asks for the passphrase again at the terminal, even with AGENT_PASSPHRASE set", async () => {
    const data = await dataWithTwelve();

    const wrong = new TerminalSession(["keys", "export-mnemonic", "--data", data], env);
    await wrong.waitFor(/Keystore passphrase: /);
    wrong.type("not the passphrase\n");
    expect(await wrong.close()).toBe(1);
    expect(wrong.output).toMatch(/cannot decrypt keystore at .*: wrong passphrase/);
    expectNoPhrase(wrong.output, TWELVE);

    const right = new TerminalSession(["keys", "export-mnemonic", "--data", data], env);
    await right.waitFor(/Keystore passphrase: /);
    right.type(`${PASSPHRASE}\n`);
    await right.waitFor(/Press Enter to clear the screen/);
    expect(right.output).toMatch(/1\. legal\s+2\. winner\s+3\. thank/);
    expect(right.output).toMatch(/10\. winner\s+11\. thank\s+12\. yellow/);
    expect(right.output).not.toContain(PASSPHRASE);
    right.type("\n");
    expect(await right.close()).toBe(0);
  });
});
