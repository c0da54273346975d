"""A worker loads its models at start-up, so the first advisor's question does not wait for them."""
from fastapi.testclient import TestClient

from rm_copilot.channels.api.app import create_app
from rm_copilot.services import Services


def test_start_up_builds_the_retriever_compliance_engine_and_copilot(built_services):
    services = Services(built_services.settings)  # a new worker's graph on the prepared home
    assert not {"retriever", "compliance", "copilot"} & set(vars(services))

    with TestClient(create_app(services)) as client:
        assert {"retriever", "compliance", "copilot"} <= set(vars(services))
        assert client.get("/healthz").status_code == 200


def test_a_failing_warm_up_leaves_the_server_starting(built_services, monkeypatch, caplog):
    services = Services(built_services.settings)
    monkeypatch.setattr(Services, "retriever", property(lambda self: (_ for _ in ()).throw(RuntimeError("index"))))

    with TestClient(create_app(services)) as client:
        assert client.get("/healthz").status_code == 200
    assert "warm-up incomplete: RuntimeError" in caplog.text


def test_start_up_loads_the_part_of_speech_tagger_the_name_check_may_need(built_services, monkeypatch):
    from rm_copilot.compliance import names
    from rm_copilot.compliance.pos_tagger import PosTagger

    monkeypatch.setattr(names.name_finder(), "_tagger", None)  # as in a new worker process: nothing loaded yet
    with TestClient(create_app(Services(built_services.settings))) as client:
        assert client.get("/healthz").status_code == 200
        tagger = names.name_finder()._tagger
        assert isinstance(getattr(tagger, "__self__", None), PosTagger)  # the tables saved in the home
