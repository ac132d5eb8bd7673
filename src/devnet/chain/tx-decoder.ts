import { PubKey } from "@akashnetwork/chain-sdk/private-types/cosmos.secp256k1";
import { AuthInfo, TxBody, TxRaw } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { addressFromPubKey, isAkashAddress } from "./addresses.js";
import { SdkErrors } from "./chain-errors.js";
import type { MsgHandler } from "./msg-handler.js";

export const SIGN_MODE_UNSPECIFIED = 0;
export const SIGN_MODE_DIRECT = 1;
const SECP256K1_PUBKEY_URL = "/cosmos.crypto.secp256k1.PubKey";
const MAX_MEMO_CHARACTERS = 256;

export interface DecodedMessage {
  readonly handler: MsgHandler;
  readonly message: unknown;
  readonly signer: string;
}

export interface DecodedTx {
  readonly bytes: Uint8Array;
  readonly bodyBytes: Uint8Array;
  readonly authInfoBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly messages: readonly DecodedMessage[];
  readonly memo: string;
  readonly timeoutHeight: bigint;
  readonly pubKey: Uint8Array;
  readonly signerAddress: string;
  readonly signMode: number;
  readonly sequence: bigint;
  readonly gasLimit: bigint;
  readonly fee: readonly { denom: string; amount: bigint }[];
  /** Fee.granter: the account whose feegrant allowance pays the fee (empty: none). */
  readonly feeGranter: string;
}

function decodeOrThrow<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    throw SdkErrors.txDecode.wrap(`failed to decode ${what}: ${(error as Error).message}`);
  }
}

/**
 * Decodes a broadcast TxRaw (or a Simulate request's Tx, same field layout) and runs the stateless checks of
 * the SDK ante chain: known message types, ValidateBasic, memo size, one secp256k1 signer that signs every
 * message.
 */
export function decodeTx(bytes: Uint8Array, lookup: (typeUrl: string) => MsgHandler | undefined): DecodedTx {
  const raw = decodeOrThrow("tx", () => TxRaw.decode(bytes));
  const body = decodeOrThrow("tx body", () => TxBody.decode(raw.bodyBytes));
  const authInfo = decodeOrThrow("auth info", () => AuthInfo.decode(raw.authInfoBytes));

  if (body.messages.length === 0) throw SdkErrors.invalidRequest.wrap("must contain at least one message");
  const messages = body.messages.map((any) => {
    const handler = lookup(any.typeUrl);
    if (!handler) throw SdkErrors.txDecode.wrap(`unable to resolve type URL ${any.typeUrl}`);
    const message = decodeOrThrow(any.typeUrl, () => handler.decode(any.value));
    return { handler, message, signer: handler.signer(message) };
  });
  for (const { handler, message } of messages) handler.validateBasic(message);

  if (body.memo.length > MAX_MEMO_CHARACTERS) {
    throw SdkErrors.memoTooLarge.wrap(
      `maximum number of characters is ${MAX_MEMO_CHARACTERS} but received ${body.memo.length} characters`,
    );
  }
  if (authInfo.signerInfos.length === 0 || raw.signatures.length === 0) throw SdkErrors.noSignatures();
  if (authInfo.signerInfos.length !== 1 || raw.signatures.length !== 1) {
    throw SdkErrors.unauthorized.wrap(
      `wrong number of signers; expected 1, got ${authInfo.signerInfos.length} signer infos and ${raw.signatures.length} signatures`,
    );
  }
  const signerInfo = authInfo.signerInfos[0]!;
  const publicKey = signerInfo.publicKey;
  if (!publicKey) throw SdkErrors.invalidPubKey.wrap("pubkey on signer info is nil");
  if (publicKey.typeUrl !== SECP256K1_PUBKEY_URL) {
    throw SdkErrors.invalidPubKey.wrap(`unsupported public key type ${publicKey.typeUrl}`);
  }
  const pubKey = decodeOrThrow("public key", () => PubKey.decode(publicKey.value)).key;
  if (pubKey.length !== 33)
    throw SdkErrors.invalidPubKey.wrap(`invalid secp256k1 public key length ${pubKey.length}`);
  const signerAddress = addressFromPubKey(pubKey);
  for (const { signer } of messages) {
    if (signer !== signerAddress) {
      throw SdkErrors.invalidPubKey.wrap(
        `pubKey does not match signer address ${signer} with signer index: 0`,
      );
    }
  }
  // Fee.payer is a signer of the tx; with one signer it can only be that signer.
  const feePayer = authInfo.fee?.payer ?? "";
  if (feePayer && feePayer !== signerAddress) {
    throw SdkErrors.unauthorized.wrap(
      `wrong number of signers; expected 2, got 1 (fee payer ${feePayer} must sign the tx)`,
    );
  }
  const feeGranter = authInfo.fee?.granter ?? "";
  if (feeGranter && !isAkashAddress(feeGranter))
    throw SdkErrors.invalidAddress.wrap(`invalid fee granter address ${feeGranter}`);
  const fee = (authInfo.fee?.amount ?? []).map((c) => {
    if (!/^\d+$/.test(c.amount)) throw SdkErrors.invalidCoins.wrap(`fee ${c.amount}${c.denom}`);
    return { denom: c.denom, amount: BigInt(c.amount) };
  });

  return {
    bytes,
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    signature: raw.signatures[0]!,
    messages,
    memo: body.memo,
    timeoutHeight: BigInt(body.timeoutHeight.toString()),
    pubKey,
    signerAddress,
    signMode: signerInfo.modeInfo?.single?.mode ?? -1,
    sequence: BigInt(signerInfo.sequence.toString()),
    gasLimit: BigInt((authInfo.fee?.gasLimit ?? 0).toString()),
    fee,
    feeGranter,
  };
}
