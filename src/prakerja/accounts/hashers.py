"""Argon2id at the OWASP minimum (19 MiB, t=2, p=1).

Django's default Argon2 parameters (100 MiB, 8 lanes) hash about 7 passwords
a second on a 2-core machine, which caps registration during a batch opening;
OWASP's minimum keeps Argon2id's memory hardness at about 5x the throughput.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
