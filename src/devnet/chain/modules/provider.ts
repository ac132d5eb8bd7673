import {
  MsgDeleteProviderAttributes,
  MsgDeleteProviderAttributesResponse,
  MsgSignProviderAttributes,
  MsgSignProviderAttributesResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  MsgCreateProvider,
  MsgCreateProviderResponse,
  MsgUpdateProvider,
  MsgUpdateProviderResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { isAkashAddress } from "../addresses.js";
import { AuditErrors, ProviderErrors, SdkErrors } from "../chain-errors.js";
import { type AttributeValue, auditKey } from "../chain-state.js";
import { defineHandler, partial } from "../msg-handler.js";

interface ProviderMessage {
  owner: string;
  hostUri: string;
  attributes: { key: string; value: string }[];
  info?: { email: string; website: string } | undefined;
}

function validateAttributes(attributes: readonly AttributeValue[]): void {
  const keys = new Set<string>();
  for (const a of attributes) {
    if (!/^([a-zA-Z][\w/.-]{1,126})$/.test(a.key) || a.value.length === 0) {
      throw ProviderErrors.attributes.wrap(`invalid attribute ${a.key}`);
    }
    if (keys.has(a.key)) throw ProviderErrors.attributes.wrap(`duplicate attribute ${a.key}`);
    keys.add(a.key);
  }
}

function validateProvider(msg: ProviderMessage): void {
  if (!isAkashAddress(msg.owner))
    throw SdkErrors.invalidAddress.wrap("invalid provider: invalid owner address");
  let url: URL;
  try {
    url = new URL(msg.hostUri);
  } catch {
    throw ProviderErrors.invalidHostUri();
  }
  if (!url.host || (url.protocol !== "https:" && url.protocol !== "http:"))
    throw ProviderErrors.notAbsoluteHostUri();
  validateAttributes(msg.attributes);
}

const record = (msg: ProviderMessage) => ({
  owner: msg.owner,
  hostUri: msg.hostUri,
  attributes: msg.attributes.map((a) => ({ key: a.key, value: a.value })),
  email: msg.info?.email ?? "",
  website: msg.info?.website ?? "",
});

export const providerHandlers = [
  defineHandler({
    codec: MsgCreateProvider,
    responseCodec: MsgCreateProviderResponse,
    module: "provider",
    gas: 40_000,
    signer: (msg) => msg.owner,
    validateBasic: validateProvider,
    execute(ctx, msg) {
      if (ctx.state.providers.has(msg.owner)) throw ProviderErrors.exists();
      ctx.state.providers.set(msg.owner, record(msg));
      ctx.events.emit("akash.provider.v1.EventProviderCreated", { owner: JSON.stringify(msg.owner) });
      return partial(MsgCreateProviderResponse, {});
    },
  }),
  defineHandler({
    codec: MsgUpdateProvider,
    responseCodec: MsgUpdateProviderResponse,
    module: "provider",
    gas: 40_000,
    signer: (msg) => msg.owner,
    validateBasic: validateProvider,
    execute(ctx, msg) {
      if (!ctx.state.providers.has(msg.owner)) throw ProviderErrors.notFound();
      ctx.state.providers.set(msg.owner, record(msg));
      ctx.events.emit("akash.provider.v1.EventProviderUpdated", { owner: JSON.stringify(msg.owner) });
      return partial(MsgUpdateProviderResponse, {});
    },
  }),
  defineHandler({
    codec: MsgSignProviderAttributes,
    responseCodec: MsgSignProviderAttributesResponse,
    module: "audit",
    gas: 30_000,
    signer: (msg) => msg.auditor,
    validateBasic(msg) {
      if (!isAkashAddress(msg.owner)) throw AuditErrors.invalidAddress.wrap("invalid provider address");
      if (!isAkashAddress(msg.auditor)) throw AuditErrors.invalidAddress.wrap("invalid auditor address");
      validateAttributes(msg.attributes);
    },
    execute(ctx, msg) {
      if (!ctx.state.providers.has(msg.owner)) throw AuditErrors.providerNotFound();
      const key = auditKey(msg.owner, msg.auditor);
      const existing = ctx.state.audits.get(key)?.attributes ?? [];
      const merged = new Map(existing.map((a) => [a.key, a.value]));
      for (const a of msg.attributes) merged.set(a.key, a.value);
      const attributes = [...merged]
        .map(([k, value]) => ({ key: k, value }))
        .sort((a, b) => a.key.localeCompare(b.key));
      ctx.state.audits.set(key, { owner: msg.owner, auditor: msg.auditor, attributes });
      ctx.events.emit("akash.audit.v1.EventTrustedAuditorCreated", {
        owner: JSON.stringify(msg.owner),
        auditor: JSON.stringify(msg.auditor),
      });
      return partial(MsgSignProviderAttributesResponse, {});
    },
  }),
  defineHandler({
    codec: MsgDeleteProviderAttributes,
    responseCodec: MsgDeleteProviderAttributesResponse,
    module: "audit",
    gas: 20_000,
    signer: (msg) => msg.auditor,
    validateBasic(msg) {
      if (!isAkashAddress(msg.owner) || !isAkashAddress(msg.auditor)) throw AuditErrors.invalidAddress();
    },
    execute(ctx, msg) {
      const key = auditKey(msg.owner, msg.auditor);
      const existing = ctx.state.audits.get(key);
      if (!existing) throw AuditErrors.providerNotFound();
      if (msg.keys.length === 0) {
        ctx.state.audits.delete(key);
      } else {
        for (const k of msg.keys)
          if (!existing.attributes.some((a) => a.key === k)) throw AuditErrors.attributeNotFound.wrap(k);
        const attributes = existing.attributes.filter((a) => !msg.keys.includes(a.key));
        if (attributes.length === 0) ctx.state.audits.delete(key);
        else ctx.state.audits.set(key, { ...existing, attributes });
      }
      ctx.events.emit("akash.audit.v1.EventTrustedAuditorDeleted", {
        owner: JSON.stringify(msg.owner),
        auditor: JSON.stringify(msg.auditor),
      });
      return partial(MsgDeleteProviderAttributesResponse, {});
    },
  }),
];
