// The advisor's day on the tablet page: today's opportunities first, outcome buttons on every
// opportunity and script, dismissal with a reason, and the campaign report with its chart.
// Uses app.js's helpers (api, el, $, state, openCustomer, showTab, draftScripts); textContent only.
"use strict";

const OUTCOMES = [
  ["sent", "已发送"], ["replied", "客户有回复"], ["meeting", "已预约"],
  ["purchased", "已购买"], ["declined", "不合适"], ["complaint", "投诉"],
];
const OUTCOME_NOTES = {
  purchased: { title: "记录购买", label: "金额档位", presets: ["1万-5万", "5万-20万", "20万-50万", "50万-100万", "100万以上"] },
  declined: { title: "客户觉得不合适", label: "原因", presets: ["暂无资金", "收益不满意", "风险顾虑", "已在他行购买", "其他"] },
  complaint: { title: "记录投诉", label: "投诉内容", presets: ["联系过于频繁", "对产品不满", "其他"] },
};
const DISMISS_REASONS = ["近期已联系过", "客户明确不需要", "信息有误", "其他"];
const REPORT_TABLES = [
  ["by_variant", "按话术版本"], ["by_scenario", "按场景"], ["by_channel", "按渠道"], ["by_segment", "按客群"],
];
const VALUE_LABELS = { ...SCENARIOS, tablet: "平板", wecom: "企业微信", sms: "短信" };

const day = { opportunities: [], selected: null, chartUrl: null };

// --- a small dialog for reasons and notes -------------------------------------------------------

function askNote({ title, label = "原因", presets = [], required = false }) {
  const dialog = $("note-dialog");
  $("note-title").textContent = title;
  $("note-preset-label").textContent = label;
  $("note-preset").replaceChildren(el("option", { value: "", text: "请选择" }), ...presets.map((p) => el("option", { value: p, text: p })));
  $("note-text").value = "";
  $("note-error").textContent = "";
  dialog.dataset.required = String(required);
  return new Promise((resolve) => {
    const close = () => {
      dialog.removeEventListener("close", close);
      if (dialog.returnValue !== "ok") return resolve(null);
      resolve([$("note-preset").value, $("note-text").value.trim()].filter(Boolean).join("："));
    };
    dialog.addEventListener("close", close);
    dialog.returnValue = "";
    dialog.showModal();
  });
}

function noteIsMissing(event) {
  if (event.submitter && event.submitter.value === "ok" && !$("note-preset").value && !$("note-text").value.trim()
      && $("note-dialog").dataset.required === "true") {
    event.preventDefault();
    $("note-error").textContent = "请选择或填写原因。";
  }
}

// --- outcome buttons ------------------------------------------------------------------------------

// `target`: {customer_id, script_id?} or {customer_id, scenario, product_id}; one row of six buttons.
function outcomeBar(target) {
  const status = el("span", { class: "outcome-status", role: "status" });
  const buttons = OUTCOMES.map(([kind, label]) =>
    el("button", { type: "button", class: `outcome ${kind}`, "data-kind": kind, onclick: (e) => recordOutcome(target, kind, label, e.currentTarget, status) }, label));
  return el("div", { class: "outcomes", "aria-label": "记录结果" }, buttons, status);
}

async function recordOutcome(target, kind, label, button, status) {
  let detail = null;
  if (OUTCOME_NOTES[kind]) {
    detail = await askNote(OUTCOME_NOTES[kind]);
    if (detail === null) return;
  }
  const body = { customer_id: target.customer_id, kind, channel: target.channel || "tablet" };
  if (target.script_id) {
    body.script_id = target.script_id;
    delete body.channel;
  } else {
    if (target.scenario) body.scenario = target.scenario;
    if (target.product_id) body.product_id = target.product_id;
  }
  if (detail) body.detail = detail;
  button.disabled = true;
  try {
    await api("/api/v1/outcomes", { method: "POST", body: JSON.stringify(body) });
    button.classList.add("done");
    button.textContent = `✓ ${label}`;
    status.textContent = `已记录：${label}${detail ? `（${detail}）` : ""}`;
  } catch (error) {
    status.textContent = error.message;
    status.classList.add("error");
  } finally {
    button.disabled = false;
  }
}

