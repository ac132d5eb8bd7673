import { PubKey } from "@akashnetwork/chain-sdk/private-types/cosmos.secp256k1";
import {
  BaseAccount,
  GetBlockByHeightRequest,
  GetBlockByHeightResponse,
  GetLatestBlockRequest,
  GetLatestBlockResponse,
  GetNodeInfoRequest,
  GetNodeInfoResponse,
  GetSyncingRequest,
  GetSyncingResponse,
  GetTxRequest,
  GetTxResponse,
  QueryAccountInfoRequest,
  QueryAccountInfoResponse,
  QueryAccountRequest,
  QueryAccountResponse,
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySpendableBalanceByDenomRequest,
  QuerySpendableBalanceByDenomResponse,
  QuerySpendableBalancesRequest,
  QuerySpendableBalancesResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  SimulateRequest,
  SimulateResponse,
  Tx,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toHex } from "@cosmjs/encoding";
import { isAkashAddress } from "../../chain/addresses.js";
import type { BlockRecord, Chain } from "../../chain/chain.js";
import { ChainError, GrpcCode, QueryError } from "../../chain/chain-errors.js";
import type { AccountRecord } from "../../chain/chain-state.js";
import { type PageRequestLike, paginate } from "../pagination.js";
import type { QueryRouter } from "../query-router.js";

const MAX_UINT64 = "18446744073709551615";

function requireAddress(address: string): void {
  if (!address) throw new QueryError(GrpcCode.InvalidArgument, "empty address string is not allowed");
  if (!isAkashAddress(address)) throw new QueryError(GrpcCode.InvalidArgument, `invalid address ${address}`);
}

function baseAccountAny(account: AccountRecord) {
  const base = BaseAccount.fromPartial({
    address: account.address,
    pubKey: account.pubKey
      ? {
          typeUrl: "/cosmos.crypto.secp256k1.PubKey",
          value: PubKey.encode(PubKey.fromPartial({ key: account.pubKey })).finish(),
        }
      : undefined,
    accountNumber: account.accountNumber.toString(),
    sequence: account.sequence.toString(),
  });
  return { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(base).finish() };
}

function blockPartial(chain: Chain, block: BlockRecord, proposer: Uint8Array) {
  const blockId = { hash: block.hash, partSetHeader: { total: 1, hash: block.hash.slice().reverse() } };
  const header = {
    version: { block: "11", app: "0" },
    chainId: chain.chainId,
    height: block.height.toString(),
    time: block.time,
    lastBlockId: block.lastBlockHash
      ? {
          hash: block.lastBlockHash,
          partSetHeader: { total: 1, hash: block.lastBlockHash.slice().reverse() },
        }
      : undefined,
    dataHash: block.dataHash,
    appHash: block.appHash,
    proposerAddress: proposer,
  };
  return {
    blockId,
    block: { header, data: { txs: [...block.txs] }, evidence: { evidence: [] } },
    sdkBlock: {
      header: { ...header, proposerAddress: toHex(proposer) },
      data: { txs: [...block.txs] },
      evidence: { evidence: [] },
    },
  };
}

