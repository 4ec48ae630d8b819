/** The signed-in page frame for one section of the app, bound to that section's menu entry. */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AppEnv } from "./env.js";
import { Page } from "./layout.js";

/**
 * A function that wraps a page body in the frame, with `current` marked in the menu.
 * @example const frame = sectionFrame("/app/pools"); frame(c, "Pools", <h1>Pools</h1>)
 */
export function sectionFrame(current: string) {
  return (c: Context<AppEnv>, title: string, body: Child, narrow = true) => (
    <Page
      title={title}
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current={current}
      narrow={narrow}
    >
      {body}
    </Page>
  );
}
