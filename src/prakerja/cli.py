"""The ``prakerja`` console script: ``manage.py`` with the platform's settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")
    from django.core.management import execute_from_command_line

    # Contract names use dashes (load-regions); Django commands use underscores.
    argv = list(sys.argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "prakerja"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