// A WeCom script can become a 企业群发 task; the advisor confirms it inside WeCom before it goes out.
function massSendButton(script, customer) {
  const status = el("span", { class: "outcome-status", role: "status" });
  const button = el("button", { type: "button", class: "ghost mass-send", onclick: async () => {
    button.disabled = true;
    try {
      const task = await api("/api/v1/wecom/mass-messages", { method: "POST", body: JSON.stringify({ script_id: script.script_id, customer_id: customer.id, text: script.text }) });
      status.textContent = task.excluded.length
        ? `未创建群发：${task.excluded[0].reason}`
        : `已创建企业群发任务（${task.id}），请在企业微信“客户联系”中确认发送`;
    } catch (error) {
      status.textContent = error.message;
      status.classList.add("error");
    } finally {
      button.disabled = false;
    }
  } }, "企业群发");
  return el("div", { class: "mass" }, button, status);
}

// --- today's opportunities --------------------------------------------------------------------------

function dueText(o) {
  if (!o.due_date) return "";
  const days = Math.round((new Date(o.due_date) - new Date(new Date().toISOString().slice(0, 10))) / 86400000);
  return dayText(days);
}

function opportunityItem(o, n) {
  const head = el("button", { type: "button", class: "opp-head", "data-id": o.id, onclick: () => selectOpportunity(o) },
    el("span", { class: "rank", text: String(n) }),
    el("span", { class: "name", text: `${o.name}（${o.customer_id}）` }),
    el("span", { class: `badge ${o.trigger}`, text: o.trigger_label }),
    o.face_to_face_only ? el("span", { class: "badge face", text: "仅限面谈" }) : null,
    el("small", { class: "due", text: dueText(o) }));
  const details = el("div", { class: "opp-details" },
    el("div", { class: "opp-actions" },
      el("button", { type: "button", class: "one-tap", onclick: () => oneTapScript(o) }, "一键话术"),
      el("button", { type: "button", class: "ghost dismiss", onclick: () => dismissOpportunity(o) }, "暂不跟进"),
      o.product_name ? el("small", { class: "product", text: `推荐：${o.product_name}` }) : null),
    outcomeBar({ customer_id: o.customer_id, scenario: o.scenario, product_id: o.product_id }));
  return el("li", { class: "opportunity", "data-id": o.id },
    head, el("p", { class: "reason", text: o.reason }), details);
}

function renderOpportunities() {
  const list = day.opportunities;
  $("opportunity-count").textContent = `${list.length} 条`;
  $("opportunities").replaceChildren(...list.map((o, i) => opportunityItem(o, i + 1)));
  if (!list.length) $("opportunities").append(el("li", { class: "hint", text: "今天没有需要跟进的商机。" }));
  markSelected();
}

function markSelected() {
  document.querySelectorAll(".opportunity").forEach((li) => li.classList.toggle("selected", day.selected !== null && li.dataset.id === day.selected.id));
}

async function loadOpportunities() {
  try {
    day.opportunities = await api("/api/v1/opportunities");
  } catch (error) {
    day.opportunities = [];
    $("opportunities").replaceChildren(el("li", { class: "error", text: error.message }));
    return;
  }
  renderOpportunities();
}

async function selectOpportunity(o) {
  day.selected = o;
  markSelected();
  if (!state.customer || state.customer.id !== o.customer_id) await openCustomer(o.customer_id);
}

async function oneTapScript(o) {
  await selectOpportunity(o);
  showTab("scripts");
  $("script-scenario").value = o.scenario || "";
  $("script-product").value = o.product_id || "";
  $("script-channel").value = o.face_to_face_only ? "tablet" : "wecom";
  $("script-variants").value = "1";
  await draftScripts();
}

