"""CVM custom images shared into Lighthouse: DescribeImagesToShare, ModifyImageSharePermission.

The account's CVM images are a static catalogue per region (the sandbox has no CVM); what
changes is which of them are shared. Sharing one (``Permission=SHARE``) makes a Lighthouse
blueprint of ``BlueprintType=SHARED`` from it, whose id the answer returns; ``CANCEL``
removes that blueprint. An image can be shared when the spec's conditions hold: not
already shared, not externally imported, not a whole-instance image, supports
cloud-init, and NORMAL. ``IsShareable``/``UnshareableReason`` report them.
"""

from __future__ import annotations

from typing import Any

from ..engine.context import Ctx
from ..engine.listing import apply_filters, check_unique, exclusive, page
from ..engine.registry import Family
from ..engine.state import Record
from .instance_model import blueprint

family = Family("image_sharing")

TABLE = "image_shares"  # image id -> {"BlueprintId": ...}
_CREATED = "2025-01-06T08:00:00Z"


def _image(
    image_id: str,
    name: str,
    os_name: str,
    platform: str,
    *,
    source: str = "CREATE_IMAGE",
    image_class: str = "SystemImage",
    cloudinit: bool = True,
    size: int = 20,
) -> Record:
    return {
        "ImageId": image_id,
        "ImageName": name,
        "ImageDescription": f"{name} (CVM custom image)",
        "ImageSize": size,
        "ImageSource": source,
        "ImageClass": image_class,
        "ImageState": "NORMAL",
        "IsSupportCloudinit": cloudinit,
        "Architecture": "x86_64",
        "OsName": os_name,
        "Platform": platform,
        "CreatedTime": _CREATED,
    }


#: The account's CVM custom images (every region has the same ones).
IMAGES: tuple[Record, ...] = (
    _image("img-cs2rrmp0", "ubuntu", "Ubuntu Server 20.04 LTS 64bit", "Ubuntu", size=50),
    _image("img-xkd784jw", "web-base", "TencentOS Server 3.1 (TK4)", "TencentOS"),
    _image(
        "img-imp00003", "imported-debian", "Debian 11.1 64bit", "Debian", source="EXTERNAL_IMPORT"
    ),
    _image(
        "img-whl00004",
        "whole-machine",
        "CentOS 7.9 64bit",
        "CentOS",
        image_class="InstanceImage",
        size=70,
    ),
)
_BY_ID = {i["ImageId"]: i for i in IMAGES}


def _shares(ctx: Ctx) -> dict[str, Record]:
    return ctx.state.table(TABLE)


def _unshareable(ctx: Ctx, image: Record) -> str | None:
    if image["ImageId"] in _shares(ctx):
        return "The image is already shared to Lighthouse."
    if image["ImageSource"] == "EXTERNAL_IMPORT":
        return "Externally imported images cannot be shared."
    if image["ImageClass"] == "InstanceImage":
        return "Whole-instance images cannot be shared."
    if not image["IsSupportCloudinit"]:
        return "The image does not support cloud-init."
    if image["ImageState"] != "NORMAL":
        return f"The image is {image['ImageState']}; only NORMAL images can be shared."
    return None


def _shown(ctx: Ctx, image: Record) -> Record:
    reason = _unshareable(ctx, image)
    return {**image, "IsShareable": reason is None, "UnshareableReason": reason or ""}


_FILTERS = {
    "image-id": lambda i: [i["ImageId"]],
    "image-name": lambda i: [i["ImageName"]],
    "image-type": lambda i: ["PRIVATE_IMAGE"],
}


@family.handler("DescribeImagesToShare")
def describe_images_to_share(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    exclusive(ctx, params, "ImageIds", "Filters")
    rows = list(IMAGES)
    wanted = params.get("ImageIds")
    if wanted:
        check_unique(ctx, wanted, "ImageIds")
        rows = [_lookup(ctx, image_id, "ImageIds") for image_id in wanted]
    rows = apply_filters(ctx, rows, params.get("Filters"), _FILTERS, max_values=5)
    return {"TotalCount": len(rows), "ImageSet": [_shown(ctx, i) for i in page(ctx, rows, params)]}


def _lookup(ctx: Ctx, image_id: str, field: str) -> Record:
    image = _BY_ID.get(image_id)
    if image is None:
        raise ctx.fail(
            "ResourceNotFound",
            f"`{field}` value `{image_id[:40]}` is not a CVM custom image of this account "
            "(see DescribeImagesToShare).",
        )
    return image


@family.handler("ModifyImageSharePermission")
def modify_image_share_permission(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    image = _lookup(ctx, params["ImageId"], "ImageId")
    shares = _shares(ctx)
    if params["Permission"] == "CANCEL":
        share = shares.get(image["ImageId"])
        if share is None:
            raise ctx.fail(
                "UnsupportedOperation",
                f"The image `{image['ImageId']}` is not shared to Lighthouse.",
            )
        shared = blueprint(ctx, share["BlueprintId"])
        if shared is not None:
            shared["BlueprintState"] = "DELETING"
            ctx.schedule("blueprints", share["BlueprintId"], remove=True)
        del shares[image["ImageId"]]
        return {"BlueprintId": share["BlueprintId"]}
    if params["Permission"] != "SHARE":
        raise ctx.fail(
            "InvalidParameterValue",
            f"`Permission` is {str(params['Permission'])[:20]!r}; expected SHARE or CANCEL.",
        )
    reason = _unshareable(ctx, image)
    if reason is not None:
        raise ctx.fail("UnsupportedOperation", f"`{image['ImageId']}` cannot be shared: {reason}")
    blueprint_id = ctx.new_id("lhbp")
    ctx.state.table("blueprints")[blueprint_id] = {
        "BlueprintId": blueprint_id,
        "DisplayTitle": image["ImageName"],
        "DisplayVersion": "",
        "Description": image["ImageDescription"],
        "OsName": image["OsName"],
        "Platform": image["Platform"].upper(),
        "PlatformType": "LINUX_UNIX",
        "BlueprintType": "SHARED",
        "ImageUrl": "",
        "RequiredSystemDiskSize": image["ImageSize"],
        "BlueprintState": "NORMAL",
        "CreatedTime": ctx.iso(),
        "BlueprintName": image["ImageName"],
        "SupportAutomationTools": True,
        "RequiredMemorySize": 1,
        "ImageId": image["ImageId"],
        "CommunityUrl": "",
        "GuideUrl": "",
        "SceneIdSet": [],
        "DockerVersion": None,
        "BlueprintShared": False,
        "Tags": [],
        "_key_ids": [],
        "_shared_accounts": [],
    }
    shares[image["ImageId"]] = {"BlueprintId": blueprint_id}
    return {"BlueprintId": blueprint_id}
