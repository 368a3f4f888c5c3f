"""catalog.secrets.secret_values: the texts the client scrubs from upstream messages."""

from __future__ import annotations

from lighthouse_mcp.catalog.secrets import redact, secret_values


def test_finds_passwords_at_any_depth_and_env_values() -> None:
    params = {
        "InstanceIds": ["lhins-aaaaaaaa"],
        "Password": "Pw-top-1!",
        "LoginConfiguration": {
            "AutoGeneratePassword": "NO",
            "Password": "Pw-nested-2!",
            "KeyIds": ["lhkp-keepme00"],
        },
        "Containers": [
            {
                "ContainerImage": "nginx",
                "Envs": [
                    {"Key": "DB_PASS", "Value": "env-value-3"},
                    {"Key": "PORT", "Value": 8080},
                ],
            }
        ],
        "Odd": {"Password": ["in-a-list-4"], "Envs": [{"Key": "K", "Value": {"x": "deep-5"}}]},
    }
    found = secret_values(params)
    assert sorted(found) == sorted(
        ["Pw-top-1!", "Pw-nested-2!", "env-value-3", "8080", "in-a-list-4", "deep-5"]
    )
    # harmless members of a secret structure and pair keys are not scrub targets
    assert "lhkp-keepme00" not in found and "DB_PASS" not in found and "NO" not in found


def test_everything_found_is_what_redact_blanks() -> None:
    params = {"Password": "p4ssw0rd!", "Envs": [{"Key": "A", "Value": "v-1"}]}
    blanked = str(redact(params))
    assert all(text not in blanked for text in secret_values(params))


def test_nothing_secret_means_nothing_found() -> None:
    assert secret_values({"InstanceIds": ["lhins-aaaaaaaa"], "Limit": 10}) == []
    assert secret_values("Password") == [] and secret_values(None) == []
