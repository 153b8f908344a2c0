"""The production settings with ``layers.urls`` as the URLconf (bench/registration_layers.py)."""

from prakerja.settings import *  # noqa: F403

ROOT_URLCONF = "layers.urls"
