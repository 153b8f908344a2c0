from django.core.management.base import BaseCommand

from prakerja.registry.matching import RegistryEntry
from prakerja.registry.models import CivilRegistryRecord
from prakerja.registry.simulator import make_handler


class Command(BaseCommand):
    help = "Serve the civil-registry simulator over HTTP from the local registry table."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8090)

    def handle(self, *args, **o):
        from http.server import ThreadingHTTPServer

        def lookup(nik):
            row = CivilRegistryRecord.objects.filter(nik=nik).first()
            return RegistryEntry(row.nik, row.kk_number, row.full_name, row.birth_date) if row else None

        server = ThreadingHTTPServer(("127.0.0.1", o["port"]), make_handler(lookup))
        self.stdout.write(f"Civil-registry simulator on http://127.0.0.1:{o['port']}/verify (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
