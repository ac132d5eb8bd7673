/**
 * Activation benchmark: how long the leader takes to activate an instance over loopback HTTP (GET the
 * offer, seal, NIP-98-sign, POST; the instance checks, decrypts, derives the keys, records, signs the
 * acknowledgement), for store images of several sizes, and the seal and open steps alone. Prints
 * figures; asserts nothing.
 *
 *   npx tsx bench/activation-speed.ts            (SIZES_MIB=1,8,32 RUNS=3 by default)
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../src/logging/index.js";
import {
  ACTIVATION_RECORD_FILE,
  ActivationEndpoint,
  type ActivationPackage,
  activateInstance,
  EphemeralActivationKey,
  sealActivationPackage,
} from "../src/services/activation/index.js";
import { AgentKeys, EnvKeystore, generateMnemonic, secretBytes } from "../src/services/keys/index.js";
import { encodeKeystorePlaintext } from "../src/services/keys/keystore-codec.js";

const SIZES_MIB = (process.env.SIZES_MIB ?? "1,8,32").split(",").map(Number);
const RUNS = Number(process.env.RUNS ?? 3);
const NONCE = "bench-nonce";

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const contents = await new EnvKeystore({ env: { AGENT_MNEMONIC: generateMnemonic().reveal() } }).load();
const keys = AgentKeys.fromContents(contents);
const { agentId, akash: owner } = keys.identity;

function packageOf(store: Uint8Array, generation: number): ActivationPackage {
  return {
    agentId,
    nonce: NONCE,
    generation,
    keystore: secretBytes(encodeKeystorePlaintext(contents)),
    store,
    settings: {},
  };
}

async function loopbackActivation(store: Uint8Array): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-activation-"));
  const endpoint = new ActivationEndpoint({
    expected: { agentId, nonce: NONCE, owner, dseq: "1" },
    ephemeral: EphemeralActivationKey.generate(),
    recordPath: join(dataDir, ACTIVATION_RECORD_FILE),
    onActivated: async () => {},
    logger: createLogger({ level: "silent" }),
  });
  const server = createServer((req, res) => void endpoint.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const started = performance.now();
    await activateInstance({
      url,
      keys,
      expected: { agentId, nonce: NONCE },
      build: async () => packageOf(store, 1),
    });
    return performance.now() - started;
  } finally {
    server.closeAllConnections();
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function seal(store: Uint8Array): { sealMs: number; bodyMiB: number } {
  const ephemeral = EphemeralActivationKey.generate();
  const started = performance.now();
  const sealed = sealActivationPackage(
    packageOf(store, 1),
    keys.nostrKey().privateKey,
    ephemeral.publicKeyHex,
  );
  const body = JSON.stringify(sealed);
  return { sealMs: performance.now() - started, bodyMiB: Buffer.byteLength(body) / 2 ** 20 };
}

console.log(`activation over loopback, median of ${RUNS} runs (keys derived on both sides, record fsynced)`);
console.log("store MiB | body MiB | seal ms | loopback activation ms | MiB/s");
for (const mib of SIZES_MIB) {
  const store = randomBytes(mib * 2 ** 20);
  const sealed = seal(store);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) times.push(await loopbackActivation(store));
  const ms = median(times);
  console.log(
    `${String(mib).padStart(9)} | ${sealed.bodyMiB.toFixed(1).padStart(8)} | ${sealed.sealMs.toFixed(0).padStart(7)} | ` +
      `${ms.toFixed(0).padStart(22)} | ${(mib / (ms / 1000)).toFixed(1).padStart(5)}`,
  );
}
