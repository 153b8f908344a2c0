"""API operations of this app (mounted at ``/api/v1/``): the public directory of help desks."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from prakerja.accounts.api import ErrorsOut
from prakerja.core.errors import fail
from prakerja.helpdesk import rules
from prakerja.helpdesk.actions import public_desks
from prakerja.helpdesk.models import HelpDesk

router = Router(tags=["help desks"])


class HelpDeskOut(Schema):
    id: str = Field(description="Public id of the desk")
    name: str
    province_code: str
    province: str
    regency_code: str
    regency: str
    address: str
    opening_hours: str
    phone: str = Field(description="E.164, empty when the desk has none")
    phone_display: str = Field(description="As written in Indonesia, e.g. (022) 4230115")
    email: str


def desk_out(desk: HelpDesk) -> dict[str, str]:
    return {
        "id": str(desk.public_id),
        "name": desk.name,
        "province_code": desk.regency.province_id,
        "province": desk.regency.province.name,
        "regency_code": desk.regency_id,
        "regency": desk.regency.name,
        "address": desk.address,
        "opening_hours": desk.opening_hours,
        "phone": desk.phone,
        "phone_display": rules.display_phone(desk.phone) if desk.phone else "",
        "email": desk.email,
    }


@router.get(
    "/help-desks",
    response={200: list[HelpDeskOut], 422: ErrorsOut},
    summary="Active regional help desks (public), optionally in one province or regency/city",
)
def help_desks(request: HttpRequest, regency: str = "", province: str = "") -> list[dict[str, str]]:
    regency, province = regency.strip(), province.strip()
    if regency and not (len(regency) == 4 and regency.isascii() and regency.isdigit()):
        raise fail("INVALID_VALUE", "regency")
    if province and not (len(province) == 2 and province.isascii() and province.isdigit()):
        raise fail("INVALID_VALUE", "province")
    return [desk_out(d) for d in public_desks(province=province, regency=regency)]
