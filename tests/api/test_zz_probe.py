import json
import pytest
from conftest import PASSWORD, Api, codes

pytestmark = pytest.mark.django_db(transaction=True)

def show(label, r):
    try:
        body = r.json()
    except Exception:
        body = r.content[:200]
    print(label, r.status_code, body)

def test_probe(api, verified_api, resident):
    pass  # show("login-nul", api.post("/auth/token", {"email": "a\u0000@b.id", "password": "x"}))
    c = verified_api()
    pass  # , c.put("/me/identity", resident() | {"district_code": "32730\u0000"}))
    pass  # , c.put("/me/identity", resident() | {"domicile_district_code": "32730\u0000"}))
    show("verify-nul", c.post("/auth/verify-email", {"token": "a\u0000b"}))
    show("phone-nul", c.post("/auth/verify-phone", {"code": "1\u00002"}))
    show("reg-phone", api.post("/auth/register", {"email": "zz@contoh.id", "password": PASSWORD, "phone": "0812\u000034567890"}))