async function dismissOpportunity(o) {
  const reason = await askNote({ title: `暂不跟进：${o.name} ${o.trigger_label}`, presets: DISMISS_REASONS, required: true });
  if (!reason) return;
  try {
    await api("/api/v1/opportunities/dismissals", { method: "POST", body: JSON.stringify({ customer_id: o.customer_id, trigger: o.id, reason }) });
    day.opportunities = day.opportunities.filter((item) => item.id !== o.id);
    if (day.selected && day.selected.id === o.id) day.selected = null;
    renderOpportunities();
  } catch (error) {
    alert(error.message);
  }
}

// --- the campaign report ------------------------------------------------------------------------------

const pct = (x) => `${(x * 100).toFixed(1)}%`;

function reportTable(cells, title) {
  const rows = cells.map((c) => el("tr", { class: c.suppressed ? "suppressed" : "" },
    el("th", { text: VALUE_LABELS[c.value] || c.value }),
    ...(c.suppressed
      ? [el("td", { colspan: "5", class: "hint", text: "客户少于 5 人，不显示" })]
      : [el("td", { text: String(c.contacts) }), el("td", { text: String(c.customers) }), el("td", { text: String(c.conversions) }),
        el("td", { class: "rate", text: pct(c.rate) }), el("td", { text: `${pct(c.ci_low)} – ${pct(c.ci_high)}` })])));
  return el("section", { class: "card report-table" }, el("h4", { text: title }),
    el("table", {},
      el("thead", {}, el("tr", {}, ["分组", "触达", "客户", "转化", "转化率", "95% 区间"].map((h) => el("th", { text: h })))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: "6", class: "hint", text: "暂无数据" })))));
}

async function loadReport() {
  $("report-summary").replaceChildren(el("p", { class: "hint", text: "正在汇总……" }));
  try {
    const report = await api("/api/v1/reports/campaigns");
    const overall = report.overall || {};
    const shown = (v) => (overall.suppressed || v === undefined ? "—" : String(v));
    const kpis = [["触达", shown(overall.contacts)], ["转化", shown(overall.conversions)],
      ["转化率", overall.rate === undefined ? "—" : pct(overall.rate)], ["购买", shown(overall.purchases)], ["投诉", shown(overall.complaints)]];
    const comparison = report.comparison;
    $("report-summary").replaceChildren(...[
      el("dl", { class: "kpis" }, kpis.map(([k, v]) => el("div", { class: "kpi" }, el("dt", { text: k }), el("dd", { text: v })))),
      comparison ? el("p", { class: `conclusion ${comparison.significant ? "significant" : ""}`, text: comparison.conclusion }) : null,
      report.warnings.length ? el("ul", { class: "warnings" }, report.warnings.map((w) => el("li", { text: w }))) : null,
    ].filter(Boolean));
    $("report-tables").replaceChildren(...REPORT_TABLES.map(([key, title]) => reportTable(report[key] || [], title)));
  } catch (error) {
    $("report-summary").replaceChildren(el("p", { class: "error", text: error.message }));
    return;
  }
  const response = await fetch("/api/v1/reports/campaigns/chart.png", { headers: { Authorization: `Bearer ${state.token}` } });
  if (response.ok) {
    if (day.chartUrl) URL.revokeObjectURL(day.chartUrl);
    day.chartUrl = URL.createObjectURL(await response.blob());
    $("report-chart").src = day.chartUrl;
    $("report-chart").closest("figure").hidden = false;
  }
}

function showView(name) {
  document.querySelectorAll(".view").forEach((b) => b.classList.toggle("active", b.dataset.view === name));
  $("workspace").hidden = name !== "day";
  $("report-view").hidden = name !== "report";
  if (name === "report") loadReport();
}

function showList(name) {
  document.querySelectorAll(".switch").forEach((b) => b.classList.toggle("active", b.dataset.list === name));
  $("list-opportunities").hidden = name !== "opportunities";
  $("list-customers").hidden = name !== "customers";
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".view").forEach((b) => b.addEventListener("click", () => showView(b.dataset.view)));
  document.querySelectorAll(".switch").forEach((b) => b.addEventListener("click", () => showList(b.dataset.list)));
  $("report-refresh").addEventListener("click", loadReport);
  $("note-form").addEventListener("submit", noteIsMissing);
});
