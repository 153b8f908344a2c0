import datetime as dt
import time
import pytest
from partner_server import partner_server, scene, now
import partner_clients as pc

pytestmark = pytest.mark.django_db(transaction=True)

def test_smoke(frozen_clock, provider):
    t=time.time()
    with partner_server() as base:
        print("server", time.time()-t)
        s = scene(base, frozen_clock, provider, people=3, seed=71)
        print("scene", time.time()-t, len(s.purchases))
        code = s.code()
        frozen_clock(code.session.starts_at - dt.timedelta(minutes=30))
        r = pc.python_reference(s.creds, pc.STATUS, code.code, now())
        print(r.status, r.json())
        r = pc.go_reference(s.creds, pc.COMMIT, code.code, now())
        print(r.status, r.json())
    print("done", time.time()-t)
