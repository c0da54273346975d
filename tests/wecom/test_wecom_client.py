"""WeComClient and GroupRobot against the fake WeCom API server."""
from __future__ import annotations

import httpx
import pytest

from fake_wecom_api import FakeWeComApi
from rm_copilot.channels.wecom.client import GroupRobot, WeComApiError, WeComClient
from wecom_fakes import AGENT_ID, CORP_ID, SECRET


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(api: FakeWeComApi, **kwargs) -> WeComClient:
    return WeComClient(api.base_url, CORP_ID, SECRET, AGENT_ID, **kwargs)


def test_access_token_is_cached_across_messages(fake_api: FakeWeComApi):
    client = make_client(fake_api)

    client.send_text("ZhangWei", "第一条")
    client.send_text("ZhangWei", "第二条")

    assert len(fake_api.calls_to("gettoken")) == 1
    assert fake_api.sent_texts() == ["第一条", "第二条"]
    assert {c.query["access_token"] for c in fake_api.calls_to("message/send")} == {"TOKEN-1"}


def test_token_is_refetched_after_its_lifetime_minus_margin(fake_api: FakeWeComApi):
    clock = FakeClock()
    client = make_client(fake_api, clock=clock)
    client.send_text("ZhangWei", "一")
    clock.now += 7200 - 300 - 1  # still inside the safe window
    client.send_text("ZhangWei", "二")
    clock.now += 2  # past expires_in minus the margin

    client.send_text("ZhangWei", "三")

    assert len(fake_api.calls_to("gettoken")) == 2
    assert fake_api.calls_to("message/send")[-1].query["access_token"] == "TOKEN-2"


@pytest.mark.parametrize("errcode", [42001, 40014, 40001])  # expired, invalid token, invalid credential
def test_rejected_token_is_refreshed_and_the_send_retried_once(fake_api: FakeWeComApi, errcode: int):
    client = make_client(fake_api)
    client.send_text("ZhangWei", "一")
    fake_api.fail_next(errcode)

    client.send_text("ZhangWei", "二")

    assert [c.answer["errcode"] for c in fake_api.calls_to("message/send")] == [0, errcode, 0]
    assert len(fake_api.calls_to("gettoken")) == 2
    assert fake_api.sent_texts() == ["一", "二"]


def test_token_rejected_twice_is_an_error_not_a_loop(fake_api: FakeWeComApi):
    client = make_client(fake_api)
    fake_api.fail_next(42001, 42001)

    with pytest.raises(WeComApiError) as raised:
        client.send_text("ZhangWei", "一")

    assert raised.value.errcode == 42001
    assert len(fake_api.calls_to("message/send")) == 2


def test_wrong_secret_fails_with_the_api_error(fake_api: FakeWeComApi):
    client = WeComClient(fake_api.base_url, CORP_ID, "wrong-secret", AGENT_ID)

    with pytest.raises(WeComApiError) as raised:
        client.send_text("ZhangWei", "一")

    assert raised.value.errcode == 40001
    assert fake_api.calls_to("message/send") == []


def test_other_api_errors_are_raised_without_retry(fake_api: FakeWeComApi):
    client = make_client(fake_api)
    fake_api.fail_next(81013)  # user not found

    with pytest.raises(WeComApiError, match="81013"):
        client.send_text("Nobody", "一")

    assert len(fake_api.calls_to("message/send")) == 1


def test_long_text_is_sent_as_several_messages_under_2048_bytes(fake_api: FakeWeComApi):
    client = make_client(fake_api)
    text = "".join(f"第{n}条提示：理财非存款、产品有风险、投资须谨慎。" for n in range(200))

    count = client.send_text("ZhangWei", text)

    sent = fake_api.sent_texts()
    assert count == len(sent) > 1
    assert all(len(chunk.encode()) <= 2048 for chunk in sent)
    assert "".join(sent) == text
    assert all(c.body["touser"] == "ZhangWei" and c.body["agentid"] == 1000002
               for c in fake_api.calls_to("message/send"))


def test_network_errors_are_retried_with_bounded_backoff():
    failures = {"left": 2}
    sends: list[dict] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        if failures["left"]:
            failures["left"] -= 1
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={"errcode": 0, "access_token": "T", "expires_in": 7200})
        sends.append(request.read())
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    sleep = RecordedSleep()
    client = WeComClient("http://wecom.test/cgi-bin", CORP_ID, SECRET, AGENT_ID,
                         http=httpx.Client(transport=httpx.MockTransport(flaky)), sleep=sleep)

    client.send_text("ZhangWei", "你好")

    assert sleep.delays == [0.5, 1.0]
    assert len(sends) == 1


def test_network_that_stays_down_gives_up_after_the_attempt_budget():
    attempts: list[str] = []

    def down(request: httpx.Request) -> httpx.Response:
        attempts.append(str(request.url))
        raise httpx.ConnectError("connection refused", request=request)

    sleep = RecordedSleep()
    client = WeComClient("http://wecom.test/cgi-bin", CORP_ID, SECRET, AGENT_ID,
                         http=httpx.Client(transport=httpx.MockTransport(down)), attempts=3, sleep=sleep)

    with pytest.raises(WeComApiError, match="network error"):
        client.send_text("ZhangWei", "你好")

    assert len(attempts) == 3
    assert sleep.delays == [0.5, 1.0]