export function registerCosmosQueries(router: QueryRouter, chain: Chain, validatorAddress: Uint8Array): void {
  const account = (address: string) => {
    requireAddress(address);
    const found = chain.state.accounts.get(address);
    if (!found) throw new QueryError(GrpcCode.NotFound, `account ${address} not found`);
    return found;
  };
  // Nothing is vesting or locked on the devnet, so the spendable balances are all of them.
  const pagedBalances = (req: { address: string; pagination?: PageRequestLike }) => {
    requireAddress(req.address);
    const all = chain.state
      .balancesOf(req.address)
      .map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
    const page = paginate(all, req.pagination);
    return { balances: page.items, pagination: page.pagination };
  };

  router
    .add("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest, QueryAccountResponse, (req) => ({
      account: baseAccountAny(account(req.address)),
    }))
    .add(
      "/cosmos.auth.v1beta1.Query/AccountInfo",
      QueryAccountInfoRequest,
      QueryAccountInfoResponse,
      (req) => {
        const found = account(req.address);
        return {
          info: {
            address: found.address,
            pubKey: found.pubKey
              ? {
                  typeUrl: "/cosmos.crypto.secp256k1.PubKey",
                  value: PubKey.encode(PubKey.fromPartial({ key: found.pubKey })).finish(),
                }
              : undefined,
            accountNumber: found.accountNumber.toString(),
            sequence: found.sequence.toString(),
          },
        };
      },
    )
    .add("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest, QueryBalanceResponse, (req) => {
      requireAddress(req.address);
      if (!req.denom) throw new QueryError(GrpcCode.InvalidArgument, "invalid denom");
      return {
        balance: { denom: req.denom, amount: chain.state.balance(req.address, req.denom).toString() },
      };
    })
    .add(
      "/cosmos.bank.v1beta1.Query/AllBalances",
      QueryAllBalancesRequest,
      QueryAllBalancesResponse,
      pagedBalances,
    )
    .add(
      "/cosmos.bank.v1beta1.Query/SpendableBalances",
      QuerySpendableBalancesRequest,
      QuerySpendableBalancesResponse,
      pagedBalances,
    )
    .add(
      "/cosmos.bank.v1beta1.Query/SpendableBalanceByDenom",
      QuerySpendableBalanceByDenomRequest,
      QuerySpendableBalanceByDenomResponse,
      (req) => {
        requireAddress(req.address);
        return {
          balance: { denom: req.denom, amount: chain.state.balance(req.address, req.denom).toString() },
        };
      },
    )
    .add("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest, QuerySupplyOfResponse, (req) => {
      let total = 0n;
      const suffix = `\u0000${req.denom}`;
      for (const [key, amount] of chain.state.balances) if (key.endsWith(suffix)) total += amount;
      return { amount: { denom: req.denom, amount: total.toString() } };
    })
    .add("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest, SimulateResponse, (req) => {
      const bytes =
        req.txBytes.length > 0 ? req.txBytes : req.tx ? Tx.encode(req.tx).finish() : new Uint8Array();
      if (bytes.length === 0) throw new QueryError(GrpcCode.InvalidArgument, "empty txBytes is not allowed");
      try {
        const result = chain.simulate(bytes);
        return {
          gasInfo: { gasWanted: "0", gasUsed: result.gasUsed.toString() },
          result: {
            data: new Uint8Array(),
            log: "",
            events: result.events.map((e) => ({
              type: e.type,
              attributes: e.attributes.map((a) => ({ ...a })),
            })),
            msgResponses: result.msgResponses.map((r) => ({ typeUrl: r.typeUrl, value: r.value })),
          },
        };
      } catch (error) {
        if (error instanceof ChainError) {
          throw new QueryError(
            GrpcCode.Unknown,
            `${error.message} With gas wanted: '${MAX_UINT64}' and gas used: '0' `,
          );
        }
        throw error;
      }
    })
    .add("/cosmos.tx.v1beta1.Service/GetTx", GetTxRequest, GetTxResponse, (req) => {
      const result = chain.getTx(req.hash);
      if (!result) throw new QueryError(GrpcCode.NotFound, `tx not found: ${req.hash}`);
      return {
        tx: Tx.decode(result.tx),
        txResponse: {
          height: result.height.toString(),
          txhash: toHex(result.hash).toUpperCase(),
          codespace: result.codespace,
          code: result.code,
          data: toHex(result.data).toUpperCase(),
          rawLog: result.log,
          gasWanted: result.gasWanted.toString(),
          gasUsed: result.gasUsed.toString(),
          timestamp: chain.blockAt(result.height)?.time.toISOString() ?? "",
          events: result.events.map((e) => ({
            type: e.type,
            attributes: e.attributes.map((a) => ({ ...a })),
          })),
        },
      };
    })
    .add(
      "/cosmos.base.tendermint.v1beta1.Service/GetLatestBlock",
      GetLatestBlockRequest,
      GetLatestBlockResponse,
      () => blockPartial(chain, chain.latestBlock, validatorAddress),
    )
    .add(
      "/cosmos.base.tendermint.v1beta1.Service/GetBlockByHeight",
      GetBlockByHeightRequest,
      GetBlockByHeightResponse,
      (req) => {
        const height = BigInt(req.height.toString());
        const block = chain.blockAt(height);
        if (!block || height > chain.height) {
          throw new QueryError(
            GrpcCode.InvalidArgument,
            "requested block height is bigger then the chain length",
          );
        }
        return blockPartial(chain, block, validatorAddress);
      },
    )
    .add("/cosmos.base.tendermint.v1beta1.Service/GetSyncing", GetSyncingRequest, GetSyncingResponse, () => ({
      syncing: false,
    }))
    .add(
      "/cosmos.base.tendermint.v1beta1.Service/GetNodeInfo",
      GetNodeInfoRequest,
      GetNodeInfoResponse,
      () => ({
        defaultNodeInfo: {
          protocolVersion: { p2p: "8", block: "11", app: "0" },
          defaultNodeId: toHex(validatorAddress),
          listenAddr: "tcp://127.0.0.1:26656",
          network: chain.chainId,
          version: "0.38.21",
          channels: new Uint8Array([0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00]),
          moniker: "akash-devnet",
          other: { txIndex: "on", rpcAddress: "tcp://127.0.0.1:26657" },
        },
        applicationVersion: {
          name: "akash",
          appName: "akash",
          version: "v2.0.0-devnet",
          cosmosSdkVersion: "v0.53.7",
          buildDeps: [],
        },
      }),
    );
}
