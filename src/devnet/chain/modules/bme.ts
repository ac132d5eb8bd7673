import {
  EventLedgerRecordExecuted,
  MsgBurnACT,
  MsgBurnACTResponse,
  MsgMintACT,
  MsgMintACTResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { isAkashAddress, MODULE_ADDRESSES } from "../addresses.js";
import type { EndBlockContext } from "../chain.js";
import { BmeErrors, SdkErrors } from "../chain-errors.js";
import type { LedgerRecordEntry } from "../chain-state.js";
import { DEC_ONE, decToString } from "../decimal.js";
import { defineHandler, type MsgContext, partial } from "../msg-handler.js";
import { sendCoins, subtractCoins } from "./bank.js";

/** akash.bme.v1.LedgerRecordStatus */
export const LedgerStatus = { pending: 1, executed: 2 } as const;

export const ledgerKey = (r: {
  denom: string;
  toDenom: string;
  source: string;
  height: bigint;
  sequence: bigint;
}) => `${r.height}/${r.sequence}/${r.source}/${r.denom}/${r.toDenom}`;

interface BurnMintMessage {
  owner: string;
  to: string;
  coinsToBurn?: { denom: string; amount: string } | undefined;
}

function validateBurnMint(msg: BurnMintMessage): void {
  if (!isAkashAddress(msg.owner)) throw SdkErrors.invalidAddress.wrap("invalid owner address");
  if (!isAkashAddress(msg.to)) throw SdkErrors.invalidAddress.wrap("invalid to address");
  if (msg.owner !== msg.to) throw BmeErrors.unauthorized.wrap("owner and to addresses must match");
  const coin = msg.coinsToBurn;
  if (!coin?.denom || !/^\d+$/.test(coin.amount)) throw SdkErrors.invalidCoins.wrap("coins to burn");
  if (BigInt(coin.amount) === 0n) throw BmeErrors.invalidAmount();
}

/** RequestBurnMint: burns now, records a pending ledger entry that the epoch EndBlocker settles. */
function requestBurnMint(ctx: MsgContext, msg: BurnMintMessage, from: string, to: string): LedgerRecordEntry {
  const coin = msg.coinsToBurn!;
  if (coin.denom !== from) throw BmeErrors.invalidDenom.wrap(`invalid swap route ${coin.denom} -> ${to}`);
  const amount = BigInt(coin.amount);
  sendCoins(ctx.state, msg.owner, MODULE_ADDRESSES.bme, [{ denom: from, amount }], ctx.events);
  let sequence = 1n;
  for (const record of ctx.state.ledger.values()) if (record.height === ctx.height) sequence += 1n;
  const record: LedgerRecordEntry = {
    owner: msg.owner,
    to: msg.to,
    denom: from,
    toDenom: to,
    height: ctx.height,
    sequence,
    burned: amount,
    status: LedgerStatus.pending,
  };
  ctx.state.ledger.set(ledgerKey({ ...record, source: record.owner }), record);
  return record;
}

const responseId = (r: LedgerRecordEntry) => ({
  id: {
    denom: r.denom,
    toDenom: r.toDenom,
    source: r.owner,
    height: r.height.toString(),
    sequence: r.sequence.toString(),
  },
});

export const bmeHandlers = [
  defineHandler({
    codec: MsgMintACT,
    responseCodec: MsgMintACTResponse,
    module: "bme",
    gas: 60_000,
    signer: (msg) => msg.owner,
    validateBasic: validateBurnMint,
    execute: (ctx, msg) => partial(MsgMintACTResponse, responseId(requestBurnMint(ctx, msg, "uakt", "uact"))),
  }),
  defineHandler({
    codec: MsgBurnACT,
    responseCodec: MsgBurnACTResponse,
    module: "bme",
    gas: 60_000,
    signer: (msg) => msg.owner,
    validateBasic: validateBurnMint,
    execute: (ctx, msg) => partial(MsgBurnACTResponse, responseId(requestBurnMint(ctx, msg, "uact", "uakt"))),
  }),
];

/** BME EndBlocker: at each mint epoch boundary, pending records mint at the oracle price. */
export function bmeEndBlocker(ctx: EndBlockContext): void {
  const { params } = ctx.state;
  if (ctx.height % params.bmeMinEpochBlocks !== 0n) return;
  const spread = BigInt(params.bmeMintSpreadBps);
  for (const [key, record] of ctx.state.ledger) {
    if (record.status !== LedgerStatus.pending || record.height >= ctx.height) continue;
    const price = record.denom === "uakt" ? params.aktPriceUsd : (DEC_ONE * DEC_ONE) / params.aktPriceUsd;
    const gross = (record.burned * price) / DEC_ONE;
    const minted = gross - (gross * spread) / 10_000n;
    if (record.denom === "uakt") {
      ctx.state.vault = {
        ...ctx.state.vault,
        burnedUakt: ctx.state.vault.burnedUakt + record.burned,
        balanceUakt: ctx.state.vault.balanceUakt + record.burned,
        mintedUact: ctx.state.vault.mintedUact + minted,
      };
    } else {
      ctx.state.vault = { ...ctx.state.vault, balanceUakt: ctx.state.vault.balanceUakt - minted };
    }
    subtractCoins(ctx.state, MODULE_ADDRESSES.bme, [{ denom: record.denom, amount: record.burned }]);
    ctx.state.credit(record.to, record.toDenom, minted);
    const executed = { ...record, status: LedgerStatus.executed, minted, price, executedAt: ctx.height };
    ctx.state.ledger.set(key, executed);
    ctx.events.emitTyped(
      EventLedgerRecordExecuted,
      EventLedgerRecordExecuted.fromPartial({
        id: responseId(record).id,
      }),
    );
    ctx.events.emit("coinbase", {
      minter: MODULE_ADDRESSES.bme,
      amount: `${minted}${record.toDenom}`,
      price: decToString(price),
    });
  }
}
