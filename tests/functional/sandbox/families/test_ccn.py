"""CCN attachment through the sandbox's HTTP path: attach, detach, re-apply, describe."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.anyio

DELAY = 5.0
CCN = "ccn-pf78xmcp"


async def attachments(api: Any, **sign: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await api.ok("DescribeCcnAttachedInstances", {}, **sign))[
        "CcnAttachedInstanceSet"
    ]
    return found


async def test_attach_then_active_then_detach(api: Any, clock: Any, instances: Any) -> None:
    assert await attachments(api) == []
    await api.ok("AttachCcn", {"CcnId": CCN})
    (row,) = await attachments(api)
    assert (row["CcnId"], row["State"]) == (CCN, "ATTACHING")
    assert row["AttachedTime"] and row["Description"]
    networks = {
        ".".join(a.split(".")[:2]) + ".0.0/16"
        for i in instances.values()
        for a in i["PrivateAddresses"]
    }
    assert set(row["CidrBlock"]) == networks
    assert await api.error("DetachCcn", {"CcnId": CCN}) == "UnsupportedOperation.DetachCcnFailed"
    clock.advance(DELAY)
    assert (await attachments(api))[0]["State"] == "ACTIVE"
    await api.ok("DetachCcn", {"CcnId": CCN})
    assert (await attachments(api))[0]["State"] == "DETACHING"
    clock.advance(DELAY)
    assert await attachments(api) == []


async def test_one_ccn_per_region(api: Any, clock: Any) -> None:
    await api.ok("AttachCcn", {"CcnId": CCN})
    assert await api.error("AttachCcn", {"CcnId": CCN}) == "UnsupportedOperation.CcnAlreadyAttached"
    assert await api.error("AttachCcn", {"CcnId": "ccn-abcdefgh"}) == (
        "UnsupportedOperation.CcnAlreadyAttached"
    )


async def test_attach_needs_an_instance(api: Any) -> None:
    assert await api.error("AttachCcn", {"CcnId": CCN}, region="ap-shanghai") == (
        "UnsupportedOperation.AttachCcnConditionUnsatisfied"
    )
    assert await attachments(api, region="ap-shanghai") == []


async def test_detach_and_reset_need_that_ccn(api: Any, clock: Any) -> None:
    assert await api.error("DetachCcn", {"CcnId": CCN}) == "UnsupportedOperation.CcnNotAttached"
    assert await api.error("ResetAttachCcn", {"CcnId": CCN}) == (
        "UnsupportedOperation.CcnNotAttached"
    )
    assert await api.error("AttachCcn", {"CcnId": "vpc-12345678"}) == (
        "InvalidParameterValue.CcnIdMalformed"
    )


async def test_reset_reapplies_an_expired_attachment(api: Any, clock: Any, region: Any) -> None:
    await api.ok("AttachCcn", {"CcnId": CCN})
    clock.advance(DELAY)
    assert await api.error("ResetAttachCcn", {"CcnId": CCN}) == (
        "UnsupportedOperation.ResetAttachCcnFailed"
    )
    # an application the CCN owner let lapse (not reachable through this account's API)
    region().table("ccn")[CCN]["State"] = "EXPIRED"
    await api.ok("ResetAttachCcn", {"CcnId": CCN})
    assert (await attachments(api))[0]["State"] == "ATTACHING"
    clock.advance(DELAY)
    assert (await attachments(api))[0]["State"] == "ACTIVE"
