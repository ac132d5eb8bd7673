import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ArweaveSigner, bundleAndSignData, DataItem } from "@dha-team/arbundles";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchVerifiedItem, signDataItem } from "../../src/services/backup/arweave-gateway.js";
import {
  BackupError,
  type BackupHeader,
  BackupRefusedError,
  inspectExport,
  openBackup,
  sealBackup,
} from "../../src/services/backup/index.js";
import { agentStoreImage } from "../support/activation-fixtures.js";
import { type BackupIdentity, newBackupIdentity } from "../support/backup-fixtures.js";
import {
  expectNoSecretIn,
  fuzzParameters,
  fuzzTimeout,
  mnemonicSpellings,
  withinMs,
} from "../support/input-fuzz.js";

/**
 * Backups as a restore meets them, damaged in every way fuzzing finds: sealed envelopes with bytes
 * flipped, cut or added and headers rewritten; envelopes sealed with the right key around damaged or
 * foreign store images; ANS-104 bundles from the gateway with bytes changed. Each is opened, or refused
 * with a BackupRefusedError/BackupError that says why, never another error, never a secret.
 */
let identity: BackupIdentity;
let secrets: string[] = [];
let image: Buffer;
let header: BackupHeader;
let sealed: Buffer;
let bundleRaw: Buffer;
let itemId = "";
let served: Buffer = Buffer.alloc(0);
let server: Server;
let gateway = "";

beforeAll(async () => {
  identity = await newBackupIdentity();
  secrets = [
    ...mnemonicSpellings(identity.mnemonic),
    Buffer.from(identity.keys.encryptionKey(0).reveal()).toString("hex"),
    identity.jwk.reveal().d as string,
  ];
  image = agentStoreImage();
  header = {
    v: 1,
    agentId: identity.keys.identity.agentId,
    seq: 3,
    encryptionIndex: 0,
    keyIndices: { akash: 0, evm: 0, nostr: 0, encryption: 0 },
    createdAt: 1_700_000_000_000,
    rawBytes: image.length,
  };
  sealed = sealBackup(image, header, identity.keys.encryptionKey(0));
  const item = await signDataItem(
    Buffer.from("a small sealed backup"),
    [{ name: "Agent-Id", value: header.agentId }],
    identity.jwk,
  );
  itemId = item.id;
  const signed = new DataItem(item.raw);
  // As postDataItem does: the bundle header takes the id from rawId, which a parsed item computes on demand.
  signed.rawId = Buffer.from(signed.rawId);
  const bundle = await bundleAndSignData([signed], new ArweaveSigner({ ...identity.jwk.reveal() }));
  bundleRaw = Buffer.from(bundle.getRaw());
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.end(served);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** A change to bytes: flip some, cut the end, add to it, or overwrite a run. */
const damage = fc.oneof(
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 })
    .map((flips) => ({ kind: "flip" as const, flips })),
  fc.nat().map((at) => ({ kind: "cut" as const, at })),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((extra) => ({ kind: "add" as const, extra })),
  fc
    .tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 32 }))
    .map(([at, run]) => ({ kind: "overwrite" as const, at, run })),
);
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

function damaged(bytes: Buffer, how: Damage): Buffer {
  const copy = Buffer.from(bytes);
  switch (how.kind) {
    case "flip":
      for (const [at, xor] of how.flips) copy[at % copy.length] = (copy[at % copy.length] as number) ^ xor;
      return copy;
    case "cut":
      return copy.subarray(0, how.at % copy.length);
    case "add":
      return Buffer.concat([copy, Buffer.from(how.extra)]);
    case "overwrite": {
      const at = how.at % copy.length;
      Buffer.from(how.run).copy(copy, at);
      return copy;
    }
  }
}

function expectRefusal(error: unknown, classes: Array<new (...args: never[]) => Error>): void {
  if (!classes.some((type) => error instanceof type)) throw error;
  expect((error as Error).message.length).toBeGreaterThan(0);
  expectNoSecretIn((error as Error).message, secrets, "a backup refusal");
}

describe("fuzzing backups on the restore path", () => {
  it("refuses every changed sealed backup with a BackupRefusedError, and opens only the original", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    fc.assert(
      fc.property(damage, (how) => {
        const bytes = damaged(sealed, how);
        try {
          const { plain } = openBackup(bytes, identity.keys.encryptionKey(0));
          // Only an unchanged envelope opens (a flip that changes nothing, an overwrite with the same bytes).
          expect(bytes.equals(sealed)).toBe(true);
          expect(plain.equals(image)).toBe(true);
        } catch (error) {
          expectRefusal(error, [BackupRefusedError]);
        }
      }),
      fuzzParameters(200),
    );
  });

  it("refuses an envelope whose header is rewritten (any JSON, any declared length)", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
          fc
            .record({
              ...Object.fromEntries(Object.entries(header).map(([k, v]) => [k, fc.constant(v)])),
              seq: fc.integer(),
              rawBytes: fc.integer(),
            })
            .map((value) => JSON.stringify(value)),
          fc.string({ maxLength: 50 }),
        ),
        fc.option(fc.nat({ max: 0xffffffff }), { nil: undefined }),
        (headerText, declared) => {
          const length = Buffer.alloc(4);
          const json = Buffer.from(headerText, "utf8");
          length.writeUInt32BE(declared ?? json.length);
          const originalLength = sealed.readUInt32BE(8);
          const bytes = Buffer.concat([
            sealed.subarray(0, 8),
            length,
            json,
            sealed.subarray(12 + originalLength),
          ]);
          try {
            openBackup(bytes, identity.keys.encryptionKey(0));
            expect(bytes.equals(sealed)).toBe(true);
          } catch (error) {
            expectRefusal(error, [BackupRefusedError]);
          }
        },
      ),
      fuzzParameters(200),
    );
  });

  it("refuses a sealed store image that is damaged or not an agent store, naming why", {
    timeout: fuzzTimeout(30_000),
  }, () => {
    let read = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 4, arbitrary: damage.map((how) => damaged(image, how)) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)) },
        ),
        (plain) => {
          const envelope = sealBackup(
            plain,
            { ...header, rawBytes: plain.length },
            identity.keys.encryptionKey(0),
          );
          try {
            const opened = openBackup(envelope, identity.keys.encryptionKey(0));
            const summary = inspectExport(opened.plain);
            read += 1;
            expect(summary.snapshots).toBeGreaterThan(0);
          } catch (error) {
            expectRefusal(error, [BackupRefusedError]);
          }
        },
      ),
      fuzzParameters(120),
    );
    // Flips in unused pages leave a readable store: the runs did reach the reading, not only refusals.
    expect(read).toBeGreaterThan(0);
  });

  it("takes a data item out of a changed gateway bundle only when it still verifies, else refuses", {
    timeout: fuzzTimeout(60_000),
  }, async () => {
    // The unchanged bundle is read: the refusals below are the damage's doing.
    served = bundleRaw;
    expect((await fetchVerifiedItem(gateway, "bundle-1", itemId)).data.toString()).toBe(
      "a small sealed backup",
    );
    await fc.assert(
      fc.asyncProperty(damage, async (how) => {
        served = damaged(bundleRaw, how);
        try {
          const item = await withinMs(5_000, "fetchVerifiedItem", () =>
            fetchVerifiedItem(gateway, "bundle-1", itemId),
          );
          expect(item.id).toBe(itemId);
          expect(item.data.toString()).toBe("a small sealed backup");
        } catch (error) {
          expectRefusal(error, [BackupRefusedError, BackupError]);
        }
      }),
      fuzzParameters(100),
    );
  });
});
