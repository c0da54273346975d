"""WeComClient and GroupRobot against the fake WeCom API server."""
from __future__ import annotations

import httpx
import pytest
from fake_wecom_api import FakeWeComApi
from wecom_fakes import AGENT_ID, CORP_ID, SECRET

from rm_copilot.channels.wecom.client import GroupRobot, WeComApiError, WeComClient


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
