import { describe, expect, it } from "vitest";
import { ingressHostOf, ingressHostsOf } from "../../../src/services/akash/index.js";

describe("the host names in service URIs", () => {
  it("takes the name from a bare host, host:port or a URL, lower case and without the root dot", () => {
    expect(ingressHostOf("abc.ingress.provider.example")).toBe("abc.ingress.provider.example");
    expect(ingressHostOf("ABC.Ingress.Provider.Example.:31000")).toBe("abc.ingress.provider.example");
    expect(ingressHostOf("https://abc.ingress.provider.example/health?x=1")).toBe(
      "abc.ingress.provider.example",
    );
  });

  it("has nothing to resolve for IP literals, localhost or what is not a URI", () => {
    for (const uri of ["127.0.0.1:31000", "http://10.1.2.3", "[::1]:80", "http://[2001:db8::1]:8080/x"]) {
      expect(ingressHostOf(uri)).toBeNull();
    }
    expect(ingressHostOf("localhost:8080")).toBeNull();
    expect(ingressHostOf("http://LOCALHOST/")).toBeNull();
    expect(ingressHostOf("")).toBeNull();
    expect(ingressHostOf("http://exa mple.com")).toBeNull();
  });

  it("lists each name once, in first-seen order", () => {
    expect(ingressHostsOf(["b.example:80", "127.0.0.1:1", "a.example", "http://B.example/"])).toEqual([
      "b.example",
      "a.example",
    ]);
  });
});
