/**
 * The stylesheet: system fonts, readable measure, visible focus, large touch targets, works at
 * phone width; sizes fixed up front so nothing shifts as a page loads. No scripts are needed.
 */
export const STYLESHEET = `
:root { --ink:#1d2433; --muted:#5b6475; --line:#d5dae3; --bg:#f6f7f9; --card:#fff; --accent:#2453c7; --accent-ink:#fff; --bad:#b3261e; --good:#1e7b3a; --focus:#f2b705; color-scheme: light; }
* { box-sizing: border-box; }
html { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--accent); }
/* Focus: a dark ring with a yellow halo, so it stands out (3:1 or more) on light and dark. */
:focus-visible { outline: 3px solid var(--ink); outline-offset: 2px; box-shadow: 0 0 0 2px var(--focus); }
header.top :focus-visible { outline-color: var(--focus); box-shadow: none; }
main:focus { outline: none; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.top { background: var(--ink); color: #fff; }
header.top .bar { max-width: 72rem; margin: 0 auto; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; min-height: 3.5rem; }
header.top a { color: #fff; text-decoration: none; }
header.top a:hover, header.top a[aria-current="page"] { text-decoration: underline; }
header.top .brand { font-weight: 700; font-size: 1.2rem; margin-right: auto; }
header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 0 1rem; margin: 0; padding: 0; }
header.top nav a { display: inline-block; padding: .25rem 0; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #fff6; padding: .25rem .75rem; }
main { flex: 1; width: 100%; max-width: 72rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
main.narrow { max-width: 34rem; }
footer { color: var(--muted); font-size: .875rem; text-align: center; padding: 1rem; }
footer a { display: inline-block; min-height: 24px; line-height: 24px; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: 0 0 1rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem; margin-bottom: 1rem; }
.card > :first-child { margin-top: 0; }
form.stack { display: grid; gap: 1rem; }
form.stack > p { margin: 0; }
/* In a row of fields, extra height goes above the label, so the inputs line up unstretched. */
.field { display: grid; gap: .25rem; align-content: end; }
label { font-weight: 600; }
.hint { color: var(--muted); font-size: .875rem; }
/* Paths, addresses and keys have no spaces: let them break rather than widen a phone's page. */
.hint, code { overflow-wrap: anywhere; }
input, select, textarea { font: inherit; padding: .6rem .7rem; border: 1px solid #8a93a5; border-radius: .375rem; background: #fff; color: var(--ink); width: 100%; min-height: 2.75rem; }
textarea { min-height: 6rem; }
input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] { border-color: var(--bad); border-width: 2px; }
.error-text { color: var(--bad); font-size: .9rem; font-weight: 600; }
button, .button { font: inherit; font-weight: 600; display: inline-flex; align-items: center; justify-content: center; min-height: 2.75rem; padding: .5rem 1.1rem; border-radius: .375rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; }
.notice { border-left: 4px solid var(--accent); background: #eef3ff; padding: .75rem 1rem; margin-bottom: 1rem; }
.notice.good { border-color: var(--good); background: #edf7ef; }
.error-summary { border: 2px solid var(--bad); background: #fdf1f0; padding: .75rem 1rem; margin-bottom: 1rem; border-radius: .375rem; }
.error-summary h2 { margin: 0 0 .5rem; font-size: 1.05rem; color: var(--bad); }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: .6rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .875rem; color: var(--muted); }
.table-wrap { overflow-x: auto; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
.stat { font-size: 2rem; font-weight: 700; }
code.secret { display: block; word-break: break-all; background: #fff8db; padding: .75rem; border-radius: .375rem; font-size: 1rem; }
fieldset { border: 1px solid var(--line); border-radius: .375rem; padding: .75rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
.inline { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
.inline .field { flex: 1 1 10rem; }
.mail-body { white-space: pre-wrap; word-break: break-word; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
td { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  h1 { font-size: 1.4rem; }
  th, td { padding: .5rem .25rem; }
  /* At phone width a table.stacked shows each row as a block, each cell under its column name. */
  table.stacked thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stacked, table.stacked tbody, table.stacked tr, table.stacked td { display: block; width: 100%; }
  table.stacked tr { border-bottom: 1px solid var(--line); padding: .5rem .75rem; }
  table.stacked td { border: 0; padding: .15rem 0; }
  table.stacked td[data-label]::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: 600; color: var(--muted); }
}
/* Hiring forms: checkbox and radio groups, repeated rows of sessions and working hours. */
.checks { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; }
.check { display: flex; align-items: center; gap: .5rem; min-height: 2.75rem; }
.check label { font-weight: 400; }
.check input { width: 1.35rem; height: 1.35rem; min-height: 0; margin: 0; padding: 0; flex: none; accent-color: var(--accent); }
fieldset.session-row, fieldset.hours-row { display: grid; gap: .75rem; }
fieldset.session-row { grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); }
fieldset fieldset { border-style: dashed; }
/* Booking pages: one radio per option, grouped by day; the week grid; the zone picker. */
fieldset.day { display: grid; gap: .25rem; margin: 0; }
.check.option { align-items: flex-start; padding: .25rem 0; }
.check.option input { margin-top: .2rem; }
.option-time { font-weight: 600; font-variant-numeric: tabular-nums; }
.option-session { display: block; }
.zone-picker { margin-bottom: 1rem; }
.progress:empty { display: none; }
.danger-zone { border-color: var(--bad); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ol.timeline { padding-left: 1.25rem; }
ol.timeline li { margin-bottom: .5rem; }
/* The cookie banner: in the page's flow before the footer, Reject all and Accept all alike. */
.consent-banner { width: 100%; max-width: 72rem; margin: 0 auto 1rem; padding: 1rem; background: var(--card); border: 2px solid var(--ink); border-radius: .5rem; }
.consent-banner h2 { margin: 0 0 .5rem; }
.consent-banner p { margin: 0 0 .75rem; }
.consent-banner fieldset { margin: 0 0 .75rem; }
.consent-actions button { min-width: 9rem; }
/* Usage charts: SVG drawn on the server, sized by the width they are given. */
figure.chart { margin: 0 0 1.5rem; background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; }
figure.chart svg { display: block; width: 100%; height: auto; max-height: 16rem; }
figure.chart figcaption { color: var(--muted); font-size: .9rem; margin: .5rem 0; }
svg .bar { fill: var(--accent); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .chart-label { fill: var(--ink); font-size: 14px; }
td.bar-cell { width: 35%; vertical-align: middle; }
td.bar-cell svg { display: block; width: 100%; height: .75rem; }
.ranked h2 { margin-top: 1rem; }
figure.quote { margin: 0; }
figure.quote blockquote { margin: 0 0 .5rem; font-size: 1.125rem; }
figure.quote blockquote p { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
figure.quote figcaption { color: var(--muted); overflow-wrap: anywhere; }
/* Surveys: a 0–10 or 1–5 scale of radios; the cNPS chart at its own size, narrower on a phone. */
.checks.scale { gap: .25rem .9rem; }
svg.cnps-chart { display: block; max-width: 100%; height: auto; }
ul.comments { padding-left: 0; list-style: none; }
ul.comments blockquote { margin: 0 0 .25rem; }
`;

