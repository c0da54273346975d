"""schemathesis over the callback's own OpenAPI (in-process, bounded): no 500, answers as documented."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rm_copilot.channels.api.errors import install_error_handlers
from wecom_fakes import FakeCopilot
from wecom_harness import build_wecom_app

# Not "positive data acceptance": a schema-valid string is still not a validly signed ciphertext.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_callback_never_errors_and_matches_its_schema(wecom_env, tmp_path, method: str):
    built = build_wecom_app(wecom_env, tmp_path, FakeCopilot())
    install_error_handlers(built.app)  # errors rendered as create_app renders them
    operation = schemathesis.openapi.from_asgi("/openapi.json", built.app)["/wecom/callback"][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case) -> None:
        case.call_and_validate(checks=CHECKS)

    fuzz()
    built.channel.close()
