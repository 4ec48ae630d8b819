/**
 * Usage charts drawn on the server as SVG: no script, no chart library. Each chart is an image
 * with a title and a one-sentence description for screen readers, and comes with the same
 * numbers as a table. Sizes are in a viewBox, so a chart fills the width it is given, phone or
 * desktop; labels are kept few and large enough to read at phone width.
 */
import type { FC } from "hono/jsx";
import type { Count } from "../consent/analytics.js";

const WIDTH = 400;
const HEIGHT = 180;
const PAD_LEFT = 36;
const PAD_BOTTOM = 28;
const PAD_TOP = 12;

/** A bar per day; the busiest day's count and the first and last days are labelled. */
export const VisitsChart: FC<{
  id: string;
  title: string;
  days: Array<{ day: string; views: number; visitors: number }>;
}> = ({ id, title, days }) => {
  const max = Math.max(1, ...days.map((d) => d.views));
  const plotWidth = WIDTH - PAD_LEFT - 4;
  const plotHeight = HEIGHT - PAD_BOTTOM - PAD_TOP;
  const slot = plotWidth / Math.max(1, days.length);
  const total = days.reduce((sum, d) => sum + d.views, 0);
  const busiest = days.reduce(
    (best, d) => (d.views > best.views ? d : best),
    days[0] ?? { day: "", views: 0, visitors: 0 },
  );
  const description =
    total === 0
      ? `No page views from ${days[0]?.day ?? ""} to ${days.at(-1)?.day ?? ""}.`
      : `${total} page views from ${days[0]?.day} to ${days.at(-1)?.day}; the busiest day was ${busiest.day} with ${busiest.views}.`;
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        <line
          x1={PAD_LEFT}
          y1={PAD_TOP + plotHeight}
          x2={WIDTH - 4}
          y2={PAD_TOP + plotHeight}
          class="axis"
        />
        <text x={PAD_LEFT - 6} y={PAD_TOP + 10} text-anchor="end" class="chart-label">
          {max}
        </text>
        <text x={PAD_LEFT - 6} y={PAD_TOP + plotHeight} text-anchor="end" class="chart-label">
          0
        </text>
        {days.map((d, i) => {
          const height = (d.views / max) * plotHeight;
          return (
            <rect
              x={(PAD_LEFT + i * slot + slot * 0.15).toFixed(1)}
              y={(PAD_TOP + plotHeight - height).toFixed(1)}
              width={(slot * 0.7).toFixed(1)}
              height={height.toFixed(1)}
              class="bar"
            />
          );
        })}
        <text x={PAD_LEFT} y={HEIGHT - 8} class="chart-label">
          {days[0]?.day.slice(5) ?? ""}
        </text>
        <text x={WIDTH - 4} y={HEIGHT - 8} text-anchor="end" class="chart-label">
          {days.at(-1)?.day.slice(5) ?? ""}
        </text>
      </svg>
      <figcaption>{description}</figcaption>
      <details>
        <summary>{title} as a table</summary>
        <table class="compact">
          <caption class="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Page views</th>
              <th scope="col">Distinct visitors</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr>
                <td>{d.day}</td>
                <td>{d.views}</td>
                <td>{d.visitors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};

/**
 * A ranked list as a table whose rows carry a proportional SVG bar: the table is the text
 * alternative and the bars the chart, read once by a screen reader (the bars are decorative).
 */
export const RankedBars: FC<{ id: string; title: string; what: string; counts: Count[] }> = ({
  id,
  title,
  what,
  counts,
}) => {
  const max = Math.max(1, ...counts.map((c) => c.count));
  return (
    <section aria-labelledby={id} class="ranked">
      <h2 id={id}>{title}</h2>
      {counts.length === 0 ? (
        <p>Nothing counted yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{what}</th>
              <th scope="col">Page views</th>
              <th scope="col">
                <span class="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.map((c) => (
              <tr>
                <td>{c.label}</td>
                <td>{c.count}</td>
                <td class="bar-cell">
                  <svg
                    viewBox="0 0 100 10"
                    preserveAspectRatio="none"
                    aria-hidden="true"
                    focusable="false"
                  >
                    <rect
                      x="0"
                      y="1"
                      width={((c.count / max) * 100).toFixed(1)}
                      height="8"
                      class="bar"
                    />
                  </svg>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};