/**
 * The booking pages' one script (served from /assets/book.js; the pages work without it): on
 * the first visit it picks the browser's time zone, and while a booking is sent it disables the
 * button and says so in a live region.
 */
export const BOOK_SCRIPT_SOURCE = `"use strict";
(function () {
  var picker = document.querySelector("form.zone-picker");
  if (picker && picker.getAttribute("data-zone-picked") === "no") {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    var select = picker.querySelector("select");
    if (zone && select && select.value !== zone) {
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) { select.value = zone; picker.submit(); return; }
      }
    }
  }
  var forms = document.querySelectorAll("form.booking-form");
  for (var j = 0; j < forms.length; j++) {
    (function (form) {
      var button = form.querySelector("button[type=submit]");
      var status = form.querySelector(".progress");
      var label = button ? button.textContent : "";
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sending") === "yes") { event.preventDefault(); return; }
        if (!form.querySelector("input[name=option]:checked")) return;
        form.setAttribute("data-sending", "yes");
        if (button) { button.setAttribute("aria-disabled", "true"); button.textContent = button.getAttribute("data-busy-label") || label; }
        if (status) status.textContent = "Booking your time, please wait…";
      });
      window.addEventListener("pageshow", function () {
        form.removeAttribute("data-sending");
        if (button) { button.removeAttribute("aria-disabled"); button.textContent = label; }
        if (status) status.textContent = "";
      });
    })(forms[j]);
  }
})();
`;
