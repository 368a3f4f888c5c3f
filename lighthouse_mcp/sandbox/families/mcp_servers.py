"""MCP servers on an instance: create, describe, modify, start, stop, restart, remove.

A record is the spec's ``McpServer`` structure plus the instance it runs on
(``_instance_id``). Every change is asynchronous, in the states the spec documents for
``McpServer.State``: create ``PENDING → RUNNING``, start ``STARTING → RUNNING``, stop
``STOPPING → STOPPED``, restart ``RESTARTING → RUNNING``, modify ``RESTARTING → RUNNING``
(a running server restarts with its new command), remove ``REMOVING →`` gone.
Environment values are masked when stored (the service answers ``**********``), so a
secret given in ``Envs`` never reaches a Describe answer or a saved state file.
The templates are a static catalogue (the spec's example plus two common servers).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from ..engine.context import Ctx
from ..engine.listing import apply_filters, check_count, check_unique, id_pattern, page
from ..engine.registry import Family
from ..engine.state import Record, public
from .instance_model import lookup

family = Family("mcp_servers")

TABLE = "mcp_servers"
MCP_SERVER_ID = id_pattern("lhms")
MASK = "**********"
MAX_NAME = 64
MAX_TEXT = 2048
MAX_ENVS = 10
#: The states in which each action may start, and the state it shows until done.
_FROM: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "StartMcpServers": (("STOPPED", "LAUNCH_FAILED", "ENV_ERROR"), "STARTING", "RUNNING"),
    "StopMcpServers": (("RUNNING", "ENV_ERROR"), "STOPPING", "STOPPED"),
    "RestartMcpServers": (("RUNNING", "ENV_ERROR"), "RESTARTING", "RUNNING"),
    "RemoveMcpServers": (
        ("RUNNING", "STOPPED", "LAUNCH_FAILED", "ENV_ERROR", "UNKNOWN"),
        "REMOVING",
        None,
    ),
}
_STEADY = ("RUNNING", "STOPPED", "LAUNCH_FAILED", "ENV_ERROR", "UNKNOWN")


def _template(name: str, package: str, description: str, env: Sequence[str]) -> Record:
    return {
        "Name": name,
        "Command": base64.b64encode(f"npx -y {package}".encode()).decode(),
        "Description": description,
        "IconUrl": "",
        "CommunityUrl": f"https://www.npmjs.com/package/{package}",
        "PlatformUrl": "",
        "EnvSet": [{"Key": k, "Value": f"YOUR_{k}"} for k in env],
    }


TEMPLATES: tuple[Record, ...] = (
    _template(
        "Tencent Cloud Lighthouse MCP Server",
        "lighthouse-mcp-server",
        "Manage Lighthouse instances, firewalls and monitoring through MCP (lighthouse).",
        ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
    ),
    _template(
        "Sequential Thinking",
        "@modelcontextprotocol/server-sequential-thinking",
        "Step-by-step problem solving through a sequence of thoughts.",
        (),
    ),
    _template(
        "Filesystem",
        "@modelcontextprotocol/server-filesystem",
        "Read and write files under the directories it is given.",
        (),
    ),
)


def servers(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table(TABLE)


def _host(ctx: Ctx, params: dict[str, Any]) -> Record:
    instance = lookup(ctx, params["InstanceId"])
    if instance["InstanceState"] != "RUNNING":
        raise ctx.fail(
            "UnsupportedOperation.InvalidInstanceState",
            f"The instance `{instance['InstanceId']}` is {instance['InstanceState']}; MCP "
            "servers are managed on a RUNNING instance.",
        )
    return instance


def _lookup(ctx: Ctx, instance_id: str, server_id: str, field: str) -> Record:
    if not MCP_SERVER_ID.match(server_id):
        raise ctx.fail(
            "InvalidParameterValue",
            f"`{field}` value `{server_id[:40]}` is not an MCP server id (lhms-xxxxxxxx).",
        )
    record = servers(ctx).get(server_id)
    if record is None or record["_instance_id"] != instance_id:
        raise ctx.fail(
            "ResourceNotFound",
            f"The MCP server `{server_id}` does not exist on instance `{instance_id}`.",
        )
    return record


def _check_texts(ctx: Ctx, params: dict[str, Any]) -> None:
    name = params.get("Name")
    if name is not None and not 1 <= len(name) <= MAX_NAME:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`Name` has {len(name)} characters; give 1-{MAX_NAME}.",
        )
    for field in ("Command", "Description"):
        value = params.get(field)
        if value is not None and len(value) > MAX_TEXT:
            raise ctx.fail(
                "InvalidParameterValue",
                f"`{field}` has {len(value)} characters; at most {MAX_TEXT}.",
            )
    command = params.get("Command")
    if command is not None:
        try:
            base64.b64decode(command, validate=True)
        except (binascii.Error, ValueError):
            raise ctx.fail(
                "InvalidParameterValue",
                "`Command` must be the start command encoded in Base64.",
            ) from None
    envs = params.get("Envs")
    if envs is not None and len(envs) > MAX_ENVS:
        raise ctx.fail(
            "InvalidParameterValue",
            f"`Envs` has {len(envs)} variables; at most {MAX_ENVS}.",
        )


def _masked(envs: Sequence[dict[str, Any]] | None) -> list[dict[str, str]]:
    return [{"Key": str(e.get("Key", "")), "Value": MASK} for e in envs or []]


def _url(instance: Record, server_id: str, transport: str) -> str:
    address = (instance.get("PublicAddresses") or ["127.0.0.1"])[0]
    return f"http://{address}/{server_id}/{'sse' if transport == 'SSE' else 'mcp'}"


def _begin(ctx: Ctx, record: Record, state: str, final: str | None) -> None:
    record.update(State=state, UpdatedTime=ctx.iso())
    if final is None:
        ctx.schedule(TABLE, record["McpServerId"], remove=True)
    else:
        ctx.schedule(TABLE, record["McpServerId"], set={"State": final})


@family.handler("CreateMcpServer")
def create_mcp_server(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_texts(ctx, params)
    instance = _host(ctx, params)
    server_id = ctx.new_id("lhms")
    transport = params.get("TransportType") or "STREAMABLE_HTTP"
    url = _url(instance, server_id, transport)
    now = ctx.iso()
    servers(ctx)[server_id] = {
        "McpServerId": server_id,
        "Name": params["Name"],
        "McpServerType": "PUBLIC_PACKAGE",
        "IconUrl": "",
        "Command": params["Command"],
        "State": "PENDING",
        "ServerUrl": url,
        "Config": json.dumps({"mcpServers": {params["Name"]: {"url": url}}}, ensure_ascii=False),
        "Description": params.get("Description") or "",
        "CreatedTime": now,
        "UpdatedTime": now,
        "EnvSet": _masked(params.get("Envs")),
        "TransportType": transport,
        "_instance_id": instance["InstanceId"],
    }
    ctx.schedule(TABLE, server_id, set={"State": "RUNNING"})
    return {"McpServerId": server_id}


@family.handler("DescribeMcpServers")
def describe_mcp_servers(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    instance = lookup(ctx, params["InstanceId"])
    iid = instance["InstanceId"]
    wanted = params.get("McpServerIds")
    if wanted:
        check_unique(ctx, wanted, "McpServerIds")
        rows = [_lookup(ctx, iid, sid, "McpServerIds") for sid in wanted]
    else:
        rows = sorted(
            (r for r in servers(ctx).values() if r["_instance_id"] == iid),
            key=lambda r: (r["CreatedTime"], r["McpServerId"]),
        )
    return {
        "McpServerSet": [public(r) for r in page(ctx, rows, params)],
        "TotalCount": len(rows),
        "InstanceId": iid,
        "InstanceName": instance["InstanceName"],
    }


@family.handler("DescribeMcpServerTemplates", coverage="seed")
def describe_mcp_server_templates(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """``name-description`` matches the name or description by substring."""
    rows = apply_filters(
        ctx,
        TEMPLATES,
        params.get("Filters"),
        {"name-description": lambda t: [t["Name"], t["Description"]]},
        fuzzy=("name-description",),
    )
    return {"McpServerTemplateSet": page(ctx, rows, params), "TotalCount": len(rows)}


@family.handler("ModifyMcpServer")
def modify_mcp_server(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    _check_texts(ctx, params)
    instance = _host(ctx, params)
    record = _lookup(ctx, instance["InstanceId"], params["McpServerId"], "McpServerId")
    if record["State"] not in _STEADY:
        raise ctx.fail(
            "UnsupportedOperation.LatestOperationUnfinished",
            f"The MCP server `{record['McpServerId']}` is {record['State']}; wait until "
            "its operation finishes.",
        )
    for field in ("Name", "Command", "Description", "TransportType"):
        if params.get(field) is not None:
            record[field] = params[field]
    if params.get("Envs") is not None:
        record["EnvSet"] = _masked(params["Envs"])
    url = _url(instance, record["McpServerId"], record["TransportType"])
    record["ServerUrl"] = url
    record["Config"] = json.dumps(
        {"mcpServers": {record["Name"]: {"url": url}}}, ensure_ascii=False
    )
    if record["State"] == "RUNNING":  # a running server restarts with its new settings
        _begin(ctx, record, "RESTARTING", "RUNNING")
    else:
        record["UpdatedTime"] = ctx.iso()
    return {}


def _batch(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Start, stop, restart or remove a batch: all or nothing, by the rows of ``_FROM``."""
    instance = _host(ctx, params)
    ids = params["McpServerIds"]
    check_count(ctx, ids, "McpServerIds", 100)
    check_unique(ctx, ids, "McpServerIds")
    records = [_lookup(ctx, instance["InstanceId"], sid, "McpServerIds") for sid in ids]
    allowed, transient, final = _FROM[ctx.action]
    for record in records:
        if record["State"] not in allowed:
            raise ctx.fail(
                "UnsupportedOperation",
                f"The MCP server `{record['McpServerId']}` is {record['State']}; "
                f"{ctx.action} needs {' or '.join(allowed)}.",
            )
    for record in records:
        _begin(ctx, record, transient, final)
    return {}


# Start, Stop, Restart and Remove differ only in their row of _FROM.
for _action in _FROM:
    family.handler(_action)(_batch)
