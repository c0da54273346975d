"""What the bot answers, given who asks and what they type (hand-written fakes, no HTTP)."""
from __future__ import annotations

import pytest

from rm_copilot.channels.wecom import replies
from rm_copilot.channels.wecom.bot import WeComBot
from rm_copilot.channels.wecom.commands import SCRIPT_USAGE
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.errors import BadInput
from wecom_fakes import BOUND_USER, OTHER_USER, UNBOUND_USER, FakeAdvisors, FakeCopilot


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_text(self, touser: str, content: str) -> int:
        self.sent.append((touser, content))
        return 1


def text(content: str, user: str = BOUND_USER, msg_id: str = "1") -> InboundMessage:
    return InboundMessage(from_user=user, to_user="corp", create_time="1763900000", msg_type="text",
                          content=content, msg_id=msg_id)


@pytest.fixture
def copilot() -> FakeCopilot:
    return FakeCopilot()


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def bot(copilot: FakeCopilot, sender: RecordingSender) -> WeComBot:
    return WeComBot(copilot, FakeAdvisors(), sender)


def test_plain_question_goes_to_copilot_chat_as_the_bound_advisor(bot: WeComBot, copilot: FakeCopilot):
    reply = bot.reply_to(text("养老规划有哪些产品"))

    assert copilot.chat_calls == [dict(advisor_id="A001", message="养老规划有哪些产品", customer_id=None,
                                       session_id=None, channel="wecom")]
    assert reply.startswith("关于“养老规划有哪些产品”")
    assert reply.endswith("参考资料：\n[1] 存款保险常见问题")


def test_follow_up_question_reuses_the_users_session(bot: WeComBot, copilot: FakeCopilot):
    bot.reply_to(text("第一个问题"))
    bot.reply_to(text("接着问"))

    assert [c["session_id"] for c in copilot.chat_calls] == [None, "S1"]


def test_each_user_and_customer_has_its_own_session(bot: WeComBot, copilot: FakeCopilot):
    bot.reply_to(text("问题一"))
    bot.reply_to(text("C00012 问题二"))
    bot.reply_to(text("问题三", user=OTHER_USER))
    bot.reply_to(text("C00012 问题四"))

    assert [c["session_id"] for c in copilot.chat_calls] == [None, None, None, "S2"]


def test_new_conversation_command_forgets_the_session(bot: WeComBot, copilot: FakeCopilot):
    bot.reply_to(text("第一个问题"))

    assert bot.reply_to(text("新对话")) == replies.SESSION_RESET
    bot.reply_to(text("新的问题"))

    assert [c["session_id"] for c in copilot.chat_calls] == [None, None]


def test_a_session_deleted_elsewhere_is_replaced_transparently(bot: WeComBot, copilot: FakeCopilot):
    bot.reply_to(text("第一个问题"))
    copilot.known_sessions.clear()

    reply = bot.reply_to(text("接着问"))

    assert reply.startswith("关于“接着问”")
    assert [c["session_id"] for c in copilot.chat_calls] == [None, "S1", None]


def test_question_about_a_customer_passes_the_customer_id(bot: WeComBot, copilot: FakeCopilot):
    bot.reply_to(text("C00012 适合什么产品"))

    assert copilot.chat_calls[0]["customer_id"] == "C00012"
    assert copilot.chat_calls[0]["message"] == "适合什么产品"


@pytest.mark.parametrize(
    "message",
    [
        "C00099 适合什么产品",  # another advisor's customer, in a question
        "话术 C00099 到期",  # another advisor's customer, in a script command
        "话术 C99999 生日",  # no such customer
    ],
)
def test_customer_not_visible_to_the_advisor_gets_not_found_only(bot: WeComBot, message: str):
    assert bot.reply_to(text(message)) == replies.CUSTOMER_NOT_FOUND


@pytest.mark.parametrize(
    ("message", "scenario"),
    [("话术 C00012 产品", "product"), ("话术 C00012 到期", "maturity"), ("话术 C00012 生日", "birthday"),
     ("话术 C00012 活动", "event"), ("话术 C00012 安抚", "care"), ("话术 C00012", None)],
)
def test_script_command_maps_scenario_words_and_uses_the_wecom_channel(
    bot: WeComBot, copilot: FakeCopilot, message: str, scenario: str | None
):
    reply = bot.reply_to(text(message))

    assert copilot.script_calls[-1]["scenario"] == scenario
    assert copilot.script_calls[-1]["channel"] == "wecom"
    assert "张先生您好" in reply


def test_script_reply_names_scenario_and_product(bot: WeComBot):
    reply = bot.reply_to(text("话术 C00012 到期 DP001"))

    assert reply.startswith("【话术｜到期续接，产品 DP001】\n")


def test_malformed_script_command_answers_the_usage(bot: WeComBot, copilot: FakeCopilot):
    assert bot.reply_to(text("话术 C00012 随便写写")) == SCRIPT_USAGE
    assert copilot.script_calls == []


def test_help_is_answered_without_the_copilot(bot: WeComBot, copilot: FakeCopilot):
    assert bot.reply_to(text("帮助")) == replies.HELP
    assert copilot.chat_calls == []


def test_unknown_user_is_refused_before_anything_else(copilot: FakeCopilot, sender: RecordingSender):
    advisors = FakeAdvisors()
    bot = WeComBot(copilot, advisors, sender)

    assert bot.handle(text("话术 C00012 到期", user=UNBOUND_USER)) is True

    assert sender.sent == [(UNBOUND_USER, replies.UNBOUND_USER)]
    assert copilot.chat_calls == [] and copilot.script_calls == []


def test_events_are_not_answered(bot: WeComBot, sender: RecordingSender):
    event = InboundMessage(from_user=BOUND_USER, to_user="corp", create_time="1", msg_type="event",
                           event="enter_agent")

    assert bot.handle(event) is False
    assert sender.sent == []


def test_non_text_message_gets_the_text_only_notice(bot: WeComBot):
    image = InboundMessage(from_user=BOUND_USER, to_user="corp", create_time="1", msg_type="image", msg_id="9")

    assert bot.reply_to(image) == replies.UNSUPPORTED_MESSAGE


def test_blocked_answer_is_never_sent(sender: RecordingSender):
    bot = WeComBot(FakeCopilot(verdict="block", answer="保本保息，稳赚不赔"), FakeAdvisors(), sender)

    bot.handle(text("有没有保本的产品"))
    bot.handle(text("话术 C00012 产品", msg_id="2"))

    assert [content for _, content in sender.sent] == [replies.BLOCKED, replies.BLOCKED]


def test_domain_bad_input_is_answered_with_its_message(sender: RecordingSender):
    class RefusingCopilot(FakeCopilot):
        def scripts(self, *args, **kwargs):
            raise BadInput("该产品风险等级高于客户风险承受能力，不能推荐")

    bot = WeComBot(RefusingCopilot(), FakeAdvisors(), sender)

    assert bot.reply_to(text("话术 C00012 产品 FD009")) == "该产品风险等级高于客户风险承受能力，不能推荐"
