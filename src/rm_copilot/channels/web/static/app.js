// Tablet page for advisors: plain JS over the /api/v1 routes. Every text node is set with
// textContent, never innerHTML, so nothing from the server can inject markup.
"use strict";

const TOKEN_KEY = "rm-copilot.token";
const LAYERS = [["basic", "基础标签"], ["behavior", "行为标签"], ["need", "需求标签"]];
const VERDICTS = { pass: "通过", rewrite: "已改写", block: "拦截" };
const SEVERITIES = { block: "拦截", rewrite: "需改写", warn: "提示" };
const SCENARIOS = { product: "产品推荐", maturity: "到期续接", birthday: "生日关怀", event: "活动邀约", care: "市场波动安抚" };
const BADGE_KINDS = { maturity: "到期", birthday: "生日" };
const CATEGORIES = { suitability: "适当性", disclosure: "信息披露", pii: "个人信息" };
const REMINDER_DAYS = 7;

const state = { token: sessionStorage.getItem(TOKEN_KEY), customer: null, sessionId: null, streaming: null };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : (detail || []).map((d) => d.msg).join("；") || "请求失败");
    this.status = status;
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}`, ...(options.headers || {}) },
  });
  if (response.status === 401) signOut("登录已失效，请重新输入令牌。");
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.detail);
  }
  return response.status === 204 ? null : response.json();
}

// --- sign in ----------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    const advisor = await api("/api/v1/me");
    sessionStorage.setItem(TOKEN_KEY, token);
    $("advisor-name").textContent = `${advisor.name}（${advisor.id}）`;
    $("who").hidden = false;
    $("views").hidden = false;
    $("signin").hidden = true;
    $("workspace").hidden = false;
    await Promise.all([loadCustomers(), loadOpportunities(), loadProducts()]);
  } catch (error) {
    signOut(error.status === 401 ? "令牌无效，请检查后重试。" : error.message);
  }
}

function signOut(message = "") {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  $("who").hidden = true;
  $("views").hidden = true;
  $("workspace").hidden = true;
  $("report-view").hidden = true;
  $("signin").hidden = false;
  $("signin-error").textContent = message;
}

// --- customers and events ---------------------------------------------------------------------

function dayText(days) {
  if (days === 0) return "今天";
  return days > 0 ? `${days}天后` : `${-days}天前`;
}

function eventBadges(events) {
  return events
    .filter((e) => BADGE_KINDS[e.kind] && Math.abs(e.days_until) <= REMINDER_DAYS)
    .map((e) => el("span", { class: `badge ${e.kind}`, title: `${e.label} ${e.date}`, text: `${BADGE_KINDS[e.kind]}·${dayText(e.days_until)}` }));
}

async function loadCustomers(search = "") {
  const query = search ? `?search=${encodeURIComponent(search)}` : "";
  const customers = await api(`/api/v1/customers${query}`);
  $("customer-count").textContent = `共 ${customers.length} 位`;
  $("customer-list").replaceChildren(...customers.map((c) =>
    el("li", {},
      el("button", { type: "button", class: "customer-row", "data-id": c.id, onclick: () => openCustomer(c.id) },
        el("span", { class: "name", text: c.name }),
        el("span", { class: "meta", text: `${c.id} · ${c.age}岁 · ${c.tier} · ${c.risk_level || "未测评"}` }),
        el("span", { class: "badges" }, eventBadges(c.events))))));
  if (!customers.length) $("customer-list").append(el("li", { class: "hint", text: "没有符合条件的客户。" }));
}

async function loadProducts() {
  const products = await api("/api/v1/products");
  $("script-product").replaceChildren(el("option", { value: "", text: "自动推荐" }),
    ...products.map((p) => el("option", { value: p.id, text: `${p.name}（${p.risk_level}）` })));
}

function tagChip(tag) {
  const updated = (tag.updated_at || "").slice(0, 10);
  return el("li", { class: `tag${tag.stale ? " stale" : ""}`, title: `来源：${tag.source}；更新：${updated}` },
    el("span", { text: tag.layer === "need" ? tag.label : `${tag.label}：${tag.value}` }),
    el("small", { class: "source", text: tag.source }),
    tag.stale ? el("span", { class: "stale-mark", text: "过期" }) : null);
}

function renderCustomer(c) {
  const facts = [
    ["性别", c.gender], ["年龄", `${c.age}岁`], ["城市", c.city], ["职业", c.occupation], ["客户层级", c.tier],
    ["风险等级", `${c.risk_level || "未测评"}${c.risk_assessment_stale ? "（测评过期）" : ""}`],
    ["手机", c.phone], ["证件号", c.id_number], ["卡号", c.card_number || "—"],
    ["营销授权", c.marketing_consent ? "已授权" : "未授权"],
  ];
  $("customer-card").replaceChildren(
    el("header", {}, el("h2", { text: `${c.name} ` }, el("small", { text: c.id })), el("span", { class: "badges" }, eventBadges(c.events))),
    el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
    el("div", { class: "card-body" },
      el("div", { class: "lists" },
        el("section", { class: "holdings" }, el("h4", { text: `持仓（${c.holdings.length}）` }),
          el("ul", { class: "plain" }, c.holdings.length ? c.holdings.map((h) =>
            el("li", { text: `${h.product_name}（${h.amount_band}）${h.maturity_date ? `，${h.maturity_date} 到期` : ""}` }))
            : el("li", { class: "hint", text: "暂无持仓" }))),
        el("section", { class: "events-list" }, el("h4", { text: "事件" }), eventList(c.events))),
      el("div", { class: "layers" }, LAYERS.map(([layer, label]) =>
        el("section", { class: `layer ${layer}` }, el("h4", { text: `${label}（${(c.tags[layer] || []).length}）` }),
          el("ul", { class: "tags" }, (c.tags[layer] || []).map(tagChip)))))));
}

// The events nearest to today, so holdings and events fit on the card without scrolling.
const CARD_EVENTS = 5;
function eventList(events) {
  if (!events.length) return el("ul", { class: "plain" }, el("li", { class: "hint", text: "暂无事件" }));
  const nearest = [...events].sort((a, b) => Math.abs(a.days_until) - Math.abs(b.days_until)).slice(0, CARD_EVENTS)
    .sort((a, b) => a.days_until - b.days_until);
  return el("ul", { class: "plain" }, nearest.map((e) =>
    el("li", { text: `${e.label}：${e.date}（${dayText(e.days_until)}）${e.detail}` })),
  events.length > CARD_EVENTS ? el("li", { class: "hint", text: `另有 ${events.length - CARD_EVENTS} 条较远的事件` }) : null);
}

async function openCustomer(id) {
  // One customer per session: stop the running answer and never carry its session to the next customer.
  if (state.streaming) state.streaming.abort();
  state.sessionId = null;
  try {
    state.customer = await api(`/api/v1/customers/${encodeURIComponent(id)}`);
    state.sessionId = null;
    renderCustomer(state.customer);
    document.querySelectorAll(".customer-row").forEach((b) => b.classList.toggle("selected", b.dataset.id === id));
    $("scripts-hint").textContent = `为 ${state.customer.name}（${id}）生成话术。`;
    $("messages").replaceChildren(el("p", { class: "hint", text: `已切换到客户 ${state.customer.name}（${id}），新的对话。` }));
  } catch (error) {
    $("customer-card").replaceChildren(el("p", { class: "error", text: error.message }));
  }
}

// --- compliance rendering ---------------------------------------------------------------------

// Offsets are into the checked text; a masked match (138****5678) still marks its own span.
function locate(text, finding, taken) {
  if (!finding.matched || finding.end <= finding.start) return null;
  const slice = text.slice(finding.start, finding.end);
  const masked = finding.matched.includes("*") && slice.length === finding.matched.length;
  if (slice === finding.matched || masked) return [finding.start, finding.end];
  const at = text.indexOf(finding.matched);
  return at >= 0 && !taken.has(at) ? [at, at + finding.matched.length] : null;
}

// Turns "[2]" markers into buttons that open citation 2.
function citationRefs(text, citations) {
  if (!citations || !citations.length) return [text];
  return text.split(/(\[\d+\])/).map((part) => {
    const n = /^\[(\d+)\]$/.exec(part);
    const citation = n && citations[Number(n[1]) - 1];
    return citation
      ? el("button", { type: "button", class: "cite-ref", title: citation.title, onclick: () => showCitation(citation) }, part)
      : part;
  });
}

// Marks each finding's span (by start/end) with its message as tooltip, numbered like the legend.
function markedText(text, findings, citations = null) {
  const spans = [];
  const taken = new Set();
  findings.forEach((f, i) => {
    const span = locate(text, f, taken);
    if (span && spans.every(([s, e]) => span[1] <= s || span[0] >= e)) {
      spans.push([...span, f, i + 1]);
      taken.add(span[0]);
    }
  });
  spans.sort((a, b) => a[0] - b[0]);
  const parts = [];
  let cursor = 0;
  for (const [start, end, f, n] of spans) {
    parts.push(...citationRefs(text.slice(cursor, start), citations));
    parts.push(el("mark", { class: `finding ${f.severity}`, title: `${f.message}${f.suggestion ? `（建议：${f.suggestion}）` : ""}` },
      text.slice(start, end), el("sup", { text: n })));
    cursor = end;
  }
  parts.push(...citationRefs(text.slice(cursor), citations));
  return parts;
}

function verdictBadge(verdict) {
  return el("span", { class: `verdict ${verdict}`, text: `合规：${VERDICTS[verdict] || verdict}` });
}

function findingLegend(findings) {
  if (!findings.length) return null;
  return el("ol", { class: "findings" }, findings.map((f) =>
    el("li", { class: f.severity },
      el("strong", { text: `[${SEVERITIES[f.severity] || f.severity}] ${f.matched || CATEGORIES[f.category] || f.rule_id}` }),
      el("span", { text: ` ${f.message}` }),
      f.suggestion ? el("em", { text: ` 建议：${f.suggestion}` }) : null)));
}

function citationList(citations) {
  if (!citations.length) return null;
  return el("ol", { class: "citations" }, citations.map((c, i) =>
    el("li", {}, el("button", { type: "button", class: "citation", "data-chunk": c.chunk_id, onclick: () => showCitation(c) },
      `[${i + 1}] ${c.title}`))));
}

async function showCitation(c) {
  $("citation-title").textContent = c.title;
  $("citation-source").textContent = c.source;
  $("citation-chunk").textContent = c.chunk_id;
  $("citation-product").textContent = c.product_id || "—";
  $("citation-heading").textContent = "";
  $("citation-text").textContent = "正在载入原文……";
  $("citation-dialog").showModal();
  try {
    const path = c.chunk_id.split("/").map(encodeURIComponent).join("/");
    const chunk = await api(`/api/v1/knowledge/chunks/${path}`);
    $("citation-heading").textContent = chunk.heading || "";
    $("citation-text").textContent = chunk.text;
  } catch (error) {
    $("citation-text").textContent = `无法载入原文：${error.message}`;
  }
}

// --- chat with streaming ----------------------------------------------------------------------

// Parses a text/event-stream body read through fetch (EventSource cannot POST).
async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary;
    while ((boundary = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^(\r\n\r\n|\n\n|\r\r)/, "");
      let event = "message";
      const data = [];
      for (const line of block.split(/\r\n|\n|\r/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: data.join("\n") };
    }
  }
}

function addMessage(role, text) {
  const body = el("div", { class: "body", text });
  const node = el("div", { class: `message ${role}` }, body);
  $("messages").append(node);
  $("messages").scrollTop = $("messages").scrollHeight;
  return node;
}

function finishAnswer(node, answer, customerId) {
  const findings = answer.compliance.findings;
  node.querySelector(".body").replaceChildren(...markedText(answer.answer, findings, answer.citations));
  const extras = [findingLegend(findings), citationList(answer.citations)].filter(Boolean);
  node.append(el("div", { class: "answer-meta" }, verdictBadge(answer.compliance.verdict)), ...extras);
  const current = state.customer ? state.customer.id : null;
  if (customerId === current) state.sessionId = answer.session_id;  // an answer for another customer never resumes
}

async function sendChat(message) {
  addMessage("user", message);
  const node = addMessage("assistant streaming", "");
  const controller = new AbortController();
  const customerId = state.customer ? state.customer.id : null;
  state.streaming = controller;
  $("chat-send").disabled = true;
  try {
    const response = await fetch("/api/v1/chat/stream", {
      method: "POST",
      signal: controller.signal,
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}` },
      body: JSON.stringify({ message, customer_id: customerId, session_id: state.sessionId }),
    });
    if (response.status === 401) return signOut("登录已失效，请重新输入令牌。");
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.detail);
    }
    for await (const { event, data } of readEvents(response)) {
      if (event === "delta") node.querySelector(".body").append(data);
      else if (event === "done") finishAnswer(node, JSON.parse(data), customerId);
      else if (event === "error") throw new ApiError(500, JSON.parse(data).detail);
      $("messages").scrollTop = $("messages").scrollHeight;
    }
  } catch (error) {
    if (error.name !== "AbortError") node.append(el("p", { class: "error", text: error.message }));
  } finally {
    node.classList.remove("streaming");
    if (state.streaming === controller) state.streaming = null;
    $("chat-send").disabled = false;
  }
}

