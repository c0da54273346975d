"""The tablet page in Debian's Chromium against `rm-copilot serve`: sign in, open a customer, ask,
watch the streamed answer with a citation, draft scripts, check a text; screenshots in tests/artifacts/."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
TIMEOUT_MS = 120_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: run scripts/install-test-deps.sh"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def token(live_server) -> str:
    return live_server.token("A001")


def _open_page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.base_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    response = page.goto(live_server.base_url + "/")
    assert response.status == 200 and "charset=utf-8" in response.headers["content-type"]
    return context, page, errors


def _sign_in_and_open_customer(page, token: str) -> str:
    page.fill("#token", token)
    page.click("#signin-submit")
    page.wait_for_selector(".customer-row")
    first = page.locator(".customer-row").first
    customer_id = first.get_attribute("data-id")
    first.click()
    page.wait_for_selector(f"#customer-card h2:has-text('{customer_id}')")
    return customer_id


def _ask(page, question: str):
    page.fill("#chat-input", question)
    with page.expect_response("**/api/v1/chat/stream") as streamed:
        page.click("#chat-send")
    answer = page.locator(".message.assistant").last
    answer.locator(".citation").first.wait_for()
    return streamed.value, answer


def _fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_advisor_signs_in_asks_with_citations_and_drafts_scripts_in_landscape(browser, live_server, token):
    context, page, errors = _open_page(browser, live_server, LANDSCAPE)
    assert page.locator("h2").first.inner_text() == "登录"

    customer_id = _sign_in_and_open_customer(page, token)
    card = page.locator("#customer-card")
    for layer in ("基础标签", "行为标签", "需求标签"):
        assert card.locator(f"h4:has-text('{layer}')").is_visible()
    assert re.search(r"\d{3}\*{4}\d{4}", card.inner_text())  # masked phone

    response, answer = _ask(page, "这位客户适合什么理财？")
    assert response.status == 200 and response.headers["content-type"].startswith("text/event-stream")
    assert len(answer.locator(".body").inner_text()) > 10
    assert "null" not in answer.inner_text() and "undefined" not in answer.inner_text()
    assert answer.locator(".verdict").inner_text().startswith("合规：")
    page.screenshot(path=str(ARTIFACTS / "tablet-landscape-chat.png"))

    answer.locator(".citation").first.click()
    dialog = page.locator("#citation-dialog")
    assert dialog.is_visible() and dialog.locator("#citation-source").inner_text()
    page.screenshot(path=str(ARTIFACTS / "tablet-landscape-citation.png"))
    dialog.locator("button").click()

    page.click("button.tab[data-tab='scripts']")
    page.select_option("#script-channel", "wecom")
    page.select_option("#script-variants", "2")
    page.click("#scripts-submit")
    page.wait_for_selector(".script")
    scripts = page.locator(".script")
    assert scripts.count() == 2
    assert scripts.first.locator(".verdict").inner_text() in {"合规：通过", "合规：已改写"}
    scripts.first.locator("button.copy").click()
    page.wait_for_selector("button.copy:has-text('已复制')")
    page.screenshot(path=str(ARTIFACTS / "tablet-landscape-scripts.png"))

    page.click("button.tab[data-tab='check']")
    page.fill("#check-input", "本产品保本保息，稳赚不赔，今天不买就没了。")
    page.click("#check-submit")
    page.wait_for_selector("#check-result mark.finding")
    assert page.locator("#check-result .verdict").inner_text() == "合规：拦截"
    assert page.locator("#check-result mark.finding").first.get_attribute("title")
    page.screenshot(path=str(ARTIFACTS / "tablet-landscape-check.png"))

    assert customer_id and _fits_width(page)
    assert errors == []
    context.close()


def test_page_is_usable_in_portrait(browser, live_server, token):
    context, page, errors = _open_page(browser, live_server, PORTRAIT)
    _sign_in_and_open_customer(page, token)
    _, answer = _ask(page, "存款保险的保障额度是多少？")
    assert answer.locator(".citation").count() >= 1
    assert page.locator("#chat-input").is_visible() and page.locator("#chat-send").is_visible()
    assert _fits_width(page)
    page.screenshot(path=str(ARTIFACTS / "tablet-portrait-chat.png"))
    assert errors == []
    context.close()
