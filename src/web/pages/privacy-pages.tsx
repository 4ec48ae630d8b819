/** The privacy policy, every earlier version of it, and the ways to reach us about privacy. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type DataMapView, policyDocument } from "../../privacy/policy/document.js";
import type { Block, Inline } from "../../privacy/policy/markdown.js";
import { latestPolicyVersion, POLICY_VERSIONS } from "../../privacy/policy/versions.js";
import { dataMap } from "../../store/schema.js";
import { defineRoute, type PageRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;

export const PRIVACY_PATH = "/privacy";

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
      {body}
    </Page>,
    status,
  );
}

function InlineText({ inlines }: { inlines: Inline[] }) {
  return (
    <>
      {inlines.map((inline) =>
        inline.kind === "strong" ? (
          <strong>{inline.text}</strong>
        ) : inline.kind === "link" ? (
          <a href={inline.href}>{inline.text}</a>
        ) : (
          inline.text
        ),
      )}
    </>
  );
}

/** Policy blocks as elements; every text is escaped by the JSX renderer. */
export function PolicyBlocks({ blocks }: { blocks: Block[] }) {
  return (
    <>
      {blocks.map((block) => {
        if (block.kind === "paragraph")
          return (
            <p>
              <InlineText inlines={block.inlines} />
            </p>
          );
        if (block.kind === "list")
          return (
            <ul>
              {block.items.map((item) => (
                <li>
                  <InlineText inlines={item} />
                </li>
              ))}
            </ul>
          );
        const content = <InlineText inlines={block.inlines} />;
        if (block.level === 1) return <h1 id={block.id}>{content}</h1>;
        if (block.level === 2) return <h2 id={block.id}>{content}</h2>;
        return <h3 id={block.id}>{content}</h3>;
      })}
    </>
  );
}

function VersionList({ current }: { current: number }) {
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Versions and what changed</h2>
      <ol reversed>
        {[...POLICY_VERSIONS].reverse().map((v) => (
          <li>
            <a
              href={`${PRIVACY_PATH}/v/${v.version}`}
              aria-current={v.version === current ? "page" : undefined}
            >
              Version {v.version}
            </a>{" "}
            (in force from {v.effectiveOn}): {v.summary}
          </li>
        ))}
      </ol>
    </section>
  );
}

function policyPage(c: C, version: number) {
  const blocks = policyDocument(
    version,
    c.get("deps").config.privacy,
    dataMap as unknown as DataMapView,
  );
  const latest = latestPolicyVersion().version;
  return frame(
    c,
    "Privacy policy",
    <>
      {version === latest ? null : (
        <p class="notice">
          This is version {version}, no longer in force.{" "}
          <a href={PRIVACY_PATH}>Read the current version</a>.
        </p>
      )}
      <PolicyBlocks blocks={blocks} />
      <VersionList current={version} />
    </>,
  );
}

export function registerPrivacyPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = <P extends string>(
    method: "GET" | "POST",
    path: P,
    summary: string,
    handler: PageRoute<P>["handler"],
  ) => defineRoute(app, routes, { method, path, kind: "page", access: "public", summary, handler });

  page("GET", PRIVACY_PATH, "The privacy policy in force", (c) =>
    policyPage(c, latestPolicyVersion().version),
  );
  // One static route per version (a version is no organisation's object, so no path parameter):
  // a version that does not exist is simply not found.
  for (const { version } of POLICY_VERSIONS) {
    page("GET", `${PRIVACY_PATH}/v/${version}`, `Version ${version} of the privacy policy`, (c) =>
      policyPage(c, version),
    );
  }
}
