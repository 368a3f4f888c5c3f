"""secret_outputs.redact_container_detail: env values out, everything else as it was."""

from __future__ import annotations

import base64
import json

from lighthouse_mcp.server.secret_outputs import redact_container_detail


def _encode(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def test_env_values_are_blanked_and_names_kept() -> None:
    detail = _encode(
        [
            {
                "Id": "c1",
                "Config": {
                    "Image": "mysql",
                    "Env": ["MYSQL_ROOT_PASSWORD=hunter2=x", "EMPTY=", "NOVALUE", 7],
                },
            }
        ]
    )
    out = json.loads(base64.b64decode(redact_container_detail(detail)))
    assert out == [
        {
            "Id": "c1",
            "Config": {
                "Image": "mysql",
                "Env": [
                    "MYSQL_ROOT_PASSWORD=<redacted>",
                    "EMPTY=<redacted>",
                    "NOVALUE",
                    "<redacted>",
                ],
            },
        }
    ]


def test_text_without_an_env_list_is_returned_unchanged() -> None:
    for odd in (
        "not base64!",
        base64.b64encode(b"not json").decode(),
        _encode({"Config": 1}),
        _encode("text"),
        _encode([{"Config": {"Image": "x"}}]),
    ):
        assert redact_container_detail(odd) == odd
