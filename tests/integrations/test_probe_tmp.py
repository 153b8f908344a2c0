import json, time
import pytest
from django.test import Client
from prakerja.core import clock
from prakerja.integrations import signing

pytestmark = pytest.mark.django_db

P = "/api/v1/integration/payment/redeem-code/status"

def post(inst, body, ts=None, sig=None, path=P, signpath=P):
    ts = ts or str(int(clock.now().timestamp()))
    sig = sig or signing.sign(inst.sign_key, inst.client_code, ts, signpath, body)
    c = Client(raise_request_exception=False)
    r = c.post(path, data=body, content_type="application/json", headers={"client_code": inst.client_code, "timestamp": ts, "signature": sig})
    return r.status_code, r.content[:200]

def test_probe(provider):
    inst = provider.institution
    print(post(inst, '{"redeem_code":"X"}', sig="\u00e9"*40))
    print(post(inst, '{"redeem_code":"X"}', ts="1"+"0"*400))
    print(post(inst, "[" * 100000))
    print(post(inst, '{"redeem_code":"X","sequence":"\u00b2"}'))
    print(post(inst, '{"redeem_code":"X"}', path="//api/v1/integration/payment/redeem-code/status"))
    print(post(inst, '{"redeem_code":"X"}', path="/api/v1/integration/payment/redeem-code/status/"))
    print(post(inst, '{"redeem_code":"X"}', ts="1_" + str(int(clock.now().timestamp()))[1:]))
