/**
 * cNPS per month, drawn on the server as SVG (no script): one bar per month from the zero line,
 * up for a positive cNPS and down for a negative one, scaled over −100 to +100, with the value
 * written on each bar. The SVG is an image with a title and a description; the same numbers
 * follow in a table for screen readers and for anyone who prefers numbers.
 */
import { formatCnps, type MonthResult } from "../../surveys/cnps.js";

const BAR_SPACE = 64;
const PLOT_HEIGHT = 200;
const TOP = 16;
const LEFT = 44;
const BOTTOM = 28;

const monthLabel = (month: string) => {
  const [year, number] = month.split("-");
  const names = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
  ];
  return `${names[Number(number) - 1] ?? number} ${year}`;
};

/** The y of a cNPS value in the plot. */
const yOf = (cnps: number) => TOP + ((100 - cnps) / 200) * PLOT_HEIGHT;

export function CnpsChart({ months }: { months: MonthResult[] }) {
  if (months.length === 0) return <p>No answers yet: the chart appears with the first one.</p>;
  const width = LEFT + months.length * BAR_SPACE + 8;
  const height = TOP + PLOT_HEIGHT + BOTTOM;
  const zero = yOf(0);
  const first = months[0];
  const last = months[months.length - 1];
  const summary = months
    .map(
      (m) =>
        `${monthLabel(m.month)}: ${m.nps.cnps === null ? "no answers" : formatCnps(m.nps.cnps)}`,
    )
    .join("; ");
  return (
    <figure class="chart">
      <svg
        role="img"
        aria-labelledby="cnps-chart-title cnps-chart-desc"
        viewBox={`0 0 ${width} ${height}`}
        width={width}
        height={height}
        preserveAspectRatio="xMinYMin meet"
        class="cnps-chart"
      >
        <title id="cnps-chart-title">
          cNPS by month, {first ? monthLabel(first.month) : ""} to{" "}
          {last ? monthLabel(last.month) : ""}
        </title>
        <desc id="cnps-chart-desc">{summary}</desc>
        {[100, 50, 0, -50, -100].map((tick) => (
          <g>
            <line
              x1={LEFT}
              x2={width - 4}
              y1={yOf(tick)}
              y2={yOf(tick)}
              stroke={tick === 0 ? "#1d2433" : "#d5dae3"}
              stroke-width="1"
            />
            <text x={LEFT - 6} y={yOf(tick) + 4} text-anchor="end" font-size="11" fill="#5b6475">
              {tick > 0 ? `+${tick}` : String(tick)}
            </text>
          </g>
        ))}
        {months.map((m, i) => {
          const x = LEFT + i * BAR_SPACE + 12;
          const cnps = m.nps.cnps;
          const label = (
            <text x={x + 20} y={height - 8} text-anchor="middle" font-size="11" fill="#1d2433">
              {monthLabel(m.month)}
            </text>
          );
          if (cnps === null) {
            return (
              <g>
                <text x={x + 20} y={zero - 6} text-anchor="middle" font-size="11" fill="#5b6475">
                  –
                </text>
                {label}
              </g>
            );
          }
          const y = Math.min(yOf(cnps), zero);
          const barHeight = Math.max(Math.abs(yOf(cnps) - zero), 1);
          return (
            <g>
              <rect
                x={x}
                y={y}
                width="40"
                height={barHeight}
                fill={cnps >= 0 ? "#1e7b3a" : "#b3261e"}
              />
              <text
                x={x + 20}
                y={cnps >= 0 ? y - 4 : y + barHeight + 12}
                text-anchor="middle"
                font-size="11"
                fill="#1d2433"
              >
                {formatCnps(cnps)}
              </text>
              {label}
            </g>
          );
        })}
      </svg>
      <figcaption class="hint">The same numbers as a table follow.</figcaption>
      <div class="table-wrap">
        <table class="stacked">
          <caption>cNPS by month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Answers</th>
              <th scope="col">cNPS</th>
              <th scope="col">Promoters</th>
              <th scope="col">Passives</th>
              <th scope="col">Detractors</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr>
                <th scope="row" data-label="Month">
                  {monthLabel(m.month)}
                </th>
                <td data-label="Answers">{m.nps.answers}</td>
                <td data-label="cNPS">{formatCnps(m.nps.cnps)}</td>
                <td data-label="Promoters">{m.nps.promoters}</td>
                <td data-label="Passives">{m.nps.passives}</td>
                <td data-label="Detractors">{m.nps.detractors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