def test_group_robot_splits_markdown_under_4096_bytes(fake_api: FakeWeComApi):
    robot = GroupRobot(fake_api.robot_url)
    text = "".join(f"**第{n}期** 活动提醒：请提前预约，名额有限以实际为准。\n" for n in range(200))

    count = robot.send_markdown(text)

    calls = fake_api.calls_to("webhook/send")
    contents = [c.body["markdown"]["content"] for c in calls]
    assert count == len(calls) > 1
    assert all(c.ok for c in calls)
    assert all(len(chunk.encode()) <= 4096 for chunk in contents)
    assert "".join(contents) == text


def test_group_robot_text_is_split_and_mentions_every_chunk(fake_api: FakeWeComApi):
    robot = GroupRobot(fake_api.robot_url)
    text = "本周到期客户名单已更新，请及时跟进。" * 200

    robot.send_text(text, mentioned_list=["ZhangWei"])

    calls = fake_api.calls_to("webhook/send")
    assert len(calls) > 1 and all(c.ok for c in calls)
    assert "".join(c.body["text"]["content"] for c in calls) == text
    assert all(c.body["text"]["mentioned_list"] == ["ZhangWei"] for c in calls)


def test_group_robot_error_is_raised(fake_api: FakeWeComApi):
    robot = GroupRobot(fake_api.robot_url.replace("ROBOT-KEY", "wrong"))

    with pytest.raises(WeComApiError, match="93000"):
        robot.send_text("你好")


def test_mass_task_results_are_read_across_pages(fake_api: FakeWeComApi):
    client = make_client(fake_api)
    recipients = [f"wm{n:030d}" for n in range(5)]

    task = client.add_msg_template(sender="zhangwei", external_userids=recipients, text="您好，欢迎来网点了解。")
    fake_api.confirm_mass_task(task["msgid"], not_friends=(recipients[4],))
    rows = client.groupmsg_send_results(task["msgid"], "zhangwei", page_size=2)

    assert task["fail_list"] == []
    assert [(r["external_userid"], r["status"]) for r in rows] == [(r, 1) for r in recipients[:4]] + [(recipients[4], 2)]
    assert len(fake_api.calls_to("externalcontact/get_groupmsg_send_result")) == 3


def test_non_contacts_come_back_in_fail_list_and_a_task_needs_one_contact():
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET, friends={"zhangwei": {"wm-friend"}}).start()
    try:
        client = make_client(api)
        task = client.add_msg_template(sender="zhangwei", external_userids=["wm-friend", "wm-stranger"], text="您好")
        with pytest.raises(WeComApiError) as refused:
            client.add_msg_template(sender="zhangwei", external_userids=["wm-stranger"], text="您好")
    finally:
        api.stop()
    assert task["fail_list"] == ["wm-stranger"] and refused.value.errcode == 41048


def test_expired_token_during_a_mass_task_is_refreshed_once(fake_api: FakeWeComApi):
    client = make_client(fake_api)
    client.access_token()
    fake_api.expire_tokens()

    task = client.add_msg_template(sender="zhangwei", external_userids=["wm1"], text="您好")

    assert task["msgid"] and len(fake_api.calls_to("gettoken")) == 2
    assert [c.answer["errcode"] for c in fake_api.calls_to("externalcontact/add_msg_template")] == [42001, 0]


def test_token_past_its_expires_in_is_refused_with_42001_by_the_fake():
    api = FakeWeComApi(corp_id=CORP_ID, secret=SECRET, expires_in=0).start()
    try:
        token = httpx.get(f"{api.base_url}/gettoken", params={"corpid": CORP_ID, "corpsecret": SECRET}).json()
        answer = httpx.post(f"{api.base_url}/message/send", params={"access_token": token["access_token"]},
                            json={"touser": "u", "msgtype": "text", "agentid": 1, "text": {"content": "x"}}).json()
    finally:
        api.stop()
    assert token["expires_in"] == 0 and answer["errcode"] == 42001


def test_template_card_is_sent_with_its_task_id_and_a_reused_task_id_is_refused(fake_api: FakeWeComApi):
    from rm_copilot.channels.wecom.cards import script_card

    client = make_client(fake_api)
    card = script_card({"script_id": "S0123456789abcdef0123", "scenario": "maturity", "product_id": "DP001"},
                       "C00012", "张*")

    code = client.send_template_card("ZhangWei", card)
    with pytest.raises(WeComApiError) as reused:
        client.send_template_card("ZhangWei", card)

    assert code == f"rc-{card['task_id']}" and reused.value.errcode == 40058
    assert fake_api.sent_cards() == [card]


def test_oversized_mass_text_is_refused_before_calling_wecom(fake_api: FakeWeComApi):
    with pytest.raises(WeComApiError) as refused:
        make_client(fake_api).add_msg_template(sender="zhangwei", external_userids=["wm1"], text="字" * 1400)
    assert refused.value.errcode == 45002 and fake_api.calls_to("externalcontact/add_msg_template") == []
