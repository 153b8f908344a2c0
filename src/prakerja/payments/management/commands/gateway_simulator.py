from django.core.management.base import BaseCommand, CommandError

from prakerja.payments.gateway_simulator import SimulatorServer, load_book


class Command(BaseCommand):
    help = (
        "Serve the disbursement gateway simulator over HTTP (the protocol is in prakerja.payments.gateway_simulator)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8770)
        parser.add_argument("--book", help="JSON list of accounts to load at start (skipped if the file is missing)")
        parser.add_argument("--api-key", default="sim-key")
        parser.add_argument("--callback-secret", default="sim-callback-secret")
        parser.add_argument("--settle-delay", type=float, default=0.0, help="seconds until a transfer succeeds")

    def handle(self, *args, **o):
        try:
            accounts = load_book(o["book"]) if o["book"] else []
            server = SimulatorServer(
                o["host"],
                o["port"],
                api_key=o["api_key"],
                callback_secret=o["callback_secret"],
                settle_delay=o["settle_delay"],
            )
        except (OSError, ValueError) as e:  # a port in use, an unreadable book
            raise CommandError(str(e)) from e
        try:
            server.simulator.add_accounts(accounts)
        except ValueError as e:
            server.stop()
            raise CommandError(f"{o['book']}: {e}") from e
        self.stdout.write(f"Gateway simulator on {server.url} with {len(accounts)} account(s) (Ctrl+C stops)")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