// --- scripts and checks -----------------------------------------------------------------------

function copyText(text, button) {
  const done = () => { button.textContent = "已复制"; setTimeout(() => { button.textContent = "复制"; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  } else {
    fallbackCopy(text, done);
  }
}

function fallbackCopy(text, done) {
  const area = el("textarea", { class: "offscreen" });
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
  done();
}

function scriptCard(script, n) {
  const copy = el("button", { type: "button", class: "copy", onclick: (e) => copyText(script.text, e.currentTarget) }, "复制");
  return el("article", { class: "card script" },
    el("header", {}, el("strong", { text: `话术 ${n} · ${SCENARIOS[script.scenario] || script.scenario}${script.product_id ? ` · ${script.product_id}` : ""}` }),
      verdictBadge(script.compliance.verdict), copy),
    el("p", { class: "script-text" }, markedText(script.text, script.compliance.findings, script.citations)),
    findingLegend(script.compliance.findings),
    script.reasons.length ? el("ul", { class: "reasons" }, script.reasons.map((r) => el("li", { text: r }))) : null,
    citationList(script.citations),
    script.script_id && state.customer ? outcomeBar({ customer_id: state.customer.id, script_id: script.script_id }) : null,
    script.script_id && script.channel === "wecom" && state.customer ? massSendButton(script, state.customer) : null);
}

async function draftScripts() {
  if (!state.customer) {
    $("scripts-hint").textContent = "请先在左侧选择客户。";
    return;
  }
  const body = {
    customer_id: state.customer.id,
    channel: $("script-channel").value,
    variants: Number($("script-variants").value),
  };
  if ($("script-scenario").value) body.scenario = $("script-scenario").value;
  if ($("script-product").value) body.product_id = $("script-product").value;
  $("scripts-submit").disabled = true;
  $("scripts").replaceChildren(el("p", { class: "hint", text: "正在生成并检查合规……" }));
  try {
    const answer = await api("/api/v1/scripts", { method: "POST", body: JSON.stringify(body) });
    $("scripts").replaceChildren(...answer.scripts.map((s, i) => scriptCard(s, i + 1)));
    if (!answer.scripts.length) $("scripts").append(el("p", { class: "hint", text: "没有生成适合该客户的话术。" }));
  } catch (error) {
    $("scripts").replaceChildren(el("p", { class: "error", text: error.message }));
  } finally {
    $("scripts-submit").disabled = false;
  }
}

async function checkText(text) {
  const body = { text };
  if (state.customer) body.customer_id = state.customer.id;
  if ($("check-product-type").value) body.product_type = $("check-product-type").value;
  if ($("check-channel").value) body.channel = $("check-channel").value;
  try {
    const result = await api("/api/v1/compliance/check", { method: "POST", body: JSON.stringify(body) });
    $("check-result").replaceChildren(el("div", { class: "card" },
      el("header", {}, verdictBadge(result.verdict), el("small", { text: ` 规则库版本 ${result.rulebook_version}` })),
      el("h4", { text: "原文（标出问题用语）" }), el("p", { class: "script-text" }, markedText(text, result.findings)),
      findingLegend(result.findings),
      result.text !== text ? [el("h4", { text: "处理后的文本" }), el("p", { class: "script-text", text: result.text })] : null));
  } catch (error) {
    $("check-result").replaceChildren(el("p", { class: "error", text: error.message }));
  }
}

// --- wiring -----------------------------------------------------------------------------------

function showTab(name) {
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.dataset.tab === name));
  for (const panel of ["chat", "scripts", "check"]) $(`panel-${panel}`).hidden = panel !== name;
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("token").value.trim()); });
  $("sign-out").addEventListener("click", () => { if (state.streaming) state.streaming.abort(); signOut(); });
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); loadCustomers($("search").value.trim()).catch((err) => alert(err.message)); });
  $("chat-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const message = $("chat-input").value.trim();
    if (!message || state.streaming) return;
    $("chat-input").value = "";
    sendChat(message);
  });
  $("scripts-form").addEventListener("submit", (e) => { e.preventDefault(); draftScripts(); });
  $("check-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("check-input").value;
    if (text.trim()) checkText(text);
  });
  document.querySelectorAll(".tab").forEach((t) => t.addEventListener("click", () => showTab(t.dataset.tab)));
  if (state.token) signIn(state.token);
});
