import { describe, expect, it } from "vitest";
import { announcedHeight, websocketBase } from "../../../src/services/akash/block-watch.js";

const event = (height: unknown, id: unknown = "akash-agent-blocks") =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    result: {
      query: "tm.event='NewBlockHeader'",
      data: { type: "tendermint/event/NewBlockHeader", value: { header: { height } } },
    },
  });

describe("block announcements", () => {
  it("reads the height of a NewBlockHeader event (CometBFT sends it as a string)", () => {
    expect(announcedHeight(event("1234"))).toBe(1234);
    expect(announcedHeight(event(77))).toBe(77);
  });

  it("ignores the subscription's empty acknowledgement, other ids and bad heights", () => {
    expect(
      announcedHeight(JSON.stringify({ jsonrpc: "2.0", id: "akash-agent-blocks", result: {} })),
    ).toBeNull();
    expect(announcedHeight(event("5", 7))).toBeNull();
    expect(announcedHeight(event("x"))).toBeNull();
    expect(announcedHeight(event("0"))).toBeNull();
    expect(announcedHeight("not json")).toBeNull();
  });

  it("says when the node refuses the subscription", () => {
    const refusal = JSON.stringify({
      jsonrpc: "2.0",
      id: "akash-agent-blocks",
      error: { code: -32603, message: "Internal error", data: "max_subscriptions_per_client 5 reached" },
    });
    expect(announcedHeight(refusal)).toBe("refused");
  });

  it("finds the WebSocket on the RPC URL", () => {
    expect(websocketBase("http://127.0.0.1:26657")).toBe("ws://127.0.0.1:26657");
    expect(websocketBase("https://rpc.akashnet.net:443/")).toBe("wss://rpc.akashnet.net:443");
    expect(websocketBase("ws://127.0.0.1:26657/websocket")).toBe("ws://127.0.0.1:26657");
    expect(websocketBase("grpc://127.0.0.1:9090")).toBeNull();
  });
});
