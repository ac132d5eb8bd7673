import { toBase64, toHex } from "@cosmjs/encoding";
import type { BlockRecord, TxResultRecord } from "../chain/chain.js";
import type { AbciEvent } from "../chain/events.js";

/** CometBFT JSON conventions: uppercase hex hashes, base64 payloads, RFC 3339 times with nanoseconds. */
export const hex = (bytes: Uint8Array | null | undefined) => (bytes ? toHex(bytes).toUpperCase() : "");

export function rfc3339Nano(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

export interface ValidatorIdentity {
  readonly address: Uint8Array;
  readonly pubKey: Uint8Array;
  readonly nodeId: string;
  readonly moniker: string;
}

export function eventsJson(events: readonly AbciEvent[]) {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
  }));
}

/** ExecTxResult, serialised as 0.38 does (EmitDefaults: every field present, ints as strings where 64-bit). */
export function txResultJson(result: TxResultRecord) {
  return {
    code: result.code,
    data: result.data.length > 0 ? toBase64(result.data) : null,
    log: result.log,
    info: "",
    gas_wanted: result.gasWanted.toString(),
    gas_used: result.gasUsed.toString(),
    events: eventsJson(result.events),
    codespace: result.codespace,
  };
}

export function txJson(result: TxResultRecord) {
  return {
    hash: hex(result.hash),
    height: result.height.toString(),
    index: result.index,
    tx_result: txResultJson(result),
    tx: toBase64(result.tx),
  };
}

function blockId(hash: Uint8Array | null) {
  if (!hash) return { hash: "", parts: { total: 0, hash: "" } };
  return { hash: hex(hash), parts: { total: 1, hash: hex(hash.slice().reverse()) } };
}

export function blockJson(
  block: BlockRecord,
  previous: BlockRecord | undefined,
  validator: ValidatorIdentity,
  chainId: string,
) {
  const validatorsHash = hex(validator.pubKey);
  const lastCommit = previous
    ? {
        height: previous.height.toString(),
        round: 0,
        block_id: blockId(previous.hash),
        signatures: [
          {
            block_id_flag: 2,
            validator_address: hex(validator.address),
            timestamp: rfc3339Nano(block.time),
            signature: toBase64(new Uint8Array([...previous.hash, ...previous.hash])),
          },
        ],
      }
    : { height: "0", round: 0, block_id: blockId(null), signatures: [] };
  return {
    block_id: blockId(block.hash),
    block: {
      header: {
        version: { block: "11", app: "0" },
        chain_id: chainId,
        height: block.height.toString(),
        time: rfc3339Nano(block.time),
        last_block_id: blockId(block.lastBlockHash),
        last_commit_hash: previous ? hex(previous.hash) : "",
        data_hash: hex(block.dataHash),
        validators_hash: validatorsHash,
        next_validators_hash: validatorsHash,
        consensus_hash: validatorsHash,
        app_hash: hex(previous?.appHash ?? block.appHash),
        last_results_hash: "",
        evidence_hash: "",
        proposer_address: hex(validator.address),
      },
      data: { txs: block.txs.map((t) => toBase64(t)) },
      evidence: { evidence: [] },
      last_commit: lastCommit,
    },
  };
}
