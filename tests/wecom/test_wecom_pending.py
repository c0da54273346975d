"""The durable copy of an acknowledged WeCom message holds no raw ID, card or phone number or full name."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from rm_copilot import schema
from rm_copilot.channels.wecom.messages import InboundMessage
from rm_copilot.channels.wecom.pending import PendingMessages, PendingWeComMessage
from rm_copilot.db import make_engine, make_session_factory

ID_NUMBER = "110101199003077571"  # checksum valid
PHONE = "13812345678"


def test_a_held_message_is_stored_masked_and_recovered_from_the_masked_copy(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    schema.upgrade(engine)
    factory = make_session_factory(engine)
    message = InboundMessage(from_user="zhangwei", to_user="corp", create_time="1763900000", msg_type="text",
                             content=f"客户周建国先生的身份证{ID_NUMBER}，手机{PHONE}，帮我看看他适合什么产品",
                             msg_id="42")
    PendingMessages(factory, lease=timedelta(seconds=-1)).hold(message)

    with factory() as session:
        stored = session.execute(select(PendingWeComMessage.message)).scalar_one()
    for secret in (ID_NUMBER, PHONE, "周建国"):
        assert secret not in stored
    assert "适合什么产品" in stored

    with factory() as session, session.begin():  # held by a process elsewhere whose lease ran out
        session.execute(update(PendingWeComMessage).values(owner="other-host:1"))
    recovered = PendingMessages(factory).take_abandoned()
    assert [m.msg_id for m in recovered] == ["42"]
    assert PHONE not in recovered[0].content and "手机" in recovered[0].content
    assert recovered[0].dedupe_key == message.dedupe_key
