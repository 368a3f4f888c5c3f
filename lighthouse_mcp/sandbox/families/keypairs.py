"""Key pairs: create (with a real RSA private key), import, delete, bind to instances.

A record is the documented ``KeyPair`` structure. The private key exists only in the
CreateKeyPair response — it is never stored, so DescribeKeyPairs (and a saved state
file) cannot leak it, matching the real service, which also returns it once.
Binding is two-sided: the key's ``AssociatedInstanceIds`` and the instance's
``LoginSettings.KeyIds`` change together through :func:`bind`/:func:`unbind`, which the
instance lifecycle (create, reinstall, terminate) also uses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..engine.context import Ctx
from ..engine.listing import TAG_FILTERS, check_ids, given_tags, lookup_id, page, select
from ..engine.registry import Family
from ..engine.state import Record, public
from . import quotas, sshkeys
from .instance_model import KEY_ID, begin_operation, instances, require_many

family = Family("keypairs")

KEY_ID_MALFORMED = "InvalidParameterValue.KeyPairIdMalformed"
KEY_NOT_FOUND = ("ResourceNotFound.KeyIdNotFound", "ResourceNotFound.KeyPairNotFound")
MAX_NAME = 25
_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def keypairs(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table("keypairs")


def lookup_keypair(
    ctx: Ctx, key_id: str, field: str = "KeyIds", not_found: Sequence[str] = KEY_NOT_FOUND
) -> Record:
    """The key pair ``key_id`` (format, then existence checked with the documented codes)."""
    return lookup_id(
        ctx,
        keypairs(ctx),
        key_id,
        field=field,
        pattern=KEY_ID,
        malformed=KEY_ID_MALFORMED,
        not_found=not_found,
        kind="key pair",
    )


def _lookup_batch(ctx: Ctx, key_ids: Sequence[str], maximum: int) -> list[Record]:
    check_ids(ctx, key_ids, "KeyIds", KEY_ID, KEY_ID_MALFORMED, maximum=maximum)
    return [lookup_keypair(ctx, k) for k in key_ids]


#: The login user a key is bound for when the request names none.
DEFAULT_USERNAME = "root"


def bind(ctx: Ctx, key_id: str, iid: str, username: str = DEFAULT_USERNAME) -> None:
    """Record that ``key_id`` is bound to instance ``iid`` for ``username`` (both sides)."""
    key = keypairs(ctx).get(key_id)
    if key is not None and iid not in key["AssociatedInstanceIds"]:
        key["AssociatedInstanceIds"].append(iid)
        key.setdefault("AssociatedInstanceSet", []).append(
            {"InstanceId": iid, "Username": username}
        )
    instance = instances(ctx).get(iid)
    if instance is not None:
        bound = instance["LoginSettings"].setdefault("KeyIds", [])
        if key_id not in bound:
            bound.append(key_id)


def unbind(ctx: Ctx, key_id: str, iid: str) -> None:
    """Undo :func:`bind` (missing sides are ignored: the other may already be gone)."""
    key = keypairs(ctx).get(key_id)
    if key is not None and iid in key["AssociatedInstanceIds"]:
        key["AssociatedInstanceIds"].remove(iid)
        key["AssociatedInstanceSet"] = [
            a for a in key.get("AssociatedInstanceSet") or [] if a["InstanceId"] != iid
        ]
    instance = instances(ctx).get(iid)
    if instance is not None and key_id in (instance["LoginSettings"].get("KeyIds") or []):
        instance["LoginSettings"]["KeyIds"].remove(key_id)


def _check_name(ctx: Ctx, name: str) -> None:
    if not name:
        raise ctx.fail(
            "InvalidParameterValue.InvalidKeyPairNameEmpty",
            "`KeyName` is empty; give 1-25 letters, digits or underscores.",
        )
    if len(name) > MAX_NAME:
        raise ctx.fail(
            "InvalidParameterValue.InvalidKeyPairNameTooLong",
            f"`KeyName` has {len(name)} characters; at most {MAX_NAME}.",
        )
    if not _NAME.match(name):
        raise ctx.fail(
            "InvalidParameterValue.InvalidKeyPairNameIncludeIllegalChar",
            f"`KeyName` `{name}` may contain only letters, digits and underscores.",
            also=("InvalidParameterValue",),
        )
    if any(k["KeyName"] == name for k in keypairs(ctx).values()):
        raise ctx.fail(
            "InvalidParameterValue.DuplicateParameterValue",
            f"A key pair named `{name}` already exists in {ctx.region}.",
        )
    quotas.require(ctx, "USER_KEY_PAIR", 1, "LimitExceeded.KeyPairLimitExceeded")


def _store(ctx: Ctx, name: str, public_key: str, tags: list[dict[str, str]]) -> Record:
    record: Record = {
        "KeyId": ctx.new_id("lhkp"),
        "KeyName": name,
        "PublicKey": public_key,
        "AssociatedInstanceIds": [],
        "AssociatedInstanceSet": [],
        "CreatedTime": ctx.iso(),
        "PrivateKey": None,
        "Tags": tags,
    }
    keypairs(ctx)[record["KeyId"]] = record
    return record


@family.handler("CreateKeyPair")
def create_key_pair(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    name = params["KeyName"]
    _check_name(ctx, name)
    key = sshkeys.generate_rsa_key()
    record = _store(ctx, name, sshkeys.openssh_public_key(key, name), given_tags(params))
    answer = public(record)
    answer["PrivateKey"] = sshkeys.private_key_pem(key)  # returned once, never stored
    return {"KeyPair": answer}


@family.handler("ImportKeyPair")
def import_key_pair(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    name = params["KeyName"]
    _check_name(ctx, name)
    try:
        parsed = sshkeys.parse_openssh_public_key(params["PublicKey"])
    except sshkeys.PublicKeyError as problem:
        raise ctx.fail(
            "InvalidParameterValue.KeyPairPublicKeyMalformed",
            f"`PublicKey` is not an OpenSSH RSA public key: {problem}.",
        ) from None
    for other in keypairs(ctx).values():
        try:
            known = sshkeys.parse_openssh_public_key(other["PublicKey"])
        except sshkeys.PublicKeyError:
            continue
        if (known.n, known.e) == (parsed.n, parsed.e):
            raise ctx.fail(
                "InvalidParameterValue.KeyPairPublicKeyDuplicated",
                f"This public key ({parsed.fingerprint}) is already imported as "
                f"`{other['KeyId']}`.",
            )
    record = _store(ctx, name, " ".join(params["PublicKey"].split()), given_tags(params))
    return {"KeyId": record["KeyId"]}


@family.handler("DeleteKeyPairs")
def delete_key_pairs(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    records = _lookup_batch(ctx, params["KeyIds"], maximum=10)
    blueprint_keys = {
        key_id
        for bp in ctx.state.table("blueprints").values()
        for key_id in bp.get("_key_ids") or []
    }
    for record in records:
        if record["AssociatedInstanceIds"]:
            raise ctx.fail(
                "ResourceInUse.KeyPairInUse",
                f"The key pair `{record['KeyId']}` is bound to "
                f"{', '.join(record['AssociatedInstanceIds'])}; unbind it first "
                "(DisassociateInstancesKeyPairs).",
            )
        if record["KeyId"] in blueprint_keys:
            raise ctx.fail(
                "UnsupportedOperation.KeyPairBindToBlueprints",
                f"The key pair `{record['KeyId']}` is part of a custom blueprint; "
                "delete that blueprint first.",
            )
    for record in records:
        del keypairs(ctx)[record["KeyId"]]
    return {}


KEYPAIR_FILTERS = {
    "key-id": lambda r: [r["KeyId"]],
    "key-name": lambda r: [r["KeyName"]],
    **TAG_FILTERS,
}


@family.handler("DescribeKeyPairs")
def describe_key_pairs(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """``key-name`` matches by substring (the docs: 支持模糊匹配); the others exactly."""
    oldest_first = sorted(keypairs(ctx).values(), key=lambda r: (r["CreatedTime"], r["KeyId"]))
    rows = select(
        ctx,
        params,
        oldest_first,
        ids_param="KeyIds",
        id_key="KeyId",
        pattern=KEY_ID,
        malformed=KEY_ID_MALFORMED,
        accessors=KEYPAIR_FILTERS,
        fuzzy=("key-name",),
        tag_prefix=True,
        max_values=5,
    )
    shown = [_shown(r) for r in page(ctx, rows, params)]
    return {"TotalCount": len(rows), "KeyPairSet": shown}


def _shown(record: Record) -> Record:
    """The public ``KeyPair``, with the members state saved by older versions lacks."""
    shown = public(record)
    shown.setdefault("Tags", [])
    shown.setdefault(
        "AssociatedInstanceSet",
        [{"InstanceId": i, "Username": "root"} for i in record["AssociatedInstanceIds"]],
    )
    return shown


def _key_binding(ctx: Ctx, params: dict[str, Any], *, binding: bool) -> dict[str, Any]:
    """Shared checks of Associate/Disassociate: keys first, then instances, then pairs.

    ``AssociateType``/``DisassociateType`` ONLINE changes the keys without a shutdown and
    may name the login user (``Username``); OFFLINE (the default, as before the parameter
    existed) force-stops a RUNNING instance for the change and takes no ``Username``.
    """
    kind_field = "AssociateType" if binding else "DisassociateType"
    online = params.get(kind_field) == "ONLINE"
    username = params.get("Username")
    if username is not None and not online:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`Username` is only accepted with `{kind_field}`=ONLINE; an OFFLINE "
            "binding is for the instance's default user.",
        )
    keys = _lookup_batch(ctx, params["KeyIds"], maximum=100)
    targets = require_many(ctx, params["InstanceIds"])
    for instance in targets:
        bound = instance["LoginSettings"].get("KeyIds") or []
        for key in keys:
            if binding and key["KeyId"] in bound:
                raise ctx.fail(
                    "UnsupportedOperation.KeyPairBindDuplicate",
                    f"The key pair `{key['KeyId']}` is already bound to "
                    f"`{instance['InstanceId']}`.",
                )
            if not binding and key["KeyId"] not in bound:
                raise ctx.fail(
                    "UnsupportedOperation.KeyPairNotBoundToInstance",
                    f"The key pair `{key['KeyId']}` is not bound to `{instance['InstanceId']}`.",
                )
    for instance in targets:
        previous = instance["InstanceState"]
        for key in keys:
            if binding:
                bind(ctx, key["KeyId"], instance["InstanceId"], username or DEFAULT_USERNAME)
            else:
                unbind(ctx, key["KeyId"], instance["InstanceId"])
        # OFFLINE: a RUNNING instance is force-stopped for the change (docs) and comes back.
        transient = "STOPPING" if previous == "RUNNING" and not online else None
        begin_operation(ctx, instance, transient=transient, final={"InstanceState": previous})
    return {}


@family.handler("AssociateInstancesKeyPairs")
def associate_instances_key_pairs(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return _key_binding(ctx, params, binding=True)


@family.handler("DisassociateInstancesKeyPairs")
def disassociate_instances_key_pairs(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    return _key_binding(ctx, params, binding=False)
