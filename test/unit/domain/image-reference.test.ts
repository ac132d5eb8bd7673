import { describe, expect, it } from "vitest";
import {
  imageRepository,
  imageTag,
  isImageTag,
  parseImageReference,
  taggedImage,
  withImageTag,
} from "../../../src/domain/index.js";

describe("image references", () => {
  it("split into repository, tag and digest; a registry's port is not a tag", () => {
    expect(parseImageReference("ghcr.io/akash-agent/agent-relay:0.2.0")).toEqual({
      repository: "ghcr.io/akash-agent/agent-relay",
      tag: "0.2.0",
      digest: null,
    });
    expect(parseImageReference("localhost:5000/agent-relay")).toEqual({
      repository: "localhost:5000/agent-relay",
      tag: null,
      digest: null,
    });
    expect(parseImageReference("localhost:5000/agent-relay:rc1@sha256:ab12")).toEqual({
      repository: "localhost:5000/agent-relay",
      tag: "rc1",
      digest: "sha256:ab12",
    });
    expect(imageRepository("redis:7-alpine")).toBe("redis");
    expect(imageTag("redis")).toBe("latest");
    expect(taggedImage("redis")).toBe("redis:latest");
    expect(taggedImage("redis:7@sha256:ab")).toBe("redis:7");
    expect(withImageTag("localhost:5000/agent-relay:0.1.0@sha256:ab", "0.2.0")).toBe(
      "localhost:5000/agent-relay:0.2.0",
    );
  });
});

describe("image tags", () => {
  it("follow Docker's grammar", () => {
    for (const tag of ["latest", "0.2.0", "v1_rc-2", "A".repeat(128)])
      expect(isImageTag(tag), tag).toBe(true);
    for (const tag of ["", ".x", "-x", "a/b", "a:b", "A".repeat(129)])
      expect(isImageTag(tag), tag).toBe(false);
  });
});
